"""``import``, ``export``, ``add``, ``edit`` and ``remove``: keep the anniversaries."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from calendar_svc.catalog import anniversary_row, iter_csv, write_csv
from calendar_svc.cli import App, pass_app, remove_confirmed, yes_option
from calendar_svc.core.model import Anniversary
from calendar_svc.errors import DataError
from calendar_svc.rowfields import COLUMNS, parse_fields

F = TypeVar("F", bound=Callable[..., Any])

#: CSV column → help for the option that sets it in add/edit.
FIELD_HELP: dict[str, str] = {
    "name_vi": "Tên tiếng Việt / Vietnamese name, as written after 'N năm'.",
    "name_en": "Tên tiếng Anh / English name.",
    "origin": "Ngày gốc / Origin: YYYY-MM-DD, YYYY-MM, YYYY or --MM-DD.",
    "calendar": "solar hoặc lunar / solar or lunar (default solar).",
    "leap_month": "1 nếu là tháng nhuận âm lịch / 1 for a lunar leap month.",
    "category": "Loại / Category slug (ngay-le-lon, su-kien-lich-su, …).",
    "scope": 'Phạm vi / Scope: id, code or name (province:quang-ninh, "phường Cửa Ông").',
    "valid_from": "Liệt kê từ ngày / Listed from (YYYY-MM-DD).",
    "valid_to": "Liệt kê đến ngày / Listed until (YYYY-MM-DD).",
    "date_form": "range hoặc day / How the directive cites dates: range or day.",
    "duration_days": "Số ngày / Length in days (default 1).",
    "source": "Nguồn / Source of the date (required): a document number or a URL.",
    "home": "Quê quán / Home province(s) of a leader, ';'-joined scopes (listed every year there).",
    "note": "Ghi chú / Doubts about the date, conflicting sources.",
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


def rows_word(count: int) -> str:
    """Return 'row' or 'rows' for an English count."""
    return "row" if count == 1 else "rows"


def _build(
    command: str, fields: dict[str, str], app: App, given: frozenset[str] = frozenset()
) -> Anniversary:
    """Parse the fields; name each problem's place (argument ID, or the option).

    A required field that was not given at all is reported as missing; one given as an
    empty text as empty.
    """
    ann, problems = parse_fields(fields, app.scopes)
    if problems or ann is None:
        lines = []
        for p in problems:
            place = "argument ID" if p.column == "id" else f"option {option_name(p.column)}"
            message = p.message
            if message == "is empty" and p.column not in given:
                message = f"thiếu / is missing (give {place.split()[-1]})"
            lines.append(f"{command}: {place}: {message}")
        raise DataError("\n".join(lines))
    return ann


SCOPES_OPTION_HELP = (
    "Tệp phạm vi riêng / File of your own scopes (CSV, as 'export --scopes' writes it)."
)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--scopes",
    "scopes_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=SCOPES_OPTION_HELP + " Read first, so rows may use them.",
)
@pass_app
def import_command(app: App, file: Path, scopes_file: Path | None) -> None:
    """Nhập tệp CSV / Import a CSV file: upsert by id, all or nothing.

    The whole file is validated first; if any row is wrong, every problem is listed with
    its line and column and nothing is written. With --scopes, the user scopes of that
    file are validated with it and added or updated first.
    """
    tree = app.scopes
    user_scopes = []
    if scopes_file is not None:
        from calendar_svc.commands.scopes import read_user_scopes

        user_scopes = read_user_scopes(scopes_file, tree)
        for scope in user_scopes:
            tree = tree.with_scope(scope)
    rows = iter_csv(file, scopes=tree)
    store = app.store().anniversaries
    if user_scopes:
        # The file is checked whole before the scopes are written (nothing half-written).
        for _ in rows:
            pass
        rows = iter_csv(file, scopes=tree)
        from calendar_svc.commands.scopes import repo

        changed = repo(app).upsert(user_scopes)
        click.echo(
            f"Phạm vi riêng: {len(user_scopes)}, {changed} thay đổi / "
            f"User scopes: {len(user_scopes)}, {changed} changed."
        )
    result = store.upsert(rows)
    count = result.inserted + result.updated + result.unchanged
    click.echo(
        f"Đã nhập {count} dòng: {result.inserted} mới, {result.updated} cập nhật, "
        f"{result.unchanged} không đổi / Imported {count} {rows_word(count)}: "
        f"{result.inserted} new, {result.updated} updated, {result.unchanged} unchanged."
    )


@click.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi ra tệp (thay thế an toàn) / Write to this file (replaced atomically); "
    "default standard output.",
)
@click.option(
    "--excel",
    is_flag=True,
    help="Thêm BOM UTF-8 để Excel đọc đúng tiếng Việt / Start with a UTF-8 BOM, so Excel "
    "reads the Vietnamese text correctly (import accepts either).",
)
@click.option(
    "--scopes",
    "scopes_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=SCOPES_OPTION_HELP.replace("as 'export --scopes' writes it", "for 'import --scopes'"),
)
@pass_app
def export_command(
    app: App,
    out: Path | None,
    excel: bool,  # noqa: FBT001
    scopes_file: Path | None,
) -> None:
    """Xuất dữ liệu ra CSV / Export every anniversary as CSV (the import format).

    With --scopes, the scopes users added are written to that file too.
    """
    if scopes_file is not None:
        from calendar_svc.commands.scopes import write_scopes_csv
        from calendar_svc.files import write_atomic

        user_scopes = [s for s in app.scopes if s.user]
        buffer = io.StringIO(newline="")
        write_scopes_csv(user_scopes, buffer)
        write_atomic(scopes_file, buffer.getvalue().encode("utf-8"))
        click.echo(
            f"Đã xuất {len(user_scopes)} phạm vi riêng vào {scopes_file} / "
            f"Exported {len(user_scopes)} user scopes to {scopes_file}.",
            err=True,
        )
    anniversaries = app.reader().anniversaries()
    text = io.StringIO(newline="")
    count = write_csv(anniversaries, text)
    data = ("\ufeff" if excel else "").encode("utf-8") + text.getvalue().encode("utf-8")
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from calendar_svc.files import write_atomic

    write_atomic(out, data)
    click.echo(
        f"Đã xuất {count} dòng vào {out} / Exported {count} {rows_word(count)} to {out}.",
        err=True,
    )


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
    given = frozenset(values) | {"id"}
    ann = _build("calendar-svc add", {"id": anniversary_id, **values}, app, given)
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
    ann = _build("calendar-svc edit", {**current, **changes}, app, frozenset(current))
    store.replace(ann)
    click.echo(f"Đã sửa / Updated: {ann.id}")


@click.command("remove")
@click.argument("anniversary_id", metavar="ID")
@yes_option
@pass_app
def remove_command(app: App, anniversary_id: str, yes: bool) -> None:  # noqa: FBT001
    """Xóa một ngày kỷ niệm / Remove anniversary ID."""
    store = app.store().anniversaries
    ann = store.get(anniversary_id)
    remove_confirmed(ann.id, f"'{ann.id}' ({ann.name_vi})", store.remove, yes=yes)
