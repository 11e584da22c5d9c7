"""The long-running side: ``serve`` (web app + scheduler + /unsubscribe) and ``worker``.

Both run on the real clock, so the organisation's due date is chosen to make a digest due
today, and reminders go out from 00:00 (``CALENDAR_SVC_REMINDERS_SEND_TIME``).
"""

from __future__ import annotations

import re
import signal
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from reminders_support import QUANG_NINH, InstalledCli
from smtp_support import SmtpServer, free_port


@pytest.fixture
def cli(tmp_path: Path) -> InstalledCli:
    return InstalledCli(tmp_path)


def due_today(cli: InstalledCli, *emails: str) -> None:
    """Add an organisation whose digest (10 days ahead) is due to go out today."""
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
        "10",
    )
    for email in emails:
        cli.ok(
            "subscribers",
            "add",
            email,
            "--name",
            "Cán bộ",
            "--org",
            "quang-ninh",
            "--leads",
            "none",
        )


def start(cli: InstalledCli, server: SmtpServer, *args: str, **env: str) -> subprocess.Popen[str]:
    environment = {
        **cli.env,
        **cli.smtp_env(server.port),
        "CALENDAR_SVC_REMINDERS_SEND_TIME": "00:00",
        "CALENDAR_SVC_REMINDERS_TICK_SECONDS": "1",
        "CALENDAR_SVC_FEEDS_DIR": str(cli.home / "feeds"),
        **env,
    }
    return subprocess.Popen(
        cli.argv(*args), env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_serve_runs_the_scheduler_and_unsubscribes_by_post_only(cli: InstalledCli) -> None:
    due_today(cli, "can-bo@example.org")
    port = free_port()
    # Mails carry the public address (never a loopback one); the test reaches it locally.
    base = f"http://lich.example.org:{port}"
    with SmtpServer() as server:
        proc = start(cli, server, "serve", "--port", str(port), CALENDAR_SVC_WEB_BASE_URL=base)
        try:
            server.wait_for(lambda: len(server.received) == 1 or proc.poll() is not None)
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            (mail,) = server.received
            link = re.match(r"<([^>]+)>", mail.message["List-Unsubscribe"])
            assert link is not None and link[1].startswith(f"{base}/unsubscribe?t=")
            url = link[1].replace("lich.example.org", "127.0.0.1", 1)
            page = httpx.get(url, timeout=30)
            assert page.status_code == 200
            assert "can-bo@example.org" in page.text and '<form method="post"' in page.text
            assert "đã ngừng" not in cli.ok("subscribers", "list").out  # GET changed nothing
            forged = httpx.post(
                url[:-3] + "AAA", data={"List-Unsubscribe": "One-Click"}, timeout=30
            )
            assert forged.status_code == 400
            done = httpx.post(url, data={"List-Unsubscribe": "One-Click"}, timeout=30)
            assert done.status_code == 200 and "Đã ngừng nhận thư nhắc" in done.text
            assert done.headers["cache-control"] == "no-store"
        finally:
            code, err = stop(proc)
    # uvicorn shuts down gracefully, then re-raises the signal it got.
    assert code in (0, -signal.SIGTERM), err
    assert "reminder scheduler stopped" in err and "Application shutdown complete." in err
    # Quiet at the default level: no Alembic start-up lines, no APScheduler line per tick.
    assert "alembic" not in err and "apscheduler" not in err
    ticks = [line for line in err.splitlines() if "calendar_svc.scheduler" in line]
    assert ticks == [
        "INFO: calendar_svc.scheduler: reminders: planned 1 (0 of them skipped as stale or "
        "superseded), sent 1, retry 0, failed 0, skipped when sending 0",
        "INFO: calendar_svc.scheduler: reminder scheduler stopped",
    ], err
    (row,) = cli.ok("subscribers", "list").out.splitlines()[2:]
    assert row.split()[:6] == ["can-bo@example.org", "org:quang-ninh", "vi", "-", "*", "Cán"]
    assert "đã ngừng / unsubscribed " in row and row.endswith(" (qua liên kết / by link)")
    assert len(server.received) == 1  # the tick ran again and again; nothing sent twice


def test_worker_sends_what_is_due_and_stops_on_sigterm(cli: InstalledCli) -> None:
    due_today(cli, "a@example.org", "b@example.org")
    with SmtpServer() as server:
        proc = start(cli, server, "worker")
        try:
            server.wait_for(lambda: len(server.received) == 2 or proc.poll() is not None)
        finally:
            code, err = stop(proc)
    assert code == 0, err
    assert "worker: stopped" in err
    assert sorted(r.recipients[0] for r in server.received) == ["a@example.org", "b@example.org"]
    assert cli.statuses() == {"sent": 2}
