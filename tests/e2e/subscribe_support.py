"""Helpers of the self-subscription tests: posting forms to a real server, reading the
links out of the mails a real SMTP server received, a PostgreSQL schema per test.

Not a conftest: the test modules import it by name (pytest puts this directory on
``sys.path``).
"""

from __future__ import annotations

import html
import http.client
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from urllib.parse import quote, urlencode, urlsplit

import pytest
from smtp_support import Received, SmtpServer
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from web_support import BASE_URL, Reply, Server

PG_URL_ENV = "CALENDAR_SVC_TEST_PG_URL"
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

#: The one answer of every valid subscription request, whatever the address.
SENT_VI = "Nếu địa chỉ hợp lệ, chúng tôi đã gửi một thư xác nhận"

_LINK_RE = re.compile(r"https://lich\.example\.vn/[^\s\"<>]+")


_BROWSERS: dict[tuple[int, str], tuple[str, str]] = {}


def browser_of(server: Server) -> tuple[str, str]:
    """Return the anonymous cookie and the CSRF token a browser gets from the forms."""
    key = (server.port, str(server.home))
    if key not in _BROWSERS:
        reply = server.get("/subscriptions")
        cookie = reply.headers["set-cookie"].split(";", 1)[0]
        match = re.search(r'name="csrf_token" value="([^"]+)"', reply.text)
        assert match is not None, "the form carries no CSRF token"
        _BROWSERS[key] = (cookie, match[1])
    return _BROWSERS[key]


def post(
    server: Server, path: str, fields: dict[str, str], *, client: str = "", csrf: bool = True
) -> Reply:
    """POST ``fields`` urlencoded to ``path``, as a browser that loaded the form did
    (its cookie and CSRF token; ``csrf=False`` sends neither). ``client`` is the
    X-Forwarded-For address (trusted from loopback, as behind nginx), so tests stay apart."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if csrf:
        cookie, token = browser_of(server)
        headers["Cookie"] = cookie
        fields = {"csrf_token": token, **fields}
    body = urlencode(fields).encode("ascii")
    if client:
        headers["X-Forwarded-For"] = client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def text_part(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content())


def mails_to(smtp: SmtpServer, address: str) -> list[Received]:
    return [r for r in list(smtp.received) if address in r.recipients]


def wait_mail(smtp: SmtpServer, address: str, count: int = 1) -> Received:
    """Wait for the ``count``-th mail to ``address``; return it."""
    smtp.wait_for(lambda: len(mails_to(smtp, address)) >= count, timeout=30)
    return mails_to(smtp, address)[count - 1]


def link_in(received: Received, path: str) -> str:
    """Return the path and query of the link to ``path`` in the mail's text part."""
    for link in _LINK_RE.findall(text_part(received.message)):
        parts = urlsplit(link)
        if parts.path.endswith(path):
            return f"{parts.path}?{parts.query}"
    raise AssertionError(f"no link to {path} in the mail")


def local(server: Server, path_and_query: str) -> str:
    """Return the URL of a link's path on the test server (links name the public base)."""
    return f"{server.url}{path_and_query}"


def token_of(path_and_query: str) -> str:
    return path_and_query.split("t=", 1)[1]


def page_text(reply: Reply) -> str:
    """Return the text of the page's <main>, tags dropped and entities decoded."""
    main = reply.text.split("<main>", 1)[1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def pg_url() -> str:
    return os.environ.get(PG_URL_ENV) or PG_DEFAULT_URL


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """Yield the URL of a fresh PostgreSQL schema (skip, or fail under CI, without one)."""
    admin = create_engine(pg_url(), connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            schema = f"cs_sub_{uuid.uuid4().hex[:12]}"
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unreachable ({PG_URL_ENV}): {exc.orig}")
        pytest.skip(f"PostgreSQL unreachable ({PG_URL_ENV}): {exc.orig}")
    separator = "&" if "?" in pg_url() else "?"
    try:
        yield f"{pg_url()}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def smtp_env(smtp: SmtpServer) -> dict[str, str]:
    return {
        "CALENDAR_SVC_SMTP_HOST": "127.0.0.1",
        "CALENDAR_SVC_SMTP_PORT": str(smtp.port),
        "CALENDAR_SVC_SMTP_FROM": "Lịch kỷ niệm <lich@example.vn>",
        "CALENDAR_SVC_WEB_BASE_URL": BASE_URL,
    }
