"""Hostile HTTP against the running server: fuzzed targets, oversized requests, tokens.

One real ``calendar-svc serve`` (uvicorn on a free loopback port) holds a store with
names no catalog would accept and two subscribers, and signs unsubscribe links with a
known secret. Requests are written as raw bytes on a socket, so nothing normalises them.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from text_samples import HOSTILE
from web_support import Server

from calendar_svc.core.recipients import Organisation, Subscriber
from calendar_svc.feeds.text import ics_text
from calendar_svc.mail.tokens import make_token
from calendar_svc.store.open import open_store
from calendar_svc.web.protocol import MAX_HEADER_BYTES, MAX_HEADERS, MAX_TARGET_BYTES
from helpers import make

SECRET = "robustness-test-secret"
ALICE, BOB = "alice@example.org", "bob@example.org"
TIMEOUT = 20.0


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def send(port: int, request: bytes, method: str = "GET") -> Answer:
    """Send raw request bytes on a new connection; read one response (no hang allowed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        body = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def request(method: str, target: bytes, *, headers: bytes = b"", body: bytes = b"") -> bytes:
    length = f"Content-Length: {len(body)}\r\n".encode() if body or method == "POST" else b""
    return (
        method.encode()
        + b" "
        + target
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + headers
        + length
        + b"Connection: close\r\n\r\n"
        + body
    )


def prepare_store(home: Path) -> None:
    """Create the server's database with hostile names, an organisation and subscribers."""
    database = home / "data" / "calendar-svc" / "calendar.sqlite3"
    database.parent.mkdir(parents=True)
    store = open_store(f"sqlite:///{database}")
    try:
        for n, name in enumerate(HOSTILE):
            ann = dataclasses.replace(
                make(f"ten-{n}", f"{1930 + n}-02-03", category="dia-phuong", scope="city:cam-pha"),
                name_vi=name,
                name_en=name,
                source=name,
            )
            store.anniversaries.add(ann, now=datetime(2026, 11, 26, tzinfo=UTC))
        people = store.organisations
        people.add_organisation(Organisation("cam-pha", "Ban Tuyên giáo Cẩm Phả", "city:cam-pha"))
        for email in (ALICE, BOB):
            people.add_subscriber(Subscriber(email, "Cán bộ", organisation="cam-pha", leads=()))
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("robust")
    prepare_store(home)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # a port nobody answers on: the scheduler sends nothing
    env = {
        "CALENDAR_SVC_REMINDERS_SECRET": SECRET,
        "CALENDAR_SVC_SMTP_HOST": "127.0.0.1",
        "CALENDAR_SVC_SMTP_PORT": str(closed.getsockname()[1]),
    }
    srv = Server(home, env=env).start()
    yield srv
    srv.stop()
    closed.close()
    log = srv.log.read_text(encoding="utf-8")
    assert "Traceback" not in log, log[-4000:]


def active(server: Server) -> dict[str, bool]:
    """Return who is still subscribed, read from the server's database."""
    store = open_store(f"sqlite:///{server.home / 'data' / 'calendar-svc' / 'calendar.sqlite3'}")
    try:
        return {s.email: s.active for s in store.organisations.subscribers()}
    finally:
        store.close()


def test_hostile_names_are_served_in_valid_feeds_pages_and_json(server: Server) -> None:
    reply = server.get("/feeds/dia-phuong.ics")
    assert reply.status == 200
    summaries = {str(e["summary"]) for e in icalendar.Calendar.from_ical(reply.body).walk("VEVENT")}
    for name in HOSTILE:
        assert any(ics_text(name) in s for s in summaries), name
    page = server.get("/month/2026-02?scope=city:cam-pha")
    assert page.status == 200
    assert "&lt;script&gt;alert(" in page.text and "<script>alert(" not in page.text
    api = server.get("/api/occurrences?from=2026-02-01&to=2026-02-28&scope=city:cam-pha")
    names = {o["name_vi"] for o in json.loads(api.body)["occurrences"]}
    assert set(HOSTILE) <= names  # JSON carries the stored text exactly


# --- fuzzed targets ----------------------------------------------------------------------

_SEGMENTS = st.sampled_from(
    [
        "feeds",
        "month",
        "api",
        "occurrences",
        "healthz",
        "unsubscribe",
        "all.ics",
        "custom.ics",
        "cam-pha.ics",
        "..",
        ".",
        "%2e%2e",
        "%2f",
        "%00",
        "%ff",
        "%c0%ae",
        "2023-02",
        "2023-13",
        "",
        ";",
        "%",
        "%%",
        "~",
        "ALL.ICS",
        "..%5c",
    ]
)
_TEXT = st.text(max_size=20).map(lambda s: quote(s, safe=""))
_RAW = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=20).map(
    lambda s: s.replace("?", "%3F").replace("#", "%23")
)
_ROUTES = st.sampled_from(
    [
        "/",
        "/month/2023-02",
        "/feeds/all.ics",
        "/feeds/custom.ics",
        "/api/occurrences",
        "/healthz",
        "/unsubscribe",
    ]
)
_PATH = st.one_of(
    _ROUTES,
    st.lists(st.one_of(_SEGMENTS, _TEXT, _RAW), min_size=1, max_size=6).map(
        lambda parts: "/" + "/".join(parts)
    ),
)
_KEYS = st.one_of(
    st.sampled_from(["scope", "category", "round", "from", "to", "lang", "t", "x", ""]), _TEXT
)
_VALUES = st.one_of(
    st.sampled_from(
        [
            "city:cam-pha",
            "national",
            "1",
            "0",
            "maybe",
            "2023-02-01",
            "2023-02-30",
            "9999-12-31",
            "0001-01-01",
            "vi",
            "en",
            "<script>alert(1)</script>",
            "%",
        ]
    ),
    _TEXT,
    _RAW,
)
_QUERY = st.lists(st.tuples(_KEYS, _VALUES), max_size=6).map(
    lambda pairs: "&".join(f"{quote(k, safe='%')}={quote(v, safe='%:')}" for k, v in pairs)
)
_METHOD = st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=_METHOD, path=_PATH, query=st.one_of(st.just(""), _QUERY), body=st.binary(max_size=64)
)
def test_fuzzed_requests_never_get_a_server_error(
    server: Server, method: str, path: str, query: str, body: bytes
) -> None:
    target = (path + ("?" + query if query else "")).encode("ascii")
    answer = send(server.port, request(method, target, body=body), method)
    assert answer.status < 500, (method, target, answer.status, answer.body[:300])
    if answer.status >= 400 and "html" in answer.headers.get("content-type", ""):
        # Error pages are HTML: nothing of the request comes back unescaped. The page's own
        # markup may hold a piece ("<p"): compare with the same request without < > ".
        text = answer.body.decode("utf-8", "replace")
        pieces = [
            piece
            for piece in re.split(r"[?&=]", unquote(target.decode("ascii")))
            if len(piece) > 1 and any(c in piece for c in '<>"')
        ]
        if pieces:
            plain = re.sub(rb"%3C|%3E|%22|[<>\"]", b"x", target, flags=re.I)
            baseline = send(server.port, request(method, plain, body=body), method)
            own = baseline.body.decode("utf-8", "replace")
            for piece in pieces:
                assert text.count(piece) <= own.count(piece), (target, piece)


