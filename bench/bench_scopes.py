"""Benchmark a feed for every scope: the service beside nginx on the same files, one run.

Usage: python bench/bench_scopes.py [--duration 20] [--rounds 3] [--connections 64]
       [--urls 500] [--cache-mib 64]

The scope tree is the bundled registry when it holds at least 3,000 scopes; otherwise a
synthetic one of the country's shape (national → 34 provinces → 3,321 communes, the
bundled scopes included), said so in the output. The data is the bundled dataset plus,
with the synthetic tree, three local anniversaries per province and one per commune, so
that every commune's feed differs.

1. ``build``: ``build_and_publish`` of every feed (all, round, categories, one per scope)
   to a temporary directory, as ``calendar-svc feeds build --all`` does, timed.
2. The service (``create_app`` on uvicorn with the httptools protocol ``serve`` uses, one
   process) and nginx (one worker, ``sendfile``) on free loopback ports; nginx serves the
   files of step 1.
3. ``wrk -t2 -c64 --latency`` over a Lua mix of ``--urls`` different scope feed URLs (GET,
   200), against each server in turn, ``--rounds`` times: median requests/s, the ratio to
   nginx, p99 latency, errors.
4. Every scope's feed requested once from the service, then its resident memory (VmRSS
   of the process, from /proc).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from calendar_svc.catalog import DATASET_REVISION, load_bundled, load_scopes
from calendar_svc.core.model import Anniversary, Origin
from calendar_svc.core.scopes import Scope, ScopeTree
from calendar_svc.feeds.definitions import FeedCatalog, feed_definitions, feed_window
from calendar_svc.feeds.publish import FeedOptions, build_and_publish, feed_path
from calendar_svc.store.memory import MemoryReader

PROVINCES = 34
COMMUNES = 3321
TODAY = date(2026, 12, 1)
UID_DOMAIN = "3f9c0a1b2d4e.calendar-svc"

NGINX_CONF = """
worker_processes 1;
daemon off;
{user}
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    types {{ text/calendar ics; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/calendar;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /feeds/ {{ root {root}/static; }}
    }}
}}
"""


def country() -> tuple[ScopeTree, list[Anniversary], bool]:
    """Return the scope tree, the data, and whether the tree is synthetic."""
    bundled_scopes = load_scopes()
    anniversaries = load_bundled()
    if len(bundled_scopes.ids()) >= 3000:
        return bundled_scopes, anniversaries, False
    scopes = [bundled_scopes[s] for s in bundled_scopes.ids()]
    rng = random.Random(12)
    provinces = [f"province:tinh-{n:02d}" for n in range(1, PROVINCES)]  # + Quảng Ninh
    for n, pid in enumerate(provinces, 1):
        scopes.append(Scope(pid, "national", f"Tỉnh số {n}", f"Province {n}"))
    parents = [*provinces, "province:quang-ninh"]
    # Cẩm Phả and Hạ Long stand for two of the communes.
    for n in range(COMMUNES - 2):
        parent = parents[n % len(parents)]
        slug = parent.split(":", 1)[1]
        # Ids as the model takes them today (kind:slug); the registry nests them with '/'.
        scopes.append(Scope(f"commune:{slug}-xa-{n:04d}", parent, f"Xã số {n}", f"Commune {n}"))
    tree = ScopeTree(scopes)
    extra = []
    local = [s for s in tree.ids() if s != "national"]
    for scope in local:
        for k in range(3 if scope.startswith("province:") else 1):
            extra.append(
                Anniversary(
                    id=f"dp-{scope.replace(':', '-').replace('/', '-')}-{k}",
                    name_vi=f"Ngày truyền thống của đơn vị {k} ({tree[scope].name_vi})",
                    name_en=f"Local day {k}",
                    origin=Origin(rng.randint(1930, 2015), rng.randint(1, 12), rng.randint(1, 28)),
                    category="dia-phuong",
                    scope=scope,
                    source="Dữ liệu thử của bench",
                )
            )
    return tree, anniversaries + extra, True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer")
        time.sleep(0.2)


def serve(port: int, cache_mib: int) -> None:
    """Run the service on ``port`` over the country's data (the child process)."""
    import uvicorn

    from calendar_svc.config import Settings
    from calendar_svc.web import create_app, feedservice
    from calendar_svc.web.protocol import LimitedHttpToolsProtocol

    tree, anniversaries, _ = country()
    reader = MemoryReader(anniversaries, DATASET_REVISION)
    feedservice.CACHE_BYTES = cache_mib * 1024 * 1024
    settings = Settings(web_base_url="https://lich.example.vn")
    original = feedservice.FeedService.__init__

    def init(self: feedservice.FeedService, *args: object, **kwargs: object) -> None:
        kwargs["resolve_uid_domain"] = lambda _reader: UID_DOMAIN
        kwargs["cache_bytes"] = cache_mib * 1024 * 1024
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    feedservice.FeedService.__init__ = init  # type: ignore[method-assign]
    app = create_app(settings, scopes=tree, open_reader=lambda: reader)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        http=LimitedHttpToolsProtocol,
    )


