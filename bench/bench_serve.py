"""Benchmark serving feeds: ``calendar-svc serve`` beside nginx, same files, same run.

Usage: python bench/bench_serve.py [--duration 10] [--rounds 3] [--connections 64]
       [--workers N] [--feeds cam-pha,le-hoi]

Starts ``calendar-svc serve`` (uvicorn) on a free loopback port with a temporary data
directory, which builds and publishes the feeds; then nginx (Debian's ``nginx-light`` or
``nginx``) on another free loopback port serving that same feeds directory. For each feed
it runs ``wrk`` (Debian package) against both, alternating, for plain GETs (200) and for
GETs with the server's own ETag in If-None-Match (304), and reports the median
requests/s, the ratio to nginx and every error wrk counts (socket errors and non-2xx/3xx
answers). Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

NGINX_CONF = """
worker_processes {workers};
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
        location /feeds/ {{ alias {feeds}/; }}
    }}
}}
"""


@dataclass(frozen=True)
class WrkResult:
    rps: float
    requests: int
    errors: int
    non_2xx_3xx: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing answered 200 on 127.0.0.1:{port}{path}")


def head(port: int, path: str) -> dict[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return {k.lower(): v for k, v in response.getheaders()}


def wrk(url: str, duration: int, connections: int, headers: dict[str, str]) -> WrkResult:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", url]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    total = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(rps, total, errors, int(bad[1]) if bad else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn and nginx processes")
    parser.add_argument("--feeds", default="cam-pha,le-hoi")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(
                f"{tool} is missing: apt-get install -y {tool if tool == 'wrk' else 'nginx-light'}"
            )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(f"{date.today()}  nproc={os.cpu_count()}  CPU={cpu}  Python {platform.python_version()}")
    root = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    os.chmod(root, 0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_SVC_")}
    env.update(XDG_DATA_HOME=str(root / "data"), XDG_CONFIG_HOME=str(root / "config"))
    app_port, nginx_port = free_port(), free_port()
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "calendar_svc",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(app_port),
            "--workers",
            str(args.workers),
            "--no-access-log",
        ],
        env=env,
        stdout=(root / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    nginx = None
    try:
        wait_for(app_port, "/feeds/all.ics")
        feeds = root / "data" / "calendar-svc" / "feeds"
        for part in (root / "data", root / "data" / "calendar-svc", feeds):
            os.chmod(part, 0o755)
        conf = root / "nginx.conf"
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(
            NGINX_CONF.format(
                workers=args.workers, user=user, root=root, port=nginx_port, feeds=feeds
            )
        )
        nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
        nginx = subprocess.Popen(
            [nginx_bin, "-c", str(conf), "-p", str(root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for(nginx_port, "/feeds/all.ics")
        servers = {"calendar-svc": app_port, "nginx": nginx_port}
        print(
            f"wrk -t2 -c{args.connections} -d{args.duration}s, median of {args.rounds} rounds, "
            f"{args.workers} process(es) each\n"
        )
        print("| feed | bytes | status | calendar-svc req/s | nginx req/s | ratio | errors |")
        print("| --- | ---: | --- | ---: | ---: | ---: | --- |")
        for name in args.feeds.split(","):
            path = f"/feeds/{name}.ics"
            size = (feeds / f"{name}.ics").stat().st_size
            same = {s: head(p, path) for s, p in servers.items()}
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
                print(
                    f"| {name}.ics | {size:,} | {status} | {svc:,.0f} | {ngx:,.0f} | "
                    f"{svc / ngx:.2f} | {errs['calendar-svc']} / {errs['nginx']} |"
                )
    finally:
        for proc in (app, nginx):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM if proc is app else signal.SIGQUIT)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
