"""Benchmark ``calendar-svc month``: start-up beside ``python -c pass`` and ``khal list``,
and the cost of listing one month as the dataset grows.

Usage: python bench/bench_month.py [--rounds 30] [--sizes 1000,10000,100000] [--against SRC]

Part 1 runs the three commands interleaved (one of each per round, in a shuffled order) so
that machine noise hits them alike, and reports medians and the ratio to ``python -c pass``.
khal (Debian package ``khal``) reads an equivalent calendar of 200 yearly events.
Part 2 fills SQLite files with synthetic anniversaries and times, in process, the query and
compute of one month for phường Cửa Ông named by its name (resolution, heritage and
``list_occurrences`` on the stdlib reader), median of repeated runs. Part 3 times naming a
scope and finding its heritage alone, with the whole registry (about 4,100 scopes) loaded.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from calendar_svc.catalog import load_scopes
from calendar_svc.core.model import Anniversary, Origin
from calendar_svc.core.occurrences import month_range
from calendar_svc.core.scopes import listed_scopes, resolve
from calendar_svc.services.listing import ListingQuery, list_occurrences

CATEGORIES = ("su-kien-lich-su", "ngay-truyen-thong", "dia-phuong", "ngay-sinh-lanh-dao")
SCOPES = (
    "national",
    "province:quang-ninh",
    "district:quang-ninh/cam-pha",
    "commune:quang-ninh/cua-ong",
    "province:thanh-hoa",
)


def synthetic(n: int, seed: int = 7) -> list[Anniversary]:
    """Return ``n`` random solar anniversaries."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        out.append(
            Anniversary(
                id=f"syn-{i}",
                name_vi=f"Sự kiện tổng hợp số {i}",
                name_en=f"Synthetic event {i}",
                origin=Origin(rng.randint(1800, 2020), month, day),
                category=rng.choice(CATEGORIES),
                scope=rng.choice(SCOPES),
                source="synthetic",
            )
        )
    return out


def khal_setup(root: Path, events: int = 200) -> list[str]:
    """Write a khal configuration and a vdir of yearly events; return the list command."""
    cal = root / "khal-cal"
    cal.mkdir()
    rng = random.Random(3)
    for i in range(events):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        (cal / f"ev{i}.ics").write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:ev{i}@bench\r\nDTSTAMP:20230101T000000Z\r\n"
            f"DTSTART;VALUE=DATE:{rng.randint(1900, 2000)}{month:02d}{day:02d}\r\n"
            f"RRULE:FREQ=YEARLY\r\nSUMMARY:Sự kiện {i}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            encoding="utf-8",
        )
    config = root / "khal.conf"
    config.write_text(
        f"[calendars]\n[[bench]]\npath = {cal}\n"
        f"[sqlite]\npath = {root / 'khal.db'}\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n",
        encoding="utf-8",
    )
    return ["khal", "-c", str(config), "list", "2023-02-01", "28d"]


