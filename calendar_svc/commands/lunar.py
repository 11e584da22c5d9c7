"""``calendar-svc lunar``: convert between solar and Vietnamese lunar dates.

Three forms, each with ``--format table|json``:

* ``calendar-svc lunar 2026-04-26`` converts a solar date to its lunar date;
* ``calendar-svc lunar --to-solar 2026-03-10 [--leap]`` converts a lunar year-month-day;
* ``calendar-svc lunar --year 2026`` lists the months of a lunar year.

Bad input raises :class:`click.BadParameter` (unparsable text) or
:class:`~calendar_svc.errors.LunarDateError` (a lunar date that does not exist, or a date
out of range), which ``calendar_svc.cli.main`` prints as one line with exit code 1.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

import click

from calendar_svc.core import lunar

FORMATS = ("table", "json")
_LUNAR_RE = re.compile(r"^(\d{1,4})-(\d{1,2})-(\d{1,2})$")
_YES_NO = {True: "có / yes", False: "không / no"}
_CONVERSION_HEADERS = (
    "Dương lịch / Solar",
    "Âm lịch / Lunar",
    "Năm / Year",
    "Tháng / Month",
    "Ngày / Day",
    "Nhuận / Leap",
    "Ước tính / Estimated",
)
_YEAR_HEADERS = (
    "Tháng / Month",
    "Nhuận / Leap",
    "Bắt đầu / Start",
    "Kết thúc / End",
    "Số ngày / Days",
    "Ước tính / Estimated",
)


def parse_solar(value: str) -> date:
    """Parse a solar date written ``YYYY-MM-DD``.

    Raises:
        click.BadParameter: If the text is not such a date.
    """
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{value}' không phải ngày dương lịch / is not a solar date (use YYYY-MM-DD)",
            param_hint="'[YYYY-MM-DD]'",
        ) from None


def parse_lunar(value: str) -> tuple[int, int, int]:
    """Parse a lunar date written ``YYYY-MM-DD`` into ``(year, month, day)``.

    Only the shape is checked here; :func:`lunar.to_solar` says whether the date exists.

    Raises:
        click.BadParameter: If the text is not three dash-separated numbers.
    """
    match = _LUNAR_RE.match(value.strip())
    if match is None:
        raise click.BadParameter(
            f"'{value}' không phải ngày âm lịch / is not a lunar date"
            " (use YYYY-MM-DD, e.g. 2026-03-10 for 10/3 Bính Ngọ)",
            param_hint="'--to-solar'",
        )
    return int(match[1]), int(match[2]), int(match[3])


def conversion_record(solar: date) -> dict[str, Any]:
    """Return the solar date and its lunar date as plain data (JSON-ready)."""
    ld = lunar.to_lunar(solar)
    return {
        "solar": solar.isoformat(),
        "lunar": {"year": ld.year, "month": ld.month, "day": ld.day, "leap": ld.leap},
        "can_chi": lunar.can_chi(ld.year),
        "estimated": ld.estimated,
        "label": ld.label(),
        "label_en": ld.label_en(),
    }


def year_record(year: int) -> dict[str, Any]:
    """Return a lunar year and its months as plain data (JSON-ready)."""
    months = lunar.year_months(year)
    return {
        "year": year,
        "can_chi": lunar.can_chi(year),
        "leap_month": lunar.leap_month(year),
        "months": [
            {
                "month": m.month,
                "leap": m.leap,
                "start": m.start.isoformat(),
                "end": date.fromordinal(m.start.toordinal() + m.length - 1).isoformat(),
                "length": m.length,
                "estimated": m.estimated,
            }
            for m in months
        ],
    }


def _width(text: str) -> int:
    """Return the terminal width of ``text`` (combining marks take no column)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Render rows under headers as aligned columns separated by two spaces."""
    widths = [
        max(_width(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)
    ]
    lines = []
    for row in (headers, *rows):
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def render_conversion(record: dict[str, Any], fmt: str) -> str:
    """Format a conversion record as a one-row table or as JSON."""
    if fmt == "json":
        return json.dumps(record, ensure_ascii=False, indent=2)
    lun = record["lunar"]
    row = [
        record["solar"],
        record["label"],
        str(lun["year"]),
        str(lun["month"]),
        str(lun["day"]),
        _YES_NO[lun["leap"]],
        _YES_NO[record["estimated"]],
    ]
    label_en: str = record["label_en"]
    return render_table(_CONVERSION_HEADERS, [row]) + "\n" + label_en


def render_year(record: dict[str, Any], fmt: str) -> str:
    """Format a year record as a titled table or as JSON."""
    if fmt == "json":
        return json.dumps(record, ensure_ascii=False, indent=2)
    leap = record["leap_month"]
    title = f"Năm âm lịch / Lunar year {record['year']} {record['can_chi']}: " + (
        f"tháng {leap} nhuận / leap month {leap}" if leap else "không nhuận / no leap month"
    )
    rows = [
        [
            str(m["month"]),
            _YES_NO[m["leap"]],
            m["start"],
            m["end"],
            str(m["length"]),
            _YES_NO[m["estimated"]],
        ]
        for m in record["months"]
    ]
    return title + "\n" + render_table(_YEAR_HEADERS, rows)


def _today() -> date:
    """Return today in the configured time zone (the settings are read only for this)."""
    from calendar_svc.cli import App

    app = click.get_current_context().find_object(App)
    if app is None:  # run outside the calendar-svc group
        from datetime import datetime
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    return app.today()


@click.command(
    "lunar",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("solar_date", required=False, metavar="[YYYY-MM-DD]")
@click.option(
    "--to-solar",
    "lunar_date",
    metavar="YYYY-MM-DD",
    help="Đổi ngày âm lịch năm-tháng-ngày sang dương lịch / Convert a lunar year-month-day.",
)
@click.option(
    "--leap",
    is_flag=True,
    help="Ngày thuộc tháng nhuận (với --to-solar) / The day is in the leap month.",
)
@click.option(
    "--year",
    type=int,
    metavar="YEAR",
    help="Liệt kê các tháng của năm âm lịch / List the months of a lunar year.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Định dạng / Output format.",
)
def command(
    solar_date: str | None, lunar_date: str | None, *, leap: bool, year: int | None, fmt: str
) -> None:
    """Đổi ngày âm lịch ↔ dương lịch / Convert between solar and lunar dates.

    \b
    calendar-svc lunar                       hôm nay / today (configured time zone)
    calendar-svc lunar 2026-04-26            dương → âm / solar to lunar
    calendar-svc lunar --to-solar 2026-03-10 âm → dương / lunar to solar (--leap: leap month)
    calendar-svc lunar --year 2026           các tháng âm lịch / the lunar year's months
    """
    chosen = [solar_date is not None, lunar_date is not None, year is not None]
    if sum(chosen) > 1:
        raise click.UsageError(
            "cho một ngày dương lịch, hoặc --to-solar, hoặc --year"
            " / give a solar date, or --to-solar, or --year (one of them; none: today)"
        )
    if leap and lunar_date is None:
        raise click.UsageError("--leap chỉ dùng với --to-solar / --leap goes with --to-solar")
    if year is not None:
        click.echo(render_year(year_record(year), fmt))
        return
    if lunar_date is not None:
        y, m, d = parse_lunar(lunar_date)
        solar = lunar.to_solar(y, m, d, leap=leap)
    elif solar_date is not None:
        solar = parse_solar(solar_date)
    else:
        solar = _today()
    click.echo(render_conversion(conversion_record(solar), fmt))
