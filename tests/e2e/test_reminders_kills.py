"""Random SIGKILLs of the dispatcher during a 200-reminder run (CI size of bench_kill.py).

Five times, the installed ``calendar-svc remind run-once`` is started, killed with SIGKILL
at a random moment once the SMTP server has accepted one of its messages, and started
again later (past the claim lease). The at-least-once window is measured at each kill:
messages the server accepted whose outcome the outbox had not recorded. Checked:

* nothing is lost: every reminder is sent, and each was received;
* a message is received more than once only if it was in that window at a kill, and
  once more per such kill (a later run sends it again);
* the window never holds more than ``UNRECORDED_PER_WORKER × smtp.concurrency`` messages.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from reminders_support import InstalledCli
from smtp_support import SmtpServer

from calendar_svc.core.recipients import Subscriber
from calendar_svc.mail.outbox import LEASE, UNRECORDED_PER_WORKER
from calendar_svc.store.open import open_store

REMINDERS = 200
KILLS = 5
START = datetime(2023, 1, 23, 8, 0)
#: Past the claim lease: 3 minutes after the last heartbeat (it was 51 × smtp.timeout + 60 s).
STEP = LEASE + timedelta(minutes=1)


@pytest.fixture
def cli(tmp_path: Path) -> InstalledCli:
    return InstalledCli(tmp_path)


def sent_ids(database: Path) -> set[str]:
    # Read-write: after a SIGKILL, reading the write-ahead log needs write access.
    with closing(sqlite3.connect(database, timeout=5)) as conn:
        rows = conn.execute("SELECT message_id FROM outbox WHERE status = 'sent'").fetchall()
        return {r[0] for r in rows}


def test_random_sigkills_lose_nothing_and_repeat_only_the_window(cli: InstalledCli) -> None:
    cli.setup_quang_ninh()
    store = open_store(f"sqlite:///{cli.database}")
    try:
        people = store.organisations
        for n in range(REMINDERS):
            people.add_subscriber(
                Subscriber(f"m{n:03d}@example.org", "Cán bộ", organisation="quang-ninh", leads=())
            )
    finally:
        store.close()
    rng = random.Random(20230123)
    env = {**cli.env, "CALENDAR_SVC_SMTP_TIMEOUT": "5"}
    windows: list[set[str]] = []
    kills = 0
    now = START
    with SmtpServer() as server:
        env.update(cli.smtp_env(server.port))
        for _ in range(KILLS):
            before = len(server.received)
            proc = subprocess.Popen(
                cli.argv("remind", "run-once", "--now", now.isoformat(timespec="minutes")),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                server.wait_for(
                    lambda b=before, p=proc: len(server.received) > b or p.poll() is not None
                )
                time.sleep(rng.uniform(0, 0.05))
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            kills += proc.returncode == -signal.SIGKILL
            # Let the server finish a message whose data was already on the wire.
            server.wait_for(lambda: server.attempts == len(server.received), timeout=10)
            windows.append(set(server.message_ids()[before:]) - sent_ids(cli.database))
            now += STEP
        last = cli.run_once(
            server.port, now.isoformat(timespec="minutes"), CALENDAR_SVC_SMTP_TIMEOUT="5"
        )
        assert last.code == 0, last.err
    assert kills >= 3  # most runs were killed mid-dispatch, not finished before the signal
    # The window is bounded: at most 2 unrecorded sent messages per connection (4 by default).
    assert max(len(w) for w in windows) <= UNRECORDED_PER_WORKER * 4, [len(w) for w in windows]
    received = Counter(server.message_ids())
    sent = sent_ids(cli.database)
    assert len(sent) == REMINDERS and cli.statuses() == {"sent": REMINDERS}  # nothing lost
    assert set(received) == sent
    # Each message in a kill's window is sent once more by a later run, and nothing else is.
    for mid, times in received.items():
        assert times == 1 + sum(mid in w for w in windows), (mid, times)
