"""The outbox dispatcher: claim due rows, build and send their messages, settle each one.

One pass (:meth:`Dispatcher.run`):

1. If nothing is due, stop. Otherwise open one SMTP connection first: when the server
   cannot be reached, nothing is claimed and nothing changes (the next tick tries again;
   an outage does not use up attempts). An authentication failure fails the due rows for
   good, with the server's reply as the reason.
2. Claim a batch (:meth:`OutboxRepo.claim`: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, one
   claimer at a time on SQLite) with a lease long enough for two batches to time out; the
   next batch is claimed while the current one is sent, so the workers never wait.
3. ``concurrency`` workers each build a message and send it on a reused connection, so
   building the next message overlaps the network wait of the others.
4. Each outcome is recorded as soon as it is known, by a settler
   (:mod:`calendar_svc.mail.settler`) that commits whatever has arrived in one
   transaction (group commit, at most one commit per 10 ms unless a worker waits): sent; a
   retry at ``now + backoff`` (exponential, from one minute, capped at six hours) until
   ``max_attempts``; failed with the reason; or skipped (stale, unsubscribed, removed).

Delivery is at least once. The one window in which a message can go out twice is between
the server's 250 reply and the commit that records it: if the process dies there
(SIGKILL, power loss), the row's lease runs out and the message is sent again. It then
carries the same deterministic ``Message-ID``, which mail clients and most servers use to
drop the duplicate. The window is bounded: a worker does not send a message while
:data:`UNRECORDED_PER_WORKER` (2) messages it sent are still unrecorded; it builds the
next message meanwhile and has the settler commit at once. So at any moment at most
``2 × concurrency`` accepted messages (8 by default) are unrecorded, each for a few
milliseconds, and no more than that can go out twice after a crash (measured:
``bench/bench_kill.py``). A graceful stop (SIGTERM, Ctrl-C) records everything before it
exits, so it never resends.

When outcomes cannot be recorded (the database went away), nothing new is sent: the
outcomes are kept in memory and written as soon as the database answers again (retried
with backoff for as long as the claims' lease lasts), so an outage costs no duplicate.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import math
import os
import socket
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import jinja2

from calendar_svc.core.recipients import Subscriber
from calendar_svc.core.schedule import STALE
from calendar_svc.errors import CalendarSvcError
from calendar_svc.mail.content import Composer, Outgoing
from calendar_svc.mail.send import Delivery, SmtpPool, SmtpSettings, Verdict
from calendar_svc.mail.settler import Clock, DispatchReport, Settler
from calendar_svc.store.outbox import OutboxRepo, OutboxRow, OutboxStatus, Settlement

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
BATCH_SIZE = 100
#: Sent messages a worker may have unrecorded when it sends the next one (the window).
UNRECORDED_PER_WORKER = 2
#: A claim lasts this long after the dispatcher's last sign of life.
LEASE = timedelta(minutes=3)
#: How often a running dispatcher renews the leases of the rows it holds.
HEARTBEAT = timedelta(seconds=30)


def backoff(
    attempts: int, *, base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_CAP
) -> timedelta:
    """Return the wait after the ``attempts``-th failed attempt: base × 2^(attempts − 1), capped."""
    if attempts < 1:
        raise ValueError("attempts counts from 1")
    delay: timedelta = base * 2 ** min(attempts - 1, 30)
    return min(delay, cap)


def lease_for(batch: int, smtp: SmtpSettings) -> timedelta:
    """Return how long a batch in which every message times out takes (plus a minute)."""
    rounds = math.ceil(batch / smtp.concurrency) + 1
    return timedelta(seconds=rounds * smtp.timeout + 60)


def worker_name() -> str:
    """Return a name for this dispatcher, unique among processes and passes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class _Work:
    """A claimed row and its subscriber (None if removed)."""

    row: OutboxRow
    subscriber: Subscriber | None


