"""End-to-end: ``calendar-svc feeds build`` and ``feeds check`` as a user runs them."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from web_support import Server, free_port

from calendar_svc.catalog import load_scopes
from calendar_svc.feeds.definitions import scope_feed_name
from conftest import Cli


def this_year() -> int:
    """Return the current year where the service decides it (Asia/Ho_Chi_Minh)."""
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year


def default_feeds() -> list[str]:
    """Return what ``feeds build`` writes by default: all, the categories, round, national,
    then every current province of the registry."""
    scopes = load_scopes()
    provinces = [
        scope_feed_name(s)
        for s in scopes.ids()
        if scopes[s].parent == "national" and scopes[s].valid_to is None
    ]
    assert len(provinces) == 34 and "province/quang-ninh" in provinces
    fixed = ["all", "ngay-le-lon", "su-kien-lich-su", "ngay-sinh-lanh-dao", "ngay-truyen-thong"]
    return [*fixed, "ngay-quoc-te", "dia-phuong", "le-hoi", "round", "national", *provinces]


FEEDS = default_feeds()


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_build_writes_every_feed_then_rewrites_none(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = cli("feeds", "build", "--out", str(out))
    assert first.code == 0, first.err
    lines = first.out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [f"{n}.ics" for n in FEEDS]
    assert all(line.endswith("ghi mới / written") for line in lines[:-1])
    year = this_year()
    assert lines[-1] == (
        f"{len(FEEDS)} lịch / feeds ({len(FEEDS)} ghi mới / written) in {out}, "
        f"{year - 1}-01-01 … {year + 5}-12-31"
    )
    before = files(out)
    assert sorted(before) == sorted(f"{n}.ics" for n in FEEDS)

    second = cli("feeds", "build", "--out", str(out))
    assert second.code == 0, second.err
    assert all(line.endswith("không đổi / unchanged") for line in second.out.splitlines()[:-1])
    assert "(0 ghi mới / written)" in second.out
    assert files(out) == before

    cal = icalendar.Calendar.from_ical(before["province/quang-ninh.ics"])
    uids = {str(e["uid"]) for e in cal.walk("VEVENT")}
    domain = next(iter(uids)).split("@", 1)[1]
    assert domain.endswith(".calendar-svc")  # generated once for this installation
    assert f"thanh-lap-dang-{year}@{domain}" in uids
    assert any(u.startswith("bac-ho-tham-mo-deo-nai-") for u in uids)  # a Cẩm Phả row


def test_build_chosen_feeds_and_every_scope(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    chosen = cli("feeds", "build", "--out", str(out), "city:cam-pha", "round", "national")
    assert chosen.code == 0, chosen.err
    # city:cam-pha is an old id of Cẩm Phả: its feed is written under the unit's name.
    assert sorted(files(out)) == ["district/quang-ninh/cam-pha.ics", "national.ics", "round.ics"]
    every = cli("feeds", "build", "--out", str(tmp_path / "every"), "--all")
    assert every.code == 0, every.err
    assert {"commune/quang-ninh/cua-ong.ics", "province/quang-ninh.ics"} <= set(
        files(tmp_path / "every")
    )
    assert len(files(tmp_path / "every")) == 9 + len(load_scopes().ids())  # every scope
    unknown = cli("feeds", "build", "--out", str(tmp_path / "x"), "province:nowhere")
    assert unknown.code != 0
    assert unknown.err.count("\n") == 1 and "province:nowhere" in unknown.err
    assert not (tmp_path / "x").exists()


def test_build_follows_the_configuration(cli: Cli) -> None:
    env = {
        "CALENDAR_SVC_FEEDS_YEARS_BACK": "0",
        "CALENDAR_SVC_FEEDS_YEARS_AHEAD": "0",
        "CALENDAR_SVC_FEEDS_ALARM_DAYS": "2",
        "CALENDAR_SVC_WEB_BASE_URL": "https://lich.example.vn",
    }
    result = cli("feeds", "build", env=env)
    assert result.code == 0, result.err
    out = cli.home / "data" / "calendar-svc" / "feeds"
    year = this_year()
    assert result.out.splitlines()[-1].endswith(f"in {out}, {year}-01-01 … {year}-12-31")
    cal = icalendar.Calendar.from_ical((out / "all.ics").read_bytes())
    events = cal.walk("VEVENT")
    assert {e.decoded("dtstart").year for e in events} == {year}
    # The UID domain is the installation's, never the host of web.base_url.
    assert not any(str(e["uid"]).endswith("@lich.example.vn") for e in events)
    assert len({str(e["uid"]).split("@", 1)[1] for e in events}) == 1
    assert all(len(e.walk("VALARM")) == 1 for e in events)


def test_check_accepts_built_feeds(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("feeds", "build", "--out", str(out)).code == 0
    for name in ("all", "le-hoi", "round"):
        path = out / f"{name}.ics"
        events = len(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
        result = cli("feeds", "check", str(path))
        assert result.code == 0, result.out + result.err
        assert result.out == f"{path}: OK, {events} sự kiện / events\n"


def test_check_reports_problems_with_line_numbers(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "event_missing_dtend.ics"
    bad.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20230203\r\n"
        b"SUMMARY:" + b"x" * 70 + b"\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:a@x\r\nDTSTART;VALUE=DATE:20230203\r\nDTEND;VALUE=DATE:20230201\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = cli("feeds", "check", str(bad))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{bad}:line 8: 78 octets, over the 75-octet line limit",
        f"{bad}:line 4: VEVENT without DTEND",
        f"{bad}:line 10: VEVENT without DTSTAMP",
        f"{bad}:line 13: DTEND 20230201 is not after DTSTART 20230203",
        f"{bad}:line 11: duplicate UID a@x (first at line 5)",
    ]
    assert result.err == f"Lỗi / Error: {bad}: 5 lỗi / problem(s)\n"


def test_check_of_a_missing_file(cli: Cli, tmp_path: Path) -> None:
    result = cli("feeds", "check", str(tmp_path / "nope.ics"))
    assert result.code == 1
    assert result.err.startswith("Lỗi / Error: không đọc được / cannot read ")


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain file server (Python's), whose types come from file extensions."""
    root = tmp_path / "static"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()
    httpd.server_close()


