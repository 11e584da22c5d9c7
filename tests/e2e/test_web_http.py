"""HTTP against a real uvicorn server (``calendar-svc serve``) on a free loopback port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

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


def test_feed_is_served_with_validators_and_equals_the_published_file(server: Server) -> None:
    reply = server.get("/feeds/cam-pha.ics", Accept_Encoding="gzip, deflate, br")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/calendar; charset=utf-8"
    assert reply.headers["etag"].startswith('"') and not reply.headers["etag"].startswith("W/")
    assert parsedate_to_datetime(reply.headers["last-modified"]).tzinfo is not None
    assert "content-encoding" not in reply.headers
    assert "no-transform" in reply.headers["cache-control"]
    assert int(reply.headers["content-length"]) == len(reply.body)
    assert reply.body == (server.feeds_dir / "cam-pha.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(reply.body)
    assert any("@lich.example.vn" in str(e["uid"]) for e in cal.walk("VEVENT"))


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


def test_every_published_feed_is_served(server: Server) -> None:
    names = sorted(p.stem for p in server.feeds_dir.glob("*.ics"))
    assert {"all", "national", "quang-ninh", "cam-pha", "round", "ngay-le-lon"} <= set(names)
    for name in names:
        assert server.get(f"/feeds/{name}.ics").status == 200


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
        assert reply.text == "Không tìm thấy / Not found\n"


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
    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.text.startswith("Yêu cầu không hợp lệ / Bad request: ")
    assert message in reply.text


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
    assert "webcal://lich.example.vn/feeds/cam-pha.ics" in text
    assert f'value="{BASE_URL}/feeds/cam-pha.ics"' in text
    assert "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)" in text
    assert server.get("/").status == 200


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
    assert reply.headers["content-type"] == "text/plain; charset=utf-8"
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_api_occurrences(server: Server) -> None:
    reply = server.get("/api/occurrences?from=2023-02-01&to=2023-02-28&scope=city:cam-pha")
    assert reply.status == 200 and reply.headers["content-type"] == "application/json"
    body = json.loads(reply.body)
    assert body["count"] == len(body["occurrences"]) == 8
    texts = [o["text"] for o in body["occurrences"]]
    for entry in FEB_2023_CAM_PHA:
        assert any(t.startswith(entry) for t in texts), entry
    party = next(o for o in body["occurrences"] if o["id"] == "thanh-lap-dang")
    assert (party["count"], party["round_class"], party["lunar_date"]) == (
        93,
        "nam-khac",
        "13/1 Quý Mão",
    )


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
    assert not list(broken.feeds_dir.glob("*.ics"))
    assert broken.get("/feeds/nope.ics").status == 404
