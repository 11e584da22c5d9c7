"""``calendar-svc month`` and ``calendar-svc year``: list occurrences."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.months import MONTHS, MonthSpan, months_between, resolve
from calendar_svc.commands.params import CATEGORY, MONTH
from calendar_svc.core.occurrences import month_range, year_range
from calendar_svc.formatting import FORMATS, RENDERERS, Display, render_year
from calendar_svc.services.listing import ListingQuery, list_occurrences

F = TypeVar("F", bound=Callable[..., Any])


def _use_color(fmt: str) -> bool:
    return fmt == "table" and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def listing_options(func: F) -> F:
    """Add the filters and formats that month and year share."""
    decorators = [
        click.option(
            "--scope",
            metavar="SCOPE",
            help="Phạm vi, gồm cả cấp trên và đơn vị tiền thân / Scope with its parents and "
            'predecessors: id, code or name (province:thanh-hoa, 22, "phường Cửa Ông").',
        ),
        click.option(
            "--category",
            "categories",
            multiple=True,
            type=CATEGORY,
            help="Chỉ loại này (lặp lại được) / Only this category (repeatable).",
        ),
        click.option(
            "--round",
            "round_only",
            is_flag=True,
            help="Chỉ năm tròn và năm lẻ 5 / Only round (…0) and half-round (…5) counts.",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
            help="Định dạng / Output format; text gives the directive's line.",
        ),
        click.option(
            "--lang",
            type=click.Choice(["vi", "en"]),
            default=None,
            help="Ngôn ngữ / Language (default from configuration: vi).",
        ),
        click.option(
            "--lunar/--no-lunar",
            "show_lunar",
            default=True,
            help="Hiện ngày âm lịch / Show the lunar date beside the solar date.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _display(app: App, lang: str | None, fmt: str, *, show_lunar: bool) -> Display:
    return Display(lang=lang or app.settings.lang, show_lunar=show_lunar, color=_use_color(fmt))


@click.command("month")
@click.argument("month", required=False, type=MONTHS, metavar="[MONTH]")
@click.option(
    "--from",
    "first",
    type=MONTH,
    help="Từ tháng / From this month (YYYY-MM), with --to.",
)
@click.option("--to", "last", type=MONTH, help="Đến tháng / To this month (YYYY-MM), with --from.")
@listing_options
@pass_app
def month_command(
    app: App,
    month: MonthSpan | None,
    first: tuple[int, int] | None,
    last: tuple[int, int] | None,
    scope: str | None,
    categories: tuple[str, ...],
    round_only: bool,  # noqa: FBT001 - click passes flags positionally
    fmt: str,
    lang: str | None,
    show_lunar: bool,  # noqa: FBT001
) -> None:
    """Liệt kê ngày kỷ niệm trong tháng / List a month's anniversaries.

    MONTH is YYYY-MM, 'next' or 'prev' (counted from the current month in the configured
    time zone, Asia/Ho_Chi_Minh), or a range such as 2023-02..2023-04 (also --from 2023-02
    --to 2023-04); the default is the current month. A range lists its months in order;
    with --format text it gives one directive line per month.
    """
    if first is not None or last is not None:
        if month is not None:
            raise click.UsageError(
                "nêu tháng hoặc --from/--to, không cả hai / give MONTH or --from/--to, not both"
            )
        if first is None or last is None:
            missing = "--from" if first is None else "--to"
            raise click.UsageError(
                f"thiếu / missing {missing}: --from and --to go together (or MONTH as A..B)"
            )
        if last < first:
            raise click.UsageError("--to trước --from / --to is before --from")
        month = MonthSpan(first, last)
    first, last = resolve(month or MonthSpan(), app.today())
    start, end = month_range(*first)[0], month_range(*last)[1]
    query = ListingQuery(start, end, scope, categories, round_only)
    reader = app.reader()
    occs = list_occurrences(reader, app.scope_index(reader), query)
    display = _display(app, lang, fmt, show_lunar=show_lunar)
    if fmt != "text" or first == last:
        click.echo(RENDERERS[fmt](occs, display), nl=False)
        return
    for year, mon in months_between(first, last):
        mine = [o for o in occs if (o.date.year, o.date.month) == (year, mon)]
        click.echo(f"{mon:02d}/{year:04d}: {RENDERERS['text'](mine, display)}", nl=False)


@click.command("year")
@click.argument("year", type=click.IntRange(1, 9999), metavar="YYYY")
@listing_options
@pass_app
def year_command(
    app: App,
    year: int,
    scope: str | None,
    categories: tuple[str, ...],
    round_only: bool,  # noqa: FBT001
    fmt: str,
    lang: str | None,
    show_lunar: bool,  # noqa: FBT001
) -> None:
    """Liệt kê cả năm theo tháng / List a whole year, grouped by month.

    With --round it gives the year's năm tròn and năm lẻ 5 anniversaries for annual
    planning.
    """
    start, end = year_range(year)
    query = ListingQuery(start, end, scope, categories, round_only)
    reader = app.reader()
    occs = list_occurrences(reader, app.scope_index(reader), query)
    click.echo(render_year(occs, fmt, _display(app, lang, fmt, show_lunar=show_lunar)), nl=False)