def test_check_of_urls(cli: Cli, tmp_path: Path, static_server: tuple[str, Path]) -> None:
    server = Server(tmp_path / "srv").start()
    try:
        url = f"{server.url}/feeds/cam-pha.ics"
        result = cli("feeds", "check", url)
        assert result.code == 0, result.out + result.err
        assert result.out.startswith(f"{url}: OK, ")
        missing = cli("feeds", "check", f"{server.url}/feeds/nope.ics")
        assert missing.code == 1
        assert (
            missing.err
            == f"Lỗi / Error: không tải được / cannot fetch {server.url}/feeds/nope.ics: HTTP 404 Not Found\n"
        )
        body = server.get("/feeds/le-hoi.ics").body
    finally:
        server.stop()
    base, root = static_server
    (root / "le-hoi.txt").write_bytes(body)
    wrong = cli("feeds", "check", f"{base}/le-hoi.txt")
    assert wrong.code == 1
    assert (
        f"{base}/le-hoi.txt: Content-Type is 'text/plain', not text/calendar"
        in wrong.out.splitlines()
    )


def test_planted_symlinks_are_never_followed(cli: Cli, tmp_path: Path) -> None:
    """The old temporary names (.NAME.PID.tmp) and the feeds themselves as symbolic links to
    another file: the build replaces the links with regular files and writes nothing else."""
    import os

    out = tmp_path / "feeds"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n", encoding="utf-8")
    pid = os.getpid()
    for name in ("all.ics", "dia-phuong.ics"):
        for guess in range(pid, pid + 400):
            (out / f".{name}.{guess}.tmp").symlink_to(victim)
    (out / "all.ics").symlink_to(victim)
    result = cli("feeds", "build", "--out", str(out))
    assert result.code == 0, result.err
    assert victim.read_text(encoding="utf-8") == "do not touch\n"
    assert not (out / "all.ics").is_symlink()
    assert (out / "all.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert oct((out / "all.ics").stat().st_mode & 0o777) == oct(0o644)


def test_check_of_a_web_page_and_of_webcal_on_plain_http(cli: Cli, tmp_path: Path) -> None:
    server = Server(tmp_path / "srv").start()
    try:
        host = server.url.removeprefix("http://")
        webcal = cli("feeds", "check", f"webcal://{host}/feeds/cam-pha.ics")
        assert webcal.code == 0, webcal.out + webcal.err
        assert webcal.out.startswith(f"webcal://{host}/feeds/cam-pha.ics: OK, ")
        page = f"{server.url}/month/2023-02"
        html = cli("feeds", "check", page)
    finally:
        server.stop()
    assert (html.code, html.out, html.err) == (
        1,
        f"{page}: đây là trang web (HTML), không phải lịch / this is a web page (HTML), not a "
        "calendar: check the address (a feed ends in .ics)\n",
        f"Lỗi / Error: {page}: 1 lỗi / problem(s)\n",
    )
    saved = tmp_path / "page.ics"
    saved.write_text("<!DOCTYPE html>\n<html><body>" + "<p>x</p>\n" * 170 + "</body></html>\n")
    assert len(cli("feeds", "check", str(saved)).out.splitlines()) == 1
