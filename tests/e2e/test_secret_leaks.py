"""A password planted in the database URL shows in no output: CLI, errors, logs, /healthz.

The URL holds the secret three ways: in the user part with an unencoded '@' (SQLAlchemy
alone would read its tail as the host), and as ``password``/``sslpassword`` in the query.
Every output path is read back and grepped for each piece.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import Server

from conftest import Cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from store_support import pg_schema_url

HEAD, TAIL, QUERY, SSL = "Pl4ntedHead", "Secr3tTail", "QuerySecr3t", "SslSecr3t"
PIECES = (HEAD, TAIL, QUERY, SSL)


def planted(host_port: str, database: str, extra: str = "") -> str:
    query = f"password={QUERY}&sslpassword={SSL}{extra}"
    return f"postgresql+psycopg://postgres:{HEAD}@{TAIL}@{host_port}/{database}?{query}"


def assert_clean(text: str, where: str) -> None:
    for piece in PIECES:
        assert piece not in text, (where, piece, text[-2000:])


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


COMMANDS = [
    ("db", "status"),
    ("db", "status", "--format", "json"),
    ("db", "upgrade"),
    ("month", "2023-02"),
    ("year", "2023"),
    ("export",),
    ("feeds", "build"),
    ("remind", "run-once"),
    ("outbox", "list"),
    ("subscribers", "list"),
    ("org", "list"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_unreachable_database_errors_hide_the_password(
    cli: Cli, closed_port: int, args: tuple[str, ...]
) -> None:
    url = planted(f"127.0.0.1:{closed_port}", "db", "&connect_timeout=2")
    by_flag = cli("--database-url", url, *args)
    assert by_flag.code != 0
    assert_clean(by_flag.out + by_flag.err, f"--database-url {args}")
    by_env = cli(*args, env={"CALENDAR_SVC_DATABASE_URL": url})
    assert by_env.code != 0
    assert_clean(by_env.out + by_env.err, f"env {args}")
    assert "***" in by_flag.err


def test_config_file_database_url_hides_the_password(cli: Cli, closed_port: int) -> None:
    config = cli.home / "config.toml"
    url = planted(f"127.0.0.1:{closed_port}", "db", "&connect_timeout=2")
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    result = cli("--config", str(config), "db", "status")
    assert result.code == 1
    assert_clean(result.out + result.err, "config")


def test_db_status_on_a_working_database_hides_the_password(cli: Cli) -> None:
    with pg_schema_url() as url:
        base, _, options = url.partition("?")
        host_db = base.split("@", 1)[1]
        working = planted(host_db.split("/")[0], host_db.split("/")[1], f"&{options}")
        upgrade = cli("--database-url", working, "db", "upgrade")
        assert upgrade.code == 0, upgrade.err  # the '@' in the password is kept in it
        for fmt in ("table", "json"):
            status = cli("--database-url", working, "db", "status", "--format", fmt)
            assert status.code == 0, status.err
            assert "postgres:***@127.0.0.1" in status.out
            assert_clean(status.out + status.err, f"db status {fmt}")


def test_serve_healthz_and_logs_hide_the_password(tmp_path: Path, closed_port: int) -> None:
    url = planted(f"127.0.0.1:{closed_port}", "db", "&connect_timeout=2")
    server = Server(tmp_path, env={"CALENDAR_SVC_DATABASE_URL": url})
    try:
        server.start()
        health = server.get("/healthz")
        assert health.status == 503
        assert health.body == b"database unavailable\n"
        for path in ("/month/2023-02", "/api/occurrences", "/feeds/all.ics"):
            assert_clean(server.get(path).body.decode("utf-8"), path)
    finally:
        server.stop()
    assert_clean(server.log.read_text(encoding="utf-8"), "serve log")


def test_worker_log_hides_the_password(cli: Cli, closed_port: int) -> None:
    url = planted(f"127.0.0.1:{closed_port}", "db", "&connect_timeout=2")
    log = cli.home / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "calendar_svc", "worker"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**cli.env, "CALENDAR_SVC_DATABASE_URL": url},
        )
        deadline = time.monotonic() + 8
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    text = log.read_text(encoding="utf-8")
    assert text.strip(), "the worker said nothing"
    assert_clean(text, "worker log")


def test_healthz_says_only_ok(tmp_path: Path) -> None:
    server = Server(tmp_path).start()
    try:
        health = server.get("/healthz")
        assert (health.status, health.body) == (200, b"ok\n")
        assert health.headers["content-type"].startswith("text/plain")
    finally:
        server.stop()
