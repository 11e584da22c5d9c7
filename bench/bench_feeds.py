"""Benchmark building every feed: the bundled dataset, then 10,000 synthetic anniversaries.

Usage: python bench/bench_feeds.py [--rounds 3] [--synthetic 10000] [--years 6]

For each data set it times, median of ``--rounds``:

* ``build (1 process)``: expand the occurrences over the window and assemble every feed
  (all, per scope, per category, round) in memory, as the server does;
* ``build (N processes)``: the same with the events serialized by forked workers, as
  ``calendar-svc feeds build`` does;
* ``publish``: writing the feeds atomically to a temporary directory (first write);
* ``icalendar serializer alone``: ``Event.to_ical()`` of pre-built icalendar events,
  one per occurrence (the part of the work that is icalendar's);
* ``raw string write``: formatting the same fields into VEVENT text with an f-string
  and encoding it (no escaping, no folding): the limit of any pure-Python writer.

Rates are events per second, where an event is one VEVENT written once (shared events
count once; the feeds then reuse their bytes).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from _support import machine

from calendar_svc.catalog import DATASET_REVISION, load_bundled, load_scopes
from calendar_svc.core.model import Anniversary, Occurrence, Origin
from calendar_svc.core.occurrences import occurrences
from calendar_svc.feeds.definitions import Window, feed_definitions, feed_window
from calendar_svc.feeds.publish import (
    FeedOptions,
    Snapshot,
    build_feeds,
    publish,
    render_snapshot,
)
from calendar_svc.feeds.render import _stamp, build_event, event_summary, event_uid

CATEGORIES = ("su-kien-lich-su", "ngay-truyen-thong", "dia-phuong", "ngay-sinh-lanh-dao")
SCOPES = ("national", "province:quang-ninh", "city:cam-pha", "city:ha-long")
OPTIONS = FeedOptions(uid_domain="lich.example.vn")


def synthetic(n: int, seed: int = 7) -> list[Anniversary]:
    """Return ``n`` random solar anniversaries with Vietnamese names."""
    rng = random.Random(seed)
    return [
        Anniversary(
            id=f"syn-{i}",
            name_vi=f"Ngày thành lập đơn vị tổng hợp số {i} của tỉnh Quảng Ninh",
            name_en=f"Founding of synthetic unit {i}",
            origin=Origin(rng.randint(1800, 2020), rng.randint(1, 12), rng.randint(1, 28)),
            category=rng.choice(CATEGORIES),
            scope=rng.choice(SCOPES),
            source="Nguồn tổng hợp cho đo hiệu năng",
        )
        for i in range(n)
    ]


def timed(func: Callable[[], object], rounds: int) -> float:
    """Return the median wall time of ``rounds`` calls."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def raw_write(occs: list[Occurrence]) -> bytes:
    """Write the same fields as plain f-strings: no escaping, no folding."""
    stamp = "20261126T000000Z"
    parts = []
    for occ in occs:
        end = occ.last_day + timedelta(days=1)
        parts.append(
            f"BEGIN:VEVENT\r\nSUMMARY:{event_summary(occ)}\r\n"
            f"DTSTART;VALUE=DATE:{occ.date:%Y%m%d}\r\nDTEND;VALUE=DATE:{end:%Y%m%d}\r\n"
            f"DTSTAMP:{stamp}\r\nUID:{occ.anniversary.id}-{occ.date.year}@x\r\n"
            f"CATEGORIES:{occ.anniversary.category}\r\nEND:VEVENT\r\n"
        )
    return "".join(parts).encode()


def run(label: str, anns: list[Anniversary], window: Window, rounds: int) -> None:
    specs = feed_definitions(load_scopes())
    start = time.perf_counter()
    occs = occurrences(anns, window.start, window.end)
    expand = time.perf_counter() - start
    snapshot = Snapshot(DATASET_REVISION, window, tuple(occs))
    workers = os.cpu_count() or 1
    n = len(occs)

    def build(w: int) -> int:
        found = occurrences(anns, window.start, window.end)
        built = build_feeds(
            specs,
            render_snapshot(Snapshot(DATASET_REVISION, window, tuple(found)), OPTIONS, workers=w),
        )
        return sum(b.events for b in built)

    feed_events = build(1)
    one = timed(lambda: build(1), rounds)
    many = timed(lambda: build(workers), rounds)
    built = build_feeds(specs, render_snapshot(snapshot, OPTIONS))
    size = sum(len(b.data) for b in built)

    def write() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            publish(Path(tmp), built)

    written = timed(write, rounds)
    stamp = _stamp(DATASET_REVISION)
    events = [build_event(o, stamp=stamp, lang="vi", alarm_days=0, uid_domain="x") for o in occs]
    serializer = timed(lambda: [e.to_ical() for e in events], rounds)
    raw = timed(lambda: raw_write(occs), rounds)
    uids = {event_uid(o, "x") for o in occs}
    assert len(uids) == n, "duplicate UIDs"

    print(f"\n{label}: {len(anns):,} anniversaries, window {window.label()}")
    print(
        f"  {n:,} events (VEVENTs written once), {feed_events:,} event entries"
        f" in {len(specs)} feeds, {size / 1e6:.1f} MB"
    )
    print(f"  expand occurrences              {expand:8.3f} s")
    print(f"  {'| step':32} {'seconds':>8}  {'events/s':>10}")
    for name, secs in (
        ("build all feeds, 1 process", one),
        (f"build all feeds, {workers} processes", many),
        ("publish (atomic writes)", written),
        ("icalendar serializer alone", serializer),
        ("raw string write (limit)", raw),
    ):
        print(f"  | {name:30} {secs:8.3f}  {n / secs:10,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=6)
    args = parser.parse_args()
    print(machine())
    today = date(2026, 11, 26)
    run("Bundled dataset", load_bundled(), feed_window(today, 1, 5), args.rounds)
    six = Window(date(today.year - 1, 1, 1), date(today.year + args.years - 2, 12, 31))
    run("Synthetic", synthetic(args.synthetic), six, args.rounds)


if __name__ == "__main__":
    main()
