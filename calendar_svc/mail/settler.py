"""Record the outcomes of a dispatch pass: group commits, waiting workers, outages.

Part of the dispatcher (:mod:`calendar_svc.mail.outbox`): it owns the pass's report and
writes outcomes to the outbox as they come, as described there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from calendar_svc.errors import CalendarSvcError
from calendar_svc.store.outbox import OutboxRepo, OutboxStatus, Settlement

log = logging.getLogger(__name__)

#: Shortest time between two commits of outcomes, in seconds.
COMMIT_INTERVAL = 0.01
#: Outcomes that are committed at once without waiting for the interval.
MAX_GROUP = 200
#: First and longest wait between attempts to record outcomes while the database fails.
RECORD_RETRY_FIRST = 0.5
RECORD_RETRY_MAX = 5.0

Clock = Callable[[], datetime]


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


class Settler:
    """Record outcomes as they come, committing what has accumulated (group commit).

    :meth:`record` returns a future that is done once the outcome is committed. Outcomes
    wait up to :data:`COMMIT_INTERVAL` to share a commit, unless a worker is waiting for
    one (:meth:`hurry`): then whatever has accumulated is committed at once. While a commit
    fails, :attr:`failing` holds the error and the batch is tried again, with backoff, for
    up to ``patience`` seconds.
    """

    def __init__(
        self,
        outbox: OutboxRepo,
        worker: str,
        clock: Clock,
        report: DispatchReport,
        progress: Callable[[int], None] | None,
        *,
        patience: float,
    ) -> None:
        self._outbox = outbox
        self._worker = worker
        self._clock = clock
        self._report = report
        self._progress = progress
        self._patience = patience
        # SQLite (a local file in WAL mode) commits in a fraction of a millisecond: less
        # than handing the commit to a thread and back, which a waiting worker would feel.
        self._inline = outbox.dialect == "sqlite"
        self._queue: list[tuple[Settlement, asyncio.Future[None] | None]] = []
        self._wake = asyncio.Event()
        self._hurry = asyncio.Event()
        self._closing = False
        self.failing = ""
        self._task = asyncio.create_task(self._run())

    @property
    def broken(self) -> bool:
        """Return whether outcomes cannot be recorded now (the dispatcher must not send)."""
        return bool(self.failing) or (self._task.done() and not self._closing)

    def add(self, settlement: Settlement) -> None:
        """Queue an outcome for the next commit."""
        self._queue.append((settlement, None))
        self._report.count(settlement)
        self._wake.set()

    def hurry(self) -> None:
        """Commit what has accumulated without waiting for the interval (a worker waits)."""
        self._hurry.set()

    def record(self, settlement: Settlement) -> asyncio.Future[None]:
        """Queue an outcome; the future is done once it is committed (or never will be)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._task.done():
            done.set_result(None)
            return done
        self._queue.append((settlement, done))
        self._report.count(settlement)
        self._wake.set()
        return done

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = -COMMIT_INTERVAL
        batch: list[tuple[Settlement, asyncio.Future[None] | None]] = []
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while self._queue:
                    # At most one commit per interval: a lone outcome is recorded at once, a
                    # stream of them in groups (one transaction each costs about 0.6 ms);
                    # a worker waiting for an outcome is not kept waiting.
                    wait = last + COMMIT_INTERVAL - loop.time()
                    if wait > 0 and not (self._closing or len(self._queue) >= MAX_GROUP):
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._hurry.wait(), wait)
                    self._hurry.clear()
                    batch, self._queue = self._queue, []
                    await self._commit([s for s, _ in batch])
                    last = loop.time()
                    for _, future in batch:
                        if future is not None and not future.done():
                            future.set_result(None)
                    if self._progress is not None:
                        self._progress(len(batch))
                    batch = []
                if self._closing:
                    return
        finally:  # never leave a worker waiting on an outcome that will not be recorded
            for _, future in batch + self._queue:
                if future is not None and not future.done():
                    future.set_result(None)

    async def _commit(self, batch: list[Settlement]) -> None:
        """Commit one group of outcomes, retrying while the database fails."""
        loop = asyncio.get_running_loop()
        start, delay = loop.time(), RECORD_RETRY_FIRST
        while True:
            try:
                if self._inline:
                    self._outbox.settle(batch, self._worker, now=self._clock())
                else:
                    await asyncio.to_thread(
                        self._outbox.settle, batch, self._worker, now=self._clock()
                    )
            except CalendarSvcError as exc:
                if not self.failing:
                    log.error(
                        "cannot record %d outcome(s), sending paused until it works: %s",
                        len(batch),
                        exc,
                    )
                self.failing = str(exc)
                if loop.time() - start + delay > self._patience:
                    raise
                await asyncio.sleep(delay)
                delay = min(2 * delay, RECORD_RETRY_MAX)
                continue
            if self.failing:
                log.warning("outcomes recorded again (%d held)", len(batch))
                self.failing = ""
            return

    async def close(self) -> None:
        """Record everything still queued; re-raise a recording failure."""
        self._closing = True
        self._wake.set()
        await self._task
