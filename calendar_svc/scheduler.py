"""APScheduler wiring: one periodic tick that plans and dispatches reminders.

The only module that imports APScheduler (3.11; 4.0 is a pre-release). There is one job,
with a stable id and ``replace_existing``, on an interval trigger in the configured time
zone, coalescing missed runs into one and never running twice at once. Nothing is
pickled and there is no job per anniversary: the tick asks the planner what is due, so
renaming or editing data never strands a job. Several nodes share the work through the
database (the outbox's claims), not through a job store.

Stopping is graceful: no new tick starts, a running dispatch takes no new message, the
messages in flight finish (each within ``smtp.timeout``) and are recorded, and the rows
it had claimed but not tried go back to the queue. So a stop never leaves a message
accepted by the server but unrecorded (which would send it again).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from calendar_svc.config import Settings
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.errors import CalendarSvcError
from calendar_svc.services.reminders import Reminders, TickReport

log = logging.getLogger(__name__)

#: The tick job's id; stable, so a restart replaces the job instead of adding one.
JOB_ID = "calendar-svc:reminders-tick"


def real_clock() -> datetime:
    """Return the current moment (UTC); the scheduler is an entrypoint and may read it."""
    return datetime.now(UTC)


class TickSource(Protocol):
    """What runs a tick: a :class:`~calendar_svc.services.reminders.Reminders`, or lazily."""

    async def tick(
        self, clock: Callable[[], datetime], *, stop: asyncio.Event | None = None
    ) -> TickReport:
        """Plan and dispatch as of ``clock()``; end early once ``stop`` is set."""
        ...


class LazyReminders:
    """Open the database on the first tick, and again on each tick until it opens.

    The web app must start (and answer 503 where it cannot serve) even when the database
    is unusable at that moment, so the scheduler does not open it up front.
    """

    def __init__(self, settings: Settings, scopes: ScopeTree) -> None:
        self.settings = settings
        self.scopes = scopes
        self._reminders: Reminders | None = None

    def _open(self) -> Reminders:
        if self._reminders is None:
            from calendar_svc.store.open import open_store

            store = open_store(self.settings.database_url or None)
            self._reminders = Reminders(self.settings, store, self.scopes)
        return self._reminders

    async def tick(
        self, clock: Callable[[], datetime], *, stop: asyncio.Event | None = None
    ) -> TickReport:
        """Open the store if needed, then plan and dispatch."""
        reminders = await asyncio.to_thread(self._open)
        return await reminders.tick(clock, stop=stop)

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._reminders is not None:
            self._reminders.store.close()


class Ticker:
    """The tick job: one tick at a time, logged; :meth:`close` stops it gracefully."""

    def __init__(
        self, source: TickSource, on_tick: Callable[[TickReport], None] | None = None
    ) -> None:
        self.source = source
        self.on_tick = on_tick
        self.stopping = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    async def run(self) -> None:
        """Run one tick; an error is logged, never raised into APScheduler."""
        if self.stopping.is_set():
            return
        self._idle.clear()
        try:
            report = await self.source.tick(real_clock, stop=self.stopping)
        except CalendarSvcError as exc:
            log.error("reminder tick failed: %s", exc)
            return
        except Exception:
            log.exception("reminder tick failed")
            return
        finally:
            self._idle.set()
        d = report.dispatch
        if report.plan.inserted or d.claimed or d.unreachable:
            log.info(
                "reminders: planned %d (%d of them skipped as stale or superseded), "
                "sent %d, retry %d, failed %d, skipped when sending %d%s",
                report.plan.inserted,
                report.plan.skipped + report.plan.superseded,
                d.sent,
                d.retried,
                d.failed,
                d.skipped,
                f", mail server unreachable: {d.unreachable}" if d.unreachable else "",
            )
        if self.on_tick is not None:
            self.on_tick(report)

    async def close(self, grace: float) -> None:
        """Stop: let a running tick finish its messages in flight (up to ``grace`` s)."""
        self.stopping.set()
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            log.warning("reminder tick still running after %g s; leaving it", grace)


def build_scheduler(ticker: Ticker, settings: Settings) -> tuple[AsyncIOScheduler, Job]:
    """Return a scheduler (not started) holding the tick job, first run at start."""
    tz = settings.timezone
    scheduler = AsyncIOScheduler(timezone=tz)
    job = scheduler.add_job(
        ticker.run,
        trigger=IntervalTrigger(seconds=settings.reminders_tick_seconds, timezone=tz),
        id=JOB_ID,
        name="Plan and send reminders",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=settings.reminders_tick_seconds,
        next_run_time=datetime.now(tz),
    )
    return scheduler, job


@asynccontextmanager
async def running(
    source: TickSource,
    settings: Settings,
    *,
    on_tick: Callable[[TickReport], None] | None = None,
) -> AsyncIterator[AsyncIOScheduler]:
    """Run the scheduler while the block runs; then stop it gracefully."""
    ticker = Ticker(source, on_tick)
    scheduler, _ = build_scheduler(ticker, settings)
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.pause()
        await ticker.close(grace=2 * settings.smtp_timeout + 30)
        scheduler.shutdown(wait=False)
        log.info("reminder scheduler stopped")


def lifespan_hook(
    settings: Settings, scopes: ScopeTree
) -> Callable[[], AbstractAsyncContextManager[None]]:
    """Return a web-app lifespan hook that runs the reminder scheduler alongside the app."""

    @asynccontextmanager
    async def hook() -> AsyncIterator[None]:
        source = LazyReminders(settings, scopes)
        try:
            async with running(source, settings):
                yield
        finally:
            source.close()

    return hook


async def run_worker(source: TickSource, settings: Settings) -> None:
    """Run the scheduler alone until SIGINT or SIGTERM, then stop gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(source, settings):
        log.info(
            "worker: ticking every %d s (%s); stop with Ctrl-C",
            settings.reminders_tick_seconds,
            settings.timezone,
        )
        await stop.wait()
    log.info("worker: stopped")
