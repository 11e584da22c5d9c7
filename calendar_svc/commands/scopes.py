"""``calendar-svc scopes``: list and show the country's units; add, edit, remove your own.

The registry (provinces, communes, former provinces and district-level units) comes with
the program; users add scopes that are not territories (a bloc's or agency's party
committee, a sector, a school), each under a parent. Every SCOPE argument takes an id,
an old id, an official code or a Vietnamese name.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from calendar_svc.cli import App, confirm_removal, pass_app
from calendar_svc.core.scopes import (
    USER_KINDS,
    Scope,
    ScopeError,
    ScopeTree,
    is_user_id,
    split_type,
)
from calendar_svc.errors import DataError

if TYPE_CHECKING:
    from calendar_svc.store.scopes import ScopeRepo

#: Columns of ``scopes list --format csv`` and of a user scopes file (export/import).
CSV_COLUMNS = (
    "id",
    "kind",
    "type_vi",
    "code",
    "name_vi",
    "name_en",
    "parent",
    "valid_to",
    "successors",
    "aliases",
    "user",
    "source",
)
STATUSES = ("current", "former", "all")


def repo(app: App) -> ScopeRepo:
    """Return the scope repository of the configured database."""

    return app.store().scopes


def resolve(tree: ScopeTree, text: str, option: str) -> str:
    """Return the id ``text`` names; DataError naming the option otherwise."""
    try:
        return tree.resolve(text)
    except ScopeError as exc:
        raise DataError(f"{option}: {exc}") from None


def scope_record(scope: Scope) -> dict[str, Any]:
    """Return a scope as the JSON output writes it."""
    return {
        "id": scope.id,
        "kind": scope.level,
        "type_vi": scope.type_vi,
        "code": scope.code,
        "name_vi": scope.name_vi,
        "name_en": scope.name_en,
        "parent": scope.parent,
        "valid_to": scope.valid_to.isoformat() if scope.valid_to else None,
        "successors": list(scope.successors),
        "aliases": list(scope.aliases),
        "user": scope.user,
        "source": scope.source,
    }


def scope_csv_row(scope: Scope) -> dict[str, str]:
    """Return a scope as a CSV row of :data:`CSV_COLUMNS`."""
    record = scope_record(scope)
    return {
        **{k: "" if v is None else str(v) for k, v in record.items()},
        "successors": ";".join(scope.successors),
        "aliases": ";".join(scope.aliases),
        "user": "1" if scope.user else "",
    }


def write_scopes_csv(scopes: list[Scope], stream: Any) -> int:
    """Write scopes as CSV (header first); return the row count."""
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for scope in scopes:
        writer.writerow(scope_csv_row(scope))
    return len(scopes)


def _table(scopes: list[Scope]) -> str:
    headers = ("Mã / Id", "Mã số / Code", "Tên / Name", "Cấp trên / Parent", "Đến / Until")
    rows = [
        (
            s.id,
            s.code,
            s.name_vi,
            s.parent or "",
            s.valid_to.strftime("%d/%m/%Y") if s.valid_to else "",
        )
        for s in scopes
    ]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("─" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


@click.group("scopes")
def scopes_group() -> None:
    """Phạm vi: đơn vị hành chính và phạm vi riêng / Scopes: the country's units and yours.

    A scope lists its own anniversaries, its parents', and those of the units it
    succeeded (phường Cửa Ông lists Thành phố Cẩm Phả's). SCOPE may be an id
    (commune:quang-ninh/cua-ong), an old id (city:cam-pha), an official code (22) or a
    name ("phường Cửa Ông", "Cửa Ông, Quảng Ninh").
    """


@scopes_group.command("list")
@click.option("--under", metavar="SCOPE", help="Chỉ các đơn vị trực thuộc / Only units below.")
@click.option("--search", metavar="TEXT", help="Tên hoặc mã chứa / Id or name contains.")
@click.option(
    "--status",
    type=click.Choice(STATUSES),
    help="current: hiện có / existing; former: đã thôi / ended 30/06/2025; all. "
    "Default: all, or current with --under.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@pass_app
def list_command(
    app: App, under: str | None, search: str | None, status: str | None, fmt: str
) -> None:
    """Liệt kê phạm vi / List scopes."""
    tree = app.scopes
    if under is not None:
        found = [tree[i] for i in tree.descendants(resolve(tree, under, "--under"))]
    else:
        found = list(tree)
    if search:
        matching = {s.id for s in tree.search(search)}
        found = [s for s in found if s.id in matching]
    status = status or ("current" if under is not None else "all")
    if status == "current":
        found = [s for s in found if s.valid_to is None]
    elif status == "former":
        found = [s for s in found if s.valid_to is not None]
    if fmt == "json":
        click.echo(json.dumps([scope_record(s) for s in found], ensure_ascii=False, indent=1))
    elif fmt == "csv":
        write_scopes_csv(found, sys.stdout)
    else:
        click.echo(_table(found), nl=False)


@scopes_group.command("show")
@click.argument("scope")
@pass_app
def show_command(app: App, scope: str) -> None:
    """Xem một phạm vi / Show a scope: its parents, predecessors, successors, heritage."""
    tree = app.scopes
    found = tree[resolve(tree, scope, "SCOPE")]

    def names(ids: list[str] | tuple[str, ...]) -> str:
        return "; ".join(f"{tree[i].name_vi} ({i})" for i in ids) or "—"

    lines = [
        ("Mã / Id", found.id),
        ("Tên / Name", f"{found.name_vi} / {found.name_en}"),
        ("Loại / Kind", f"{found.level}{f' ({found.type_vi})' if found.type_vi else ''}"),
        ("Mã số / Code", found.code or "—"),
        ("Cấp trên / Parents", names(tree.lineage(found.id)[1:])),
        ("Đến / Until", found.valid_to.strftime("%d/%m/%Y") if found.valid_to else "—"),
        ("Kế tục bởi / Succeeded by", names(found.successors)),
        ("Tiền thân / Predecessors", names(tree.predecessors(found.id))),
        ("Trực thuộc / Units below", str(len(tree.children(found.id)))),
        ("Liệt kê cả / Also lists", names(tree.heritage(found.id)[1:])),
        ("Tên cũ / Old ids", ", ".join(found.aliases) or "—"),
        ("Do người dùng thêm / User scope", "có / yes" if found.user else "không / no"),
        ("Nguồn / Source", found.source or "—"),
    ]
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        click.echo(f"{label.ljust(width)}  {value}")


def _user_scope(
    tree: ScopeTree,
    scope_id: str,
    *,
    name_vi: str,
    name_en: str,
    parent: str,
    kind: str,
    type_vi: str | None,
) -> Scope:
    name_vi, name_en = name_vi.strip(), name_en.strip()
    if not name_vi:
        raise DataError("--name-vi: tên trống / the name is empty")
    for option, value in (("--name-vi", name_vi), ("--name-en", name_en)):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise DataError(f"{option}: contains a control character or line break")
    return Scope(
        id=scope_id,
        parent=resolve(tree, parent, "--parent"),
        name_vi=name_vi,
        name_en=name_en,
        kind=kind,
        type_vi=split_type(name_vi)[0] if type_vi is None else type_vi,
        user=True,
    )


def _store_error(exc: Exception) -> DataError:
    return DataError(str(exc))


@scopes_group.command("add")
@click.argument("scope_id", metavar="ID")
@click.option("--name-vi", required=True, help="Tên tiếng Việt / Vietnamese name.")
@click.option("--name-en", default="", help="Tên tiếng Anh / English name.")
@click.option("--parent", required=True, metavar="SCOPE", help="Cấp trên / Parent scope.")
@click.option(
    "--kind",
    type=click.Choice(USER_KINDS),
    default="bloc",
    show_default=True,
    help="bloc: đảng bộ khối / bloc; agency: cơ quan; sector: ngành; school: trường.",
)
@pass_app
def add_command(
    app: App, scope_id: str, name_vi: str, name_en: str, parent: str, kind: str
) -> None:
    """Thêm phạm vi riêng / Add a scope of your own with id ID under a parent.

    Example: calendar-svc scopes add dang-uy-khoi-qn --name-vi "Đảng ủy Khối các cơ quan
    tỉnh Quảng Ninh" --parent province:quang-ninh
    """
    from calendar_svc.store.scopes import ScopeStoreError

    if not is_user_id(scope_id):
        raise DataError(
            f"ID: '{scope_id}' is not a user scope id (lowercase a-z, 0-9 and '-', optionally "
            "'kind:name'; not national, province:, district: or commune:)"
        )
    store = repo(app)
    tree = app.scopes
    if scope_id in tree:
        raise DataError(f"ID: phạm vi đã có / scope '{scope_id}' already exists")
    scope = _user_scope(
        tree, scope_id, name_vi=name_vi, name_en=name_en, parent=parent, kind=kind, type_vi=""
    )
    try:
        store.add(scope)
    except ScopeStoreError as exc:
        raise _store_error(exc) from None
    click.echo(f"Đã thêm / Added: {scope.id} ({scope.name_vi}) under {scope.parent}")


@scopes_group.command("edit")
@click.argument("scope")
@click.option("--name-vi", help="Tên tiếng Việt / Vietnamese name.")
@click.option("--name-en", help="Tên tiếng Anh / English name.")
@click.option("--parent", metavar="SCOPE", help="Cấp trên / Parent scope.")
@click.option("--kind", type=click.Choice(USER_KINDS), help="Loại / Kind.")
@pass_app
def edit_command(
    app: App,
    scope: str,
    name_vi: str | None,
    name_en: str | None,
    parent: str | None,
    kind: str | None,
) -> None:
    """Sửa phạm vi riêng / Change a scope of your own."""
    from calendar_svc.store.scopes import ScopeStoreError

    if all(v is None for v in (name_vi, name_en, parent, kind)):
        raise click.UsageError("nêu ít nhất một trường / name at least one field to change")
    store = repo(app)
    tree = app.scopes
    current = tree[resolve(tree, scope, "SCOPE")]
    if not current.user:
        raise DataError(
            f"'{current.id}' thuộc danh mục / belongs to the registry and cannot be edited"
        )
    changed = _user_scope(
        tree,
        current.id,
        name_vi=current.name_vi if name_vi is None else name_vi,
        name_en=current.name_en if name_en is None else name_en,
        parent=current.parent or "national" if parent is None else parent,
        kind=current.kind if kind is None else kind,
        type_vi=current.type_vi,
    )
    try:
        store.replace(changed)
    except ScopeStoreError as exc:
        raise _store_error(exc) from None
    click.echo(f"Đã sửa / Updated: {changed.id}")


@scopes_group.command("remove")
@click.argument("scope")
@click.option("--yes", is_flag=True, help="Không hỏi lại / Do not ask for confirmation.")
@pass_app
def remove_command(app: App, scope: str, yes: bool) -> None:  # noqa: FBT001
    """Xóa phạm vi riêng / Remove a scope of your own that nothing uses."""
    from calendar_svc.store.scopes import ScopeStoreError

    store = repo(app)
    tree = app.scopes
    found = tree[resolve(tree, scope, "SCOPE")]
    if not found.user:
        raise DataError(
            f"'{found.id}' thuộc danh mục / belongs to the registry and cannot be removed"
        )
    use = store.use(found.id)
    if use.any:
        raise DataError(f"phạm vi đang được dùng / scope '{found.id}' is in use: {use.describe()}")
    confirm_removal(f"'{found.id}' ({found.name_vi})", yes=yes)
    try:
        store.remove(found.id)
    except ScopeStoreError as exc:
        raise _store_error(exc) from None
    click.echo(f"Đã xóa / Removed: {found.id}")


def read_user_scopes(path: Path, tree: ScopeTree) -> list[Scope]:
    """Return the user scopes of a file written by ``export --scopes``, validated whole.

    Rows are taken parents first; each must be a user id whose parent is known or
    comes earlier in the file. Raises DataError naming the line.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read the scopes file: {exc}") from None
    result: list[Scope] = []
    for line, row in enumerate(rows, start=2):
        scope_id = (row.get("id") or "").strip()
        if not is_user_id(scope_id):
            raise DataError(f"{path}:{line}: column 'id': '{scope_id}' is not a user scope id")
        try:
            scope = _user_scope(
                tree,
                scope_id,
                name_vi=row.get("name_vi") or "",
                name_en=row.get("name_en") or "",
                parent=(row.get("parent") or "").strip() or "?",
                kind=(row.get("kind") or "other") if row.get("kind") in USER_KINDS else "other",
                type_vi=row.get("type_vi") or "",
            )
            tree = tree.with_scope(scope)
        except (DataError, ScopeError) as exc:
            raise DataError(f"{path}:{line}: {exc}") from None
        result.append(scope)
    return result
