"""Reminders sent late and the first planning of the service, against a real SMTP server.

A reminder sent after downtime states the days actually left when it goes out; a rehearsal
with ``--now`` (as in docs/reminders.md's Getting started) never makes the service send a
backlog when it starts on the real clock.
"""

from __future__ import annotations

import signal
import subprocess
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from reminders_support import QUANG_NINH, InstalledCli
from smtp_support import SmtpServer, free_port

MAU_THAN = "55 năm Cuộc Tổng tiến công và nổi dậy Xuân Mậu Thân 1968 (31/01/1968 - 31/01/2023)"
NGUYEN_DUC_CANH = "115 năm Ngày sinh đồng chí Nguyễn Đức Cảnh (02/02/1908 - 02/02/2023)"


@pytest.fixture
def cli(tmp_path: Path) -> InstalledCli:
    return InstalledCli(tmp_path)


def subjects(server: SmtpServer) -> list[str]:
    return [str(make_header(decode_header(r.message["Subject"]))) for r in server.received]


def test_a_late_event_reminder_states_the_days_left_at_sending(cli: InstalledCli) -> None:
    cli.ok(
        "subscribers", "add", "b@example.org", "--name", "B", "--scope", "national", "--leads", "7"
    )
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-01-23T08:00", env=cli.smtp_env(server.port))
        before = len(server.received)
        # Down from 23/01 to 30/01: the 7-day reminders of 24/01 and 26/01 go out late.
        late = cli.run_once(server.port, "2023-01-30T09:00")
    assert late.code == 0, late.err
    sent = subjects(server)[before:]
    assert f"[Nhắc lịch] Còn 1 ngày: {MAU_THAN}" in sent
    assert f"[Nhắc lịch] Còn 3 ngày: {NGUYEN_DUC_CANH}" in sent
    assert not any("Còn 7 ngày" in s for s in sent)
    (mau_than,) = (r for r in server.received[before:] if "Mậu Thân" in r.message["Subject"])
    body = mau_than.message.get_body(("plain",))
    assert body is not None
    assert "Còn 1 ngày đến ngày kỷ niệm:" in str(body.get_content())


def test_a_late_digest_states_the_days_left_in_english_too(cli: InstalledCli) -> None:
    cli.setup_quang_ninh("en@example.org", lang="en")
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-01-20T08:00", env=cli.smtp_env(server.port))
        # The 10-day digest of 23/01 (due 02/02) goes out on 25/01: 8 days left.
        cli.ok("remind", "run-once", "--now", "2023-01-25T08:00", env=cli.smtp_env(server.port))
    (digest,) = (r for r in server.received if "directive" in r.message["Subject"])
    body = digest.message.get_body(("plain",))
    assert body is not None
    assert "directive for 02/2023 is due in 8 days: on 02/02/2023" in str(body.get_content())


def test_serve_after_the_getting_started_rehearsal_sends_no_backlog(cli: InstalledCli) -> None:
    """docs/reminders.md: org add, subscribers add, run-once --now 2023-01-23, then serve."""
    due = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=10)
    cli.ok(
        "org",
        "add",
        "quang-ninh",
        "--name",
        QUANG_NINH,
        "--scope",
        "province:quang-ninh",
        "--due-day",
        str(due.day),
        "--leads",
        "10,3",
    )
    cli.ok(
        "subscribers",
        "add",
        "can-bo@example.org",
        "--name",
        "Cán bộ",
        "--org",
        "quang-ninh",
        "--leads",
        "none",
    )
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-01-23T08:00", env=cli.smtp_env(server.port))
        before = len(server.received)
        rehearsed = sum(cli.statuses().values())
        environment = {
            **cli.env,
            **cli.smtp_env(server.port),
            "CALENDAR_SVC_REMINDERS_SEND_TIME": "00:00",
            "CALENDAR_SVC_REMINDERS_TICK_SECONDS": "1",
            "CALENDAR_SVC_FEEDS_DIR": str(cli.home / "feeds"),
        }
        proc = subprocess.Popen(
            cli.argv("serve", "--port", str(free_port())),
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            server.wait_for(lambda: len(server.received) == before + 1 or proc.poll() is not None)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
    assert len(server.received) == before + 1, err  # today's digest only, no year of backlog
    assert sum(cli.statuses().values()) - rehearsed == 1
    ticks = [line for line in err.splitlines() if "reminders: planned" in line]
    assert ticks == [
        "INFO: calendar_svc.scheduler: reminders: planned 1 (0 of them skipped as stale or "
        "superseded), sent 1, retry 0, failed 0, skipped when sending 0"
    ], err
