"""Benchmark a feed for every scope: ``calendar-svc serve`` beside nginx on the same files.

Usage: python bench/bench_scopes.py [--duration 15] [--rounds 3] [--connections 64]
       [--urls 500] [--workers 1] [--against SRC]

1. A fresh data directory: the bundled dataset and scope registry (national, 34 provinces,
   3,321 communes and the units that ended on 30/06/2025), as a new installation has.
2. ``calendar-svc feeds build --all`` into a directory, timed: every feed (all, round,
   categories, one per scope) written to disk (the CLI renders in ``nproc`` processes).
3. ``calendar-svc serve --workers N`` and nginx (N workers, ``sendfile on``) serving the
   files of step 2, both on free loopback ports; the service's answers are checked byte
   for byte against the built files first.
4. ``wrk -t2 -cC --latency`` over a Lua mix of ``--urls`` different scope feed URLs (GET,
   200), against each server in turn, ``--rounds`` times alternating: median requests/s,
   the ratio to nginx, p99 latency, errors.
5. The service's resident memory (VmRSS, its worker processes included) after wrk, then
   after every feed has been requested once.

``--against SRC`` adds a third server to the same rounds: ``serve`` from the source tree
SRC (a checkout of an earlier commit, run with ``PYTHONPATH=SRC``) on a database of its own
(the same bundled data).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _support import (
    WrkResult,
    calendar_svc,
    clean_env,
    machine,
    rss_mib,
    run_wrk,
    start_nginx,
    start_serve,
    stop,
)


def get_all(port: int, paths: list[str]) -> dict[str, bytes]:
    """GET each path over one kept-alive connection; return the bodies (all must be 200)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    bodies = {}
    try:
        for path in paths:
            conn.request("GET", path)
            reply = conn.getresponse()
            bodies[path] = reply.read()
            assert reply.status == 200, (path, reply.status)
    finally:
        conn.close()
    return bodies


def mix_script(path: Path, urls: list[str]) -> Path:
    """Write wrk's Lua script cycling through ``urls``."""
    path.write_text(
        "local paths = {" + ",".join(f'"{u}"' for u in urls) + "}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  return wrk.format('GET', paths[(n % #paths) + 1])\n"
        "end\n",
        encoding="utf-8",
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1, help="service and nginx processes")
    parser.add_argument("--against", type=Path, help="also serve from this source tree")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    print(machine())
    print(f"date: {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")
    root = Path(tempfile.mkdtemp(prefix="bench-scopes-"))
    os.chmod(root, 0o755)
    env = clean_env(root)
    static = root / "static" / "feeds"
    svc = nginx = old = None
    try:
        calendar_svc(env, "db", "upgrade")
        started = time.perf_counter()
        calendar_svc(env, "feeds", "build", "--all", "--out", str(static))
        took = time.perf_counter() - started
        files = sorted(static.rglob("*.ics"))
        size = sum(f.stat().st_size for f in files)
        print(
            f"feeds build --all: {len(files)} files, {size / 2**20:,.0f} MiB, {took:.1f} s "
            f"({os.cpu_count()} processes)"
        )
        every = ["/feeds/" + f.relative_to(static).as_posix() for f in files]
        scopes = [u for u in every if u.count("/") > 2]  # nested: every scope but national
        mix = random.Random(5).sample(scopes, args.urls)
        svc, svc_port = start_serve(root, env, workers=args.workers)
        nginx, nginx_port = start_nginx(root, static, workers=args.workers)
        sample = [*mix[:20], "/feeds/national.ics", "/feeds/all.ics", "/feeds/round.ics"]
        for path, body in get_all(svc_port, sample).items():
            assert body == (static / path[len("/feeds/") :]).read_bytes(), path
        servers = {"service": svc_port, "nginx": nginx_port}
        if args.against is not None:
            # Its own data directory: an earlier tree may not read this schema revision.
            (root / "before").mkdir()
            old_env = {**clean_env(root / "before"), "PYTHONPATH": str(args.against.resolve())}
            old, servers["before"] = start_serve(root, old_env, workers=args.workers, log="old.log")
        script = mix_script(root / "mix.lua", mix)
        results: dict[str, list[WrkResult]] = {name: [] for name in servers}
        wrk = ["-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
        wrk += ["--timeout", "10s", "-s", str(script)]
        for _ in range(args.rounds):
            for name, port in servers.items():
                results[name].append(run_wrk([*wrk, f"http://127.0.0.1:{port}"]))
        mean_size = statistics.mean((static / u[len("/feeds/") :]).stat().st_size for u in mix)
        print(
            f"wrk -t2 -c{args.connections} -d{args.duration}s --latency, {args.urls} different "
            f"scope feeds (mean {mean_size / 1000:,.0f} KB), {args.rounds} rounds alternating, "
            f"{args.workers} process(es) each (median):"
        )
        median = {k: statistics.median(r.rps for r in v) for k, v in results.items()}
        for name, rounds in results.items():
            errors = sum(r.errors + r.non_2xx_3xx for r in rounds)
            print(
                f"  {name:8} {median[name]:8,.0f} req/s  p99 "
                f"{statistics.median(r.p99_ms for r in rounds):7.1f} ms  errors {errors}  "
                "rounds " + " / ".join(f"{r.rps:,.0f}" for r in rounds)
            )
        print(f"  ratio service/nginx: {median['service'] / median['nginx']:.2f}")
        if old is not None:
            print(f"  ratio before/nginx: {median['before'] / median['nginx']:.2f}")
            stop(old, 30)
            old = None
        before = rss_mib(svc.pid)
        started = time.perf_counter()
        get_all(svc_port, every)
        once = time.perf_counter() - started
        print(
            f"RSS of the service: {before:.0f} MiB after wrk; {rss_mib(svc.pid):.0f} MiB after "
            f"every one of the {len(every)} feeds requested once ({once:.1f} s, one client)"
        )
    finally:
        for proc in (svc, nginx, old):
            if proc is not None:
                stop(proc, 30)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
