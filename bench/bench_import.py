"""Big imports: ``calendar-svc import`` of a large CSV, side by side with ``sqlite3 .import``.

Usage: python bench/bench_import.py [--rows 1000000] [--keep DIR] [--pg-url URL]

Writes a CSV of ``--rows`` valid anniversaries (the import format), the same ids with
every name changed, and that second file with its last row made invalid. Then, each in
a fresh process, with its contender runs interleaved (a ``sqlite3 .import`` before and
after each import, so that both meet the same load on a shared machine), measures wall
time, CPU time (user + system) and peak RSS (``ru_maxrss``) of:

1. ``calendar-svc import FILE`` into a new database (every row inserted);
2. ``calendar-svc import FILE2``: every row updated (the re-import);
3. ``calendar-svc import FILE2`` again: every row unchanged;
4. ``calendar-svc import FILE3``: its last row is wrong, so it must exit 1, name the
   line, and leave every stored row as it was (checked);
5. ``sqlite3 DB ".import --csv FILE anniversaries"`` into a table without checks, the
   floor for loading these bytes into SQLite (run 4 times, between the others).

With ``--pg-url`` (an empty PostgreSQL database), runs 1 and 2 on it too, interleaved
with ``psql -c "\\copy … FROM FILE CSV HEADER"`` into a table without checks.

Targets (issue 18): 1e6 rows imported in at most 60 s with a peak RSS of at most 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

COLUMNS = (
    "id", "name_vi", "name_en", "origin", "calendar", "leap_month", "category", "scope",
    "valid_from", "valid_to", "date_form", "duration_days", "source",
)  # fmt: skip


def write_csv(path: Path, rows: int, *, suffix: str, bad_last: bool = False) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for i in range(rows):
            origin = f"{1900 + i % 120}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            if bad_last and i == rows - 1:
                origin = "1930-02-30"
            writer.writerow(
                [
                    f"su-kien-{i}",
                    f"Ngày kỷ niệm số {i}{suffix}",
                    f"Anniversary number {i}{suffix}",
                    origin,
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


@dataclass(frozen=True)
class Run:
    label: str
    seconds: float
    cpu: float
    rss_mib: float
    code: int
    said: str


def measure(label: str, argv: list[str], env: dict[str, str]) -> Run:
    """Run ``argv`` under a fresh Python that reports the child's own time and peak RSS."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "s = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "sys.stderr.write((p.stdout + p.stderr).decode('utf-8', 'replace')[-400:])\n"
        "print(f'{s} {u.ru_utime + u.ru_stime} {u.ru_maxrss / 1024} {p.returncode}')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *argv], env=env, capture_output=True, text=True
    )
    seconds, cpu, rss, code = proc.stdout.split()
    run = Run(label, float(seconds), float(cpu), float(rss), int(code), proc.stderr.strip())
    print(f"  {label}: {run.seconds:.1f} s, exit {run.code}", file=sys.stderr, flush=True)
    return run


def sqlite_floor(work: Path, csv_file: Path, n: int, env: dict[str, str]) -> Run:
    db = work / f"plain-{n}.sqlite3"
    run = measure(
        "`sqlite3 .import` (no checks)",
        ["sqlite3", str(db), f".import --csv {csv_file} anniversaries"],
        env,
    )
    db.unlink()
    return run


def pg_floor(url: str, csv_file: Path, env: dict[str, str]) -> Run:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    cols = ", ".join(f"{c} text" for c in COLUMNS)
    subprocess.run(
        [
            "psql",
            plain,
            "-qc",
            f"DROP TABLE IF EXISTS plain_import; CREATE TABLE plain_import ({cols})",
        ],
        check=True,
        env=env,
    )
    return measure(
        "`psql \\copy` (no checks)",
        ["psql", plain, "-qc", f"\\copy plain_import FROM '{csv_file}' CSV HEADER"],
        env,
    )


def stored(db: Path, ident: str) -> tuple[int, str, str]:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM anniversaries").fetchone()
        name, revised = conn.execute(
            "SELECT name_vi, revised_at FROM anniversaries WHERE id = ?", (ident,)
        ).fetchone()
    return int(count), str(name), str(revised)


