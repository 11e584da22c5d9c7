"""``calendar-svc users add|list|remove``: who may sign in to the web pages."""

from __future__ import annotations

import json
from typing import Any

import click

from calendar_svc.cli import App, pass_app, remove_confirmed, yes_option
from calendar_svc.store.users import Role, User, check_email


def record(user: User) -> dict[str, Any]:
    """Return a user as JSON-ready data."""
    return {
        "email": user.email,
        "role": user.role.value,
        "organisation": user.organisation,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }


def role_label(user: User) -> str:
    """Return the role in both languages."""
    if user.is_operator:
        return "vận hành / operator"
    return "quản lý / manager"


@click.group("users")
def users_group() -> None:
    """Người dùng trang quản lý / Who signs in to manage organisations in the browser."""


@users_group.command("add")
@click.argument("email")
@click.option(
    "--org",
    "org_id",
    metavar="ID",
    help="Quản lý tổ chức / Manager of organisation ID (required unless --operator).",
)
@click.option(
    "--operator",
    is_flag=True,
    help="Người vận hành: mọi tổ chức / Operator: may act on every organisation.",
)
@pass_app
def add_command(app: App, email: str, org_id: str | None, operator: bool) -> None:  # noqa: FBT001
    """Thêm người dùng / Add a user who signs in with an emailed link (no password).

    Example: calendar-svc users add lan@tuyengiao.quangninh.vn --org quang-ninh
    """
    if not operator and not org_id:
        raise click.UsageError("cần --org ID (hoặc --operator) / give --org ID (or --operator)")
    address = check_email(email)
    role = Role.OPERATOR if operator else Role.MANAGER
    store = app.store()
    if org_id is not None:
        store.organisations.get_organisation(org_id)
    store.users.add_user(User(address, role, org_id))
    where = f" ({org_id})" if org_id else ""
    click.echo(f"Đã thêm / Added: {address}, {role_label(User(address, role, org_id))}{where}")


@users_group.command("list")
@click.option("--org", "org_id", metavar="ID", help="Chỉ tổ chức này / Only this organisation's.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def list_command(app: App, org_id: str | None, fmt: str) -> None:
    """Liệt kê người dùng / List the users."""
    users = app.store().users.users(organisation=org_id)
    if fmt == "json":
        click.echo(json.dumps([record(u) for u in users], ensure_ascii=False, indent=2))
        return
    if not users:
        click.echo("Chưa có người dùng nào / No users.")
        return
    from calendar_svc.commands.columns import columns

    headers = ("Email", "Vai trò / Role", "Tổ chức / Organisation")
    rows = [(u.email, role_label(u), u.organisation or "*") for u in users]
    click.echo(columns(headers, rows), nl=False)


@users_group.command("remove")
@click.argument("email")
@yes_option
@pass_app
def remove_command(app: App, email: str, yes: bool) -> None:  # noqa: FBT001
    """Xóa người dùng / Remove a user; their sessions and sign-in links end with them."""
    store = app.store().users
    address = email.strip().lower()
    if store.get_user(address) is None:
        from calendar_svc.store.users import UserNotFoundError

        raise UserNotFoundError(address)
    remove_confirmed(address, f"'{address}'", store.remove_user, yes=yes)