@dataclass(frozen=True)
class Round:
    rps: float
    p99_ms: float
    errors: int


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(port: int, script: Path, duration: int, connections: int) -> Round:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
         "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"99%\s+(\S+)", out)[1])  # type: ignore[index]
    errors = 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors[1]))
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non[1]) if non else 0
    return Round(rps, p99, errors)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--cache-mib", type=int, default=144)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.cache_mib)
        return
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is missing: apt-get install -y {tool}")
    tree, anniversaries, synthetic = country()
    scope_names = [FeedCatalog(tree).canonical(s) or s for s in tree.ids()]
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    kind = "synthetic tree of the country" if synthetic else "registry"
    print(f"scopes: {len(scope_names)} ({kind}), anniversaries: {len(anniversaries)}")
    with tempfile.TemporaryDirectory(prefix="bench-scopes-") as tmp:
        root = Path(tmp)
        static = root / "static" / "feeds"
        window = feed_window(TODAY, 1, 5)
        specs = feed_definitions(tree)
        reader = MemoryReader(anniversaries, DATASET_REVISION)
        options = FeedOptions(uid_domain=UID_DOMAIN)
        started = time.perf_counter()
        report = build_and_publish(
            reader, specs, window, static, options, workers=os.cpu_count() or 1
        )
        took = time.perf_counter() - started
        size = sum(f.size for f in report.feeds)
        print(
            f"build to disk: {len(report.feeds)} feeds, {size / 2**20:.0f} MiB, {took:.1f} s "
            f"({len(report.feeds) / took:.0f} feeds/s)"
        )
        rng = random.Random(5)
        chosen = rng.sample([n for n in scope_names if n != "national"], args.urls)
        paths = [f"/feeds/{name}.ics" for name in chosen]
        assert all(feed_path(static, n).exists() for n in chosen)
        script = root / "mix.lua"
        script.write_text(
            "local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
            "local n = 0\n"
            "request = function()\n"
            "  n = n + 1\n"
            "  return wrk.format('GET', paths[(n % #paths) + 1])\n"
            "end\n",
            encoding="utf-8",
        )
        svc_port, nginx_port = free_port(), free_port()
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (root / sub).mkdir()
        user = "user root;" if os.geteuid() == 0 else ""
        (root / "nginx.conf").write_text(
            NGINX_CONF.format(root=root, port=nginx_port, user=user), encoding="utf-8"
        )
        nginx = subprocess.Popen(
            ["nginx", "-c", str(root / "nginx.conf"), "-p", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        svc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(svc_port),
             "--cache-mib", str(args.cache_mib)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(f"http://127.0.0.1:{nginx_port}{paths[0]}")
            wait_for(f"http://127.0.0.1:{svc_port}{paths[0]}")
            for path in paths[:3]:
                with urllib.request.urlopen(f"http://127.0.0.1:{svc_port}{path}") as a:
                    served = a.read()
                assert served == (static / path[len("/feeds/") :]).read_bytes(), path
            results: dict[str, list[Round]] = {"service": [], "nginx": []}
            for _ in range(args.rounds):
                for name, port in (("service", svc_port), ("nginx", nginx_port)):
                    results[name].append(run_wrk(port, script, args.duration, args.connections))
            print(
                f"wrk -t2 -c{args.connections} -d{args.duration}s --latency, {args.urls} "
                f"different scope feeds, {args.rounds} rounds alternating (median):"
            )
            median = {k: statistics.median(r.rps for r in v) for k, v in results.items()}
            for name, rounds in results.items():
                print(
                    f"  {name:8} {median[name]:8.0f} req/s  p99 "
                    f"{statistics.median(r.p99_ms for r in rounds):7.1f} ms  errors "
                    f"{sum(r.errors for r in rounds)}  rounds "
                    + ", ".join(f"{r.rps:.0f}" for r in rounds)
                )
            print(f"  ratio service/nginx: {median['service'] / median['nginx']:.2f}")
            before = rss_mib(svc.pid)
            started = time.perf_counter()
            for name in scope_names:
                with urllib.request.urlopen(f"http://127.0.0.1:{svc_port}/feeds/{name}.ics") as r:
                    assert r.status == 200 and r.read(15) == b"BEGIN:VCALENDAR"
            once = time.perf_counter() - started
            print(
                f"RSS of the service: {before:.0f} MiB after wrk; {rss_mib(svc.pid):.0f} MiB after "
                f"every one of the {len(scope_names)} scope feeds requested once "
                f"({once:.1f} s, one client), cache {args.cache_mib} MiB"
            )
        finally:
            for proc in (svc, nginx):
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    main()
