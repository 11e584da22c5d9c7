"""``calendar-svc feeds build`` and ``calendar-svc feeds check``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from calendar_svc.cli import App, pass_app

#: Problems printed by ``feeds check`` before "and N more".
MAX_SHOWN = 200


@click.group("feeds")
def feeds_group() -> None:
    """Lịch ICS / ICS feeds: build them as files, check a feed."""


@feeds_group.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Thư mục ghi lịch / Directory of the .ics files (default: feeds.dir, or 'feeds' in "
    "the data directory).",
)
@pass_app
def build_command(app: App, out: Path | None) -> None:
    """Xuất các lịch ICS / Write every feed: all, per scope, per category, round.

    The window runs from 1 January, feeds.years_back years ago, to 31 December,
    feeds.years_ahead years ahead (default 1 and 5). Each file is replaced atomically and
    only when its bytes change.
    """
    from calendar_svc.feeds.definitions import feed_definitions, feed_window
    from calendar_svc.feeds.publish import FeedOptions, build_and_publish, feeds_dir

    settings = app.settings
    window = feed_window(app.today(), settings.feeds_years_back, settings.feeds_years_ahead)
    report = build_and_publish(
        app.reader(),
        feed_definitions(app.scopes),
        window,
        out if out is not None else feeds_dir(settings.feeds_dir),
        FeedOptions.from_settings(settings),
        workers=os.cpu_count() or 1,
    )
    width = max(len(f.path.name) for f in report.feeds)
    for feed in report.feeds:
        status = "ghi mới / written" if feed.written else "không đổi / unchanged"
        click.echo(f"{feed.path.name:<{width}}  {feed.events:>5} sự kiện / events  {status}")
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
