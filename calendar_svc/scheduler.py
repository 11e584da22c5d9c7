"""APScheduler wiring: one periodic tick that plans and dispatches reminders.

The only module that imports APScheduler (3.11; 4.0 is a pre-release). There is one job,
with a stable id and ``replace_existing``, on an interval trigger in the configured time
zone, coalescing missed runs into one and never running twice at once. Nothing is
pickled and there is no job per anniversary: the tick asks the planner what is due, so
renaming or editing data never strands a job. Several nodes share the work through the
database (the outbox's claims), not through a job store.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from calendar_svc.config import Settings
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.mail.tick import Reminders, TickReport

log = logging.getLogger(__name__)

#: The tick job's id; stable, so a restart replaces the job instead of adding one.
JOB_ID = "calendar-svc:reminders-tick"


def real_clock() -> datetime:
    """Return the current moment (UTC); the scheduler is an entrypoint and may read it."""
    return datetime.now(UTC)


async def run_tick(
    reminders: Reminders, on_done: Callable[[TickReport], None] | None = None
) -> None:
    """Run one tick, logging its outcome; an error is logged, never raised into APScheduler."""
    try:
        report = await reminders.tick(real_clock)
    except Exception:
        log.exception("reminder tick failed")
        return
    d = report.dispatch
    if report.plan.inserted or d.claimed or d.unreachable:
        log.info(
            "reminders: planned %d, sent %d, retry %d, failed %d, skipped %d%s",
            report.plan.inserted,
            d.sent,
            d.retried,
            d.failed,
            d.skipped,
            f", mail server unreachable: {d.unreachable}" if d.unreachable else "",
        )
    if on_done is not None:
        on_done(report)


def build_scheduler(
    reminders: Reminders,
    settings: Settings,
    *,
    on_tick: Callable[[TickReport], None] | None = None,
) -> tuple[AsyncIOScheduler, Job]:
    """Return a scheduler (not started) holding the tick job, first run at start."""
    tz = ZoneInfo(settings.timezone)
    scheduler = AsyncIOScheduler(timezone=tz)
    job = scheduler.add_job(
        run_tick,
        trigger=IntervalTrigger(seconds=settings.reminders_tick_seconds, timezone=tz),
        args=(reminders, on_tick),
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
    reminders: Reminders,
    settings: Settings,
    *,
    on_tick: Callable[[TickReport], None] | None = None,
) -> AsyncIterator[AsyncIOScheduler]:
    """Run the scheduler while the block runs; shut it down after."""
    scheduler, _ = build_scheduler(reminders, settings, on_tick=on_tick)
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


def lifespan_hook(
    settings: Settings, scopes: ScopeTree
) -> Callable[[], AbstractAsyncContextManager[None]]:
    """Return a web-app lifespan hook that runs the reminder scheduler alongside the app."""

    @asynccontextmanager
    async def hook() -> AsyncIterator[None]:
        from calendar_svc.store.open import open_store

        store = await asyncio.to_thread(open_store, settings.database_url or None)
        try:
            async with running(Reminders(settings, store, scopes), settings):
                yield
        finally:
            store.close()

    return hook


async def run_worker(reminders: Reminders, settings: Settings) -> None:
    """Run the scheduler alone until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(reminders, settings):
        log.info(
            "worker: ticking every %d s (%s); stop with Ctrl-C",
            settings.reminders_tick_seconds,
            settings.timezone,
        )
        await stop.wait()
    log.info("worker: stopped")
