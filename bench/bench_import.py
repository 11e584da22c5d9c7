"""Big imports: ``calendar-svc import`` of a large CSV, side by side with ``sqlite3 .import``.

Usage: python bench/bench_import.py [--rows 1000000] [--keep DIR]

Writes a CSV of ``--rows`` valid anniversaries (the import format), then, each in a fresh
process with its own data directory, measures wall time and peak RSS (``ru_maxrss`` of the
child) of:

1. ``calendar-svc import FILE`` into a new database (every row inserted);
2. ``calendar-svc import FILE2`` of the same ids with every name changed (every row
   updated: the re-import case);
3. ``sqlite3 DB ".import --csv FILE anniversaries"`` of the same file into a table without
   checks, the floor for loading these bytes into SQLite.

Targets (issue 18): 1e6 rows imported in at most 60 s with a peak RSS of at most 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = (
    "id", "name_vi", "name_en", "origin", "calendar", "leap_month", "category", "scope",
    "valid_from", "valid_to", "date_form", "duration_days", "source",
)  # fmt: skip


def write_csv(path: Path, rows: int, *, suffix: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for i in range(rows):
            writer.writerow(
                [
                    f"su-kien-{i}",
                    f"Ngày kỷ niệm số {i}{suffix}",
                    f"Anniversary number {i}{suffix}",
                    f"{1900 + i % 120}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "solar",
                    "",
                    "su-kien-lich-su",
                    "national",
                    "",
                    "",
                    "",
                    "",
                    f"https://example.org/van-ban/{i}",
                ]
            )


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Run ``argv`` under a fresh Python that reports the child's own peak RSS."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "s = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "sys.stderr.write((p.stdout + p.stderr).decode('utf-8', 'replace')[-400:])\n"
        "print(f'{s} {r} {p.returncode}')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *argv], env=env, capture_output=True, text=True
    )
    seconds, rss, code = proc.stdout.split()
    return float(seconds), float(rss), int(code), proc.stderr.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    first, second = work / "rows.csv", work / "rows-changed.csv"
    write_csv(first, args.rows, suffix="")
    write_csv(second, args.rows, suffix=" (sửa)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_SVC_")}
    env.update(XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"))
    command = shutil.which("calendar-svc") or str(Path(sys.executable).parent / "calendar-svc")
    results = []
    for label, csv_file in (
        ("insert (new database)", first),
        ("re-import, every row changed", second),
    ):
        seconds, rss, code, said = measure([command, "import", str(csv_file)], env)
        results.append((f"`calendar-svc import`: {label}", seconds, rss, code, said))
    sqlite_db = work / "plain.sqlite3"
    seconds, rss, code, said = measure(
        ["sqlite3", str(sqlite_db), f".import --csv {first} anniversaries"], env
    )
    results.append(("`sqlite3 .import` (no checks)", seconds, rss, code, said))
    size = first.stat().st_size / 1024 / 1024
    machine = platform.processor() or platform.machine()
    print(
        f"{time.strftime('%Y-%m-%d')}  nproc={os.cpu_count()}  {machine}  "
        f"Python {platform.python_version()}"
    )
    print(f"{args.rows:,} rows, {size:.0f} MiB of CSV\n")
    print("| run | seconds | rows/s | peak RSS (MiB) | exit |")
    print("|---|---:|---:|---:|---:|")
    for label, seconds, rss, code, _ in results:
        print(f"| {label} | {seconds:.1f} | {args.rows / seconds:,.0f} | {rss:.0f} | {code} |")
    for label, _, _, code, said in results:
        if code != 0:
            print(f"\n{label}: {said}")
    base = results[-1][1]
    print(
        f"\nratio to sqlite3 .import: {results[0][1] / base:.1f}x (insert), "
        f"{results[1][1] / base:.1f}x (re-import)"
    )
    if args.keep is None:
        shutil.rmtree(work)
    return 0 if all(r[3] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
