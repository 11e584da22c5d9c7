"""Benchmark the subscribe form's answer time for known and unknown addresses, interleaved.

Usage: python bench/bench_subscribe.py [--requests 150]

Starts ``calendar-svc serve`` on a free loopback port with a temporary SQLite database
holding an open organisation, ``--requests`` subscribers of it and as many of another
organisation, and an SMTP sink on another free port. Then posts the form (with the CSRF
token a browser gets) in rounds of three, in turn for an address never seen, a member of
another organisation and a subscriber already: each request from its own client address
(``X-Forwarded-For``) and with its own address, so no rate limit is reached. Reports, for
each kind, the median and 90th percentile of the answer time, the ratio of each median to
the unknown address's, and whether every answer had the same status and bytes. The
confirmation mails go out after the answers, so the times should not tell the kinds apart.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from _support import free_port, machine, smtp_sink, stop, wait_ok

from calendar_svc.core.recipients import Organisation, SubscribePolicy, Subscriber
from calendar_svc.store.open import open_store

KINDS = ("unknown", "member elsewhere", "subscribed")


def post(port: int, fields: dict[str, str], cookie: str, client: str) -> tuple[float, int, bytes]:
    body = urlencode(fields).encode("ascii")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "X-Forwarded-For": client,
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        start = time.perf_counter()
        conn.request("POST", "/subscribe", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        return elapsed, response.status, data
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=150, help="requests of each kind")
    args = parser.parse_args()
    n = args.requests
    with tempfile.TemporaryDirectory() as tmp, smtp_sink() as (recorder, smtp_port):
        home = Path(tmp)
        database = home / "calendar.sqlite3"
        url = f"sqlite:///{database}"
        store = open_store(url)
        people = store.organisations
        people.add_organisation(
            Organisation(
                "open", "Tổ chức mở", "province:quang-ninh", subscribe=SubscribePolicy.OPEN
            )
        )
        people.add_organisation(Organisation("other", "Tổ chức khác", "national"))
        for i in range(n):
            people.add_subscriber(Subscriber(f"sub{i}@example.org", "S", organisation="open"))
            people.add_subscriber(
                Subscriber(f"elsewhere{i}@example.org", "E", organisation="other")
            )
        store.close()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_SVC_")}
        env.update(
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            CALENDAR_SVC_DATABASE_URL=url,
            CALENDAR_SVC_WEB_BASE_URL="https://lich.example.vn",
            CALENDAR_SVC_SMTP_HOST="127.0.0.1",
            CALENDAR_SVC_SMTP_PORT=str(smtp_port),
        )
        argv = [sys.executable, "-m", "calendar_svc", "serve", "--port", str(port)]
        argv.append("--no-access-log")
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ok(port, "/healthz", proc=proc)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/subscribe")
            response = conn.getresponse()
            page = response.read().decode()
            cookie = (response.getheader("set-cookie") or "").split(";", 1)[0]
            conn.close()
            match = re.search(r'name="csrf_token" value="([^"]+)"', page)
            if match is None:
                raise SystemExit("the form carries no CSRF token")
            token = match[1]
            times: dict[str, list[float]] = {kind: [] for kind in KINDS}
            answers: set[tuple[int, bytes]] = set()
            for i in range(n):
                addresses = (
                    f"new{i}@example.org",
                    f"elsewhere{i}@example.org",
                    f"sub{i}@example.org",
                )
                for j, (kind, address) in enumerate(zip(KINDS, addresses, strict=True)):
                    fields = {"csrf_token": token, "organisation": "open", "email": address}
                    client = f"10.{j}.{i // 250}.{i % 250 + 1}"
                    elapsed, status, body = post(port, fields, cookie, client)
                    times[kind].append(elapsed)
                    answers.add((status, body))
            deadline = time.monotonic() + 60
            while len(recorder.snapshot()) < 3 * n and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop(proc)
    print(machine())
    print(f"{n} requests of each kind, interleaved; answer time in ms")
    base = statistics.median(times["unknown"])
    print(f"{'kind':<18} {'median':>8} {'p90':>8} {'ratio':>7}")
    for kind in KINDS:
        values = sorted(times[kind])
        median = statistics.median(values)
        p90 = values[int(0.9 * (len(values) - 1))]
        print(f"{kind:<18} {median * 1000:8.2f} {p90 * 1000:8.2f} {median / base:7.2f}")
    statuses = sorted({status for status, _ in answers})
    print(f"distinct answers (status, bytes): {len(answers)}; statuses {statuses}")
    print(f"confirmation mails accepted by the SMTP sink: {len(recorder.snapshot())} of {3 * n}")


if __name__ == "__main__":
    main()
