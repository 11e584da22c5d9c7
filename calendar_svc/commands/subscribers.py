"""``calendar-svc subscribers add|edit|list|remove``: who receives reminders."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.org import parse_leads
from calendar_svc.commands.params import CATEGORY, SCOPE
from calendar_svc.core.recipients import Subscriber, SubscriberState
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
        "unsubscribed_by": sub.unsubscribed_by,
        "state": sub.state.value,
    }


def state_label(sub: Subscriber) -> str:
    """Return whether a subscriber gets reminders; if not, since when and how it stopped."""
    if sub.state is SubscriberState.AWAITING_APPROVAL:
        return "chờ duyệt / awaiting approval"
    if sub.active:
        return "nhận / active"
    when = sub.unsubscribed_at.date().isoformat() if sub.unsubscribed_at else "?"
    how = {
        "link": "qua liên kết / by link",
        "cli": "bằng lệnh / by command",
        "manage": "trên trang đăng ký của mình / on their subscriptions page",
    }.get(sub.unsubscribed_by or "", "")
    return f"đã ngừng / unsubscribed {when}" + (f" ({how})" if how else "")


@click.group("subscribers")
def subscribers_group() -> None:
    """Người nhận / Subscribers: who gets digests and anniversary reminders."""


@subscribers_group.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Tên người nhận / Name used in the greeting.")
@click.option("--org", "org_id", metavar="ID", help="Thuộc tổ chức / Member of organisation ID.")
@click.option(
    "--scope", type=SCOPE, help="Hoặc phạm vi / Or a scope, for anniversary reminders only."
)
@click.option(
    "--category",
    "categories",
    multiple=True,
    type=CATEGORY,
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


@subscribers_group.command("edit")
@click.argument("email")
@click.option("--name", help="Tên người nhận / Name used in the greeting.")
@click.option("--org", "org_id", metavar="ID", help="Chuyển sang tổ chức / Member of ID.")
@click.option("--scope", type=SCOPE, help="Hoặc phạm vi / Or a scope (event reminders only).")
@click.option(
    "--category",
    "categories",
    multiple=True,
    type=CATEGORY,
    help="Chỉ loại này (lặp lại được) / Only this category (repeatable).",
)
@click.option(
    "--all-categories", is_flag=True, help="Mọi loại / Every category (undoes --category)."
)
@click.option("--lang", type=click.Choice(["vi", "en"]), help="Ngôn ngữ thư / Language.")
@click.option("--leads", help=EVENT_LEADS_HELP)
@click.option(
    "--active/--inactive",
    default=None,
    help="Nhận lại / Receive reminders again (after unsubscribing), or stop them.",
)
@pass_app
def edit_command(
    app: App,
    email: str,
    name: str | None,
    org_id: str | None,
    scope: str | None,
    categories: tuple[str, ...],
    all_categories: bool,  # noqa: FBT001
    lang: str | None,
    leads: str | None,
    active: bool | None,  # noqa: FBT001
) -> None:
    """Sửa người nhận / Change the given fields of subscriber EMAIL.

    --active brings back an address that unsubscribed; --inactive stops its reminders
    (recorded as by command, with the date). Example:
    calendar-svc subscribers edit can-bo@example.org --lang en --active
    """
    if org_id is not None and scope is not None:
        raise click.UsageError("cần --org hoặc --scope, không cả hai / give --org or --scope")
    given = (name, org_id, scope, lang, leads, active)
    if not categories and not all_categories and all(v is None for v in given):
        raise click.UsageError("nêu ít nhất một trường / name at least one field to change")
    people = app.store().organisations
    sub = people.get_subscriber(email)
    changes: dict[str, Any] = {"categories": () if all_categories else categories or sub.categories}
    if name is not None:
        changes["name"] = name
    if org_id is not None:
        changes.update(organisation=org_id, scope=None)
    if scope is not None:
        changes.update(organisation=None, scope=scope)
    if lang is not None:
        changes["lang"] = lang
    if leads is not None:
        changes["leads"] = parse_leads(leads, "--leads")
    if active is True and not sub.active:
        changes.update(active=True, unsubscribed_at=None, unsubscribed_by=None)
    elif active is False and sub.active:
        changes.update(active=False, unsubscribed_at=datetime.now(UTC), unsubscribed_by="cli")
    try:
        edited = replace(sub, **changes)
    except ValueError as exc:
        raise DataError(f"người nhận / subscriber: {exc}") from None
    people.replace_subscriber(edited)
    click.echo(f"Đã sửa / Updated: {edited.email} ({state_label(edited)})")


@subscribers_group.command("list")
@click.option("--org", "org_id", metavar="ID", help="Chỉ của tổ chức này / Only members of ID.")
@click.option(
    "--pending",
    is_flag=True,
    help="Chỉ người chờ duyệt / Only those awaiting approval (needs --org).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def list_command(app: App, org_id: str | None, pending: bool, fmt: str) -> None:  # noqa: FBT001
    """Liệt kê người nhận / List subscribers.

    Those who subscribed on the web page to an organisation that needs approval are
    listed as awaiting approval (and get nothing) until 'subscribers approve'.
    """
    store = app.store()
    if pending:
        if org_id is None:
            raise click.UsageError("--pending cần --org / --pending needs --org ID")
        store.organisations.get_organisation(org_id)
        subs = store.subscriptions.pending(org_id)
    else:
        subs = store.organisations.subscribers(organisation=org_id)
    if fmt == "json":
        click.echo(json.dumps([record(s) for s in subs], ensure_ascii=False, indent=2))
        return
    if not subs:
        if pending:
            click.echo("Không ai chờ duyệt / Nobody awaits approval.")
        else:
            click.echo("Chưa có người nhận nào / No subscribers.")
        return
    from calendar_svc.commands.columns import columns

    headers = (
        "Email",
        "Nhận / For",
        "Tiếng / Lang",
        "Nhắc trước / Leads",
        "Loại / Categories",
        "Tên / Name",
        "Trạng thái / State",
    )
    rows = [
        (
            sub.email,
            f"org:{sub.organisation}" if sub.organisation else sub.scope or "",
            sub.lang,
            ",".join(str(n) for n in sub.leads) or "-",
            ",".join(sub.categories) or "*",
            sub.name,
            state_label(sub),
        )
        for sub in subs
    ]
    click.echo(columns(headers, rows), nl=False)


@subscribers_group.command("remove")
@click.argument("email")
@pass_app
def remove_command(app: App, email: str) -> None:
    """Xóa người nhận / Remove subscriber EMAIL (queued reminders to it are skipped)."""
    app.store().organisations.remove_subscriber(email)
    click.echo(f"Đã xóa / Removed: {email.strip().lower()}")


@subscribers_group.command("approve")
@click.argument("email")
@click.option("--org", "org_id", metavar="ID", required=True, help="Tổ chức / Organisation ID.")
@pass_app
def approve_command(app: App, email: str, org_id: str) -> None:
    """Duyệt người đăng ký / Approve EMAIL, awaiting approval for organisation ID.

    From then on it gets the organisation's reminders. Example:
    calendar-svc subscribers approve can-bo@example.org --org quang-ninh
    """
    app.store().subscriptions.approve(org_id, email)
    click.echo(f"Đã duyệt / Approved: {email.strip().lower()}")


@subscribers_group.command("reject")
@click.argument("email")
@click.option("--org", "org_id", metavar="ID", required=True, help="Tổ chức / Organisation ID.")
@pass_app
def reject_command(app: App, email: str, org_id: str) -> None:
    """Từ chối người đăng ký / Reject EMAIL, awaiting approval for organisation ID.

    The request is deleted; nothing is sent to the address.
    """
    app.store().subscriptions.reject(org_id, email)
    click.echo(f"Đã từ chối / Rejected: {email.strip().lower()}")
