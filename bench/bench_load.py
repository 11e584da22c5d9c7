"""Load: ``calendar-svc serve`` under wrk, errors, latency percentiles and memory.

Usage: python bench/bench_load.py [--duration 30] [--connections 64] [--rounds 2]

Starts ``calendar-svc serve --no-access-log`` (one process, with its reminder scheduler)
on a free loopback port with a temporary data directory, waits for the feeds, then runs
``wrk -t2 -c64 -d30s --latency`` (Debian ``wrk``) ``--rounds`` times in a row with a Lua
script that cycles through what the service answers in real use: feed revalidations
with the feed's ETag (304, most of a calendar server's traffic), full feeds (a 420 KB and
a 9 KB one), a custom feed, the month page, the JSON API and ``/healthz``. It reports per
round the requests/s, socket errors and non-2xx/3xx answers (both must be 0), the
latency percentiles, and the server's resident memory (VmRSS from /proc/PID/status)
before the first round and after each one, with the peak (VmHWM). Loopback only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from _support import free_port, http_get, machine, run_wrk, stop, wait_ok

#: (weight, path, send the feed's ETag in If-None-Match)
MIX = [
    (4, "/feeds/cam-pha.ics", True),
    (2, "/feeds/all.ics", True),
    (1, "/feeds/cam-pha.ics", False),
    (2, "/feeds/le-hoi.ics", False),
    (1, "/feeds/custom.ics?scope=city:cam-pha&round=1", False),
    (1, "/month/2023-02?scope=city:cam-pha", False),
    (1, "/api/occurrences?from=2023-02-01&to=2023-02-28&scope=city:cam-pha", False),
    (1, "/healthz", False),
]


LUA = """
local reqs = {{}}
local n = 0
init = function(args)
{lines}
end
request = function()
  n = n % #reqs + 1
  return reqs[n]
end
"""


@dataclass(frozen=True)
class Round:
    rps: float
    requests: int
    socket_errors: int
    non_2xx_3xx: int
    latency: dict[str, str]
    rss_kb: int


def memory(pid: int) -> dict[str, int]:
    """Return VmRSS and VmHWM of a process, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def lua_script(port: int) -> str:
    lines = []
    for weight, path, revalidate in MIX:
        headers = "nil"
        if revalidate:
            etag = http_get(port, path)[1]["etag"].replace('"', '\\"')
            headers = f'{{["If-None-Match"] = "{etag}"}}'
        for _ in range(weight):
            lines.append(f'  table.insert(reqs, wrk.format("GET", "{path}", {headers}))')
    return LUA.format(lines="\n".join(lines))


def run_mix(port: int, script: Path, duration: int, connections: int) -> tuple[str, Round]:
    result = run_wrk(
        ["-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
         "-s", str(script), f"http://127.0.0.1:{port}"]
    )  # fmt: skip
    out = result.output
    block = out.split("Latency Distribution", 1)[1]
    latency = dict(re.findall(r"^\s+(\d+)%\s+(\S+)", block, re.MULTILINE))
    latency["max"] = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out)[1]  # type: ignore[index]
    return out, Round(result.rps, result.requests, result.errors, result.non_2xx_3xx, latency, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    print(machine())
    root = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_SVC_")}
    env.update(XDG_DATA_HOME=str(root / "data"), XDG_CONFIG_HOME=str(root / "config"))
    port = free_port()
    log = (root / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "calendar_svc", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    failed = False
    try:
        wait_ok(port, "/healthz", 120, proc=server)
        script = root / "mix.lua"
        script.write_text(lua_script(port))
        before = memory(server.pid)
        print(
            f"wrk -t2 -c{args.connections} -d{args.duration}s --latency, mix of "
            f"{sum(w for w, _, _ in MIX)} requests: "
            + ", ".join(f"{w}× {p}{' (304)' if r else ''}" for w, p, r in MIX)
        )
        print(f"server RSS before: {before['VmRSS'] / 1024:.1f} MiB\n")
        print("| round | requests | req/s | socket errors | non-2xx/3xx | p50 | p90 | p99 "
              "| max | RSS after |")  # fmt: skip
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in range(1, args.rounds + 1):
            out, result = run_mix(port, script, args.duration, args.connections)
            rss = memory(server.pid)["VmRSS"]
            lat = result.latency
            print(
                f"| {n} | {result.requests:,} | {result.rps:,.0f} | {result.socket_errors} | "
                f"{result.non_2xx_3xx} | {lat['50']} | {lat['90']} | {lat['99']} | "
                f"{lat['max']} | {rss / 1024:.1f} MiB |"
            )
            failed |= bool(result.socket_errors or result.non_2xx_3xx)
            if server.poll() is not None:
                raise SystemExit(f"the server died during round {n}:\n{out}")
        peak = memory(server.pid)["VmHWM"]
        print(f"\nserver peak RSS (VmHWM): {peak / 1024:.1f} MiB; "
              f"still healthy: {http_get(port, '/healthz')[0] == 200}")  # fmt: skip
    finally:
        stop(server)
        log.close()
        if "Traceback" in (root / "serve.log").read_text(errors="replace"):
            print("server log has a traceback:", (root / "serve.log").read_text()[-3000:])
            failed = True
        shutil.rmtree(root, ignore_errors=True)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