def table(runs: list[Run], rows: int) -> None:
    print("| run | wall s | CPU s | rows/s (wall) | peak RSS (MiB) | exit |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in runs:
        print(
            f"| {r.label} | {r.seconds:.1f} | {r.cpu:.1f} | {rows / r.seconds:,.0f} "
            f"| {r.rss_mib:.0f} | {r.code} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--pg-url", default="", help="an empty PostgreSQL database")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    first, second, bad = work / "rows.csv", work / "rows-changed.csv", work / "rows-bad.csv"
    write_csv(first, args.rows, suffix="")
    write_csv(second, args.rows, suffix=" (sửa)")
    write_csv(bad, args.rows, suffix=" (hỏng)", bad_last=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_SVC_")}
    env.update(XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"))
    shutil.rmtree(work / "data", ignore_errors=True)
    command = shutil.which("calendar-svc") or str(Path(sys.executable).parent / "calendar-svc")
    db = work / "data" / "calendar-svc" / "calendar.sqlite3"

    def ours(what: str, csv_file: Path, run_env: dict[str, str]) -> Run:
        return measure(f"`calendar-svc import`{what}", [command, "import", str(csv_file)], run_env)

    floors = [sqlite_floor(work, first, 1, env)]
    runs = [ours(": insert (new database)", first, env)]
    floors.append(sqlite_floor(work, first, 2, env))
    runs.append(ours(": re-import, every row changed", second, env))
    floors.append(sqlite_floor(work, first, 3, env))
    runs.append(ours(": re-import, no row changed", second, env))
    before = stored(db, "su-kien-0")
    runs.append(ours(": last row wrong (exit 1 expected)", bad, env))
    after = stored(db, "su-kien-0")
    floors.append(sqlite_floor(work, first, 4, env))

    size = first.stat().st_size / 1024 / 1024
    machine = platform.processor() or platform.machine()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}  nproc={os.cpu_count()}  {machine}  "
        f"Python {platform.python_version()}  SQLite {sqlite3.sqlite_version}  "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{args.rows:,} rows, {size:.0f} MiB of CSV\n")
    print("SQLite:\n")
    table([*runs, *floors], args.rows)
    floor = statistics.mean(r.seconds for r in floors)
    floor_cpu = statistics.mean(r.cpu for r in floors)
    print(
        f"\nratio to the mean `sqlite3 .import` (wall / CPU): "
        f"{runs[0].seconds / floor:.1f}x / {runs[0].cpu / floor_cpu:.1f}x (insert), "
        f"{runs[1].seconds / floor:.1f}x / {runs[1].cpu / floor_cpu:.1f}x (re-import)"
    )
    said = runs[3].said.splitlines()
    print(f"\nlast row wrong: exit {runs[3].code}, said: {said[-1] if said else ''}")
    print(
        f"stored before and after it: {before} / {after}: "
        f"{'same' if before == after else 'CHANGED'}"
    )
    ok = [r.code for r in runs] == [0, 0, 0, 1] and before == after
    ok = ok and all(r.code == 0 for r in floors) and f":{args.rows + 1}:" in runs[3].said

    if args.pg_url:
        pg_env = {**env, "CALENDAR_SVC_DATABASE_URL": args.pg_url}
        pg_floors = [pg_floor(args.pg_url, first, env)]
        pg_runs = [ours(" (PostgreSQL): insert", first, pg_env)]
        pg_floors.append(pg_floor(args.pg_url, first, env))
        pg_runs.append(ours(" (PostgreSQL): re-import, every row changed", second, pg_env))
        pg_floors.append(pg_floor(args.pg_url, first, env))
        print("\nPostgreSQL:\n")
        table([*pg_runs, *pg_floors], args.rows)
        pg_floor_s = statistics.mean(r.seconds for r in pg_floors)
        print(
            f"\nratio to the mean `psql \\copy` (wall): {pg_runs[0].seconds / pg_floor_s:.1f}x "
            f"(insert), {pg_runs[1].seconds / pg_floor_s:.1f}x (re-import)"
        )
        ok = ok and all(r.code == 0 for r in [*pg_runs, *pg_floors])

    for r in runs[:3]:
        if r.code != 0:
            print(f"\n{r.label}: {r.said}")
    if args.keep is None:
        shutil.rmtree(work)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