@pytest.mark.parametrize(
    "target",
    [
        "/feeds/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "/feeds/..%00/all.ics",
        "/feeds/all.ics/..",
        "/feeds/all.ics%00.txt",
        "/feeds/%2e%2e%5c%2e%2e%5cpyproject.toml",
        "/feeds/..\\..\\pyproject.toml",
        "//etc/passwd",
        "/feeds/%u002e%u002e/pyproject.toml",
        "/feeds/\u2024\u2024/pyproject.toml",
        "/feeds/calendar.sqlite3",
        "/feeds/../calendar.sqlite3",
        "/feeds/%2e%2e/calendar.sqlite3",
    ],
)
def test_more_traversal_is_refused(server: Server, target: str) -> None:
    answer = send(server.port, request("GET", target.encode("utf-8")))
    assert answer.status in (400, 404), (target, answer.status)
    assert b"SQLite format" not in answer.body and b"[project]" not in answer.body
    assert b"BEGIN:VCALENDAR" not in answer.body


# --- fuzzed headers ----------------------------------------------------------------------

_FEEDS = ["/feeds/all.ics", "/feeds/custom.ics?scope=national", "/feeds/dia-phuong.ics"]
_HUGE_DATE = "Tue, 01 Dec 99999999999999999999 00:00:00 GMT"


@pytest.mark.parametrize("target", _FEEDS)
@pytest.mark.parametrize(
    "since",
    [
        _HUGE_DATE,
        "Tue, 01 Dec 2026 00:00:00 -99999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 -2359",
        "Tue, 01 Dec 2026 99:00:00 GMT",
    ],
)
def test_out_of_range_if_modified_since_is_ignored(server: Server, target: str, since: str) -> None:
    for method in ("GET", "HEAD"):
        header = f"If-Modified-Since: {since}\r\n".encode("ascii")
        answer = send(server.port, request(method, target.encode(), headers=header), method)
        assert answer.status == 200, (target, since, method, answer.status)
        if method == "GET":
            assert answer.body.startswith(b"BEGIN:VCALENDAR")


_HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"),
    max_size=80,
)
_HEADER_NUMBER = st.integers(min_value=-(10**25), max_value=10**25).map(str)
_HEADER_DATE = st.builds(
    "{}, {} {} {} {}:{}:{} {}".format,
    st.sampled_from(["Tue", "Sun", "Xyz", ""]),
    _HEADER_NUMBER,
    st.sampled_from(["Dec", "Feb", "Foo"]),
    _HEADER_NUMBER,
    _HEADER_NUMBER,
    _HEADER_NUMBER,
    _HEADER_NUMBER,
    st.one_of(st.sampled_from(["GMT", "UTC", "-0000", "+2359", "EST"]), _HEADER_NUMBER),
)
_HEADER_VALUE = st.one_of(_HEADER_TEXT, _HEADER_NUMBER, _HEADER_DATE)
_HEADER_NAME = st.sampled_from(
    ["If-Modified-Since", "If-None-Match", "Host", "Content-Type", "Accept-Language", "Range"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headers=st.lists(st.tuples(_HEADER_NAME, _HEADER_VALUE), max_size=3),
    target=st.sampled_from([*_FEEDS, "/month/2023-02", "/api/occurrences", "/healthz"]),
    method=st.sampled_from(["GET", "HEAD"]),
)
def test_fuzzed_headers_never_get_a_server_error(
    server: Server, headers: list[tuple[str, str]], target: str, method: str
) -> None:
    names = {name.lower() for name, _ in headers}
    raw = b"".join(f"{n}: {v.strip()}\r\n".encode("latin-1") for n, v in headers)
    if "host" in names:  # the one Host line is then the fuzzed one
        wire = request(method, target.encode(), headers=raw).replace(b"Host: 127.0.0.1\r\n", b"")
    else:
        wire = request(method, target.encode(), headers=raw)
    answer = send(server.port, wire, method)
    assert answer.status < 500, (headers, target, answer.status, answer.body[:300])


# --- oversized requests ----------------------------------------------------------------


def _many_headers(count: int) -> bytes:
    return b"".join(b"X-H%d: v\r\n" % n for n in range(count))


@pytest.mark.parametrize(
    ("name", "raw", "status"),
    [
        ("path at the limit", request("GET", b"/" + b"a" * (MAX_TARGET_BYTES - 1)), 404),
        ("path 100 KB", request("GET", b"/feeds/" + b"a" * 100_000 + b".ics"), 414),
        ("path 4 MB", request("GET", b"/" + b"a" * 4_000_000), 414),
        ("query 1 MB", request("GET", b"/api/occurrences?x=" + b"1" * 1_000_000), 414),
        (
            "1,000 parameters",
            request("GET", b"/feeds/custom.ics?" + b"&".join(b"p%d=1" % n for n in range(1000))),
            400,
        ),
        (
            "50,000 parameters",
            request("GET", b"/api/occurrences?" + b"&".join(b"a=%d" % n for n in range(50_000))),
            414,
        ),
        (
            "header 64 KB",
            request("GET", b"/healthz", headers=b"X-A: " + b"a" * 65_536 + b"\r\n"),
            431,
        ),
        (
            "header 16 MB",
            request("GET", b"/healthz", headers=b"X-A: " + b"a" * 16_000_000 + b"\r\n"),
            431,
        ),
        (
            "headers at the limit",
            request("GET", b"/healthz", headers=_many_headers(MAX_HEADERS - 4)),
            200,
        ),
        ("10,000 headers", request("GET", b"/healthz", headers=_many_headers(10_000)), 431),
        (
            "cookie just over",
            request("GET", b"/healthz", headers=b"Cookie: " + b"c" * MAX_HEADER_BYTES + b"\r\n"),
            431,
        ),
    ],
)
def test_oversized_requests_are_refused_cleanly(
    server: Server, name: str, raw: bytes, status: int
) -> None:
    answer = send(server.port, raw)
    assert answer.status == status, (name, answer.status, answer.body[:200])
    if status in (414, 431):
        assert answer.headers["connection"] == "close"
        assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert server.get("/healthz").status == 200  # and the server goes on serving


# --- unsubscribe tokens ----------------------------------------------------------------


def _altered(token: str) -> list[str]:
    """Return tokens made from a valid one by changing, adding or removing characters."""
    payload, signature = token.split(".")
    flips = []
    for i in range(len(signature)):
        ch = "A" if signature[i] != "A" else "B"
        flips.append(f"{payload}.{signature[:i]}{ch}{signature[i + 1 :]}")
    return [
        *flips,
        f"{payload}.{signature[:-1]}",
        f"{payload}.{signature}A",
        f"{payload}.{signature}==",
        f"{payload}.{signature.swapcase()}",
        f"{payload}.",
        f".{signature}",
        f"{payload}",
        f"{payload}.{signature}.{signature}",
        f"{payload}=.{signature}",
        f"{payload[:-1]}.{signature}",
        f"{payload}.{make_token('wrong secret', ALICE).split('.')[1]}",
        "",
    ]


def test_tokens_cannot_be_forged_altered_or_replayed_for_another_address(
    server: Server,
) -> None:
    alice, bob = make_token(SECRET, ALICE), make_token(SECRET, BOB)
    bob_payload = bob.split(".")[0]
    forged = [
        f"{bob_payload}.{alice.split('.')[1]}",  # Alice's signature on Bob's address
        make_token("guessed secret", BOB),
        make_token(SECRET, BOB).replace(bob_payload, bob_payload.upper()),
        *_altered(bob),
    ]
    for token in forged:
        target = f"/unsubscribe?t={quote(token, safe='')}".encode("ascii")
        for method in ("GET", "POST"):
            answer = send(
                server.port, request(method, target, body=b"List-Unsubscribe=One-Click"), method
            )
            assert answer.status == 400, (token, method, answer.status)
            assert BOB.encode() not in answer.body and ALICE.encode() not in answer.body
    assert active(server) == {ALICE: True, BOB: True}

    confirm = send(server.port, request("GET", f"/unsubscribe?t={alice}".encode()))
    assert confirm.status == 200 and ALICE.encode() in confirm.body
    assert active(server) == {ALICE: True, BOB: True}  # GET changes nothing
    done = send(
        server.port,
        request("POST", f"/unsubscribe?t={alice}".encode(), body=b"List-Unsubscribe=One-Click"),
        "POST",
    )
    assert done.status == 200
    # Alice's token, replayed, unsubscribes Alice again (no change) and nobody else.
    again = send(server.port, request("POST", f"/unsubscribe?t={alice}".encode()), "POST")
    assert again.status == 200
    assert active(server) == {ALICE: False, BOB: True}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token=st.one_of(st.text(max_size=80), st.binary(max_size=60).map(lambda b: b.hex())))
