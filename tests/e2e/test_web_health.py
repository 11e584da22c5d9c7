"""``/healthz`` follows the database: 503 as soon as it stops answering, 200 once it is back.

The database is a real SQLite file read through the stdlib reader, made unavailable by
moving it away and brought back by moving it back; the app is the real Starlette app on a
real uvicorn server in a thread (no scheduler).
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn

from calendar_svc.catalog import load_scopes
from calendar_svc.config import Settings
from calendar_svc.store.open import open_store
from calendar_svc.store.sqlite_reader import SqliteReader
from calendar_svc.web import create_app, feedservice
from calendar_svc.web.feedservice import FeedService


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "calendar.sqlite3"
    open_store(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def no_probe_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feedservice, "PROBE_SECONDS", 0.0)


def service_for(database: Path, tmp_path: Path) -> FeedService:
    settings = Settings(feeds_dir=str(tmp_path / "feeds"), web_base_url="https://lich.example.vn")
    return FeedService(
        settings,
        load_scopes(),
        open_reader=lambda: SqliteReader(database),
        now=lambda: datetime(2026, 11, 26, 3, 0, tzinfo=UTC),
    )


@pytest.mark.usefixtures("no_probe_cache")
def test_probe_reports_the_outage_and_the_recovery(database: Path, tmp_path: Path) -> None:
    service = service_for(database, tmp_path)
    assert service.refresh() and service.probe() is None
    away = database.with_name("away.sqlite3")
    database.rename(away)
    error = service.probe()
    assert error is not None and "unable to open database file" in error
    assert service.status().ok  # the feeds built before stay served
    assert service.named("all") is not None
    away.rename(database)
    assert service.probe() is None


def test_probe_answers_are_reused_for_a_moment(database: Path, tmp_path: Path) -> None:
    service = service_for(database, tmp_path)
    assert service.probe() is None
    database.rename(database.with_name("away.sqlite3"))
    assert service.probe() is None  # within PROBE_SECONDS: the last answer
    assert feedservice.PROBE_SECONDS <= 1.0


class Client:
    """GET on the in-thread server; returns (status, headers, body)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            headers = {k.lower(): v for k, v in response.getheaders()}
            return response.status, headers, response.read()
        finally:
            conn.close()


@pytest.fixture
def client(database: Path, tmp_path: Path) -> Iterator[Client]:
    settings = Settings(
        database_url=f"sqlite:///{database}",
        feeds_dir=str(tmp_path / "feeds"),
        web_base_url="https://lich.example.vn",
    )
    app = create_app(settings, open_reader=lambda: SqliteReader(database))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield Client(port)
    server.should_exit = True
    thread.join(timeout=30)


@pytest.mark.usefixtures("no_probe_cache")
def test_healthz_is_503_while_the_database_is_away(client: Client, database: Path) -> None:
    status, _, data = client.get("/healthz")
    assert status == 200
    body = json.loads(data)
    assert (body["status"], body["database"], body["feeds"]) == ("ok", "ok", 4090)
    assert set(body) == {
        "status",
        "database",
        "revision",
        "window",
        "feeds",
        "events",
        "refreshed_at",
    }
    away = database.with_name("away.sqlite3")
    database.rename(away)
    status, headers, data = client.get("/healthz")
    assert status == 503 and headers["cache-control"] == "no-store"
    body = json.loads(data)
    assert (body["status"], body["database"]) == ("error", "error")
    assert "unable to open database file" in body["error"]
    assert client.get("/feeds/all.ics")[0] == 200  # the last build is served
    assert client.get("/month/2023-02")[0] == 503
    away.rename(database)
    assert client.get("/healthz")[0] == 200
