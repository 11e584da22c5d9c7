"""Faults: SIGKILL a reminder dispatcher again and again; count what is lost or sent twice.

Usage: python bench/bench_kill.py [--reminders 1000] [--kills 50] [--seed N]
       [--postgresql postgresql+psycopg://postgres@127.0.0.1:5432/test]

A SQLite database (or a new database on ``--postgresql``'s server) gets one organisation
with ``--reminders`` members, so planning the February 2023 digest makes one outbox row
each. A real SMTP server (aiosmtpd, in this process) records the Message-ID of every
message it accepts (the 250 reply), duplicates included. Then, ``--kills`` times: start
the installed ``calendar-svc remind run-once --now T`` (a fresh process that plans and
dispatches), wait until the server has accepted one of its messages (it is sending),
sleep a random time, and SIGKILL it. ``T`` moves on by more than the claim lease each
time, so the rows the dead process had claimed can be claimed again. A last run finishes
the job.

Right after each kill it counts the messages the server accepted from that process but
the outbox does not record as sent: the at-least-once window (a message accepted by the
server, its outcome not yet committed when the process died). Those, and only those, are
sent again by a later run. At the end it compares the Message-IDs received with the
outbox's sent rows:

* lost: rows not sent, or sent rows whose Message-ID the server never accepted;
* duplicated: Message-IDs accepted more than once, to be equal to the window's count.

Exits with 1 if anything is lost, or if duplicates are not exactly the window's.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _support import Recorder, free_port, machine
from aiosmtpd.controller import Controller

START = datetime(2023, 1, 23, 8, 0)  # local time: 10 days before the 02/02 due date
SMTP_TIMEOUT = 5  # seconds; the claim lease is about 51 × timeout + 60 s
STEP = timedelta(minutes=10)  # more than the lease (5 min 15 s with these settings)


def make_database(url: str, members: int) -> None:
    from sqlalchemy import insert

    from calendar_svc.core.recipients import Organisation
    from calendar_svc.store.open import open_store
    from calendar_svc.store.tables import subscribers

    store = open_store(url)
    store.organisations.add_organisation(
        Organisation(
            "quang-ninh", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "province:quang-ninh"
        )
    )
    rows = [
        {
            "email": f"can-bo-{n:05d}@example.org",
            "name": f"Đồng chí số {n}",
            "organisation_id": "quang-ninh",
            "scope": None,
            "categories": "",
            "lang": "vi",
            "leads": "",
            "active": True,
            "created_at": datetime(2023, 1, 1, tzinfo=UTC),
            "unsubscribed_at": None,
        }
        for n in range(members)
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(subscribers), rows)
    store.close()


def create_pg_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``server_url``; return its URL."""
    from sqlalchemy import create_engine, make_url, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, url: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    name = make_url(url).database
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


class Outbox:
    """Read the outbox as it is committed (a separate connection)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(url, connect_args={"timeout": 30} if "sqlite" in url else {})

    def sent_ids(self) -> set[str]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT message_id FROM outbox WHERE status = 'sent'"))
            return {r[0] for r in rows}

    def statuses(self) -> dict[str, int]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM outbox GROUP BY status"))
            return {r[0]: int(r[1]) for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--postgresql",
        metavar="URL",
        default="",
        help="run on a new database made (and dropped) on this PostgreSQL server, e.g. "
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    script = Path(sys.executable).with_name("calendar-svc")
    print(machine())
    root = Path(tempfile.mkdtemp(prefix="bench-kill-"))
    url = f"sqlite:///{root / 'calendar.sqlite3'}"
    if args.postgresql:
        url = create_pg_database(args.postgresql, f"bench_kill_{os.getpid()}")
    make_database(url, args.reminders)
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    controller.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_SVC_")}
    env.update(
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
        CALENDAR_SVC_DATABASE_URL=url,
        CALENDAR_SVC_SMTP_HOST="127.0.0.1",
        CALENDAR_SVC_SMTP_PORT=str(controller.port),
        CALENDAR_SVC_SMTP_TIMEOUT=str(SMTP_TIMEOUT),
        CALENDAR_SVC_REMINDERS_SECRET="bench-kill",
    )
    outbox = Outbox(url)
    window: list[int] = []  # accepted-but-unrecorded messages at each kill
    per_run: list[int] = []
    now = START
    failures = 0
    ok = False
    started = time.monotonic()
    try:
        rate = 200.0  # messages/s, measured as the runs go
        for kill in range(args.kills):
            remaining = args.reminders - len(set(recorder.snapshot()))
            if remaining <= 0:
                print(f"all messages were sent after {kill} kills; use more --reminders")
                break
            before = len(recorder.snapshot())
            proc = subprocess.Popen(
                [str(script), "remind", "run-once", "--now", now.isoformat(timespec="minutes")],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 120
            while len(recorder.snapshot()) == before and proc.poll() is None:
                if time.monotonic() > deadline:
                    raise SystemExit("the dispatcher sent nothing for 120 s")
                time.sleep(0.001)
            first = time.monotonic()
            # Spread what is left over the kills still to come, at random moments.
            budget = remaining / (args.kills - kill + 1) / rate
            time.sleep(rng.uniform(0, 2 * budget))
            proc.send_signal(signal.SIGKILL)
            elapsed = time.monotonic() - first
            proc.wait()
            if proc.returncode != -signal.SIGKILL:
                failures += 1  # it finished before the signal: not a kill
            time.sleep(0.2)  # let the server finish a message whose DATA was in flight
            received = recorder.snapshot()
            sent_now = len(received) - before
            if sent_now > 1 and elapsed > 0.001:
                rate = 0.7 * rate + 0.3 * (sent_now - 1) / elapsed
            per_run.append(sent_now)
            window.append(len(set(received[before:]) - outbox.sent_ids()))
            now += STEP
        finish = subprocess.run(
            [str(script), "remind", "run-once", "--now", now.isoformat(timespec="minutes")],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        time.sleep(0.2)
        received = recorder.snapshot()
        counts = Counter(received)
        sent = outbox.sent_ids()
        statuses = outbox.statuses()
        duplicates = sum(n - 1 for n in counts.values())
        lost = args.reminders - len(sent) + len(sent - set(counts))
        kills = len(window) - failures
        print(
            f"{args.reminders} reminders, {kills} SIGKILLs (seed {seed}), database "
            f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}, "
            f"{time.monotonic() - started:.0f} s\n"
        )
        print("| measure | value |")
        print("|---|---:|")
        print(f"| messages accepted by the server | {len(received):,} |")
        print(f"| distinct Message-IDs | {len(counts):,} |")
        print(f"| outbox rows sent | {len(sent):,} (statuses {statuses}) |")
        print(f"| lost | {lost} |")
        print(f"| duplicated | {duplicates} |")
        print(f"| in the window at a kill (accepted, not yet recorded) | {sum(window)} |")
        print(f"| largest window at one kill | {max(window)} |")
        print(
            f"| kills that caught a message in the window | "
            f"{sum(1 for w in window if w)} of {len(window)} |"
        )
        print(f"| messages per killed run (median) | {sorted(per_run)[len(per_run) // 2]} |")
        print(f"| last run (exit {finish.returncode}) | {finish.stdout.strip().splitlines()[-1]} |")
        ok = lost == 0 and duplicates == sum(window) and finish.returncode == 0
        if failures:
            print(f"({failures} run(s) ended before their SIGKILL)")
    finally:
        controller.stop()
        outbox.engine.dispose()
        if args.postgresql:
            drop_pg_database(args.postgresql, url)
        shutil.rmtree(root, ignore_errors=True)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
