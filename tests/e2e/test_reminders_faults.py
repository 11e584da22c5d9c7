"""Faults: the mail server down, 4xx, 5xx, a dispatcher killed mid-batch, three days down.

Every check compares what the SMTP server accepted (Message-IDs) with the outbox: each
reminder delivered once, none lost, none twice.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from reminders_support import InstalledCli
from smtp_support import SmtpServer, free_port

from calendar_svc.core.recipients import Subscriber
from calendar_svc.store.open import open_store

EMAILS = ("a@example.org", "b@example.org", "c@example.org")


@pytest.fixture
def cli(tmp_path: Path) -> InstalledCli:
    return InstalledCli(tmp_path)


def message_ids(cli: InstalledCli, status: str = "sent") -> list[str]:
    return sorted(r["message_id"] for r in cli.outbox() if r["status"] == status)


def test_server_down_then_up_delivers_each_message_once(cli: InstalledCli) -> None:
    cli.setup_quang_ninh(*EMAILS)
    port = free_port()  # nothing listens yet
    down = cli.run_once(port, "2023-01-23T08:00")
    assert down.code == 1
    assert "unreachable" in down.err and "3 thư chờ gửi lại / reminder(s) stay queued" in down.err
    assert [(r["status"], r["attempts"]) for r in cli.outbox()] == [("pending", 0)] * 3
    with SmtpServer(port=port) as server:
        up = cli.run_once(port, "2023-01-23T09:00")
        assert up.code == 0, up.err
        cli.ok("remind", "run-once", "--now", "2023-01-23T10:00", env=cli.smtp_env(port))
    assert sorted(server.message_ids()) == message_ids(cli)
    assert len(set(server.message_ids())) == 3


def test_4xx_then_success(cli: InstalledCli) -> None:
    cli.setup_quang_ninh("can-bo@example.org")
    with SmtpServer(reply=lambda n, _: "451 4.3.0 mail server busy" if n == 1 else None) as server:
        first = cli.run_once(server.port, "2023-01-23T08:00")
        assert first.code == 0 and "thử lại / retry: 1" in first.out
        (row,) = cli.outbox()
        assert (row["status"], row["attempts"], row["reason"]) == (
            "pending",
            1,
            "451 4.3.0 mail server busy",
        )
        # One minute after the attempt (the --now clock runs on from 08:00 = 01:00 UTC).
        assert row["next_attempt_at"].startswith("2023-01-23T01:01:0")
        second = cli.run_once(server.port, "2023-01-23T08:02")
        assert "Gửi / Sent: 1," in second.out
    assert server.attempts == 2
    assert server.message_ids() == message_ids(cli)


def test_5xx_fails_for_good_with_the_reason_and_no_retry(cli: InstalledCli) -> None:
    cli.setup_quang_ninh("can-bo@example.org")
    with SmtpServer(reply=lambda n, _: "550 5.1.1 <can-bo@example.org>: no such user") as server:
        first = cli.run_once(server.port, "2023-01-23T08:00")
        assert first.code == 0 and "lỗi / failed: 1" in first.out
        cli.run_once(server.port, "2023-01-23T12:00")
        cli.run_once(server.port, "2023-01-23T23:00")  # hours later: backoff would be over
        assert server.attempts == 1  # never retried
    (row,) = cli.outbox()
    assert (row["status"], row["reason"]) == (
        "failed",
        "550 5.1.1 <can-bo@example.org>: no such user",
    )
    listed = cli.ok("outbox", "list", "--status", "failed").out
    assert "550 5.1.1 <can-bo@example.org>: no such user" in listed
    # Once the address is fixed, an operator requeues it.
    assert cli.ok("outbox", "retry", "--failed").out == "Đã xếp lại / Requeued: 1\n"
    with SmtpServer() as server:
        cli.run_once(server.port, "2023-01-23T23:30")
    assert server.message_ids() == message_ids(cli)


def _add_members(cli: InstalledCli, count: int) -> list[str]:
    """Add many members straight through the store (the CLI would take a process each)."""
    cli.setup_quang_ninh()
    store = open_store(f"sqlite:///{cli.database}")
    try:
        people = store.organisations
        emails = [f"member{n:03d}@example.org" for n in range(count)]
        for email in emails:
            people.add_subscriber(
                Subscriber(email, f"Thành viên {email[6:9]}", organisation="quang-ninh", leads=())
            )
    finally:
        store.close()
    return emails


def _sent_rows(database: Path) -> int:
    with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as conn:
        conn.execute("PRAGMA busy_timeout = 5000")
        return int(conn.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0])


def test_dispatcher_killed_mid_batch_then_restarted_loses_and_repeats_nothing(
    cli: InstalledCli,
) -> None:
    emails = _add_members(cli, 40)
    with SmtpServer(hold_after=12) as server:
        proc = subprocess.Popen(
            cli.argv("remind", "run-once", "--now", "2023-01-23T08:00"),
            env={**cli.env, **cli.smtp_env(server.port, CALENDAR_SVC_SMTP_CONCURRENCY="4")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            # Mid-batch: 4 messages in flight (held by the server), the accepted ones
            # recorded, the rest of the claimed batch not yet tried.
            server.wait_for(
                lambda: server.held == 4 and _sent_rows(cli.database) == len(server.received)
            )
            accepted_before = server.message_ids()
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == -signal.SIGKILL
        server.release()  # the held messages' connections are gone: never accepted
        statuses = cli.statuses()
        assert statuses["sent"] == len(accepted_before) >= 12
        assert statuses["sending"] == 40 - len(accepted_before)  # claimed by the dead process
        # Restarted after its lease ran out, the next run sends exactly the rest.
        restart = cli.run_once(server.port, "2023-01-23T08:30")
        assert restart.code == 0, restart.err
        assert f"Gửi / Sent: {40 - len(accepted_before)}," in restart.out
    received = server.message_ids()
    assert Counter(received).most_common(1)[0][1] == 1  # nothing twice
    assert sorted(received) == message_ids(cli)  # nothing lost
    assert sorted(r.recipients[0] for r in server.received) == sorted(emails)
    assert cli.statuses() == {"sent": 40}


def test_three_day_downtime_catches_up_and_skips_what_is_stale(cli: InstalledCli) -> None:
    cli.setup_quang_ninh("can-bo@example.org")  # day 2, 10 and 3 days before
    cli.ok(
        "org",
        "add",
        "due-24",
        "--name",
        "Ban A",
        "--scope",
        "national",
        "--due-day",
        "24",
        "--leads",
        "1",
    )
    cli.ok(
        "org",
        "add",
        "due-26",
        "--name",
        "Ban B",
        "--scope",
        "national",
        "--due-day",
        "26",
        "--leads",
        "3,2",
    )
    for email, org in (("a@example.org", "due-24"), ("b@example.org", "due-26")):
        cli.ok("subscribers", "add", email, "--name", "X", "--org", org, "--leads", "none")
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-01-22T08:00", env=cli.smtp_env(server.port))
        assert server.received == []
        # Down from 22/01 08:00 to 25/01 08:00: the 23/01 and 24/01 reminders were missed.
        back = cli.run_once(server.port, "2023-01-25T08:00")
        assert back.code == 0, back.err
    rows = {(r["subject"], r["lead_days"]): (r["status"], r["reason"]) for r in cli.outbox()}
    assert rows == {
        ("quang-ninh", 10): ("sent", ""),  # 23/01 for 02/02: still useful, sent late
        ("due-24", 1): ("skipped", "stale: its due date or event had passed"),  # 23/01 for 24/01
        ("due-26", 3): ("skipped", "superseded by the 2-day reminder"),  # 23/01 for 26/01
        ("due-26", 2): ("sent", ""),  # 24/01 for 26/01
        # 55 năm Tổng tiến công Xuân Mậu Thân (31/01): the 7-day reminder of 24/01, still useful.
        ("tong-tien-cong-mau-than-1968", 7): ("sent", ""),
        # 175 năm Tuyên ngôn của Đảng Cộng sản (02/1848, dated 01/02): the 7-day one of 25/01.
        ("tuyen-ngon-dang-cong-san", 7): ("sent", ""),
    }
    assert sorted(r.recipients[0] for r in server.received) == [
        "b@example.org",
        "can-bo@example.org",
        "can-bo@example.org",
        "can-bo@example.org",
    ]
    assert (
        "Lập lịch / Planned: 6 mới / new (2 bỏ qua / skipped, 0 thay thế / superseded)" in back.out
    )
