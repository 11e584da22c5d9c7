"""Benchmark serving feeds: ``calendar-svc serve`` beside nginx, same files, same run.

Usage: python bench/bench_serve.py [--duration 10] [--rounds 3] [--connections 64]
       [--workers N] [--feeds province/quang-ninh,le-hoi] [--against SRC]

Starts ``calendar-svc serve`` (uvicorn) on a free loopback port with a temporary data
directory, writes the chosen feeds with ``calendar-svc feeds build``, then starts nginx
(Debian's ``nginx-light`` or ``nginx``) on another free loopback port serving those files.
For each feed it runs ``wrk`` (Debian package) against both, alternating, for plain GETs
(200) and for GETs with the server's own ETag in If-None-Match (304), and reports the
median requests/s, the ratio to nginx and every error wrk counts (socket errors and non-2xx/3xx
answers). ``--against SRC`` adds ``serve`` from the source tree SRC (an earlier commit's
checkout, run with ``PYTHONPATH=SRC``, on a database of its own with the same bundled data) to
the same rounds. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from _support import (
    WrkResult,
    calendar_svc,
    clean_env,
    http_get,
    machine,
    run_wrk,
    start_nginx,
    start_serve,
    stop,
)

from calendar_svc.feeds.publish import feed_path


def wrk(url: str, duration: int, connections: int, headers: dict[str, str]) -> WrkResult:
    cmd = ["-t2", f"-c{connections}", f"-d{duration}s", url]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    return run_wrk(cmd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn and nginx processes")
    parser.add_argument("--feeds", default="province/quang-ninh,le-hoi")
    parser.add_argument("--against", type=Path, help="also serve from this source tree")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    print(machine())
    root = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    os.chmod(root, 0o755)
    env = clean_env(root)
    app = nginx = old = None
    try:
        app, app_port = start_serve(root, env, workers=args.workers)
        feeds = root / "static" / "feeds"
        # The service writes no file: `feeds build` does, from the same database.
        calendar_svc(env, "feeds", "build", "--out", str(feeds), *args.feeds.split(","))
        nginx, nginx_port = start_nginx(root, feeds, workers=args.workers)
        servers = {"calendar-svc": app_port, "nginx": nginx_port}
        if args.against is not None:  # an earlier tree's serve, same database, same rounds
            # Its own data directory: an earlier tree may not read this schema revision.
            (root / "before").mkdir()
            old_env = {**clean_env(root / "before"), "PYTHONPATH": str(args.against.resolve())}
            old, servers["before"] = start_serve(root, old_env, workers=args.workers, log="old.log")
        extra = " before req/s | before ratio |" if old is not None else ""
        print(
            f"wrk -t2 -c{args.connections} -d{args.duration}s, median of {args.rounds} rounds, "
            f"{args.workers} process(es) each\n"
        )
        print(
            f"| feed | bytes | status | calendar-svc req/s | nginx req/s | ratio |{extra} errors |"
        )
        print(
            "| --- | ---: | --- | ---: | ---: | ---: |" + " ---: | ---: |" * bool(extra) + " --- |"
        )
        for name in args.feeds.split(","):
            path = f"/feeds/{name}.ics"
            size = feed_path(feeds, name).stat().st_size
            same = {s: http_get(p, path)[1] for s, p in servers.items()}
            assert same["calendar-svc"]["content-length"] == same["nginx"]["content-length"]
            for status in ("200", "304"):
                results: dict[str, list[WrkResult]] = {s: [] for s in servers}
                for _ in range(args.rounds):
                    for server, port in servers.items():
                        headers = {"If-None-Match": same[server]["etag"]} if status == "304" else {}
                        results[server].append(
                            wrk(
                                f"http://127.0.0.1:{port}{path}",
                                args.duration,
                                args.connections,
                                headers,
                            )
                        )
                med = {s: statistics.median(r.rps for r in rs) for s, rs in results.items()}
                errs = {s: sum(r.errors + r.non_2xx_3xx for r in rs) for s, rs in results.items()}
                svc, ngx = med["calendar-svc"], med["nginx"]
                before = f" {med['before']:,.0f} | {med['before'] / ngx:.2f} |" if extra else ""
                print(
                    f"| {name}.ics | {size:,} | {status} | {svc:,.0f} | {ngx:,.0f} | "
                    f"{svc / ngx:.2f} |{before} {errs['calendar-svc']} / {errs['nginx']} |"
                )
    finally:
        for proc in (app, nginx, old):
            if proc is not None:
                stop(proc, 20)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
