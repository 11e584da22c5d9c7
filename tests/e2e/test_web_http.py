"""HTTP against a real uvicorn server (``calendar-svc serve``) on a free loopback port."""

from __future__ import annotations

import html
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import icalendar
import pytest
from web_support import BASE_URL, Server

FEB_2023_CAM_PHA = [
    "93 năm Ngày thành lập Đảng Cộng sản Việt Nam",
    "44 năm Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc",
    "68 năm Ngày Thầy thuốc Việt Nam",
    "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát",
    "11 năm Ngày thành lập Thành phố Cẩm Phả",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("web")).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose database file is not a database."""
    home = tmp_path_factory.mktemp("broken")
    bad = home / "not-a-database.sqlite3"
    bad.write_bytes(b"this is not a database\n" * 100)
    srv = Server(home, env={"CALENDAR_SVC_DATABASE_URL": f"sqlite:///{bad}"}).start()
    yield srv
    srv.stop()


def test_feed_is_served_with_validators_and_equals_the_built_file(
    server: Server, tmp_path: Path
) -> None:
    reply = server.get(
        "/feeds/district/quang-ninh/cam-pha.ics", Accept_Encoding="gzip, deflate, br"
    )
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/calendar; charset=utf-8"
    assert reply.headers["etag"].startswith('"') and not reply.headers["etag"].startswith("W/")
    assert parsedate_to_datetime(reply.headers["last-modified"]).tzinfo is not None
    assert "content-encoding" not in reply.headers
    assert "no-transform" in reply.headers["cache-control"]
    assert int(reply.headers["content-length"]) == len(reply.body)
    out = tmp_path / "built"
    built = subprocess.run(
        [sys.executable, "-m", "calendar_svc", "feeds", "build", "--out", str(out), "city:cam-pha"],
        env=server.env,
        capture_output=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    # The old id names the unit's feed, built under the unit's own path, as it is served.
    assert not (out / "city").exists()
    assert reply.body == (out / "district" / "quang-ninh" / "cam-pha.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(reply.body)
    # UIDs end in the installation's domain, not the host of web.base_url.
    assert not any("@lich.example.vn" in str(e["uid"]) for e in cal.walk("VEVENT"))
    # Earlier names, the percent-encoded id and the path form give the same feed.
    for path in ("/feeds/cam-pha.ics", "/feeds/city%3Acam-pha.ics"):
        assert server.get(path).body == reply.body, path


INLINE = re.compile(
    rb"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+\s*=|javascript:", re.I
)


@pytest.mark.parametrize(
    "path",
    [
        "/month/2023-02?scope=city:cam-pha",
        "/en/month/2023-02?scope=city:cam-pha",
        "/month/2023-02?province=province:quang-ninh",
        "/month/2023-02/check",
        "/month/2023-13",
        "/no/such/page",
    ],
)
def test_pages_carry_no_inline_script_or_style(server: Server, path: str) -> None:
    # A Content-Security-Policy without 'unsafe-inline' (script-src and style-src 'self')
    # must leave the pages working: their script and style come from /static/.
    reply = server.get(path)
    assert reply.headers["content-type"].startswith("text/html"), path
    assert INLINE.findall(reply.body) == [], path
    assert b'<script src="/static/site.js" defer></script>' in reply.body
    assert b'<link rel="stylesheet" href="/static/site.css">' in reply.body


def test_static_files_are_served(server: Server) -> None:
    js = server.get("/static/site.js")
    assert js.status == 200 and "javascript" in js.headers["content-type"]
    assert b"data-copy" in js.body and b"data-autosubmit" in js.body
    css = server.get("/static/site.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    assert b".feed .actions" in css.body
    assert server.get("/static/nothing.js").status == 404
    assert server.get("/static/../web/__init__.py").status == 404


def test_fast_path_and_route_answer_alike(server: Server) -> None:
    fast = server.get("/feeds/quang-ninh.ics")
    routed = server.get("/feeds/quang-ninh.ics?via=route")  # a query string skips the fast path
    assert routed.status == fast.status == 200
    assert routed.body == fast.body
    assert {k: v for k, v in routed.headers.items() if k != "date"} == {
        k: v for k, v in fast.headers.items() if k != "date"
    }
    fast_304 = server.get("/feeds/quang-ninh.ics", If_None_Match=fast.headers["etag"])
    routed_304 = server.get("/feeds/quang-ninh.ics?via=route", If_None_Match=fast.headers["etag"])
    assert routed_304.status == fast_304.status == 304
    assert {k: v for k, v in routed_304.headers.items() if k != "date"} == {
        k: v for k, v in fast_304.headers.items() if k != "date"
    }


def _read_answers(sock: socket.socket, heads_only: list[bool]) -> list[tuple[bytes, bytes]]:
    """Read one answer per request from ``sock``: (status line and headers, body)."""
    data = b""
    answers = []
    for head_only in heads_only:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(1 << 20)
            assert chunk, "the server closed the connection"
            data += chunk
        head, data = data.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"content-length: (\d+)", head)[1]) if b" 200 " in head else 0
        if head_only:
            length = 0
        while len(data) < length:
            chunk = sock.recv(1 << 20)
            assert chunk, "the server closed the connection"
            data += chunk
        answers.append((head, data[:length]))
        data = data[length:]
    assert data == b""
    return answers


def test_pipelined_feed_requests_are_answered_in_order(server: Server) -> None:
    # Several feed requests in one packet: each answered whole, in order, on one connection
    # (the protocol answers them at once, or the app once an answer is still being sent).
    full = server.get("/feeds/province/quang-ninh.ics")
    national = server.get("/feeds/national.ics")
    etag = full.headers["etag"].encode("ascii")
    requests = [
        (b"GET /feeds/province/quang-ninh.ics", b"", False),
        (b"GET /feeds/national.ics", b"", False),
        (b"GET /feeds/province/quang-ninh.ics", b"If-None-Match: " + etag + b"\r\n", False),
        (b"HEAD /feeds/province/quang-ninh.ics", b"", True),
        (b"GET /feeds/province%2Fquang-ninh.ics", b"", False),  # escaped: the app answers
        (b"GET /feeds/national.ics?x=1", b"", False),  # a query: the app answers
    ]
    payload = b"".join(
        line + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n" for line, extra, _ in requests
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(payload)
        answers = _read_answers(sock, [head for _, _, head in requests])
    statuses = [head.split(b" ", 2)[1] for head, _ in answers]
    assert statuses == [b"200", b"200", b"304", b"200", b"200", b"200"]
    bodies = [body for _, body in answers]
    assert bodies == [full.body, national.body, b"", b"", full.body, national.body]
    for head, _ in answers:
        assert b"\r\ndate: " in head and head.count(b"\r\netag: ") == 1
    assert f"content-length: {len(full.body)}".encode() in answers[3][0]  # HEAD
    assert server.get("/healthz").status == 200


def test_every_feed_is_served(server: Server) -> None:
    names = [
        "all",
        "national",
        "province/quang-ninh",
        "district/quang-ninh/cam-pha",
        "city/ha-long",
        "round",
    ]
    names += ["ngay-le-lon", "le-hoi", "dia-phuong", "quang-ninh", "ha-long"]
    for name in names:
        reply = server.get(f"/feeds/{name}.ics")
        assert reply.status == 200, name
        assert b"BEGIN:VEVENT" in reply.body, name
    assert not server.feeds_dir.exists()  # the server writes no file


def test_304_by_etag(server: Server) -> None:
    first = server.get("/feeds/all.ics")
    again = server.get("/feeds/all.ics", If_None_Match=first.headers["etag"])
    assert again.status == 304 and again.body == b""
    assert again.headers["etag"] == first.headers["etag"]
    listed = server.get("/feeds/all.ics", If_None_Match=f'"other", W/{first.headers["etag"]}')
    assert listed.status == 304
    assert server.get("/feeds/all.ics", If_None_Match='"other"').status == 200
    # If-None-Match wins over a matching If-Modified-Since.
    both = server.get(
        "/feeds/all.ics", If_None_Match='"other"', If_Modified_Since=first.headers["last-modified"]
    )
    assert both.status == 200


def test_304_by_date(server: Server) -> None:
    first = server.get("/feeds/national.ics")
    modified = parsedate_to_datetime(first.headers["last-modified"])
    same = server.get("/feeds/national.ics", If_Modified_Since=first.headers["last-modified"])
    assert same.status == 304 and same.body == b""
    later = format_datetime(modified + timedelta(days=1), usegmt=True)
    assert server.get("/feeds/national.ics", If_Modified_Since=later).status == 304
    earlier = format_datetime(modified - timedelta(seconds=1), usegmt=True)
    assert server.get("/feeds/national.ics", If_Modified_Since=earlier).status == 200
    assert server.get("/feeds/national.ics", If_Modified_Since="not a date").status == 200


def test_head_has_the_headers_and_no_body(server: Server) -> None:
    get = server.get("/feeds/round.ics")
    head = server.request("HEAD", "/feeds/round.ics")
    assert head.status == 200 and head.body == b""
    for key in ("content-type", "etag", "last-modified", "content-length"):
        assert head.headers[key] == get.headers[key]
    assert (
        server.request("HEAD", "/feeds/round.ics", {"If-None-Match": get.headers["etag"]}).status
        == 304
    )


def test_unknown_feed_and_page_are_404(server: Server) -> None:
    for path in ("/feeds/nope.ics", "/feeds/all.txt", "/feeds/", "/nope", "/feeds/ALL.ics"):
        reply = server.get(path)
        assert reply.status == 404, path
        assert reply.headers["content-type"] == "text/html; charset=utf-8"
        assert '<html lang="vi">' in reply.text
        assert "<title>404 Không tìm thấy / Not found — Lịch kỷ niệm</title>" in reply.text
        assert '<a class="back" href="/">' in reply.text
    english = server.get("/en/nope")
    assert english.status == 404 and '<html lang="en">' in english.text
    assert "<title>404 Not found" in english.text and '<a class="back" href="/en/">' in english.text


def test_wrong_method_is_405(server: Server) -> None:
    assert server.request("POST", "/feeds/all.ics").status == 405


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/../pyproject.toml",
        "/feeds/%2e%2e/pyproject.toml",
        "/feeds/%2E%2E/pyproject.toml",
        "/feeds/..%2fpyproject.toml",
        "/feeds/..%2Fpyproject.toml",
        "/feeds/%2e%2e%2fpyproject.toml",
        "/feeds/%2e%2e%2f%2e%2e%2fpyproject.toml",
        "/feeds/%252e%252e%252fpyproject.toml",
        "/feeds/..%5cpyproject.toml",
        "/feeds/....//pyproject.toml",
        "/feeds/.%2e/.%2e/etc/passwd",
        "/feeds/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd.ics",
        "/feeds/..%2f..%2f..%2fetc%2fpasswd%00.ics",
        "/feeds/%2fetc%2fpasswd.ics",
        "/feeds//etc/passwd.ics",
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/feeds/..;/pyproject.toml",
        "/feeds/.ics",
        "/feeds/..ics",
    ],
)
def test_traversal_is_refused(server: Server, path: str) -> None:
    reply = server.get(path)
    assert reply.status in (400, 404), (path, reply.status)
    assert b"[project]" not in reply.body and b"root:" not in reply.body
    assert b"BEGIN:VCALENDAR" not in reply.body


def test_custom_feed_filters(server: Server) -> None:
    reply = server.get("/feeds/custom.ics?scope=city:cam-pha&category=dia-phuong&round=1")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/calendar; charset=utf-8"
    events = icalendar.Calendar.from_ical(reply.body).walk("VEVENT")
    assert events
    for event in events:
        cats = [str(c) for c in event["categories"].cats]
        assert cats[0] == "Sự kiện địa phương" and cats[1] in ("năm tròn", "năm lẻ 5")
    again = server.get(
        "/feeds/custom.ics?scope=city:cam-pha&category=dia-phuong&round=1",
        If_None_Match=reply.headers["etag"],
    )
    assert again.status == 304
    comma = server.get("/feeds/custom.ics?category=le-hoi,ngay-le-lon")
    assert comma.status == 200 and b"L\xe1\xbb\x85 h\xe1\xbb\x99i" in comma.body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("scope=city:nowhere", "unknown scope 'city:nowhere'"),
        ("category=nope", "unknown category 'nope'"),
        ("round=maybe", "round must be 1 or 0, not 'maybe'"),
        ("scopes=national", "unknown parameter 'scopes'"),
        ("scope=national&scope=city:cam-pha", "parameter 'scope' is given twice"),
    ],
)
def test_bad_custom_query_is_400_with_a_message(server: Server, query: str, message: str) -> None:
    reply = server.get(f"/feeds/custom.ics?{query}")
    assert reply.status == 400
    assert reply.headers["content-type"].startswith("text/html")
    assert "<title>400 Yêu cầu không hợp lệ / Bad request" in reply.text
    assert message in html.unescape(reply.text)


def test_month_page_lists_the_month(server: Server) -> None:
    reply = server.get("/month/2023-02?scope=city:cam-pha")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    text = reply.text
    assert '<html lang="vi">' in text and 'name="viewport"' in text
    for name in (
        "Ngày thành lập Đảng Cộng sản Việt Nam",
        "Ngày Thầy thuốc Việt Nam",
        "Ngày thành lập Thành phố Cẩm Phả",
    ):
        assert name in text
    assert "webcal://lich.example.vn/feeds/district/quang-ninh/cam-pha.ics" in text
    assert f'value="{BASE_URL}/feeds/district/quang-ninh/cam-pha.ics"' in text
    assert "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)" in text
    assert server.get("/").status == 200


def test_month_page_reads_the_month_as_the_cli_does(server: Server) -> None:
    short = server.get("/month/2023-2?scope=city:cam-pha")
    assert short.status == 200
    full = server.get("/month/2023-02?scope=city:cam-pha")
    token = re.compile(r'name="csrf_token" value="[^"]+"')  # each new browser gets its own
    assert token.sub("", short.text) == token.sub("", full.text)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/month/2023-13", 400),
        ("/month/feb", 400),
        ("/month/2023-02?scope=x", 400),
        ("/month/2023-02?x=1", 400),
    ],
)
def test_month_page_bad_input(server: Server, path: str, status: int) -> None:
    assert server.get(path).status == status


def test_reflected_input_is_never_html(server: Server) -> None:
    reply = server.get("/month/2023-02?scope=%3Cscript%3Ealert(1)%3C/script%3E")
    assert reply.status == 400
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "<script>alert" not in reply.text and "&lt;script&gt;alert" in reply.text


def test_api_occurrences(server: Server) -> None:
    reply = server.get("/api/occurrences?from=2023-02-01&to=2023-02-28&scope=city:cam-pha")
    assert reply.status == 200 and reply.headers["content-type"] == "application/json"
    body = json.loads(reply.body)
    assert body["count"] == len(body["occurrences"]) == 10
    texts = [o["text"] for o in body["occurrences"]]
    for entry in FEB_2023_CAM_PHA:
        assert any(t.startswith(entry) for t in texts), entry
    party = next(o for o in body["occurrences"] if o["id"] == "thanh-lap-dang")
    assert (party["count"], party["round_class"], party["lunar_date"]) == (
        93,
        "nam-khac",
        "13/1 Quý Mão",
    )


@pytest.mark.parametrize("q", ["bi%C3%AAn%20ph%C3%B2ng", "bien+phong", "BIEN%20PHONG"])
def test_api_search_by_name_ignores_diacritics_and_case(server: Server, q: str) -> None:
    reply = server.get(f"/api/occurrences?from=2023-01-01&to=2023-12-31&q={q}")
    assert reply.status == 200
    body = json.loads(reply.body)
    assert [o["id"] for o in body["occurrences"]] == [
        "ngay-bien-phong-toan-dan",
        "truyen-thong-bo-doi-bien-phong",
    ]
    assert body["count"] == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2023-02-30", "is not a date"),
        ("from=2023-03-01&to=2023-02-01", "'to' is before 'from'"),
        ("from=2000-01-01&to=2023-01-01", "range longer than"),
        ("scope=nowhere", "unknown scope"),
    ],
)
def test_api_bad_query_is_400_json(server: Server, query: str, message: str) -> None:
    reply = server.get(f"/api/occurrences?{query}")
    assert reply.status == 400
    assert message in json.loads(reply.body)["error"]


def test_healthz(server: Server) -> None:
    reply = server.get("/healthz")
    assert (reply.status, reply.body) == (200, b"ok\n")


def test_errors_give_503_with_retry_after_never_an_empty_feed(broken: Server) -> None:
    for path in (
        "/feeds/all.ics",
        "/feeds/cam-pha.ics",
        "/feeds/custom.ics?scope=national",
        "/month/2023-02",
        "/api/occurrences",
    ):
        reply = broken.get(path)
        assert reply.status == 503, path
        assert reply.headers["retry-after"].isdigit()
        assert b"BEGIN:VCALENDAR" not in reply.body
    health = broken.get("/healthz")
    assert health.status == 503 and health.body in (
        b"database unavailable\n",
        b"feeds unavailable\n",
    )
    assert not list(broken.feeds_dir.rglob("*.ics"))
    assert broken.get("/feeds/nope.ics").status == 404


def test_month_page_picks_a_province_then_a_commune(server: Server) -> None:
    from urllib.parse import quote

    page = server.get("/month/2023-02?scope=" + quote("phường Cửa Ông"))
    assert page.status == 200
    html = page.text
    assert '<option value="province:quang-ninh" selected>Quảng Ninh</option>' in html
    assert '<option value="commune:quang-ninh/cua-ong" selected>Phường Cửa Ông</option>' in html
    assert html.count('<option value="commune:quang-ninh/') == 54
    assert "Ngày thành lập Thành phố Cẩm Phả" in html
    assert 'name="viewport"' in html and "data-autosubmit" in html
    # Another province chosen while a commune of the first is still selected: that province.
    moved = server.get(
        "/month/2023-02?province=province:thanh-hoa&scope=commune:quang-ninh/cua-ong"
    ).text
    assert '<option value="province:thanh-hoa" selected>Thanh Hóa</option>' in moved
    assert 'value="commune:quang-ninh/' not in moved and 'value="commune:thanh-hoa/' in moved
    assert "Ngày thành lập Thành phố Cẩm Phả" not in moved
    every = server.get("/month/2023-02?province=&scope=commune:quang-ninh/cua-ong").text
    assert "Tất cả phạm vi" in every and 'value="commune:' not in every
    wrong = server.get("/month/2023-02?scope=" + quote("phường Cửa Ôngg"))
    assert wrong.status == 400 and "nearest: commune:quang-ninh/cua-ong" in wrong.text


def test_month_page_keeps_a_former_unit_chosen(server: Server) -> None:
    html = server.get("/month/2023-02?scope=province:quang-binh").text
    assert (
        '<option value="province:quang-binh" selected>Quảng Bình (đến 30/06/2025)</option>' in html
    )
    html = server.get("/month/2023-02?scope=city:cam-pha").text
    assert (
        '<option value="district:quang-ninh/cam-pha" selected>Thành phố Cẩm Phả (đến 30/06/2025)'
        in html
    )
