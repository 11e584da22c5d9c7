"""``calendar-svc org add|list|edit|remove``: the organisations that issue directives."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from calendar_svc.cli import App, pass_app, remove_confirmed, yes_option
from calendar_svc.commands.annual import annual_reminder_options, annual_rule, annual_summary
from calendar_svc.commands.directive import directive_settings_options
from calendar_svc.commands.params import ASCII_INT, SCOPE
from calendar_svc.core.directive_settings import DirectiveSettings
from calendar_svc.core.recipients import DueKind, DueRule, Organisation, SubscribePolicy
from calendar_svc.errors import DataError

if TYPE_CHECKING:
    pass

SUBSCRIBE_HELP = (
    "Tự đăng ký trên trang web / Self-subscription on the web page: open (a confirmed "
    "address is subscribed), approval (a manager approves it: calendar-svc subscribers "
    "approve), closed (only managers add subscribers)."
)
subscribe_choice = click.Choice([p.value for p in SubscribePolicy])

LEADS_HELP = (
    "Số ngày nhắc trước hạn, cách nhau bởi dấu phẩy / Days before the due date at which "
    "members get the digest, comma-separated (default 10,3; 'none' for no digest)."
)


def parse_leads(value: str, option: str) -> tuple[int, ...]:
    """Return lead days from ``10,3`` ('none' or '' gives none); DataError names the option."""
    text = value.strip().lower()
    if text in ("", "none"):
        return ()
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise DataError(
            f"option {option}: '{value}' không phải danh sách số ngày / is not a list of day "
            "counts (e.g. 10,3)"
        ) from None


def due_rule(day: int | None, days_before: int | None, current: DueRule | None) -> DueRule:
    """Return the due rule the options give (or ``current``/the default when none)."""
    if day is not None and days_before is not None:
        raise click.UsageError("chọn một / give --due-day or --due-days-before, not both")
    try:
        if day is not None:
            return DueRule(DueKind.DAY_OF_MONTH, day)
        if days_before is not None:
            return DueRule(DueKind.DAYS_BEFORE, days_before)
    except ValueError as exc:
        raise DataError(f"hạn văn bản / due date: {exc}") from None
    return current or DueRule()


def build(fields: dict[str, Any]) -> Organisation:
    """Return a validated organisation; DataError with the reason."""
    try:
        return Organisation(**fields)
    except ValueError as exc:
        raise DataError(f"tổ chức / organisation: {exc}") from None


def record(org: Organisation) -> dict[str, Any]:
    """Return an organisation as JSON-ready data."""
    return {
        "id": org.id,
        "name": org.name,
        "scope": org.scope,
        "due": {"kind": org.due.kind.value, "n": org.due.n, "label": org.due.label("en")},
        "leads": list(org.leads),
        "directive": json.loads(org.directive.to_json()),
        "annual": None
        if org.annual is None
        else {"due": org.annual.iso(), "leads": list(org.annual.leads)},
        "subscribe": org.subscribe.value,
    }


due_options = [
    click.option(
        "--due-day",
        type=ASCII_INT,
        metavar="N",
        help="Hạn là ngày N của tháng / Due on day N of the month it covers (default 2).",
    ),
    click.option(
        "--due-days-before",
        type=ASCII_INT,
        metavar="N",
        help="Hạn là N ngày trước tháng / Due N days before the month starts.",
    ),
]


def with_due_options(func: Any) -> Any:
    """Add --due-day and --due-days-before."""
    for option in reversed(due_options):
        func = option(func)
    return func


@click.group("org")
def org_group() -> None:
    """Tổ chức / Organisations that issue a monthly directive, and when it is due."""


@org_group.command("add")
@click.argument("org_id", metavar="ID")
@click.option("--name", required=True, help="Tên đầy đủ / Full name of the organisation.")
@click.option(
    "--scope", required=True, type=SCOPE, help="Phạm vi / Scope (e.g. province:quang-ninh)."
)
@with_due_options
@click.option("--leads", default="10,3", show_default=True, help=LEADS_HELP)
@click.option(
    "--subscribe", type=subscribe_choice, default="closed", show_default=True, help=SUBSCRIBE_HELP
)
@annual_reminder_options
@directive_settings_options
@pass_app
def add_command(
    app: App,
    org_id: str,
    name: str,
    scope: str,
    due_day: int | None,
    due_days_before: int | None,
    leads: str,
    subscribe: str,
    annual_options: tuple[bool | None, str | None, str | None],
    directive: DirectiveSettings,
) -> None:
    """Thêm tổ chức / Add an organisation with id ID.

    Example: calendar-svc org add quang-ninh --name "Ban Tuyên giáo và Dân vận Tỉnh ủy
    Quảng Ninh" --scope province:quang-ninh
    """
    org = build(
        {
            "id": org_id,
            "name": name,
            "scope": scope,
            "due": due_rule(due_day, due_days_before, None),
            "leads": parse_leads(leads, "--leads"),
            "directive": directive,
            "annual": annual_rule(annual_options, None)[1],
            "subscribe": SubscribePolicy(subscribe),
        }
    )
    app.store().organisations.add_organisation(org)
    click.echo(f"Đã thêm / Added: {org.id} ({org.due.label('vi')} / {org.due.label('en')})")
    if org.annual is not None:
        click.echo(annual_summary(org.annual))


@org_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def list_command(app: App, fmt: str) -> None:
    """Liệt kê tổ chức / List the organisations."""
    orgs = app.store().organisations.organisations()
    if fmt == "json":
        click.echo(json.dumps([record(o) for o in orgs], ensure_ascii=False, indent=2))
        return
    if not orgs:
        click.echo("Chưa có tổ chức nào / No organisations.")
        return
    from calendar_svc.commands.columns import columns

    headers = (
        "ID",
        "Phạm vi / Scope",
        "Hạn / Due",
        "Nhắc trước / Leads",
        "Tự đăng ký / Subscribe",
        "Tên / Name",
    )
    rows = [
        (
            org.id,
            org.scope,
            org.due.label("vi"),
            ",".join(str(n) for n in org.leads) or "-",
            org.subscribe.value,
            org.name,
        )
        for org in orgs
    ]
    click.echo(columns(headers, rows), nl=False)


@org_group.command("edit")
@click.argument("org_id", metavar="ID")
@click.option("--name", help="Tên đầy đủ / Full name.")
@click.option("--scope", type=SCOPE, help="Phạm vi / Scope.")
@with_due_options
@click.option("--leads", help=LEADS_HELP)
@click.option("--subscribe", type=subscribe_choice, help=SUBSCRIBE_HELP)
@annual_reminder_options
@directive_settings_options
@pass_app
def edit_command(
    app: App,
    org_id: str,
    name: str | None,
    scope: str | None,
    due_day: int | None,
    due_days_before: int | None,
    leads: str | None,
    subscribe: str | None,
    annual_options: tuple[bool | None, str | None, str | None],
    directive: DirectiveSettings,
) -> None:
    """Sửa tổ chức / Change the given fields of organisation ID."""
    same_directive = directive == DirectiveSettings()
    fields = (name, scope, due_day, due_days_before, leads, subscribe, *annual_options)
    if same_directive and all(v is None for v in fields):
        raise click.UsageError("nêu ít nhất một trường / name at least one field to change")
    store = app.store().organisations
    current: Organisation = store.get_organisation(org_id)
    changes: dict[str, Any] = {"due": due_rule(due_day, due_days_before, current.due)}
    if name is not None:
        changes["name"] = name
    if scope is not None:
        changes["scope"] = scope
    if leads is not None:
        changes["leads"] = parse_leads(leads, "--leads")
    if subscribe is not None:
        changes["subscribe"] = SubscribePolicy(subscribe)
    if not same_directive:
        changes["directive"] = current.directive.merged(directive)
    annual_changed, annual = annual_rule(annual_options, current.annual)
    if annual_changed:
        changes["annual"] = annual
    try:
        org = replace(current, **changes)
    except ValueError as exc:
        raise DataError(f"tổ chức / organisation: {exc}") from None
    store.replace_organisation(org)
    click.echo(f"Đã sửa / Updated: {org.id}")
    if annual_changed:
        click.echo(annual_summary(org.annual))


@org_group.command("remove")
@click.argument("org_id", metavar="ID")
@yes_option
@pass_app
def remove_command(app: App, org_id: str, yes: bool) -> None:  # noqa: FBT001
    """Xóa tổ chức / Remove organisation ID (it must have no subscribers)."""
    store = app.store().organisations
    org = store.get_organisation(org_id)
    remove_confirmed(org.id, f"'{org.id}' ({org.name})", store.remove_organisation, yes=yes)
