"""Faults: PostgreSQL stopped and started again under a running ``calendar-svc serve``.

Usage: python bench/bench_db_outage.py [--outage 20] [--members 1500]

Run as root on a machine with Debian's PostgreSQL packages. The script never touches the
shared ``main`` cluster that other tests use: it creates a cluster of its own
(``pg_createcluster``, trust authentication, a free loopback port), and drops it at the
end, in a ``finally`` block that also starts it again first if it is stopped.

1. One organisation with 100 members whose February digest is due now; ``calendar-svc
   serve`` starts (scheduler ticking every second, an aiosmtpd server in this process
   recording every accepted Message-ID) and sends those 100.
2. ``--members`` more members are added; while the scheduler sends their digests, the
   cluster is stopped (``pg_ctlcluster --skip-systemctl-redirect VERSION NAME stop``).
   The script measures how soon ``/healthz`` answers 503, checks that the process stays
   up and that the built feeds are still served, waits ``--outage`` seconds and starts
   the cluster again, then measures how soon ``/healthz`` is 200 and every reminder sent.
3. 100 more members are added after the recovery and must get their digest.

At the end the Message-IDs the SMTP server accepted are compared with the outbox: nothing
may be lost; a duplicate is only allowed for a message the server accepted whose outcome
could not be recorded (the at-least-once window), and the script prints how many there
were. Exits with 1 when something is lost or the service died.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _support import Recorder, free_port, machine, status_of, wait_until
from aiosmtpd.controller import Controller

CLUSTER = "calsvc_outage"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def pg(action: str, version: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, action],
        check=True,
        capture_output=True,
    )


def cluster_running(version: str) -> bool:
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    return any(
        line.split()[:2] == [version, CLUSTER] and "online" in line for line in out.splitlines()
    )


def add_members(url: str, first: int, count: int) -> None:
    from sqlalchemy import create_engine, insert

    from calendar_svc.store.tables import subscribers

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            insert(subscribers),
            [
                {
                    "email": f"can-bo-{n:05d}@example.org",
                    "name": f"Đồng chí số {n}",
                    "organisation_id": "quang-ninh",
                    "scope": None,
                    "categories": "",
                    "lang": "vi",
                    "leads": "",
                    "active": True,
                    "created_at": datetime.now(UTC),
                    "unsubscribed_at": None,
                }
                for n in range(first, first + count)
            ],
        )
    engine.dispose()


def outbox(url: str) -> tuple[set[str], dict[str, int]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        sent = {
            r[0] for r in conn.execute(text("SELECT message_id FROM outbox WHERE status='sent'"))
        }
        statuses = dict(
            conn.execute(text("SELECT status, count(*) FROM outbox GROUP BY status")).all()
        )
    engine.dispose()
    return sent, {str(k): int(v) for k, v in statuses.items()}


def make_database(url: str) -> None:
    from calendar_svc.core.recipients import DueKind, DueRule, Organisation
    from calendar_svc.store.open import open_store

    due = datetime.now(ZONE).date() + timedelta(days=10)  # the 10-day digest is due today
    store = open_store(url)
    store.organisations.add_organisation(
        Organisation(
            "quang-ninh",
            "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh",
            "province:quang-ninh",
            due=DueRule(DueKind.DAY_OF_MONTH, due.day),
            leads=(10,),
        )
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=20.0, help="seconds the database is down")
    parser.add_argument("--members", type=int, default=1500)
    args = parser.parse_args()
    if shutil.which("pg_createcluster") is None or os.geteuid() != 0:
        raise SystemExit("needs root and Debian's postgresql-common (pg_createcluster)")
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    print(machine(), f" PostgreSQL {version}")
    root = Path(tempfile.mkdtemp(prefix="bench-outage-"))
    pg_port = free_port()
    subprocess.run(
        ["pg_createcluster", version, CLUSTER, "--port", str(pg_port), "--start", "--",
         "--auth-local=trust", "--auth-host=trust"],
        check=True, capture_output=True,
    )  # fmt: skip
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    server: subprocess.Popen[bytes] | None = None
    failed = False
    try:
        admin = f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/postgres"
        from sqlalchemy import create_engine, text

        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE calendar"))
        engine.dispose()
        url = f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/calendar"
        make_database(url)
        add_members(url, 0, 100)
        controller.start()
        web = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_SVC_")}
        env.update(
            XDG_DATA_HOME=str(root / "data"),
            XDG_CONFIG_HOME=str(root / "config"),
            CALENDAR_SVC_DATABASE_URL=url,
            CALENDAR_SVC_SMTP_HOST="127.0.0.1",
            CALENDAR_SVC_SMTP_PORT=str(controller.port),
            CALENDAR_SVC_SMTP_TIMEOUT="2",
            CALENDAR_SVC_REMINDERS_SEND_TIME="00:00",
            CALENDAR_SVC_REMINDERS_TICK_SECONDS="1",
            CALENDAR_SVC_REMINDERS_SECRET="bench-outage",
        )
        log = (root / "serve.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "calendar_svc", "serve", "--port", str(web), "--no-access-log"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until("healthy", lambda: status_of(web, "/healthz") == 200, 120)
        wait_until("the first 100 digests", lambda: len(set(recorder.snapshot())) >= 100, 120)
        print("phase 1: 100 digests sent, /healthz 200")

        add_members(url, 100, args.members)
        total = 100 + args.members
        wait_until("sending under way", lambda: len(recorder.snapshot()) >= 300, 120)
        pg("stop", version)
        stopped = time.monotonic()
        at_stop = len(set(recorder.snapshot()))
        detect = wait_until("/healthz 503", lambda: status_of(web, "/healthz") == 503, 90)
        feed = status_of(web, "/feeds/all.ics")
        page = status_of(web, "/month/2023-02")
        time.sleep(max(0.0, args.outage - (time.monotonic() - stopped)))
        alive = server.poll() is None
        during = len(set(recorder.snapshot()))
        pg("start", version)
        down_for = time.monotonic() - stopped
        recover = wait_until("/healthz 200", lambda: status_of(web, "/healthz") == 200, 120)
        # Accepted by the server, not recorded as sent: the at-least-once window.
        window = len(set(recorder.snapshot()) - outbox(url)[0])
        catch_up = wait_until(
            "every reminder sent", lambda: outbox(url)[1].get("sent", 0) >= total, 600
        )
        print(
            f"phase 2: {args.members} more; database stopped after {at_stop} messages, down "
            f"{down_for:.1f} s; /healthz 503 after {detect:.1f} s; during the outage "
            f"/feeds/all.ics {feed}, /month/2023-02 {page}, process alive: {alive}; "
            f"{during - at_stop} more accepted while down; /healthz 200 again "
            f"{recover:.1f} s after the restart; all {total} sent "
            f"{recover + catch_up:.1f} s after the restart"
        )
        add_members(url, total, 100)
        wait_until(
            "the 100 added after recovery",
            lambda: outbox(url)[1].get("sent", 0) >= total + 100,
            120,
        )
        print("phase 3: 100 members added after the recovery got their digest")

        received = recorder.snapshot()
        counts = Counter(received)
        sent, statuses = outbox(url)
        lost = total + 100 - len(sent) + len(sent - set(counts))
        duplicates = sum(n - 1 for n in counts.values())
        print(
            f"\naccepted {len(received)}, distinct {len(counts)}, outbox {statuses}, "
            f"accepted but unrecorded when the database came back {window}, lost {lost}, "
            f"duplicated {duplicates}, process alive {server.poll() is None}"
        )
        failed = lost > 0 or server.poll() is not None or not alive
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=120)
            except subprocess.TimeoutExpired:
                server.kill()
        controller.stop()
        if not cluster_running(version):
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, "start"],
                check=False,
            )
        subprocess.run(["pg_dropcluster", "--stop", version, CLUSTER], check=False)
        log_path = root / "serve.log"
        log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
        errors = [line for line in log_text.splitlines() if "ERROR" in line or "Traceback" in line]
        print(f"server log: {len(errors)} ERROR/Traceback lines; first: {errors[:3]}")
        shutil.rmtree(root, ignore_errors=True)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
