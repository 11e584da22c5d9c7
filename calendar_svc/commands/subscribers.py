"""``calendar-svc subscribers add|list|remove``: who receives reminders."""

from __future__ import annotations

import json
from typing import Any

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.org import check_scope, parse_leads
from calendar_svc.core.policy import CATEGORIES
from calendar_svc.core.recipients import Subscriber
from calendar_svc.errors import DataError

EVENT_LEADS_HELP = (
    "Số ngày nhắc trước năm tròn, năm lẻ 5 / Days before a round or half-round anniversary "
    "at which to remind, comma-separated (default 90,30,7; 'none' for no event reminders)."
)


def record(sub: Subscriber) -> dict[str, Any]:
    """Return a subscriber as JSON-ready data."""
    return {
        "email": sub.email,
        "name": sub.name,
        "organisation": sub.organisation,
        "scope": sub.scope,
        "categories": list(sub.categories),
        "lang": sub.lang,
        "leads": list(sub.leads),
        "active": sub.active,
        "unsubscribed_at": sub.unsubscribed_at.isoformat() if sub.unsubscribed_at else None,
    }


@click.group("subscribers")
def subscribers_group() -> None:
    """Người nhận / Subscribers: who gets digests and anniversary reminders."""


@subscribers_group.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Tên người nhận / Name used in the greeting.")
@click.option("--org", "org_id", metavar="ID", help="Thuộc tổ chức / Member of organisation ID.")
@click.option("--scope", help="Hoặc phạm vi / Or a scope, for anniversary reminders only.")
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="SLUG",
    help="Chỉ loại này (lặp lại được) / Only this category (repeatable; default all).",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Ngôn ngữ thư / Language of the e-mails.",
)
@click.option("--leads", default="90,30,7", show_default=True, help=EVENT_LEADS_HELP)
@pass_app
def add_command(
    app: App,
    email: str,
    name: str,
    org_id: str | None,
    scope: str | None,
    categories: tuple[str, ...],
    lang: str,
    leads: str,
) -> None:
    """Thêm người nhận / Subscribe EMAIL.

    A member of an organisation (--org) gets its directive digests and reminders of
    round anniversaries in its scope; a subscriber with --scope gets the reminders only.

    Example: calendar-svc subscribers add can-bo@example.org --name "Cán bộ" --org quang-ninh
    """
    if (org_id is None) == (scope is None):
        raise click.UsageError("cần --org hoặc --scope / give either --org or --scope")
    if scope is not None:
        check_scope(app, scope)
    for category in categories:
        if category not in CATEGORIES:
            raise DataError(
                f"option --category: loại không có / unknown category '{category}' "
                f"(known: {', '.join(CATEGORIES)})"
            )
    try:
        sub = Subscriber(
            email=email,
            name=name,
            organisation=org_id,
            scope=scope,
            categories=categories,
            lang=lang,
            leads=parse_leads(leads, "--leads"),
        )
    except ValueError as exc:
        raise DataError(f"người nhận / subscriber: {exc}") from None
    app.store().organisations.add_subscriber(sub)
    click.echo(f"Đã thêm / Added: {sub.email}")


@subscribers_group.command("list")
@click.option("--org", "org_id", metavar="ID", help="Chỉ của tổ chức này / Only members of ID.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def list_command(app: App, org_id: str | None, fmt: str) -> None:
    """Liệt kê người nhận / List subscribers."""
    subs = app.store().organisations.subscribers(organisation=org_id)
    if fmt == "json":
        click.echo(json.dumps([record(s) for s in subs], ensure_ascii=False, indent=2))
        return
    if not subs:
        click.echo("Chưa có người nhận nào / No subscribers.")
        return
    for sub in subs:
        where = f"org:{sub.organisation}" if sub.organisation else sub.scope
        state = "" if sub.active else "  (đã ngừng / unsubscribed)"
        leads = ",".join(str(n) for n in sub.leads) or "-"
        cats = ",".join(sub.categories) or "*"
        click.echo(f"{sub.email}  {where}  {sub.lang}  {leads}  {cats}  {sub.name}{state}")


@subscribers_group.command("remove")
@click.argument("email")
@pass_app
def remove_command(app: App, email: str) -> None:
    """Xóa người nhận / Remove subscriber EMAIL (queued reminders to it are skipped)."""
    app.store().organisations.remove_subscriber(email)
    click.echo(f"Đã xóa / Removed: {email.strip().lower()}")
