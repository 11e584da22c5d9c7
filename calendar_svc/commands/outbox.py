"""``calendar-svc outbox list|retry``: look into and requeue the reminder outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.params import ASCII_INT, AsciiIntRange
from calendar_svc.errors import NotFoundError

STATUSES = ("pending", "sending", "sent", "failed", "skipped")


@click.group("outbox")
def outbox_group() -> None:
    """Hàng đợi thư / The reminder outbox: what was sent, what waits, what failed."""


@outbox_group.command("list")
@click.option(
    "--status", type=click.Choice(STATUSES), help="Chỉ trạng thái này / Only this status."
)
@click.option(
    "--to", "recipient", metavar="EMAIL", help="Chỉ người nhận này / Only this recipient."
)
@click.option("--limit", type=AsciiIntRange(1), default=50, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def list_command(app: App, status: str | None, recipient: str | None, limit: int, fmt: str) -> None:
    """Liệt kê thư / List outbox rows, latest send time first, with counts by status."""
    from calendar_svc.store.outbox import OutboxStatus

    repo = app.store().outbox
    rows = repo.rows(
        status=OutboxStatus(status) if status else None, limit=limit, recipient=recipient
    )
    tz = app.settings.timezone
    if fmt == "json":
        records: list[dict[str, Any]] = [
            {
                "id": r.id,
                "status": r.status.value,
                "kind": r.key.kind.value,
                "subject": r.key.subject,
                "occurrence": r.key.occurrence.isoformat(),
                "lead_days": r.key.lead,
                "recipient": r.key.recipient,
                "message_id": r.message_id,
                "send_at": r.send_at.isoformat(),
                "attempts": r.attempts,
                "next_attempt_at": r.next_attempt_at.isoformat(),
                "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                "reason": r.reason,
            }
            for r in rows
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    from calendar_svc.commands.columns import columns

    counts = repo.counts()
    click.echo("  ".join(f"{s.value}: {n}" for s, n in counts.items()))
    if not rows:
        return
    headers = (
        "ID",
        "Trạng thái / Status",
        "Gửi lúc / Send at",
        "Loại / Kind",
        "Về / Subject",
        "Ngày / Date",
        "Trước / Lead",
        "Người nhận / To",
        "Lần / Tries",
        "Lý do / Reason",
    )
    table = [
        (
            str(r.id),
            r.status.value,
            r.send_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            r.key.kind.value,
            r.key.subject,
            r.key.occurrence.isoformat(),
            f"{r.key.lead}d",
            r.key.recipient,
            str(r.attempts),
            r.reason,
        )
        for r in rows
    ]
    click.echo(columns(headers, table), nl=False)


@outbox_group.command("retry")
@click.argument("ids", nargs=-1, type=ASCII_INT, metavar="[ID]...")
@click.option("--failed", is_flag=True, help="Mọi thư lỗi / Every failed row.")
@pass_app
def retry_command(app: App, ids: tuple[int, ...], failed: bool) -> None:  # noqa: FBT001
    """Gửi lại / Requeue failed (or the given failed or skipped) rows with fresh attempts.

    Sent rows are never requeued. The next tick (or remind run-once) sends them.
    """
    if not ids and not failed:
        raise click.UsageError("nêu ID hoặc --failed / give row IDs or --failed")
    from calendar_svc.store.outbox import OutboxStatus

    repo = app.store().outbox
    found = repo.statuses(ids)
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        raise NotFoundError("dòng hàng đợi", ", ".join(unknown))
    count = repo.retry(ids=ids, failed=failed, now=datetime.now(UTC))
    click.echo(f"Đã xếp lại / Requeued: {count}")
    for row_id in ids:
        status = found[row_id]
        if status in (OutboxStatus.FAILED, OutboxStatus.SKIPPED):
            continue
        why = {
            OutboxStatus.SENT: "đã gửi, không gửi lại / it was sent; sent rows are never requeued",
            OutboxStatus.PENDING: "đang chờ gửi / it is already queued",
            OutboxStatus.SENDING: "đang gửi / it is being sent",
        }[status]
        click.echo(f"Dòng / Row {row_id} không xếp lại / not requeued: {why}")
    if failed and not ids and count == 0:
        click.echo("Không có thư lỗi nào / There are no failed rows.")