def _run(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def _from_source(source: Path, root: Path) -> list[str]:
    """Return ``calendar-svc month 2023-02`` run from another source tree, on its own data."""
    code = (
        f"import os, sys; sys.path.insert(0, {str(source)!r}); "
        f"os.environ['XDG_DATA_HOME'] = {str(root / source.name)!r}; "
        "from calendar_svc.cli import main; main()"
    )
    return [sys.executable, "-c", code, "month", "2023-02"]


def startup(rounds: int, against: list[Path]) -> None:
    """Part 1: wall time of whole commands, interleaved.

    Each tree in ``against`` (another checkout of calendar_svc, e.g. the previous release)
    runs the same month listing from its sources, beside this one run the same way.
    """
    exe = shutil.which("calendar-svc") or str(Path(sys.executable).with_name("calendar-svc"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**os.environ, "XDG_DATA_HOME": str(root / "data"), "NO_COLOR": "1"}
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "calendar-svc month 2023-02": [exe, "month", "2023-02"],
            'calendar-svc month 2026-02 --scope "phường Cửa Ông"': [
                exe,
                "month",
                "2026-02",
                "--scope",
                "phường Cửa Ông",
            ],
        }
        if against:
            here = Path(__file__).resolve().parents[1]
            commands[f"month 2023-02 from {here}"] = _from_source(here, root)
            for source in against:
                commands[f"month 2023-02 from {source}"] = _from_source(source.resolve(), root)
        if shutil.which("khal"):
            commands["khal list (200 events)"] = khal_setup(root)
        for cmd in commands.values():  # create the database / khal cache, warm the disk cache
            _run(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            order = list(commands)
            random.shuffle(order)
            for name in order:
                times[name].append(_run(commands[name], env))
    base = statistics.median(times["python -c pass"])
    print(f"\n## Start-up ({rounds} interleaved rounds)\n")
    print("| command | median ms | p90 ms | × python -c pass |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        med = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"| {name} | {med * 1000:.1f} | {p90 * 1000:.1f} | {med / base:.2f} |")


def scale(sizes: list[int], repeats: int = 15) -> None:
    """Part 2: query and compute of one month at growing sizes."""
    from calendar_svc.store.open import open_store
    from calendar_svc.store.sqlite_reader import SqliteReader

    tree = load_scopes()
    print(f"\nregistry: {len(tree):,} scopes")
    print("\n## One month at scale (query + compute, in process)\n")
    print("| anniversaries | rows read | occurrences | median ms | p90 ms |")
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"bench-{n}.sqlite3"
            store = open_store(f"sqlite:///{path}")
            store.anniversaries.upsert(synthetic(n))
            reader = SqliteReader(path)
            query = ListingQuery(*month_range(2023, 2), scope="phường Cửa Ông")
            wanted = listed_scopes(reader.scope_index(), "commune:quang-ninh/cua-ong")
            rows_read = len(reader.anniversaries(months=[2], scopes=wanted))
            times = []
            found = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                # a fresh index each time, as each command run has: resolution by name,
                # heritage and the listing, all from the database
                found = list_occurrences(reader, reader.scope_index(), query)
                times.append(time.perf_counter() - t0)
            med = statistics.median(times) * 1000
            p90 = statistics.quantiles(times, n=10)[-1] * 1000
            count = store.anniversaries.count()
            print(f"| {count:,} | {rows_read:,} | {len(found):,} | {med:.1f} | {p90:.1f} |")


def resolution(repeats: int = 200) -> None:
    """Part 3: naming a scope and finding its heritage on the stdlib reader, in process."""
    from calendar_svc.store.open import open_store
    from calendar_svc.store.sqlite_reader import SqliteReader

    print("\n## Resolving a scope and its heritage (stdlib reader, in process)\n")
    print("| scope as typed | id | heritage | median ms |")
    print("|---|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        open_store(f"sqlite:///{path}").close()
        reader = SqliteReader(path)
        for text in ("commune:quang-ninh/cua-ong", "phường Cửa Ông", "06781", "city:cam-pha"):
            times = []
            ids: tuple[str, ...] = ()
            scope_id = ""
            for _ in range(repeats):
                t0 = time.perf_counter()
                index = reader.scope_index()
                scope_id = resolve(index, text)
                ids = listed_scopes(index, scope_id)
                times.append(time.perf_counter() - t0)
            med = statistics.median(times) * 1000
            print(f"| {text} | {scope_id} | {len(ids)} | {med:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--against",
        type=Path,
        action="append",
        default=[],
        metavar="SRC",
        help="also time month from this source tree (repeatable), e.g. a checkout of main",
    )
    args = parser.parse_args()
    version = sys.version.split()[0]
    print(f"date: {date.today().isoformat()}, python {version}, cores {os.cpu_count()}")
    startup(args.rounds, args.against)
    scale([int(s) for s in args.sizes.split(",")])
    resolution()


if __name__ == "__main__":
    main()
