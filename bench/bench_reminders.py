"""Benchmark: 10,000 personalised reminders to a local SMTP sink, beside the sink's maximum.

Usage: python bench/bench_reminders.py [--messages 10000] [--rounds 3] [--concurrency 4]

* The **sink** is aiosmtpd in its own process, answering 250 to everything and counting
  messages and distinct Message-IDs.
* The **sink's maximum** is measured in the same run by a minimal client: aiosmtplib's
  MAIL, RCPT and DATA (the calls the dispatcher makes) over ``--concurrency`` and twice
  as many kept-open connections (the better is kept), sending messages built beforehand
  (the very bytes the dispatcher produces, so sizes match), with nothing else to do.
* The **dispatch** runs in a fresh process on a SQLite database holding one organisation
  with ``--messages`` members (made once, copied per round): it plans the February 2023
  digest as of 23/01/2023 08:00 (one outbox row per member), then the dispatcher claims,
  renders (jinja2, text and HTML), builds (MIME, .ics), sends and records every one.
  Its messages/s is ``messages / dispatch seconds``; planning is timed apart. Peak memory
  is the child process's maximum resident set (``VmHWM``), planning included.
* Rounds interleave the baseline and the dispatch; medians are reported.

The target is a dispatch rate of at least 0.8 × the sink's maximum.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _support import CountingSink

NOW = datetime(2023, 1, 23, 1, 0, tzinfo=UTC)  # 08:00 in Hồ Chí Minh City


def settings(database: Path, port: int, concurrency: int):  # type: ignore[no-untyped-def]
    from calendar_svc.config import Settings

    return Settings(
        database_url=f"sqlite:///{database}",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_concurrency=concurrency,
        smtp_from="Lịch kỷ niệm <nhac-lich@tuyengiao.example.vn>",
        web_base_url="https://lich.tuyengiao.example.vn",
        reminders_secret="benchmark-secret",
    )


def make_database(path: Path, members: int) -> None:
    """Create the database: bundled data, one organisation, ``members`` subscribers."""
    from sqlalchemy import insert

    from calendar_svc.core.recipients import Organisation
    from calendar_svc.store.open import open_store
    from calendar_svc.store.tables import subscribers

    store = open_store(f"sqlite:///{path}")
    store.organisations.add_organisation(
        Organisation(
            "quang-ninh", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "province:quang-ninh"
        ),
        now=NOW,
    )
    rows = [
        {
            "email": f"can-bo-{n:05d}@donvi{n % 97}.quangninh.example.vn",
            "name": f"Đồng chí Nguyễn Văn Thành viên số {n}",
            "organisation_id": "quang-ninh",
            "scope": None,
            "categories": "",
            "lang": "vi" if n % 5 else "en",
            "leads": "",
            "active": True,
            "created_at": NOW,
            "unsubscribed_at": None,
        }
        for n in range(members)
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(subscribers), rows)
    store.close()


def child(database: Path, port: int, concurrency: int) -> None:
    """Plan and dispatch in this (fresh) process; print timings and peak memory as JSON."""
    from calendar_svc.catalog import load_scopes
    from calendar_svc.services.reminders import Reminders, shifted_clock
    from calendar_svc.store.open import open_store

    store = open_store(f"sqlite:///{database}")
    reminders = Reminders(settings(database, port, concurrency), store, load_scopes())
    clock = shifted_clock(NOW)
    t0 = time.perf_counter()
    planned = reminders.plan(clock())
    t1, c1 = time.perf_counter(), time.process_time()
    report = asyncio.run(reminders.dispatcher(clock).run())
    t2, c2 = time.perf_counter(), time.process_time()
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent,
    # which here holds the pre-built messages.
    status = Path("/proc/self/status").read_text()
    peak_kib = int(
        next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    )
    print(
        json.dumps(
            {
                "planned": planned.inserted,
                "sent": report.sent,
                "other": report.retried + report.failed + report.skipped + report.released,
                "plan_s": t1 - t0,
                "dispatch_s": t2 - t1,
                "dispatch_cpu_s": c2 - c1,
                "peak_mib": peak_kib / 1024,
            }
        )
    )


def prebuilt(database: Path, port: int, count: int) -> list[tuple[str, bytes]]:
    """Return ``count`` messages exactly as the dispatcher builds them (built untimed)."""
    from calendar_svc.catalog import load_scopes
    from calendar_svc.mail.content import Outgoing
    from calendar_svc.services.reminders import Reminders
    from calendar_svc.store.open import open_store

    work = database.with_name("prebuilt.sqlite3")
    shutil.copy(database, work)
    store = open_store(f"sqlite:///{work}")
    reminders = Reminders(settings(work, port, 1), store, load_scopes())
    reminders.plan(NOW)
    composer = reminders.composer()
    rows = reminders.outbox.rows(limit=None)
    subs = reminders.people.subscribers_by_email([r.key.recipient for r in rows])
    messages = []
    for row in rows[:count]:
        out = composer.compose(row.id, row.key, row.message_id, subs[row.key.recipient], NOW)
        assert isinstance(out, Outgoing)
        messages.append((out.recipient, out.data))
    store.close()
    return messages


async def blast(port: int, messages: list[tuple[str, bytes]], concurrency: int) -> float:
    """Send pre-built messages over ``concurrency`` kept-open connections; return seconds."""
    import aiosmtplib

    clients = [aiosmtplib.SMTP(hostname="127.0.0.1", port=port) for _ in range(concurrency)]
    for client in clients:
        await client.connect()
    queue = list(reversed(messages))

    async def work(client: aiosmtplib.SMTP) -> None:
        while queue:
            recipient, data = queue.pop()
            await client.mail("nhac-lich@tuyengiao.example.vn", options=[f"SIZE={len(data)}"])
            await client.rcpt(recipient)
            await client.data(data)

    start = time.perf_counter()
    await asyncio.gather(*(work(c) for c in clients))
    elapsed = time.perf_counter() - start
    for client in clients:
        await client.quit()
    return elapsed


def run_child(database: Path, port: int, concurrency: int) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(database), str(port), str(concurrency)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), int(args.child[1]), int(args.child[2]))
        return
    n, c = args.messages, args.concurrency
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.sqlite3"
        t = time.perf_counter()
        make_database(base, n)
        print(f"setup: {n:,} subscribers in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        sink = CountingSink()
        try:
            messages = prebuilt(base, sink.port, n)
            size = statistics.mean(len(m[1]) for m in messages)
            baseline: list[float] = []
            dispatch: list[dict[str, float]] = []
            for r in range(args.rounds):
                best = 0.0
                for connections in (c, 2 * c):  # the sink's maximum: more connections do not help
                    sink.counts()
                    best = max(best, n / asyncio.run(blast(sink.port, messages, connections)))
                    assert sink.counts() == (n, n)
                baseline.append(best)
                work = Path(tmp) / f"round{r}.sqlite3"
                shutil.copy(base, work)
                result = run_child(work, sink.port, c)
                assert result["sent"] == result["planned"] == n and result["other"] == 0, result
                assert sink.counts() == (n, n), "lost or repeated"
                dispatch.append(result)
                print(
                    f"round {r + 1}: sink max {baseline[-1]:,.0f}/s, dispatch "
                    f"{n / result['dispatch_s']:,.0f}/s (CPU {result['dispatch_cpu_s']:.2f} s for "
                    f"{result['dispatch_s']:.2f} s), plan {result['plan_s']:.2f} s, "
                    f"peak {result['peak_mib']:.0f} MiB",
                    file=sys.stderr,
                )
        finally:
            sink.close()
    sink_max = statistics.median(baseline)
    rate = statistics.median(n / d["dispatch_s"] for d in dispatch)
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(
        f"{n:,} messages, {size / 1024:.1f} KiB each on average, concurrency {c}, "
        f"median of {args.rounds}"
    )
    print("| measure | value |")
    print("|---|---:|")
    print(f"| sink maximum (pre-built messages, kept-open connections) | {sink_max:,.0f} msg/s |")
    print(f"| dispatch (render, build, send, record) | {rate:,.0f} msg/s |")
    print(f"| ratio | {rate / sink_max:.2f} × |")
    print(
        f"| planning {n:,} reminders | {statistics.median(d['plan_s'] for d in dispatch):.2f} s |"
    )
    peak = statistics.median(d["peak_mib"] for d in dispatch)
    print(f"| peak memory (dispatch process, RSS) | {peak:.0f} MiB |")


if __name__ == "__main__":
    main()
