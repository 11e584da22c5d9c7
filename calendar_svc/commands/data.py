"""``import``, ``export``, ``add``, ``edit`` and ``remove``: keep the anniversaries."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from calendar_svc.catalog import COLUMNS, anniversary_row, load_csv, parse_fields, write_csv
from calendar_svc.cli import App, confirm_removal, pass_app
from calendar_svc.core.model import Anniversary
from calendar_svc.errors import DataError

F = TypeVar("F", bound=Callable[..., Any])

#: CSV column → help for the option that sets it in add/edit.
FIELD_HELP: dict[str, str] = {
    "name_vi": "Tên tiếng Việt / Vietnamese name, as written after 'N năm'.",
    "name_en": "Tên tiếng Anh / English name.",
    "origin": "Ngày gốc / Origin: YYYY-MM-DD, YYYY-MM, YYYY or --MM-DD.",
    "calendar": "solar hoặc lunar / solar or lunar (default solar).",
    "leap_month": "1 nếu là tháng nhuận âm lịch / 1 for a lunar leap month.",
    "category": "Loại / Category slug (ngay-le-lon, su-kien-lich-su, …).",
    "scope": "Phạm vi / Scope (national, province:quang-ninh, city:cam-pha).",
    "valid_from": "Liệt kê từ ngày / Listed from (YYYY-MM-DD).",
    "valid_to": "Liệt kê đến ngày / Listed until (YYYY-MM-DD).",
    "date_form": "range hoặc day / How the directive cites dates: range or day.",
    "duration_days": "Số ngày / Length in days (default 1).",
    "source": "Nguồn / Source of the date.",
}


def option_name(column: str) -> str:
    """Return the command-line option of a CSV column: name_vi → --name-vi."""
    return "--" + column.replace("_", "-")


def field_options(func: F) -> F:
    """Add one option per editable CSV column."""
    for column in reversed(COLUMNS[1:]):
        func = click.option(option_name(column), column, metavar="TEXT", help=FIELD_HELP[column])(
            func
        )
    return func


def _build(command: str, fields: dict[str, str], app: App) -> Anniversary:
    ann, problems = parse_fields(fields, app.scopes)
    if problems or ann is None:
        lines = [f"{command}: option {option_name(p.column)}: {p.message}" for p in problems]
        raise DataError("\n".join(lines))
    return ann


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def import_command(app: App, file: Path) -> None:
    """Nhập tệp CSV / Import a CSV file: upsert by id, all or nothing.

    The whole file is validated first; if any row is wrong, every problem is listed with
    its line and column and nothing is written.
    """
    anniversaries = load_csv(file, scopes=app.scopes)
    result = app.store().anniversaries.upsert(anniversaries)
    click.echo(
        f"Đã nhập {len(anniversaries)} dòng: {result.inserted} mới, {result.updated} cập nhật, "
        f"{result.unchanged} không đổi / Imported {len(anniversaries)} rows: "
        f"{result.inserted} new, {result.updated} updated, {result.unchanged} unchanged."
    )


@click.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi ra tệp (thay thế an toàn) / Write to this file (replaced atomically); "
    "default standard output.",
)
@pass_app
def export_command(app: App, out: Path | None) -> None:
    """Xuất dữ liệu ra CSV / Export every anniversary as CSV (the import format)."""
    anniversaries = app.reader().anniversaries()
    if out is None:
        write_csv(anniversaries, sys.stdout)
        return
    from calendar_svc.files import write_atomic

    text = io.StringIO(newline="")
    count = write_csv(anniversaries, text)
    write_atomic(out, text.getvalue().encode("utf-8"))
    click.echo(f"Đã xuất {count} dòng vào {out} / Exported {count} rows to {out}.", err=True)


@click.command("add")
@click.argument("anniversary_id", metavar="ID")
@field_options
@pass_app
def add_command(app: App, /, anniversary_id: str, **fields: str | None) -> None:
    """Thêm một ngày kỷ niệm / Add an anniversary with id ID.

    Example: calendar-svc add thanh-lap-phuong-x --name-vi "Ngày thành lập phường X"
    --origin 2025-07-01 --category dia-phuong --scope city:cam-pha --source "Nghị quyết …"
    """
    values = {k: v for k, v in fields.items() if v is not None}
    ann = _build("calendar-svc add", {"id": anniversary_id, **values}, app)
    app.store().anniversaries.add(ann)
    click.echo(f"Đã thêm / Added: {ann.id}")


@click.command("edit")
@click.argument("anniversary_id", metavar="ID")
@field_options
@pass_app
def edit_command(app: App, /, anniversary_id: str, **fields: str | None) -> None:
    """Sửa một ngày kỷ niệm / Change the given fields of anniversary ID."""
    changes = {k: v for k, v in fields.items() if v is not None}
    if not changes:
        raise click.UsageError("nêu ít nhất một trường / name at least one field to change")
    store = app.store().anniversaries
    current = anniversary_row(store.get(anniversary_id))
    ann = _build("calendar-svc edit", {**current, **changes}, app)
    store.replace(ann)
    click.echo(f"Đã sửa / Updated: {ann.id}")


@click.command("remove")
@click.argument("anniversary_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Không hỏi lại / Do not ask for confirmation.")
@pass_app
def remove_command(app: App, anniversary_id: str, yes: bool) -> None:  # noqa: FBT001
    """Xóa một ngày kỷ niệm / Remove anniversary ID."""
    store = app.store().anniversaries
    ann = store.get(anniversary_id)
    confirm_removal(f"'{ann.id}' ({ann.name_vi})", yes=yes)
    store.remove(anniversary_id)
    click.echo(f"Đã xóa / Removed: {anniversary_id}")
