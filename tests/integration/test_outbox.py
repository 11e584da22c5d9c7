"""The outbox on SQLite and PostgreSQL: its repository contract, and the dispatcher against a
real SMTP server (aiosmtpd): retries, failures, skips, and two dispatchers at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from smtp_support import SmtpServer, free_port
from store_support import store_on

from calendar_svc.catalog import load_bundled, load_scopes
from calendar_svc.config import Settings
from calendar_svc.core.recipients import Organisation, ReminderKey, ReminderKind, Subscriber
from calendar_svc.core.schedule import PlannedReminder, PlanStatus
from calendar_svc.links import MailLinkError
from calendar_svc.mail.message import message_id_for
from calendar_svc.mail.outbox import backoff, lease_for
from calendar_svc.mail.send import SmtpSettings
from calendar_svc.services.reminders import Reminders
from calendar_svc.store.engine import create_store_engine
from calendar_svc.store.outbox import OutboxRepo, OutboxStatus, Settlement
from calendar_svc.store.store import Store

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]
T0 = datetime(2023, 1, 23, 1, 0, tzinfo=UTC)  # 08:00 in Hồ Chí Minh City
LEASE = timedelta(minutes=5)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with store_on(request.param, tmp_path) as store:
        yield store


def key(recipient: str = "a@example.org", lead: int = 10, month: int = 2) -> ReminderKey:
    return ReminderKey(ReminderKind.DIGEST, "quang-ninh", date(2023, month, 1), lead, recipient)


def planned(
    k: ReminderKey, *, status: PlanStatus = PlanStatus.PENDING, reason: str = ""
) -> PlannedReminder:
    due = datetime(2023, 1, 31, 17, 0, tzinfo=UTC)  # 02/02 00:00 local
    return PlannedReminder(k, T0, due, status, reason)


def enqueue(repo: OutboxRepo, *keys: ReminderKey) -> None:
    repo.enqueue(
        [planned(k) for k in keys], message_id=lambda k: message_id_for(k, "example.org"), now=T0
    )


# --- the repository ------------------------------------------------------------------------


def test_enqueue_twice_inserts_once_and_records_the_planning(store: Store) -> None:
    repo = store.outbox
    assert repo.planned_until() is None
    plan = [planned(key("a@example.org")), planned(key("b@example.org"))]
    first = repo.enqueue(plan, message_id=lambda k: message_id_for(k, "example.org"), now=T0)
    again = repo.enqueue(plan, message_id=lambda k: message_id_for(k, "example.org"), now=T0)
    assert (first.inserted, again.inserted) == (2, 0)
    assert repo.planned_until() == T0
    rows = repo.rows()
    assert sorted(r.key.recipient for r in rows) == ["a@example.org", "b@example.org"]
    assert {r.status for r in rows} == {OutboxStatus.PENDING}
    assert {r.message_id for r in rows} == {
        message_id_for(k, "example.org") for k in (key("a@example.org"), key("b@example.org"))
    }


def test_planned_until_only_moves_forward(store: Store) -> None:
    repo = store.outbox
    enqueue(repo, key())
    repo.enqueue([], message_id=str, now=T0 - timedelta(days=1))
    assert repo.planned_until() == T0


def test_skipped_plans_are_recorded_with_their_reason(store: Store) -> None:
    repo = store.outbox
    result = repo.enqueue(
        [planned(key(), status=PlanStatus.SKIPPED, reason="stale: too late")],
        message_id=lambda k: message_id_for(k, "example.org"),
        now=T0,
    )
    assert (result.inserted, result.skipped) == (1, 1)
    (row,) = repo.rows()
    assert (row.status, row.reason) == (OutboxStatus.SKIPPED, "stale: too late")
    assert repo.due_count(T0) == 0


def test_a_shorter_lead_supersedes_a_pending_longer_one(store: Store) -> None:
    repo = store.outbox
    enqueue(repo, key(lead=10))
    result = repo.enqueue(
        [planned(key(lead=3))], message_id=lambda k: message_id_for(k, "example.org"), now=T0
    )
    assert result.superseded == 1
    by_lead = {r.key.lead: r for r in repo.rows()}
    assert by_lead[10].status is OutboxStatus.SKIPPED
    assert by_lead[3].status is OutboxStatus.PENDING


def test_claim_takes_due_rows_once_and_again_after_the_lease(store: Store) -> None:
    repo = store.outbox
    enqueue(repo, key("a@example.org"), key("b@example.org"), key("c@example.org"))
    assert repo.due_count(T0 - timedelta(seconds=1)) == 0
    first = repo.claim("w1", now=T0, limit=2, lease=LEASE)
    assert len(first) == 2
    assert {(r.status, r.attempts, r.claimed_by) for r in first} == {
        (OutboxStatus.SENDING, 1, "w1")
    }
    assert first[0].lease_until == T0 + LEASE
    second = repo.claim("w2", now=T0, limit=10, lease=LEASE)
    assert [r.key.recipient for r in second] == ["c@example.org"]
    assert repo.claim("w3", now=T0 + LEASE - timedelta(seconds=1), limit=10, lease=LEASE) == []
    again = repo.claim("w3", now=T0 + LEASE, limit=10, lease=LEASE)
    # Taken back from dispatchers that died: no attempt is counted (they may never have tried).
    assert len(again) == 3 and {r.attempts for r in again} == {1}


def test_settle_records_each_outcome(store: Store) -> None:
    repo = store.outbox
    enqueue(repo, *(key(f"{n}@example.org") for n in "abcde"))
    rows = {r.key.recipient[0]: r for r in repo.claim("w", now=T0, limit=10, lease=LEASE)}
    later = T0 + timedelta(minutes=1)
    changed = repo.settle(
        [
            Settlement(rows["a"].id, OutboxStatus.SENT),
            Settlement(rows["b"].id, OutboxStatus.PENDING, "451 try later", later),
            Settlement(rows["c"].id, OutboxStatus.FAILED, "550 no such user"),
            Settlement(rows["d"].id, OutboxStatus.SKIPPED, "unsubscribed"),
            Settlement(rows["e"].id, OutboxStatus.PENDING, "unreachable", T0, released=True),
        ],
        "w",
        now=T0,
    )
    assert changed == 5
    after = {r.key.recipient[0]: r for r in repo.rows()}
    assert (after["a"].status, after["a"].sent_at) == (OutboxStatus.SENT, T0)
    assert (
        after["b"].status,
        after["b"].reason,
        after["b"].next_attempt_at,
        after["b"].attempts,
    ) == (
        OutboxStatus.PENDING,
        "451 try later",
        later,
        1,
    )
    assert (after["c"].status, after["c"].reason) == (OutboxStatus.FAILED, "550 no such user")
    assert (after["d"].status, after["d"].reason) == (OutboxStatus.SKIPPED, "unsubscribed")
    assert (after["e"].status, after["e"].attempts) == (OutboxStatus.PENDING, 0)
    assert repo.counts()[OutboxStatus.SENT] == 1


def test_only_the_claimer_settles_a_retry_but_a_send_always_counts(store: Store) -> None:
    repo = store.outbox
    enqueue(repo, key())
    (mine,) = repo.claim("w1", now=T0, limit=1, lease=LEASE)
    (theirs,) = repo.claim("w2", now=T0 + LEASE, limit=1, lease=LEASE)  # w1's lease ran out
    assert repo.settle([Settlement(mine.id, OutboxStatus.PENDING, "451", T0)], "w1", now=T0) == 0
    assert repo.settle([Settlement(mine.id, OutboxStatus.SENT)], "w1", now=T0) == 1
    (row,) = repo.rows()
    assert row.status is OutboxStatus.SENT
    assert repo.settle([Settlement(theirs.id, OutboxStatus.SENT)], "w2", now=T0) == 0


def test_retry_requeues_failed_rows_never_sent_ones(store: Store) -> None:
    repo = store.outbox
    enqueue(repo, key("a@example.org"), key("b@example.org"))
    a, b = repo.claim("w", now=T0, limit=2, lease=LEASE)
    repo.settle(
        [Settlement(a.id, OutboxStatus.FAILED, "550"), Settlement(b.id, OutboxStatus.SENT)],
        "w",
        now=T0,
    )
    assert repo.retry(ids=[b.id], now=T0) == 0
    assert repo.retry(now=T0) == 0  # neither ids nor --failed
    assert repo.retry(failed=True, now=T0) == 1
    row = next(r for r in repo.rows() if r.id == a.id)
    assert (row.status, row.attempts, row.reason) == (OutboxStatus.PENDING, 0, "")


def test_secret_is_generated_once_and_configured_one_wins(store: Store) -> None:
    repo = store.outbox
    generated = repo.secret()
    assert len(generated) >= 40
    assert store.outbox.secret() == generated
    assert repo.secret("configured") == "configured"


# --- the dispatcher against a real SMTP server ---------------------------------------------


def reminders(store: Store, port: int, **settings: object) -> Reminders:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_from": "Lịch kỷ niệm <nhac-lich@example.org>",
        "smtp_timeout": 10,
        "smtp_concurrency": 2,
        "web_base_url": "https://lich.example.org",
        **settings,
    }
    return Reminders(Settings(**values), store, load_scopes())  # type: ignore[arg-type]


def subscribe(store: Store, *emails: str, lang: str = "vi") -> None:

    store.anniversaries.upsert(load_bundled(), now=T0)
    people = store.organisations
    people.add_organisation(
        Organisation(
            "quang-ninh", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "province:quang-ninh"
        )
    )
    for email in emails:
        people.add_subscriber(
            Subscriber(email, "Cán bộ", organisation="quang-ninh", lang=lang, leads=())
        )


def tick(service: Reminders, now: datetime):  # type: ignore[no-untyped-def]
    return asyncio.run(service.tick(lambda: now))


def test_dispatch_sends_each_due_reminder_once(store: Store) -> None:
    subscribe(store, "a@example.org", "b@example.org", "c@example.org")
    with SmtpServer() as server:
        service = reminders(store, server.port)
        report = tick(service, T0)
        assert (report.plan.inserted, report.dispatch.sent) == (3, 3)
        assert tick(service, T0 + timedelta(minutes=5)).dispatch.sent == 0
    rows = service.outbox.rows()
    assert sorted(server.message_ids()) == sorted(r.message_id for r in rows)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert sorted(r.recipients[0] for r in server.received) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]


@pytest.mark.parametrize("base_url", ["", "http://127.0.0.1:8080", "http://localhost:8080/"])
def test_no_mail_goes_out_with_links_to_this_machine(store: Store, base_url: str) -> None:
    subscribe(store, "a@example.org")
    with SmtpServer() as server:
        service = reminders(store, server.port, web_base_url=base_url)
        with pytest.raises(MailLinkError, match=r"web\.base_url") as err:
            tick(service, T0)
    assert "\n" not in str(err.value)
    assert server.received == []
    assert service.outbox.rows() == []  # nothing planned either: the run stops first


def test_4xx_retries_with_backoff_then_succeeds(store: Store) -> None:
    subscribe(store, "a@example.org")
    with SmtpServer(
        reply=lambda n, _: "451 4.7.1 greylisted, try later" if n == 1 else None
    ) as server:
        service = reminders(store, server.port)
        first = tick(service, T0)
        assert (first.dispatch.sent, first.dispatch.retried) == (0, 1)
        (row,) = service.outbox.rows()
        assert (row.status, row.attempts, row.reason) == (
            OutboxStatus.PENDING,
            1,
            "451 4.7.1 greylisted, try later",
        )
        assert row.next_attempt_at == T0 + backoff(1)
        assert tick(service, T0 + timedelta(seconds=59)).dispatch.sent == 0  # not yet
        assert tick(service, T0 + timedelta(minutes=1)).dispatch.sent == 1
    (row,) = service.outbox.rows()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert server.attempts == 2 and len(server.received) == 1


def test_5xx_fails_for_good_with_the_reason(store: Store) -> None:
    subscribe(store, "a@example.org")
    with SmtpServer(reply=lambda n, _: "550 5.1.1 mailbox unavailable") as server:
        service = reminders(store, server.port)
        assert tick(service, T0).dispatch.failed == 1
        assert tick(service, T0 + timedelta(hours=7)).dispatch.claimed == 0
    (row,) = service.outbox.rows()
    assert (row.status, row.reason, row.attempts) == (
        OutboxStatus.FAILED,
        "550 5.1.1 mailbox unavailable",
        1,
    )
    assert server.attempts == 1


def test_gives_up_after_max_attempts(store: Store) -> None:
    subscribe(store, "a@example.org")
    with SmtpServer(reply=lambda n, _: "452 4.2.2 mailbox full") as server:
        service = reminders(store, server.port, reminders_max_attempts=2)
        tick(service, T0)
        tick(service, T0 + timedelta(minutes=1))
        assert tick(service, T0 + timedelta(minutes=10)).dispatch.claimed == 0
    (row,) = service.outbox.rows()
    assert (row.status, row.reason) == (
        OutboxStatus.FAILED,
        "gave up after 2 attempts: 452 4.2.2 mailbox full",
    )


def test_unreachable_server_changes_nothing(store: Store) -> None:
    subscribe(store, "a@example.org")
    service = reminders(store, free_port())
    report = tick(service, T0)
    assert report.dispatch.unreachable.startswith("cannot connect")
    (row,) = service.outbox.rows()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)


def test_no_answer_within_the_timeout_is_retried(store: Store) -> None:
    subscribe(store, "a@example.org")
    with SmtpServer() as server:
        server.hold()  # the server never answers the data
        service = reminders(store, server.port, smtp_timeout=1)
        assert tick(service, T0).dispatch.retried == 1
    (row,) = service.outbox.rows()
    assert (row.status, row.reason) == (OutboxStatus.PENDING, "no answer within 1 s")
    assert server.received == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_authentication_failure_fails_for_good(store: Store) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    subscribe(store, "a@example.org")
    port = free_port()

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            return "250 OK"

    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        auth_required=True,
        auth_require_tls=False,
        authenticator=lambda *args: AuthResult(success=False, handled=False),
    )
    controller.start()
    try:
        service = reminders(store, port, smtp_username="u", smtp_password="wrong")
        assert tick(service, T0).dispatch.failed == 1
    finally:
        controller.stop()
    (row,) = service.outbox.rows()
    assert row.status is OutboxStatus.FAILED and row.reason.startswith("authentication failed: 535")


def test_unsubscribed_and_stale_rows_are_skipped(store: Store) -> None:

    subscribe(store, "a@example.org", "b@example.org")
    with SmtpServer() as server:
        service = reminders(store, server.port)
        service.plan(T0)
        store.organisations.unsubscribe("a@example.org")
        report = asyncio.run(service.dispatcher(lambda: T0).run())
        assert (report.sent, report.skipped) == (1, 1)
        enqueue(service.outbox, key("b@example.org", month=1))  # January's, due 02/01
        late = asyncio.run(service.dispatcher(lambda: datetime(2023, 2, 1, tzinfo=UTC)).run())
        assert late.skipped == 1
    reasons = sorted(r.reason for r in service.outbox.rows() if r.status is OutboxStatus.SKIPPED)
    assert reasons == ["stale: its due date or event had passed", "unsubscribed"]
    assert [r.recipients for r in server.received] == [("b@example.org",)]


def test_backoff_and_lease() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(20) == timedelta(hours=6)
    with pytest.raises(ValueError):
        backoff(0)
    assert lease_for(100, SmtpSettings("h", 25, timeout=30, concurrency=4)) == timedelta(
        seconds=26 * 30 + 60
    )


@pytest.mark.external_service
def test_two_dispatchers_at_once_on_postgresql_send_nothing_twice(tmp_path: Path) -> None:
    with store_on("postgresql", tmp_path) as store:
        emails = [f"member{n:03d}@example.org" for n in range(60)]
        subscribe(store, *emails)
        with SmtpServer() as server:
            first = reminders(store, server.port)
            first.plan(T0)
            # The second dispatcher has its own engine, as another process would.
            url = store.engine.url.render_as_string(hide_password=False)
            second = reminders(Store(create_store_engine(url)), server.port)
            server.hold()
            reports: list[object] = []

            def run(service: Reminders, name: str) -> None:
                dispatcher = service.dispatcher(lambda: T0)
                dispatcher.worker = name
                dispatcher.batch_size = 10
                reports.append(asyncio.run(dispatcher.run()))

            threads = [
                threading.Thread(target=run, args=(first, "one")),
                threading.Thread(target=run, args=(second, "two")),
            ]
            for thread in threads:
                thread.start()
            # Both dispatchers have claimed rows and are mid-send (2 connections each).
            server.wait_for(lambda: server.held == 4)
            claimed_by = {
                r.claimed_by
                for r in first.outbox.rows(limit=None)
                if r.status is OutboxStatus.SENDING
            }
            assert claimed_by == {"one", "two"}
            server.release()
            for thread in threads:
                thread.join(timeout=120)
        ids = server.message_ids()
        assert len(ids) == len(set(ids)) == 60
        rows = first.outbox.rows(limit=None)
        assert {r.status for r in rows} == {OutboxStatus.SENT}
        assert sorted(ids) == sorted(r.message_id for r in rows)
        assert sum(r.sent for r in reports) == 60  # type: ignore[attr-defined]


def test_a_sqlite_database_is_put_in_wal_mode_and_still_read_by_the_fast_reader(
    tmp_path: Path,
) -> None:
    import sqlite3

    from calendar_svc.store.open import open_reader, open_store
    from calendar_svc.store.sqlite_reader import SqliteReader

    url = f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
    store = open_store(url)
    store.close()
    conn = sqlite3.connect(tmp_path / "calendar.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        conn.close()
    reader = open_reader(url)
    assert isinstance(reader, SqliteReader) and reader.count() > 100
