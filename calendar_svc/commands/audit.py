"""``calendar-svc audit``: the changes made through the web pages, newest first."""

from __future__ import annotations

import json

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.params import AsciiIntRange


def _short(value: object) -> str:
    if value is None:
        return "-"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@click.command("audit")
@click.option("--org", "org_id", metavar="ID", help="Chỉ tổ chức này / Only this organisation's.")
@click.option(
    "--limit",
    type=AsciiIntRange(1, 10_000),
    default=50,
    show_default=True,
    help="Số dòng tối đa / Most entries shown.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def audit_command(app: App, org_id: str | None, limit: int, fmt: str) -> None:
    """Nhật ký thay đổi / The audit log: who changed what on the web pages, and when.

    Each entry shows the time (UTC), who, the organisation, the action and its target,
    and the record before and after (JSON).
    """
    entries = app.store().audit.entries(organisation=org_id, limit=limit)
    if fmt == "json":
        click.echo(json.dumps([e.record() for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo("Chưa có thay đổi nào / No changes recorded.")
        return
    from calendar_svc.commands.columns import columns

    headers = (
        "Lúc / At (UTC)",
        "Ai / Who",
        "Tổ chức / Org",
        "Việc / Action",
        "Đối tượng / Target",
        "Trước / Before",
        "Sau / After",
    )
    rows = [
        (
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.organisation or "-",
            e.action,
            e.target,
            _short(e.before),
            _short(e.after),
        )
        for e in entries
    ]
    click.echo(columns(headers, rows), nl=False)
