"""``calendar-svc remind preview`` and ``calendar-svc remind run-once``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.params import MONTH
from calendar_svc.errors import DeliveryError
from calendar_svc.files import write_atomic

if TYPE_CHECKING:
    from calendar_svc.services.reminders import Reminders, TickReport

#: Show a progress bar when a terminal waits for at least this many messages.
PROGRESS_FROM = 20


def parse_now(value: str, timezone: tzinfo) -> datetime:
    """Return ``--now`` as an aware moment; a time without offset is local (``timezone``)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{value}' không phải thời điểm / is not a moment (use YYYY-MM-DDTHH:MM)",
            param_hint="--now",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone)
    return moment


def reminders(app: App, *, rehearsal: bool = False) -> Reminders:
    """Return the reminder service of the configured database."""
    from calendar_svc.services.reminders import Reminders

    return Reminders(app.settings, app.store(), app.scopes, rehearsal=rehearsal)


@click.group("remind")
def remind_group() -> None:
    """Nhắc việc / Reminders: preview a digest or an event reminder, plan and send what is due."""


@remind_group.command("preview")
@click.option("--month", type=MONTH, help="Tháng của văn bản / The digest of this month.")
@click.option(
    "--event",
    "anniversary_id",
    metavar="ID",
    help="Hoặc ngày kỷ niệm / Or the event reminder of anniversary ID (its next năm tròn or "
    "năm lẻ 5).",
)
@click.option("--to", "email", required=True, metavar="EMAIL", help="Người nhận / Subscriber.")
@click.option(
    "--lead",
    type=click.IntRange(1, 366),
    help="Số ngày trước / As sent this many days before the due date or the event (default: "
    "the organisation's or subscriber's longest lead).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi ra tệp .eml / Write the message to this .eml file instead of standard output.",
)
@pass_app
def preview_command(
    app: App,
    month: tuple[int, int] | None,
    anniversary_id: str | None,
    email: str,
    lead: int | None,
    out: Path | None,
) -> None:
    """Xem trước thư nhắc / Render a digest or an event reminder as EMAIL gets it.

    The whole message (headers, text and HTML, .ics attachment) is written as it would be
    sent; nothing is queued or sent. Example: calendar-svc remind preview --event
    sinh-chu-huy-man --to can-bo@example.org --out event.eml
    """
    if (month is None) == (anniversary_id is None):
        raise click.UsageError("cần --month hoặc --event / give --month or --event (one)")
    service = reminders(app)
    if anniversary_id is not None:
        data = service.preview_event(email, anniversary_id, app.today(), lead=lead)
    else:
        assert month is not None
        data = service.preview(email, *month, lead=lead)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(out, data)
    click.echo(f"Đã ghi / Written: {out}", err=True)


def _progress(stack: ExitStack) -> Callable[[int], Callable[[int], None] | None]:
    def start(due: int) -> Callable[[int], None] | None:
        if due < PROGRESS_FROM or not sys.stderr.isatty():
            return None
        bar = stack.enter_context(
            click.progressbar(length=due, label="Gửi / Sending", file=sys.stderr)
        )
        return bar.update

    return start


def _summary(report: TickReport) -> str:
    p, d = report.plan, report.dispatch
    return (
        f"Lập lịch / Planned: {p.inserted} mới / new ({p.skipped} bỏ qua / skipped, "
        f"{p.superseded} thay thế / superseded), từ / from {p.window_start.isoformat()}\n"
        f"Gửi / Sent: {d.sent}, thử lại / retry: {d.retried}, lỗi / failed: {d.failed}, "
        f"bỏ qua / skipped: {d.skipped}"
    )


@remind_group.command("run-once")
@click.option(
    "--now",
    metavar="YYYY-MM-DDTHH:MM",
    help="Chạy như vào thời điểm này / Plan and send as of this moment (local time unless "
    "an offset is given); the clock then runs on from it.",
)
@pass_app
def run_once_command(app: App, now: str | None) -> None:
    """Lập lịch và gửi / Plan what is due and send it, once.

    Exits with 1 when the mail server cannot be reached; the reminders stay queued for the
    next run.
    """
    from calendar_svc.services.reminders import shifted_clock

    service = reminders(app, rehearsal=now is not None)
    if now is None:

        def clock() -> datetime:
            return datetime.now(UTC)

    else:
        clock = shifted_clock(parse_now(now, app.settings.timezone))
    with ExitStack() as stack:
        report = asyncio.run(service.tick(clock, progress_for=_progress(stack)))
    click.echo(_summary(report))
    if report.dispatch.unreachable:
        waiting = service.outbox.due_count(clock())
        raise DeliveryError(
            f"không kết nối được máy chủ thư / mail server {app.settings.smtp_host}:"
            f"{app.settings.smtp_port} unreachable ({report.dispatch.unreachable}); "
            f"{waiting} thư chờ gửi lại / reminder(s) stay queued",
            permanent=False,
        )
