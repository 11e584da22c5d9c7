"""Format occurrence listings as a table, JSON, CSV or the directive's text.

Formatter factories take the listing and the display options and return the text; the
services never build strings for the terminal.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from calendar_svc.core import lunar
from calendar_svc.core.counting import (
    directive_line,
    format_occurrence_date,
    phrase,
    round_class_label,
)
from calendar_svc.core.labels import label, localized
from calendar_svc.core.model import Occurrence, Precision, RoundClass
from calendar_svc.core.policy import directive_entries
from calendar_svc.csvcells import neutralised
from calendar_svc.errors import LunarDateError

FORMATS = ("table", "json", "csv", "text")

_COLUMN_KEYS = ("date", "lunar", "count", "round", "name", "scope")

_BOLD = "\x1b[1m"
_YELLOW = "\x1b[33m"
_RESET = "\x1b[0m"


@dataclass(frozen=True, slots=True)
class Display:
    """How to show a listing."""

    lang: str = "vi"
    show_lunar: bool = True
    color: bool = False


def lunar_label(occ: Occurrence, lang: str = "vi") -> str:
    """Return the lunar date of an occurrence's day ('' when out of the table's range)."""
    if occ.precision is not Precision.DAY:
        return ""
    try:
        ld = lunar.to_lunar(occ.date)
    except LunarDateError:
        return ""
    text = ld.label_in(lang)
    if occ.estimated and "(" not in text:
        text += f" ({label('lunar.estimated', lang)})"
    return text


def _width(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _headers(display: Display) -> list[str]:
    heads = [label(f"column.{key}", display.lang) for key in _COLUMN_KEYS]
    if not display.show_lunar:
        del heads[1]
    return heads


def _cells(occ: Occurrence, display: Display) -> list[str]:
    ann = occ.anniversary
    name = localized(display.lang, ann.name_vi, ann.name_en)
    cells = [
        format_occurrence_date(occ),
        lunar_label(occ, display.lang),
        "" if occ.count is None else str(occ.count),
        round_class_label(occ.round_class, display.lang),
        name,
        ann.scope,
    ]
    if not display.show_lunar:
        del cells[1]
    return cells


def _styled(line: str, occ: Occurrence, display: Display) -> str:
    if not display.color:
        return line
    if occ.round_class is RoundClass.TRON:
        return f"{_BOLD}{line}{_RESET}"
    if occ.round_class is RoundClass.LE_5:
        return f"{_YELLOW}{line}{_RESET}"
    return line


def _table_rows(occs: Sequence[Occurrence], display: Display, widths: list[int]) -> list[str]:
    lines = []
    for occ in occs:
        cells = _cells(occ, display)
        text = "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()
        lines.append(_styled(text, occ, display))
    return lines


def _widths(occs: Sequence[Occurrence], display: Display) -> list[int]:
    widths = [_width(h) for h in _headers(display)]
    for occ in occs:
        for i, cell in enumerate(_cells(occ, display)):
            widths[i] = max(widths[i], _width(cell))
    return widths


def _empty(display: Display) -> str:
    return label("listing.empty", display.lang) + "\n"


def render_table(occs: Sequence[Occurrence], display: Display) -> str:
    """Return an aligned plain-text table, one occurrence a line."""
    if not occs:
        return _empty(display)
    widths = _widths(occs, display)
    head = "  ".join(_pad(h, w) for h, w in zip(_headers(display), widths, strict=True)).rstrip()
    rule = "  ".join("─" * w for w in widths)
    return "\n".join([head, rule, *_table_rows(occs, display, widths)]) + "\n"


def occurrence_record(occ: Occurrence, display: Display) -> dict[str, Any]:
    """Return an occurrence as a flat JSON-ready mapping."""
    ann = occ.anniversary
    record: dict[str, Any] = {
        "date": occ.date.isoformat(),
        "last_day": occ.last_day.isoformat(),
        "precision": occ.precision.value,
        "count": occ.count,
        "round_class": occ.round_class.value if occ.round_class else None,
        "round_class_label": round_class_label(occ.round_class, display.lang),
        "id": ann.id,
        "name_vi": ann.name_vi,
        "name_en": ann.name_en,
        "origin": ann.origin.iso(),
        "calendar": ann.calendar.value,
        "category": ann.category,
        "scope": ann.scope,
        "estimated": occ.estimated,
        "text": phrase(occ, display.lang),
        "source": ann.source,
    }
    if display.show_lunar:
        record["lunar_date"] = lunar_label(occ, display.lang)
    return record


def render_json(occs: Sequence[Occurrence], display: Display) -> str:
    """Return the listing as a JSON array (UTF-8 text, not escaped)."""
    return (
        json.dumps([occurrence_record(o, display) for o in occs], ensure_ascii=False, indent=2)
        + "\n"
    )


def render_csv(occs: Sequence[Occurrence], display: Display) -> str:
    """Return the listing as CSV with a header row; formula-like text gets a leading ``'``."""
    buf = io.StringIO()
    records = [occurrence_record(o, display) for o in occs]
    writer = csv.DictWriter(buf, fieldnames=_csv_header(display), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: neutralised(v) if isinstance(v, str) else v for k, v in record.items()})
    return buf.getvalue()


def _csv_header(display: Display) -> tuple[str, ...]:
    head = (
        "date",
        "last_day",
        "precision",
        "count",
        "round_class",
        "round_class_label",
        "id",
        "name_vi",
        "name_en",
        "origin",
        "calendar",
        "category",
        "scope",
        "estimated",
        "text",
        "source",
    )
    return (*head, "lunar_date") if display.show_lunar else head


def _no_line(left_out: int, display: Display) -> str:
    """Explain an empty directive line when the listing itself is not empty."""
    return label("listing.no_line", display.lang, n=left_out) + "\n"


def render_text(occs: Sequence[Occurrence], display: Display) -> str:
    """Return the directive's line: the entries that belong in it (festivals left out).

    With nothing to list, the usual empty message; with only festivals, says why the line
    is empty.
    """
    if not directive_entries(occs):
        return _no_line(len(occs), display) if occs else _empty(display)
    return directive_line(occs, display.lang) + "\n"


RENDERERS: dict[str, Callable[[Sequence[Occurrence], Display], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "text": render_text,
}


def month_heading(month: int, lang: str) -> str:
    """Return a month's group heading: 'Tháng 02' or 'February'."""
    return label(f"month.{month}", lang)


def render_year(occs: Sequence[Occurrence], fmt: str, display: Display) -> str:
    """Return a year's listing; table and text are grouped by the month of each date.

    A year-only occurrence is dated 1 January, so it is in January's group, as in
    ``month 2025-01``; a month-only one in its month's.
    """
    if fmt in ("json", "csv"):
        return RENDERERS[fmt](occs, display)
    if not occs:
        return _empty(display)
    groups: list[tuple[str, list[Occurrence]]] = []
    for month in range(1, 13):
        in_month = [o for o in occs if o.date.month == month]
        if in_month:
            groups.append((month_heading(month, display.lang), in_month))
    if fmt == "text":
        return "".join(
            f"{title}: {directive_line(items, display.lang)}\n"
            for title, items in groups
            if directive_entries(items)
        )
    widths = _widths(occs, display)
    head = "  ".join(_pad(h, w) for h, w in zip(_headers(display), widths, strict=True))
    out = ["  " + head.rstrip(), "  " + "  ".join("─" * w for w in widths)]
    for title, items in groups:
        out.append(f"{_BOLD}{title}{_RESET}" if display.color else title)
        out.extend("  " + line for line in _table_rows(items, display, widths))
        out.append("")
    return "\n".join(out)
