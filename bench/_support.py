"""What the bench scripts share: free ports, the machine line, HTTP probes and waits,
an SMTP sink that records Message-IDs, wrk's summary, and ``calendar-svc serve`` and
nginx started side by side on loopback.

The scripts run as ``python bench/bench_x.py``, so this module is importable by name.
"""

from __future__ import annotations

import http.client
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def machine() -> str:
    """Return the line that heads every result: date, CPUs, CPU model, Python."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{date.today()}  nproc={os.cpu_count()}  CPU={cpu}  Python {platform.python_version()}"


def http_get(port: int, path: str, timeout: float = 10) -> tuple[int, dict[str, str]]:
    """GET ``path`` on 127.0.0.1:``port``; return the status and lower-cased headers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def status_of(port: int, path: str) -> int | None:
    """Return the status of a GET, or None when nothing answers."""
    try:
        return http_get(port, path, timeout=5)[0]
    except OSError:
        return None


def wait_until(
    what: str,
    condition: Callable[[], bool],
    timeout: float,
    *,
    proc: subprocess.Popen[Any] | None = None,
) -> float:
    """Wait until ``condition()``; return the seconds it took.

    Exits the script on timeout, or when ``proc`` (the process waited for) ends first.
    """
    start = time.monotonic()
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the process exited while waiting for: {what}")
        if time.monotonic() - start > timeout:
            raise SystemExit(f"timed out after {timeout:.0f} s waiting for: {what}")
        time.sleep(0.1)
    return time.monotonic() - start


def wait_ok(
    port: int, path: str, timeout: float = 60, *, proc: subprocess.Popen[Any] | None = None
) -> float:
    """Wait until ``path`` answers 200."""
    return wait_until(
        f"200 on 127.0.0.1:{port}{path}", lambda: status_of(port, path) == 200, timeout, proc=proc
    )


class Recorder:
    """aiosmtpd handler keeping every accepted Message-ID, in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = bytes(envelope.original_content or envelope.content)
        start = data.find(b"\nMessage-ID: ") + 13
        with self.lock:
            self.ids.append(data[start : data.find(b"\r", start)].decode("ascii"))
        return "250 2.0.0 OK"

    def snapshot(self) -> list[str]:
        with self.lock:
            return list(self.ids)


@contextmanager
def smtp_sink() -> Iterator[tuple[Recorder, int]]:
    """Run an SMTP server on a free port that accepts and records everything."""
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@dataclass(frozen=True)
class WrkResult:
    """wrk's summary: requests per second, requests, socket errors, non-2xx/3xx answers,
    and the 99th percentile latency in ms (NaN without ``--latency``)."""

    rps: float
    requests: int
    errors: int
    non_2xx_3xx: int
    output: str
    p99_ms: float = float("nan")


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(args: list[str]) -> WrkResult:
    """Run ``wrk`` with ``args`` and read its summary."""
    out = subprocess.run(["wrk", *args], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    total = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    return WrkResult(
        rps, total, errors, int(bad[1]) if bad else 0, out, _ms(p99[1]) if p99 else float("nan")
    )


def rss_mib(pid: int) -> float:
    """Return the resident memory (VmRSS) of a process and of its children, in MiB."""
    total = 0
    for one in (pid, *_children(pid)):
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def clean_env(root: Path) -> dict[str, str]:
    """Return an environment whose calendar-svc data and configuration live under ``root``
    (a fresh SQLite database seeded with the bundled dataset on first use)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_SVC_")}
    env.update(XDG_DATA_HOME=str(root / "data"), XDG_CONFIG_HOME=str(root / "config"))
    return env


def calendar_svc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m calendar_svc ARGS`` in ``env``; fail on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "calendar_svc", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_serve(
    root: Path, env: dict[str, str], *, workers: int = 1, log: str = "serve.log"
) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``calendar-svc serve --no-access-log`` on a free loopback port; wait until
    it answers; return the process and the port (its log is ``root/LOG``)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "calendar_svc", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--no-access-log"],
        env=env, stdout=(root / log).open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_ok(port, "/feeds/round.ics", timeout=300, proc=proc)
    except BaseException:  # never leave a server behind that the caller cannot stop
        stop(proc, 20)
        raise
    return proc, port


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


def start_nginx(
    root: Path, feeds: Path, *, workers: int = 1
) -> tuple[subprocess.Popen[bytes], int]:
    """Start nginx (``sendfile on``, access log off) serving ``feeds`` at ``/feeds/`` on a
    free loopback port; return the process and the port once it answers."""
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx_bin).exists():
        raise SystemExit("nginx is missing: apt-get install -y nginx-light")
    part = feeds
    while part != part.parent:  # nginx's workers must reach the files
        if part == root.parent:
            break
        os.chmod(part, os.stat(part).st_mode | 0o755)
        part = part.parent
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    conf = root / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(workers=workers, user=user, root=root, port=port, feeds=feeds)
    )
    proc = subprocess.Popen(
        [nginx_bin, "-c", str(conf), "-p", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    probe = next(p for p in feeds.rglob("*.ics"))
    wait_ok(port, "/feeds/" + probe.relative_to(feeds).as_posix(), proc=proc)
    return proc, port


def stop(proc: subprocess.Popen[Any], timeout: float = 60) -> None:
    """Stop a process gracefully (SIGTERM), killing it if it does not end in ``timeout``."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


_COUNTING_SINK = r"""
import asyncio, signal, sys
from aiosmtpd.controller import Controller
class Sink:
    count = 0
    ids = set()
    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        start = data.find(b"\nMessage-ID: ")
        Sink.ids.add(data[start + 13 : data.find(b"\r", start + 13)])
        Sink.count += 1
        return "250 OK"
def report():
    print(f"{Sink.count} {len(Sink.ids)}", flush=True)
    Sink.count = 0
    Sink.ids = set()
# Block the signals before the server thread starts (it inherits the mask), so that
# sigwait below receives them whichever thread the kernel picks.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGTERM})
controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
while signal.sigwait({signal.SIGUSR1, signal.SIGTERM}) == signal.SIGUSR1:
    report()
controller.stop()
"""


class CountingSink:
    """An aiosmtpd sink in a process of its own (so it takes no CPU from the measured one);
    it counts messages and distinct Message-IDs."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _COUNTING_SINK, str(self.port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"

    def counts(self) -> tuple[int, int]:
        """Return (messages, distinct Message-IDs) received since the last call."""
        assert self.proc.stdout is not None
        self.proc.send_signal(signal.SIGUSR1)
        total, distinct = self.proc.stdout.readline().split()
        return int(total), int(distinct)

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
