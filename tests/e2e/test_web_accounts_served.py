"""Signing in against real ``calendar-svc serve`` processes and a real SMTP server.

Two processes on one PostgreSQL database share sessions, CSRF tokens and the sign-in
rate limits; the answer to a sign-in request does not wait for the mail; oversized
uploads are refused by the server; every page carries the security headers.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_support import Server

from conftest import Cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from smtp_support import SmtpServer
from store_support import pg_schema_url

from calendar_svc.web.security import CONTENT_SECURITY_POLICY, CSRF_FIELD, UPLOAD_MAX_BYTES

MANAGER = "lan@qn.example.vn"
ORG = ("org", "add", "quang-ninh", "--name", "Ban Tuyên giáo", "--scope", "province:quang-ninh")


def csrf_of(html: str) -> str:
    found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', html)
    assert found, html[:1000]
    return found.group(1)


def prepare(cli: Cli, env: dict[str, str]) -> None:
    for args in (ORG, ("users", "add", MANAGER, "--org", "quang-ninh")):
        result = cli(*args, env=env)
        assert result.code == 0, result.err


def server(home: Path, smtp: SmtpServer, env: dict[str, str]) -> Server:
    srv = Server(home)
    srv.env.update(
        CALENDAR_SVC_WEB_BASE_URL=srv.url,
        CALENDAR_SVC_SMTP_HOST="127.0.0.1",
        CALENDAR_SVC_SMTP_PORT=str(smtp.port),
        **env,
    )
    return srv.start()


def request_link(client: httpx.Client, base: str, email: str) -> httpx.Response:
    page = client.get(f"{base}/signin")
    return client.post(f"{base}/signin", data={CSRF_FIELD: csrf_of(page.text), "email": email})


def sign_in(client: httpx.Client, base: str, smtp: SmtpServer, email: str) -> None:
    count = len(smtp.received)
    assert request_link(client, base, email).status_code == 200
    smtp.wait_for(lambda: len(smtp.received) > count)
    text = smtp.received[-1].message.get_body(("plain",)).get_content()
    link = next(word for word in text.split() if "/signin/link?t=" in word)
    shown = client.get(link)
    token = link.split("t=", 1)[1]
    done = client.post(f"{base}/signin/link", data={CSRF_FIELD: csrf_of(shown.text), "t": token})
    assert done.status_code == 303


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as found:
        yield found


@pytest.mark.external_service
def test_two_serve_processes_on_postgresql_share_sessions_and_limits(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    with pg_schema_url() as url:
        env = {"CALENDAR_SVC_DATABASE_URL": url}
        prepare(Cli(tmp_path / "cli"), env)
        one = server(tmp_path / "one", smtp, env)
        two = server(tmp_path / "two", smtp, env)
        try:
            browser = httpx.Client(follow_redirects=False, timeout=30)
            sign_in(browser, one.url, smtp, MANAGER)
            # The cookie made by one process signs in on the other.
            page = browser.get(f"{two.url}/manage/quang-ninh/subscribers")
            assert page.status_code == 200 and MANAGER in page.text
            # A form of one process is accepted by the other (one secret, one session).
            token = csrf_of(browser.get(f"{one.url}/manage/quang-ninh/subscribers").text)
            added = browser.post(
                f"{two.url}/manage/quang-ninh/subscribers",
                data={CSRF_FIELD: token, "email": "hoa@qn.example.vn", "name": "Hoa"},
            )
            assert added.status_code == 303
            assert (
                "hoa@qn.example.vn" in browser.get(f"{one.url}/manage/quang-ninh/subscribers").text
            )
            # Signing out on one ends the session on both.
            session = browser.cookies.get("calsvc_session")
            assert session
            out = browser.post(f"{two.url}/signout", data={CSRF_FIELD: token})
            assert out.status_code == 303
            replayed = httpx.get(
                f"{one.url}/manage/quang-ninh", cookies={"calsvc_session": session}, timeout=30
            )
            assert replayed.status_code == 303 and replayed.headers["location"] == "/signin"
            # The sign-in limit per address counts the requests to both processes.
            other = httpx.Client(timeout=30)
            answers = [
                request_link(other, (one if n % 2 else two).url, "bob@qn.example.vn").status_code
                for n in range(6)
            ]
            assert answers == [200] * 5 + [429]
        finally:
            one.stop()
            two.stop()


def test_the_answer_does_not_wait_for_the_mail_and_uploads_are_bounded(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    prepare(Cli(tmp_path), {})
    srv = server(tmp_path, smtp, {})
    try:
        client = httpx.Client(follow_redirects=False, timeout=30)
        # The SMTP server holds every reply: the answer comes all the same (the address is
        # looked up and the mail sent after it), and is the stranger's answer.
        smtp.hold()
        user = request_link(client, srv.url, MANAGER)
        stranger = request_link(client, srv.url, "bob@qn.example.vn")
        assert user.status_code == stranger.status_code == 200
        assert user.text.replace(MANAGER, "X") == stranger.text.replace("bob@qn.example.vn", "X")
        smtp.wait_for(lambda: smtp.held == 1)
        smtp.release()
        smtp.wait_for(lambda: len(smtp.received) == 1)
        assert smtp.received[0].recipients == (MANAGER,)
        for answer in (user, stranger):
            assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["cache-control"] == "no-store"
        sign_in(client, srv.url, smtp, MANAGER)
        page = client.get(f"{srv.url}/manage/quang-ninh/anniversaries")
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        big = client.post(
            f"{srv.url}/manage/quang-ninh/anniversaries/import",
            data={CSRF_FIELD: csrf_of(page.text)},
            files={"file": ("big.csv", b"a" * (UPLOAD_MAX_BYTES + 1024), "text/csv")},
        )
        assert big.status_code == 413 and "2 MiB" in big.text
        assert big.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    finally:
        srv.stop()
