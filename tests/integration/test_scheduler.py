"""The APScheduler wiring: one stable, coalescing tick job that really plans and sends."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from store_support import store_on

from calendar_svc.catalog import load_scopes
from calendar_svc.config import Settings
from calendar_svc.scheduler import JOB_ID, Ticker, build_scheduler, running
from calendar_svc.services.reminders import Reminders, TickReport
from calendar_svc.store.store import Store

SETTINGS = Settings(
    timezone=ZoneInfo("Asia/Ho_Chi_Minh"),
    reminders_tick_seconds=45,
    web_base_url="https://lich.example.org",
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with store_on("sqlite", tmp_path) as store:
        yield store


def test_one_tick_job_with_a_stable_id(store: Store) -> None:
    ticker = Ticker(Reminders(SETTINGS, store, load_scopes()))
    scheduler, job = build_scheduler(ticker, SETTINGS)
    assert job.id == JOB_ID
    assert job.func == ticker.run
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert job.trigger.interval == timedelta(seconds=45)
    assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"
    assert str(scheduler.timezone) == "Asia/Ho_Chi_Minh"
    # Adding it again (as a restart does) replaces the job instead of adding a second.

    async def restart() -> list[str]:
        scheduler.start(paused=True)
        try:
            scheduler.add_job(job.func, trigger=job.trigger, id=JOB_ID, replace_existing=True)
            return [j.id for j in scheduler.get_jobs()]
        finally:
            scheduler.shutdown(wait=False)

    assert asyncio.run(restart()) == [JOB_ID]


def test_the_scheduler_ticks_as_soon_as_it_starts(store: Store) -> None:
    reminders = Reminders(SETTINGS, store, load_scopes())
    reports: list[TickReport] = []

    async def main() -> None:
        done = asyncio.Event()

        def on_tick(report: TickReport) -> None:
            reports.append(report)
            done.set()

        async with running(reminders, SETTINGS, on_tick=on_tick) as scheduler:
            await asyncio.wait_for(done.wait(), timeout=60)
            assert scheduler.running

    asyncio.run(main())
    (report,) = reports
    assert report.plan.inserted == 0 and report.dispatch.claimed == 0
    assert reminders.outbox.planned_until() is not None  # the tick planned, up to now