class Dispatcher:
    """Send the due outbox rows (see the module docstring)."""

    def __init__(
        self,
        outbox: OutboxRepo,
        *,
        composer: Callable[[], Composer],
        subscribers: Callable[[Collection[str]], Mapping[str, Subscriber]],
        smtp: SmtpSettings,
        max_attempts: int,
        clock: Clock,
        batch_size: int = BATCH_SIZE,
        worker: str | None = None,
        progress: Callable[[int], None] | None = None,
        stop: asyncio.Event | None = None,
        patience: float | None = None,
        lease: timedelta = LEASE,
        heartbeat: timedelta = HEARTBEAT,
    ) -> None:
        self.outbox = outbox
        #: Seconds outcomes are retried while the database fails; after that the pass
        #: ends with the error (the rows come back when their lease runs out).
        self.patience = lease.total_seconds() if patience is None else patience
        self.lease = lease
        self.heartbeat = heartbeat
        self.stop = stop
        self._composer_factory = composer
        self._subscribers = subscribers
        self.smtp = smtp
        self.max_attempts = max_attempts
        self.clock = clock
        self.batch_size = batch_size
        self.worker = worker or worker_name()
        self.progress = progress
        self._down = ""

    @property
    def _stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def settlement(self, row: OutboxRow, delivery: Delivery, now: datetime) -> Settlement:
        """Return what a delivery verdict means for the row."""
        verdict, reason = delivery.verdict, delivery.reason
        if verdict is Verdict.SENT:
            return Settlement(row.id, OutboxStatus.SENT)
        if verdict is Verdict.FAILED:
            return Settlement(row.id, OutboxStatus.FAILED, reason)
        if verdict is Verdict.UNREACHABLE:
            return Settlement(row.id, OutboxStatus.PENDING, reason, now, released=True)
        if row.attempts >= self.max_attempts:
            return Settlement(
                row.id, OutboxStatus.FAILED, f"gave up after {row.attempts} attempts: {reason}"
            )
        return Settlement(row.id, OutboxStatus.PENDING, reason, now + backoff(row.attempts))

    async def run(self) -> DispatchReport:
        """Dispatch until nothing is due, the server is unreachable, or recording fails."""
        report = DispatchReport()
        if await asyncio.to_thread(self.outbox.due_count, self.clock()) == 0:
            return report
        composer = await asyncio.to_thread(self._composer_factory)
        async with SmtpPool(self.smtp) as pool:
            probe = await pool.probe()
            if probe.verdict is Verdict.UNREACHABLE:
                log.warning(
                    "SMTP server %s:%s unreachable: %s",
                    self.smtp.host,
                    self.smtp.port,
                    probe.reason,
                )
                report.unreachable = probe.reason
                return report
            refused = probe.reason if probe.verdict is Verdict.FAILED else ""
            self._down = ""
            # Outcomes are worth recording for as long as the claims hold.
            settler = Settler(
                self.outbox, self.worker, self.clock, report, self.progress, patience=self.patience
            )
            beat = asyncio.create_task(self._heartbeat())
            # One batch is being sent while the next waits in the queue, claimed ahead, so
            # the workers never stand idle at a batch's end.
            queue: asyncio.Queue[_Work | None] = asyncio.Queue(maxsize=self.batch_size)
            try:
                await asyncio.gather(
                    self._feed(queue, report, settler),
                    *(
                        self._work(queue, composer, pool, settler, refused)
                        for _ in range(self.smtp.concurrency)
                    ),
                )
            finally:
                beat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beat
                await settler.close()
        report.unreachable = self._down
        return report

    async def _heartbeat(self) -> None:
        """Renew the leases of the rows this dispatcher holds, until cancelled.

        A dispatcher that dies (SIGKILL, power loss) stops renewing, so its rows can be
        claimed again :data:`LEASE` after its last heartbeat, however long a batch takes.
        """
        while True:
            await asyncio.sleep(self.heartbeat.total_seconds())
            try:
                await asyncio.to_thread(
                    self.outbox.renew, self.worker, now=self.clock(), lease=self.lease
                )
            except CalendarSvcError as exc:
                log.warning("cannot renew the leases of claimed reminders: %s", exc)

    def _halted(self, settler: Settler) -> bool:
        return bool(self._down) or settler.broken or self._stopping

    async def _feed(
        self, queue: asyncio.Queue[_Work | None], report: DispatchReport, settler: Settler
    ) -> None:
        """Claim batch after batch into the queue; then tell each worker to finish."""
        # The heartbeat renews the lease while this dispatcher lives.
        lease = self.lease
        try:
            while not self._halted(settler):
                try:
                    rows = await asyncio.to_thread(
                        self.outbox.claim,
                        self.worker,
                        now=self.clock(),
                        limit=self.batch_size,
                        lease=lease,
                    )
                    if not rows:
                        break
                    report.claimed += len(rows)
                    subs = await asyncio.to_thread(
                        self._subscribers, {row.key.recipient for row in rows}
                    )
                except CalendarSvcError as exc:
                    # The database went away: send what is claimed, claim no more. Rows
                    # claimed just now wait for their lease; none of them was sent.
                    log.error("cannot claim reminders: %s", exc)
                    break
                for row in rows:
                    await queue.put(_Work(row, subs.get(row.key.recipient)))
        finally:
            for _ in range(self.smtp.concurrency):
                await queue.put(None)

    def _prepare(
        self, item: _Work, composer: Composer, settler: Settler, refused: str
    ) -> Outgoing | None:
        """Return the message of a claimed row, or settle the row and return None."""
        row, now = item.row, self.clock()
        settlement: Settlement | None = None
        if self._halted(settler):
            reason = self._down or settler.failing or "dispatcher stopped before trying it"
            settlement = Settlement(row.id, OutboxStatus.PENDING, reason, now, released=True)
        elif now >= row.deadline:
            settlement = Settlement(row.id, OutboxStatus.SKIPPED, STALE)
        elif refused:
            settlement = Settlement(row.id, OutboxStatus.FAILED, refused)
        elif row.attempts > self.max_attempts:
            reason = f"gave up after {row.attempts - 1} attempts (the dispatcher stopped)"
            settlement = Settlement(row.id, OutboxStatus.FAILED, reason)
        else:
            try:
                out = composer.compose(row.id, row.key, row.message_id, item.subscriber, now)
            except (ValueError, jinja2.TemplateError) as exc:
                reason = f"cannot build the message: {exc}"
                settlement = Settlement(row.id, OutboxStatus.FAILED, reason)
                _log_outcome(row, settlement)
            else:
                if isinstance(out, Outgoing):
                    return out
                settlement = Settlement(row.id, OutboxStatus.SKIPPED, out)
        settler.add(settlement)
        return None

    async def _work(
        self,
        queue: asyncio.Queue[_Work | None],
        composer: Composer,
        pool: SmtpPool,
        settler: Settler,
        refused: str,
    ) -> None:
        """Build and send queued rows one at a time; record each outcome.

        The next message is built while the last sent one is being recorded, and is not
        sent before that record is committed (see the module docstring).
        """
        recorded: collections.deque[asyncio.Future[None]] = collections.deque()
        while (item := await queue.get()) is not None:
            out = self._prepare(item, composer, settler, refused)
            while len(recorded) >= UNRECORDED_PER_WORKER:
                oldest = recorded.popleft()
                if not oldest.done():
                    settler.hurry()
                    await oldest
            if out is None:
                continue
            row = item.row
            if self._halted(settler):  # recording failed while the last one was written
                reason = self._down or settler.failing or "dispatcher stopped before trying it"
                settler.add(
                    Settlement(row.id, OutboxStatus.PENDING, reason, self.clock(), released=True)
                )
                continue
            delivery = await pool.send(out)
            if delivery.verdict is Verdict.UNREACHABLE:
                self._down = delivery.reason
            settlement = self.settlement(row, delivery, self.clock())
            _log_outcome(row, settlement)
            if settlement.status is OutboxStatus.SENT:
                recorded.append(settler.record(settlement))
            else:
                settler.add(settlement)
        if recorded:
            settler.hurry()
        for future in recorded:
            await future


def _log_outcome(row: OutboxRow, settlement: Settlement) -> None:
    """Log a failure for good (ERROR) or a retry (WARNING); successes are counted, not logged."""
    if settlement.status is OutboxStatus.FAILED:
        log.error(
            "reminder %d to %s failed for good: %s", row.id, row.key.recipient, settlement.reason
        )
    elif settlement.status is OutboxStatus.PENDING and not settlement.released:
        log.warning(
            "reminder %d to %s will be retried (attempt %d): %s",
            row.id,
            row.key.recipient,
            row.attempts,
            settlement.reason,
        )
