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
4. Each outcome is recorded as soon as it is known, by a settler that commits whatever
   has arrived in one transaction (group commit, at most one commit per 10 ms): sent; a
   retry at ``now + backoff`` (exponential, from one minute, capped at six hours) until
   ``max_attempts``; failed with the reason; or skipped (stale, unsubscribed, removed).

Delivery is at least once. The one window in which a message can go out twice is between
the server's 250 reply and the commit that records it (a few milliseconds, at most about
10 ms plus one commit): if the process dies there (SIGKILL, power loss), the row's lease
runs out and the message is sent again. It then carries the same deterministic
``Message-ID``, which mail clients and most servers use to drop the duplicate. A graceful
stop (SIGTERM, Ctrl-C) records everything before it exits, so it never resends.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import jinja2

from calendar_svc.core.reminders import Subscriber
from calendar_svc.core.schedule import STALE
from calendar_svc.mail.content import Composer, Outgoing
from calendar_svc.mail.send import Delivery, SmtpPool, SmtpSettings, Verdict
from calendar_svc.store.outbox import OutboxRepo, OutboxRow, OutboxStatus, Settlement

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
BATCH_SIZE = 100
#: Shortest time between two commits of outcomes, in seconds.
COMMIT_INTERVAL = 0.01
#: Outcomes that are committed at once without waiting for the interval.
MAX_GROUP = 200

Clock = Callable[[], datetime]


def backoff(
    attempts: int, *, base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_CAP
) -> timedelta:
    """Return the wait after the ``attempts``-th failed attempt: base × 2^(attempts − 1), capped."""
    if attempts < 1:
        raise ValueError("attempts counts from 1")
    delay: timedelta = base * 2 ** min(attempts - 1, 30)
    return min(delay, cap)


def lease_for(batch: int, smtp: SmtpSettings) -> timedelta:
    """Return a lease that outlasts a batch in which every message times out."""
    rounds = math.ceil(batch / smtp.concurrency) + 1
    return timedelta(seconds=rounds * smtp.timeout + 60)


def worker_name() -> str:
    """Return a name for this dispatcher, unique among processes and passes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(slots=True)
class DispatchReport:
    """What a pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    released: int = 0
    unreachable: str = ""

    def count(self, settlement: Settlement) -> None:
        """Add one settled row."""
        if settlement.status is OutboxStatus.SENT:
            self.sent += 1
        elif settlement.status is OutboxStatus.FAILED:
            self.failed += 1
        elif settlement.status is OutboxStatus.SKIPPED:
            self.skipped += 1
        elif settlement.released:
            self.released += 1
        else:
            self.retried += 1


class _Settler:
    """Record outcomes as they come, committing what has accumulated (group commit)."""

    def __init__(
        self,
        outbox: OutboxRepo,
        worker: str,
        clock: Clock,
        report: DispatchReport,
        progress: Callable[[int], None] | None,
    ) -> None:
        self._outbox = outbox
        self._worker = worker
        self._clock = clock
        self._report = report
        self._progress = progress
        self._queue: list[Settlement] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._task = asyncio.create_task(self._run())

    @property
    def broken(self) -> bool:
        """Return whether recording failed (the dispatcher must stop sending)."""
        return self._task.done() and not self._closing

    def add(self, settlement: Settlement) -> None:
        self._queue.append(settlement)
        self._report.count(settlement)
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = -COMMIT_INTERVAL
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                # At most one commit per interval: a lone outcome is recorded at once, a
                # stream of them in groups (one transaction each costs about 0.6 ms).
                wait = last + COMMIT_INTERVAL - loop.time()
                if wait > 0 and not self._closing and len(self._queue) < MAX_GROUP:
                    await asyncio.sleep(wait)
                batch, self._queue = self._queue, []
                await asyncio.to_thread(self._outbox.settle, batch, self._worker, now=self._clock())
                last = loop.time()
                if self._progress is not None:
                    self._progress(len(batch))
            if self._closing:
                return

    async def close(self) -> None:
        """Record everything still queued; re-raise a recording failure."""
        self._closing = True
        self._wake.set()
        await self._task


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
    ) -> None:
        self.outbox = outbox
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
            settler = _Settler(self.outbox, self.worker, self.clock, report, self.progress)
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
                await settler.close()
        report.unreachable = self._down
        return report

    def _halted(self, settler: _Settler) -> bool:
        return bool(self._down) or settler.broken or self._stopping

    async def _feed(
        self, queue: asyncio.Queue[_Work | None], report: DispatchReport, settler: _Settler
    ) -> None:
        """Claim batch after batch into the queue; then tell each worker to finish."""
        # Claimed rows wait in the queue for at most one more batch: lease for two.
        lease = lease_for(2 * self.batch_size, self.smtp)
        try:
            while not self._halted(settler):
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
                for row in rows:
                    await queue.put(_Work(row, subs.get(row.key.recipient)))
        finally:
            for _ in range(self.smtp.concurrency):
                await queue.put(None)

    async def _work(
        self,
        queue: asyncio.Queue[_Work | None],
        composer: Composer,
        pool: SmtpPool,
        settler: _Settler,
        refused: str,
    ) -> None:
        """Build and send queued rows one at a time; record each outcome."""
        while (item := await queue.get()) is not None:
            row, now = item.row, self.clock()
            if self._halted(settler):
                reason = self._down or "dispatcher stopped before trying it"
                settler.add(Settlement(row.id, OutboxStatus.PENDING, reason, now, released=True))
                continue
            if now >= row.deadline:
                settler.add(Settlement(row.id, OutboxStatus.SKIPPED, STALE))
                continue
            if refused:
                settler.add(Settlement(row.id, OutboxStatus.FAILED, refused))
                continue
            if row.attempts > self.max_attempts:
                reason = f"gave up after {row.attempts - 1} attempts (the dispatcher stopped)"
                settler.add(Settlement(row.id, OutboxStatus.FAILED, reason))
                continue
            try:
                out = composer.compose(row.id, row.key, row.message_id, item.subscriber, now)
            except (ValueError, jinja2.TemplateError) as exc:
                failed = Settlement(row.id, OutboxStatus.FAILED, f"cannot build the message: {exc}")
                _log_outcome(row, failed)
                settler.add(failed)
                continue
            if not isinstance(out, Outgoing):
                settler.add(Settlement(row.id, OutboxStatus.SKIPPED, out))
                continue
            delivery = await pool.send(out)
            if delivery.verdict is Verdict.UNREACHABLE:
                self._down = delivery.reason
            settlement = self.settlement(row, delivery, self.clock())
            _log_outcome(row, settlement)
            settler.add(settlement)


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
