"""``calendar-svc outbox list|retry``: look into and requeue the reminder outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from calendar_svc.cli import App, pass_app

if TYPE_CHECKING:
    pass

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
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def list_command(app: App, status: str | None, recipient: str | None, limit: int, fmt: str) -> None:
    """Liệt kê thư / List outbox rows, latest send time first, with counts by status."""
    from calendar_svc.store.outbox import OutboxStatus

    repo = app.store().outbox
    rows = repo.rows(
        status=OutboxStatus(status) if status else None, limit=limit, recipient=recipient
    )
    tz = ZoneInfo(app.settings.timezone)
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
    counts = repo.counts()
    click.echo("  ".join(f"{s.value}: {n}" for s, n in counts.items()))
    for r in rows:
        when = r.send_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        reason = f"  {r.reason}" if r.reason else ""
        click.echo(
            f"{r.id:>6}  {r.status.value:<8} {when}  {r.key.kind.value:<6} {r.key.subject}"
            f"  {r.key.occurrence.isoformat()}  -{r.key.lead}d  {r.key.recipient}"
            f"  x{r.attempts}{reason}"
        )


@outbox_group.command("retry")
@click.argument("ids", nargs=-1, type=int, metavar="[ID]...")
@click.option("--failed", is_flag=True, help="Mọi thư lỗi / Every failed row.")
@pass_app
def retry_command(app: App, ids: tuple[int, ...], failed: bool) -> None:  # noqa: FBT001
    """Gửi lại / Requeue failed (or the given failed or skipped) rows with fresh attempts.

    Sent rows are never requeued. The next tick (or remind run-once) sends them.
    """
    if not ids and not failed:
        raise click.UsageError("nêu ID hoặc --failed / give row IDs or --failed")
    count = app.store().outbox.retry(ids=ids, failed=failed, now=datetime.now(UTC))
    click.echo(f"Đã xếp lại / Requeued: {count}")
