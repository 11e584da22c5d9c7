"""``calendar-svc search``, ``show`` and ``categories``: find and read anniversaries."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.columns import columns
from calendar_svc.commands.params import CATEGORY, SCOPE
from calendar_svc.core.counting import (
    format_occurrence_date,
    format_origin,
    phrase,
    round_class_label,
)
from calendar_svc.core.model import Anniversary, Calendar, Occurrence
from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.policy import CATEGORIES
from calendar_svc.core.search import search

#: How far ahead ``show`` and ``search`` look for the next occurrences, in years.
LOOK_AHEAD_YEARS = 30
#: How many next occurrences ``show`` lists.
SHOWN_OCCURRENCES = 5

FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


def next_occurrences(ann: Anniversary, today: date, limit: int) -> list[Occurrence]:
    """Return the next ``limit`` listed occurrences of ``ann`` from ``today`` on."""
    end = date(min(today.year + LOOK_AHEAD_YEARS, 9999), 12, 31)
    # From the year's start, so a year-long or month-long occurrence still running counts.
    found = [o for o in occurrences([ann], date(today.year, 1, 1), end) if o.last_day >= today]
    return found[:limit]


def _occurrence_record(occ: Occurrence) -> dict[str, Any]:
    return {
        "date": occ.date.isoformat(),
        "count": occ.count,
        "round_class": occ.round_class.value if occ.round_class else None,
        "line": phrase(occ, "vi"),
    }


def anniversary_record(ann: Anniversary, upcoming: list[Occurrence]) -> dict[str, Any]:
    """Return every field of an anniversary and its next occurrences as JSON-ready data."""
    return {
        "id": ann.id,
        "name_vi": ann.name_vi,
        "name_en": ann.name_en,
        "origin": ann.origin.iso(),
        "calendar": ann.origin.calendar.value,
        "leap_month": ann.origin.leap,
        "category": ann.category,
        "scope": ann.scope,
        "valid_from": ann.valid_from.isoformat() if ann.valid_from else None,
        "valid_to": ann.valid_to.isoformat() if ann.valid_to else None,
        "date_form": ann.date_form.value,
        "duration_days": ann.duration_days,
        "source": ann.source,
        "next": [_occurrence_record(o) for o in upcoming],
    }


def _next_label(occ: Occurrence | None) -> str:
    if occ is None:
        return "-"
    count = f" ({occ.count} năm)" if occ.count is not None else ""
    return f"{format_occurrence_date(occ)}{count}"


@click.command("search")
@click.argument("query")
@click.option("--scope", type=SCOPE, help="Phạm vi, gồm cả cấp trên / Scope with its parents.")
@click.option("--category", "categories", multiple=True, type=CATEGORY, help="Chỉ loại này.")
@FORMAT_OPTION
@pass_app
def search_command(
    app: App, query: str, scope: str | None, categories: tuple[str, ...], fmt: str
) -> None:
    """Tìm theo tên / Find anniversaries by name, with or without diacritics.

    QUERY must appear, as a phrase, in the Vietnamese or English name or the id:
    calendar-svc search "biên phòng" and calendar-svc search "bien phong" find the same.
    """
    lineage = app.scopes.lineage(scope) if scope is not None else None
    rows = app.reader().anniversaries(scopes=lineage, categories=categories or None)
    found = search(rows, query)
    today = app.today()
    upcoming = {ann.id: next_occurrences(ann, today, 1) for ann in found}
    if fmt == "json":
        records = [anniversary_record(ann, upcoming[ann.id]) for ann in found]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"Không tìm thấy / Nothing found for '{query}'.")
        return
    headers = ("ID", "Ngày gốc / Origin", "Lần tới / Next", "Tên / Name")
    table = [
        (
            ann.id,
            format_origin(ann.origin),
            _next_label(next(iter(upcoming[ann.id]), None)),
            ann.name_vi,
        )
        for ann in found
    ]
    click.echo(columns(headers, table), nl=False)


@click.command("show")
@click.argument("anniversary_id", metavar="ID")
@FORMAT_OPTION
@pass_app
def show_command(app: App, anniversary_id: str, fmt: str) -> None:
    """Xem một ngày kỷ niệm / Show every field of anniversary ID, its source and next dates."""
    ann = app.store().anniversaries.get(anniversary_id)
    upcoming = next_occurrences(ann, app.today(), SHOWN_OCCURRENCES)
    if fmt == "json":
        click.echo(json.dumps(anniversary_record(ann, upcoming), ensure_ascii=False, indent=2))
        return
    policy = CATEGORIES.get(ann.category)
    scope = app.scopes[ann.scope] if ann.scope in app.scopes else None  # noqa: SIM401
    calendar = "âm lịch / lunar" if ann.origin.calendar is Calendar.LUNAR else "dương lịch / solar"
    fields = [
        ("ID", ann.id),
        ("Tên / Name (vi)", ann.name_vi),
        ("Tên / Name (en)", ann.name_en or "-"),
        ("Ngày gốc / Origin", f"{format_origin(ann.origin)} ({calendar})"),
        ("Loại / Category", f"{ann.category}" + (f" ({policy.name_vi})" if policy else "")),
        ("Phạm vi / Scope", ann.scope + (f" ({scope.name_vi})" if scope else "")),
        ("Cách ghi / Date form", ann.date_form.value),
        ("Số ngày / Days", str(ann.duration_days)),
        ("Liệt kê từ / From", ann.valid_from.isoformat() if ann.valid_from else "-"),
        ("Liệt kê đến / Until", ann.valid_to.isoformat() if ann.valid_to else "-"),
        ("Nguồn / Source", ann.source or "-"),
    ]
    width = max(len(name) for name, _ in fields)
    lines = [f"{name:<{width}}  {value}" for name, value in fields]
    lines.append("Lần tới / Next:" if upcoming else "Lần tới / Next: -")
    lines.extend(
        f"  {format_occurrence_date(o)}  {round_class_label(o.round_class) or '-':<8}  {phrase(o)}"
        for o in upcoming
    )
    click.echo("\n".join(lines))


@click.command("categories")
@FORMAT_OPTION
@pass_app
def categories_command(app: App, fmt: str) -> None:
    """Các loại ngày kỷ niệm / List the categories, how many anniversaries each has."""
    counts: dict[str, int] = {}
    for ann in app.reader().anniversaries():
        counts[ann.category] = counts.get(ann.category, 0) + 1
    if fmt == "json":
        records = [
            {
                "slug": p.slug,
                "name_vi": p.name_vi,
                "name_en": p.name_en,
                "in_directive_line": p.commemorated,
                "anniversaries": counts.get(p.slug, 0),
            }
            for p in CATEGORIES.values()
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    headers = (
        "Loại / Slug",
        "Tên / Name",
        "Name",
        "Dòng định hướng / Directive line",
        "Số / Count",
    )
    table = [
        (
            p.slug,
            p.name_vi,
            p.name_en,
            "có / yes" if p.commemorated else "không / no",
            str(counts.get(p.slug, 0)),
        )
        for p in CATEGORIES.values()
    ]
    click.echo(columns(headers, table), nl=False)


__all__ = ["categories_command", "search_command", "show_command"]
