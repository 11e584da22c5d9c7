"""The feeds of ``calendar-svc serve`` as subscribers see them: any scope's feed with
validators, an edit that changes only the feeds holding the row, links to the address
served, and the start-up warning about a missing web.base_url."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from web_support import BASE_URL, Server

from calendar_svc.catalog import load_scopes
from calendar_svc.feeds.definitions import scope_feed_name

ROW = "bac-ho-tham-mo-deo-nai"  # a Cẩm Phả row
COMMUNE = "commune:quang-ninh/cua-ong"


def deepest_scope() -> str:
    """Return Cửa Ông's commune when the registry has it, else its deepest scope."""
    scopes = load_scopes()
    if COMMUNE in scopes:
        return COMMUNE
    return max(scopes.ids(), key=lambda s: len(scopes.lineage(s)))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("served")).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def unset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("unset"), env={"CALENDAR_SVC_WEB_BASE_URL": ""}).start()
    yield srv
    srv.stop()


def test_a_commune_feed_is_served_with_validators(server: Server) -> None:
    scope = deepest_scope()
    path = f"/feeds/{scope_feed_name(scope)}.ics"
    reply = server.get(path)
    assert reply.status == 200, path
    assert reply.headers["content-type"] == "text/calendar; charset=utf-8"
    etag = reply.headers["etag"]
    assert etag.startswith('"') and len(etag) > 10
    assert reply.body.startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VEVENT" in reply.body
    again = server.get(path, If_None_Match=etag)
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == etag
    dated = server.get(path, If_Modified_Since=reply.headers["last-modified"])
    assert dated.status == 304
    encoded = server.get(f"/feeds/{scope.replace(':', '%3A').replace('/', '%2F')}.ics")
    assert encoded.status == 200 and encoded.headers["etag"] == etag


def _unfold_events(data: bytes) -> dict[str, bytes]:
    text = data.replace(b"\r\n ", b"")
    events = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", text, re.S)
    return {re.search(rb"UID:(\S+)\r\n", e)[1].decode(): e for e in events}  # type: ignore[index]


def test_an_edit_changes_the_province_feed_in_that_event_alone(server: Server) -> None:
    national = server.get("/feeds/national.ics")
    province = server.get("/feeds/province/quang-ninh.ics")
    done = subprocess.run(
        [sys.executable, "-m", "calendar_svc", "edit", ROW, "--name-vi",
         "Ngày Bác Hồ về thăm mỏ than Đèo Nai (Cẩm Phả)"],
        env=server.env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 90  # the server looks for changes every 30 s
    while True:
        after = server.get("/feeds/province/quang-ninh.ics")
        if after.headers["etag"] != province.headers["etag"]:
            break
        assert time.monotonic() < deadline, "the province feed never changed"
        time.sleep(1)
    unchanged = server.get("/feeds/national.ics", If_None_Match=national.headers["etag"])
    assert unchanged.status == 304
    now = server.get("/feeds/national.ics")
    assert now.headers["etag"] == national.headers["etag"]
    assert now.headers["last-modified"] == national.headers["last-modified"]
    assert now.body == national.body
    old, new = _unfold_events(province.body), _unfold_events(after.body)
    assert old.keys() == new.keys()
    changed = {uid for uid in old if old[uid] != new[uid]}
    assert changed and all(uid.startswith(f"{ROW}-") for uid in changed)
    assert all("(Cẩm Phả)".encode() in new[uid] for uid in changed)
    head = after.body.split(b"BEGIN:VEVENT", 1)[0]
    assert head == province.body.split(b"BEGIN:VEVENT", 1)[0]


def test_links_follow_the_address_served_without_a_base_url(unset: Server) -> None:
    page = unset.get("/month/2023-02?scope=city:cam-pha").text
    assert f'value="http://127.0.0.1:{unset.port}/feeds/district/quang-ninh/cam-pha.ics"' in page
    assert f"webcal://127.0.0.1:{unset.port}/feeds/district/quang-ninh/cam-pha.ics" in page
    proxied = unset.get("/month/2023-02", Host="lich.example.org:8443").text
    assert 'value="http://lich.example.org:8443/feeds/national.ics"' in proxied
    forged = unset.get("/month/2023-02", Host='evil"><b>x').text
    assert "evil" not in forged
    assert f'value="http://127.0.0.1:{unset.port}/feeds/national.ics"' in forged


def test_a_base_url_decides_the_links(server: Server) -> None:
    page = server.get("/month/2023-02", Host="other.example.org").text
    assert f'value="{BASE_URL}/feeds/national.ics"' in page and "other.example.org" not in page


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_serve_warns_once_on_a_public_address_without_a_base_url(
    tmp_path_factory: pytest.TempPathFactory, host: str, warned: bool
) -> None:
    srv = Server(tmp_path_factory.mktemp("warn"), env={"CALENDAR_SVC_WEB_BASE_URL": ""})
    srv.host = host
    srv.start()
    try:
        assert srv.get("/healthz").status == 200
    finally:
        srv.stop()
    log = srv.log.read_text(encoding="utf-8")
    assert log.count("without web.base_url") == (1 if warned else 0), log
