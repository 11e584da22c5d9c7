"""The database stops answering in the middle of a dispatch: nothing is lost or sent twice.

A real SQLite file is locked by another connection (``BEGIN EXCLUSIVE``) while a dispatcher
sends to a real SMTP server (aiosmtpd). Outcomes cannot be written: the dispatcher stops
sending, keeps them, and writes them once the lock is gone. (PostgreSQL stopped and
started under ``calendar-svc serve`` is in ``bench/bench_db_outage.py``: it would disturb
the shared test server.)
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from smtp_support import SmtpServer

from calendar_svc.catalog import load_scopes
from calendar_svc.config import Settings
from calendar_svc.core.recipients import Organisation, Subscriber
from calendar_svc.mail.settler import DispatchReport
from calendar_svc.services.reminders import Reminders
from calendar_svc.store.open import open_store
from calendar_svc.store.outbox import OutboxStatus

T0 = datetime(2023, 1, 23, 1, 0, tzinfo=UTC)  # 08:00 in Hồ Chí Minh City
MEMBERS = 40


def test_outcomes_wait_for_the_database_and_nothing_is_sent_twice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "calendar.sqlite3"
    store = open_store(f"sqlite:///{database}")
    people = store.organisations
    people.add_organisation(Organisation("quang-ninh", "Ban Tuyên giáo", "province:quang-ninh"))
    for n in range(MEMBERS):
        people.add_subscriber(
            Subscriber(f"m{n:02d}@example.org", "Cán bộ", organisation="quang-ninh", leads=())
        )
    caplog.set_level(logging.ERROR, logger="calendar_svc.mail.settler")
    with SmtpServer(hold_after=6) as server:
        settings = Settings(
            smtp_host="127.0.0.1",
            smtp_port=server.port,
            smtp_concurrency=2,
            web_base_url="https://lich.example.org",
        )
        service = Reminders(settings, store, load_scopes())
        assert service.plan(T0).inserted == MEMBERS
        reports: list[DispatchReport] = []
        sender = threading.Thread(
            target=lambda: reports.append(asyncio.run(service.dispatcher(lambda: T0).run()))
        )
        sender.start()
        server.wait_for(lambda: server.held == 2)  # both workers wait for a 250
        accepted_before = len(server.received)
        lock = sqlite3.connect(database, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")  # the database stops answering writes
        try:
            server.release()  # the two messages are accepted: their outcomes cannot be written
            deadline = time.monotonic() + 60
            while "cannot record" not in caplog.text:
                assert time.monotonic() < deadline, "the dispatcher never noticed"
                time.sleep(0.05)
            accepted_while_down = len(server.received)
            time.sleep(1.0)
            assert len(server.received) == accepted_while_down  # nothing new is sent
        finally:
            lock.execute("COMMIT")
            lock.close()
        sender.join(timeout=120)
        assert not sender.is_alive()
        # Rows claimed but never tried are back in the queue; the next pass sends them.
        again = asyncio.run(service.dispatcher(lambda: T0 + timedelta(minutes=1)).run())
    assert reports[0].sent + again.sent == MEMBERS
    # While outcomes could not be written, at most two more messages per connection went out.
    assert accepted_while_down - accepted_before <= 2 * settings.smtp_concurrency
    received = Counter(server.message_ids())
    assert len(received) == MEMBERS and max(received.values()) == 1  # nothing twice
    rows = service.outbox.rows(limit=None)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert set(received) == {r.message_id for r in rows}
    store.close()


def _members(database: Path, count: int) -> None:
    store = open_store(f"sqlite:///{database}")
    people = store.organisations
    people.add_organisation(Organisation("quang-ninh", "Ban Tuyên giáo", "province:quang-ninh"))
    for n in range(count):
        people.add_subscriber(
            Subscriber(f"m{n:02d}@example.org", "Cán bộ", organisation="quang-ninh", leads=())
        )
    store.close()


def test_a_one_shot_pass_gives_up_within_its_patience_and_loses_nothing(tmp_path: Path) -> None:
    """The database stays away: the pass ends with the error after ``patience`` seconds
    (run-once: 45 s, not the 26 minutes of a lease), and every row comes back later."""
    from calendar_svc.errors import CalendarSvcError
    from calendar_svc.mail.outbox import LEASE

    database = tmp_path / "calendar.sqlite3"
    _members(database, 12)
    store = open_store(f"sqlite:///{database}")
    with SmtpServer(hold_after=4) as server:
        settings = Settings(smtp_host="127.0.0.1", smtp_port=server.port, smtp_concurrency=2)
        service = Reminders(settings, store, load_scopes())
        assert service.plan(T0).inserted == 12
        errors: list[BaseException] = []

        def one_shot() -> None:
            try:
                asyncio.run(service.dispatcher(lambda: T0, patience=1.0).run())
            except CalendarSvcError as exc:
                errors.append(exc)

        sender = threading.Thread(target=one_shot)
        sender.start()
        server.wait_for(lambda: server.held == 2)
        lock = sqlite3.connect(database, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            server.release()
            sender.join(timeout=60)  # bounded by the patience, not by the lease
            assert not sender.is_alive(), "the one-shot pass did not give up"
        finally:
            lock.execute("COMMIT")
            lock.close()
        assert len(errors) == 1 and "\n" not in str(errors[0])
        # Nothing is lost: the claims run out LEASE after the last heartbeat, then the
        # next pass sends whatever was not recorded (the unrecorded ones a second time).
        later = T0 + LEASE + timedelta(seconds=1)
        again = asyncio.run(service.dispatcher(lambda: later).run())
    rows = service.outbox.rows(limit=None)
    assert {r.status for r in rows} == {OutboxStatus.SENT}, Counter(r.status for r in rows)
    received = Counter(server.message_ids())
    assert set(received) == {r.message_id for r in rows}
    assert sum(received.values()) - len(received) <= 2 * settings.smtp_concurrency
    assert again.sent >= 1
    store.close()


def test_leases_expire_a_few_minutes_after_the_last_heartbeat(tmp_path: Path) -> None:
    """A claim lasts LEASE (3 minutes) from the claim or the last renewal, not 26 minutes."""
    from calendar_svc.mail.outbox import HEARTBEAT, LEASE

    assert timedelta(minutes=5) >= LEASE and HEARTBEAT * 4 <= LEASE
    database = tmp_path / "calendar.sqlite3"
    _members(database, 5)
    store = open_store(f"sqlite:///{database}")
    service = Reminders(Settings(), store, load_scopes())
    assert service.plan(T0).inserted == 5
    outbox = store.outbox
    assert len(outbox.claim("dead", now=T0, limit=10, lease=LEASE)) == 5
    assert outbox.claim("other", now=T0 + LEASE - timedelta(seconds=1), limit=10, lease=LEASE) == []
    # Renewed by a heartbeat at T0 + 2 min: held until T0 + 2 min + LEASE.
    assert outbox.renew("dead", now=T0 + timedelta(minutes=2), lease=LEASE) == 5
    renewed_until = T0 + timedelta(minutes=2) + LEASE
    assert (
        outbox.claim("other", now=renewed_until - timedelta(seconds=1), limit=10, lease=LEASE) == []
    )
    taken = outbox.claim("other", now=renewed_until, limit=10, lease=LEASE)
    assert len(taken) == 5  # the dead worker's rows, a few minutes after its last heartbeat
    assert outbox.renew("dead", now=renewed_until, lease=LEASE) == 0  # no longer its rows
    store.close()
