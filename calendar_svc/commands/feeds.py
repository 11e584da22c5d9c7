"""``calendar-svc feeds build`` and ``calendar-svc feeds check``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.errors import CalendarSvcError

if TYPE_CHECKING:
    from calendar_svc.feeds.definitions import FeedCatalog, FeedSpec

#: Problems printed by ``feeds check`` before "and N more".
MAX_SHOWN = 200


@click.group("feeds")
def feeds_group() -> None:
    """Lịch ICS / ICS feeds: build them as files, check a feed."""


class UnknownFeedError(CalendarSvcError):
    """``feeds build`` was given a name that is no feed."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"không có lịch / no feed named '{name}' (a scope id such as province:quang-ninh, "
            "its feed name province/quang-ninh, a category slug, round or all)"
        )


def chosen_specs(
    catalog: FeedCatalog, names: Sequence[str], *, every: bool, today: date | None = None
) -> list[FeedSpec]:
    """Return the feeds ``feeds build`` writes.

    Args:
        catalog: resolves names against the fixed feeds and the scope tree.
        names: feed names or scope ids; empty means the standard set: all, round, the
            categories, national and each current scope directly under it (the 34
            provinces).
        every: every feed: the fixed ones and one per scope of the registry.
        today: decides which units are current (a former province ended on 30/06/2025).

    Raises:
        UnknownFeedError: a name is no feed.
    """
    from calendar_svc.feeds.definitions import scope_spec

    scopes = catalog.scopes
    if every:
        specs = [
            *catalog.fixed.values(),
            *(scope_spec(scopes, s, catalog.children) for s in scopes.ids()),
        ]
    elif names:
        specs = []
        for name in names:
            spec = catalog.resolve(name)
            if spec is None:
                raise UnknownFeedError(name)
            specs.append(spec)
    else:
        top = [
            s
            for s in scopes.ids()
            if s == "national" or (scopes[s].parent == "national" and scopes[s].current(today))
        ]
        specs = [*catalog.fixed.values(), *(scope_spec(scopes, s, catalog.children) for s in top)]
    return list({spec.name: spec for spec in specs}.values())


@feeds_group.command("build")
@click.argument("names", nargs=-1, metavar="[FEED]...")
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Mọi lịch / Every feed: all, round, categories and one per scope of the registry.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Thư mục ghi lịch / Directory of the .ics files (default: feeds.dir, or 'feeds' in "
    "the data directory).",
)
@pass_app
def build_command(app: App, names: tuple[str, ...], every: bool, out: Path | None) -> None:  # noqa: FBT001
    """Xuất các lịch ICS / Write feeds as static files, for any web server.

    FEED is a feed name or a scope id: national, province/quang-ninh (or
    province:quang-ninh), commune/quang-ninh/cua-ong, a category slug, round, all.
    Without FEED: all, round, the categories, national and the 34 provinces; --all
    adds every scope of the registry (about 4,000 files). A scope's file is written at
    the path of its URL (province/quang-ninh.ics), so /feeds/ of a static server answers
    like the service.

    The window runs from 1 January, feeds.years_back years ago, to 31 December,
    feeds.years_ahead years ahead (default 1 and 5). Each file is replaced atomically and
    only when its bytes change.
    """
    from calendar_svc.feeds.definitions import FeedCatalog, feed_window
    from calendar_svc.feeds.publish import FeedOptions, build_and_publish, feeds_dir

    settings = app.settings
    specs = chosen_specs(FeedCatalog(app.scopes), names, every=every, today=app.today())
    window = feed_window(app.today(), settings.feeds_years_back, settings.feeds_years_ahead)
    store = app.store()
    options = FeedOptions.from_settings(settings, store.meta.uid_domain(settings.web_base_url))
    report = build_and_publish(
        app.reader(),
        specs,
        window,
        out if out is not None else feeds_dir(settings.feeds_dir),
        options,
        workers=os.cpu_count() or 1,
    )
    directory = report.directory
    width = max(len(str(f.path.relative_to(directory))) for f in report.feeds)
    for feed in report.feeds:
        status = "ghi mới / written" if feed.written else "không đổi / unchanged"
        shown = str(feed.path.relative_to(directory))
        click.echo(f"{shown:<{width}}  {feed.events:>5} sự kiện / events  {status}")
    written = sum(f.written for f in report.feeds)
    click.echo(
        f"{len(report.feeds)} lịch / feeds ({written} ghi mới / written) in {report.directory}, "
        f"{window.start.isoformat()} … {window.end.isoformat()}"
    )


@feeds_group.command("check")
@click.argument("target", metavar="FILE|URL")
def check_command(target: str) -> None:
    """Kiểm tra một lịch ICS / Check a feed file or URL, with line numbers.

    Reports a missing UID, DTSTAMP or DTEND, DTEND not after DTSTART, lines over 75
    octets, duplicate UIDs, whatever icalendar cannot parse and, for a URL, a wrong
    Content-Type. Exits with 1 when anything is wrong.
    """
    from calendar_svc.feeds.check import FeedCheckError, check_target

    report = check_target(target)
    for problem in report.problems[:MAX_SHOWN]:
        click.echo(f"{target}:{problem}" if problem.line is not None else f"{target}: {problem}")
    if len(report.problems) > MAX_SHOWN:
        click.echo(f"… và {len(report.problems) - MAX_SHOWN} lỗi khác / and more")
    if not report.ok:
        raise FeedCheckError(target, len(report.problems))
    click.echo(f"{target}: OK, {report.events} sự kiện / events")