def test_random_tokens_are_refused_without_error(server: Server, token: str) -> None:
    target = f"/unsubscribe?t={quote(token, safe='')}".encode("ascii")
    answer = send(server.port, request("GET", target))
    assert answer.status == 400, (token, answer.status)


def test_unsubscribe_post_bodies(server: Server) -> None:
    bob = make_token(SECRET, BOB)
    empty = send(server.port, request("POST", b"/unsubscribe"), "POST")
    assert empty.status == 400  # no token anywhere
    huge = b"t=" + b"a" * 100_000
    too_large = send(
        server.port,
        request(
            "POST",
            b"/unsubscribe",
            body=huge,
            headers=b"Content-Type: application/x-www-form-urlencoded\r\n",
        ),
        "POST",
    )
    assert too_large.status == 413
    forged = f"t={bob[:-2]}AA&List-Unsubscribe=One-Click".encode()
    assert send(server.port, request("POST", b"/unsubscribe", body=forged), "POST").status == 400
    assert active(server)[BOB] is True
    in_body = send(server.port, request("POST", b"/unsubscribe", body=f"t={bob}".encode()), "POST")
    assert in_body.status == 200 and BOB.encode() in in_body.body
    assert active(server)[BOB] is False


@pytest.mark.parametrize("host", ["evil.example", "evil.example:81", "127.0.0.1@evil.example", "x"])
def test_trailing_slash_redirect_never_echoes_the_host(server: Server, host: str) -> None:
    for target in (b"/month/2023-02/", b"/feeds/all.ics/", b"/api/occurrences/?from=2023-02-01"):
        raw = request("GET", target).replace(b"Host: 127.0.0.1", b"Host: " + host.encode())
        answer = send(server.port, raw)
        assert answer.status == 307, (target, answer.status)
        location = answer.headers["location"]
        assert "evil" not in location and host not in location, location
        assert location == target.decode().replace("/?", "?").rstrip("/"), location


def test_a_client_that_disconnects_mid_body_leaves_one_log_line(server: Server) -> None:
    before = server.log.read_text(encoding="utf-8")
    for target in (b"/unsubscribe", b"/unsubscribe?t=abc.def"):
        head = (
            b"POST " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            sock.sendall(head + b"t=abc")
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline
            and "disconnect" not in server.log.read_text("utf-8")[len(before) :]
        ):
            time.sleep(0.1)
    added = server.log.read_text(encoding="utf-8")[len(before) :]
    assert "Traceback" not in added and "ERROR" not in added, added
    assert added.count("disconnect") >= 1, added
    assert server.get("/healthz").status == 200
