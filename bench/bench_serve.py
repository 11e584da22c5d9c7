"""Benchmark serving feeds: ``calendar-svc serve`` beside nginx, same files, same run.

Usage: python bench/bench_serve.py [--duration 10] [--rounds 3] [--connections 64]
       [--workers N] [--feeds province/quang-ninh,le-hoi]

Starts ``calendar-svc serve`` (uvicorn) on a free loopback port with a temporary data
directory, writes the chosen feeds with ``calendar-svc feeds build``, then starts nginx
(Debian's ``nginx-light`` or ``nginx``) on another free loopback port serving those files.
For each feed it runs ``wrk`` (Debian package) against both, alternating, for plain GETs
(200) and for GETs with the server's own ETag in If-None-Match (304), and reports the
median requests/s, the ratio to nginx and every error wrk counts (socket errors and non-2xx/3xx
answers). Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _support import WrkResult, free_port, http_get, machine, run_wrk, stop, wait_ok

from calendar_svc.feeds.publish import feed_path

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
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(
                f"{tool} is missing: apt-get install -y {tool if tool == 'wrk' else 'nginx-light'}"
            )
    print(machine())
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
        wait_ok(app_port, "/feeds/all.ics", proc=app)
        feeds = root / "data" / "calendar-svc" / "feeds"
        # The service writes no file: `feeds build` does, from the same database.
        names = args.feeds.split(",")
        subprocess.run(
            [sys.executable, "-m", "calendar_svc", "feeds", "build", "--out", str(feeds), *names],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
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
        wait_ok(nginx_port, "/feeds/all.ics", proc=nginx)
        servers = {"calendar-svc": app_port, "nginx": nginx_port}
        print(
            f"wrk -t2 -c{args.connections} -d{args.duration}s, median of {args.rounds} rounds, "
            f"{args.workers} process(es) each\n"
        )
        print("| feed | bytes | status | calendar-svc req/s | nginx req/s | ratio | errors |")
        print("| --- | ---: | --- | ---: | ---: | ---: | --- |")
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
                print(
                    f"| {name}.ics | {size:,} | {status} | {svc:,.0f} | {ngx:,.0f} | "
                    f"{svc / ngx:.2f} | {errs['calendar-svc']} / {errs['nginx']} |"
                )
    finally:
        stop(app, 20)
        if nginx is not None:
            stop(nginx, 20)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
