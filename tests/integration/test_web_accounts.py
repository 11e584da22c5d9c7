"""Signing in by emailed link: the answers, the mail, the link's single use, the session.

Real store (SQLite, and PostgreSQL when available), real aiosmtpd server, the app in
process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from accounts_support import LAN, PUBLIC, Site, csrf_of, link_of, site_on
from smtp_support import SmtpServer
from sqlalchemy import select
from starlette.testclient import TestClient

from calendar_svc.store.tables import signin_links, web_sessions
from calendar_svc.store.users import token_hash
from calendar_svc.web.security import CSRF_FIELD, SESSION_COOKIE

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]


@pytest.fixture(params=STORES)
def site(request: pytest.FixtureRequest, tmp_path: Path, smtp: SmtpServer) -> Iterator[Site]:
    smtp.received.clear()
    with site_on(request.param, tmp_path, smtp) as found:
        yield found


def ask(site: Site, email: str, client: object = None) -> tuple[int, str, dict[str, str]]:
    c = client or site.client()
    page = c.get("/signin")  # type: ignore[attr-defined]
    answer = c.post("/signin", data={CSRF_FIELD: csrf_of(page.text), "email": email})  # type: ignore[attr-defined]
    return answer.status_code, answer.text, dict(answer.headers)


def test_a_user_gets_a_single_use_link_that_starts_a_session(site: Site) -> None:
    client = site.client()
    status, text, _ = ask(site, "  LAN@qn.example.vn ", client)
    assert status == 200 and "Hãy kiểm tra hộp thư" in text
    assert len(site.smtp.received) == 1
    mail = site.smtp.received[0]
    assert mail.recipients == (LAN,)
    message = mail.message
    assert message["Subject"] == "Liên kết đăng nhập Lịch kỷ niệm / Your sign-in link"
    assert message["Auto-Submitted"] == "auto-generated"
    link = link_of(message)
    # No web.base_url: the link follows the address the request came to (a listed host).
    assert link.startswith(f"{PUBLIC}/signin/link?t=")
    html = message.get_body(("html",)).get_content()
    assert f'href="{link}"' in html and "15 phút" in html and "15 minutes" in html
    token = link.split("t=", 1)[1]
    with site.store.engine.connect() as conn:
        stored = conn.execute(select(signin_links.c.token_hash)).scalars().all()
    assert stored == [token_hash(token)]  # only the hash is kept
    # GET shows a button and uses nothing up, however often a scanner fetches it.
    for _ in range(3):
        shown = client.get(link.removeprefix(PUBLIC))
        assert shown.status_code == 200 and "Đăng nhập / Sign in" in shown.text
    signed = client.post(
        "/signin/link",
        data={CSRF_FIELD: csrf_of(shown.text), "t": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/manage/quang-ninh"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    for part in ("HttpOnly", "Secure", "SameSite=Lax", "Max-Age=43200", "Path=/", "expires="):
        assert part in cookie, cookie
    session = cookie.split(";")[0].split("=", 1)[1]
    with site.store.engine.connect() as conn:
        hashes = conn.execute(select(web_sessions.c.token_hash)).scalars().all()
    assert hashes == [token_hash(session)]
    page = client.get("/manage/quang-ninh")
    assert page.status_code == 200 and LAN in page.text
    # Replayed: refused, and the session it made is the only one.
    again = client.post("/signin/link", data={CSRF_FIELD: csrf_of(page.text), "t": token})
    assert again.status_code == 400 and "Liên kết không dùng được" in again.text
    assert client.get(link.removeprefix(PUBLIC)).status_code == 400


def test_the_answer_is_the_same_for_a_user_and_a_stranger(site: Site) -> None:
    user = ask(site, LAN)
    stranger = ask(site, "bob@qn.example.vn")  # as long as LAN, so the lengths compare
    assert user[0] == stranger[0] == 200
    assert user[1].replace(LAN, "ADDRESS") == stranger[1].replace("bob@qn.example.vn", "ADDRESS")
    keep = ("content-type", "content-length", "cache-control", "content-security-policy")
    assert {k: user[2].get(k) for k in keep} == {k: stranger[2].get(k) for k in keep}
    assert [m.recipients for m in site.smtp.received] == [(LAN,)]
    with site.store.engine.connect() as conn:
        assert len(conn.execute(select(signin_links)).all()) == 1


def test_a_malformed_address_is_refused_beside_the_field_escaped(site: Site) -> None:
    status, text, _ = ask(site, "<script>alert(1)</script>")
    assert status == 400
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert" not in text
    assert 'aria-invalid="true"' in text and "is not an e-mail address" in text
    assert site.smtp.received == []


def test_forged_expired_and_wrongly_posted_links_sign_nobody_in(site: Site) -> None:
    client = site.client()
    ask(site, LAN, client)
    link = link_of(site.smtp.received[-1].message).removeprefix(PUBLIC)
    token = link.split("t=", 1)[1]
    forged = client.get("/signin/link?t=" + "A" * len(token))
    assert forged.status_code == 400
    shown = client.get(link)
    csrf = csrf_of(shown.text)
    for bad in ("", "A" * 43, token_hash(token)):
        answer = client.post("/signin/link", data={CSRF_FIELD: csrf, "t": bad})
        assert answer.status_code == 400 and SESSION_COOKIE not in answer.headers.get(
            "set-cookie", ""
        )
    # Without the page's CSRF token (a scanner posting the link): 403, the link still good.
    assert client.post("/signin/link", data={"t": token}).status_code == 403
    site.clock.advance(minutes=15)
    expired = client.post("/signin/link", data={CSRF_FIELD: csrf, "t": token})
    assert expired.status_code == 400
    assert client.get("/manage/quang-ninh", follow_redirects=False).headers["location"] == (
        "/signin"
    )


def test_a_session_ends_at_sign_out_and_expiry(site: Site) -> None:
    client = site.client()
    site.sign_in(client, LAN)
    page = client.get("/manage/quang-ninh")
    assert page.status_code == 200
    out = client.post("/signout", data={CSRF_FIELD: csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert client.get("/manage/quang-ninh", follow_redirects=False).status_code == 303
    with site.store.engine.connect() as conn:
        assert conn.execute(select(web_sessions)).all() == []
    site.sign_in(client, LAN)
    assert client.get("/manage/quang-ninh").status_code == 200
    site.clock.advance(hours=12)
    assert client.get("/manage/quang-ninh", follow_redirects=False).status_code == 303
    assert client.post("/manage/quang-ninh/settings", data={}).status_code == 403


def test_the_english_pages_and_links(site: Site) -> None:
    client = site.client()
    page = client.get("/en/signin")
    assert '<html lang="en">' in page.text and "Send me a sign-in link" in page.text
    client.post("/en/signin", data={CSRF_FIELD: csrf_of(page.text), "email": LAN})
    link = link_of(site.smtp.received[-1].message)
    assert link.startswith(f"{PUBLIC}/en/signin/link?t=")
    shown = client.get(link.removeprefix(PUBLIC))
    token = re.search(r'name="t" value="([^"]+)"', shown.text)
    assert token
    done = client.post(
        "/en/signin/link",
        data={CSRF_FIELD: csrf_of(shown.text), "t": token.group(1)},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/en/manage/quang-ninh"
    assert "Local anniversaries" in client.get("/en/manage/quang-ninh").text


def _app_client(site: Site, base_url: str, **settings: object) -> TestClient:
    from calendar_svc.web import create_app
    from calendar_svc.web.accounts import Accounts

    changed = replace(site.settings, **settings)  # type: ignore[arg-type]
    app = create_app(changed, account_service=Accounts(changed, clock=site.clock))
    return TestClient(app, base_url=base_url)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example.com",
        "lich.example.vn.evil.example.com",
        "evil.example.com:443",
        "lich.example.vn@evil.example.com",
        "evil.example.com/lich.example.vn",
        "",
    ],
)
def test_a_forged_host_gets_no_mail_and_the_same_answer(
    site: Site, host: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = site.client()
    page = client.get("/signin")
    honest = client.post("/signin", data={CSRF_FIELD: csrf_of(page.text), "email": LAN})
    assert [m.recipients for m in site.smtp.received] == [(LAN,)]
    site.smtp.received.clear()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="calendar_svc.web.accounts"):
        forged = client.post(
            "/signin",
            data={CSRF_FIELD: csrf_of(page.text), "email": LAN},
            headers={"host": host},
        )
    assert forged.status_code == honest.status_code == 200
    assert forged.text == honest.text
    assert site.smtp.received == []  # no mail at all, so none with that host
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "web.allowed_hosts" in warnings[0], warnings
    with site.store.engine.connect() as conn:
        assert len(conn.execute(select(signin_links)).all()) == 1  # the honest one only


def test_a_listed_host_with_its_port_and_base_url_decide_the_link(site: Site) -> None:
    listed = _app_client(
        site, "https://lich.example.vn", web_allowed_hosts=("lich.example.vn:8443",)
    )
    page = listed.get("/signin")
    listed.post("/signin", data={CSRF_FIELD: csrf_of(page.text), "email": LAN})
    assert site.smtp.received == []  # that host with another port is not listed
    listed.post(
        "/signin",
        data={CSRF_FIELD: csrf_of(page.text), "email": LAN},
        headers={"host": "lich.example.vn:8443"},
    )
    assert link_of(site.smtp.received[-1].message).startswith(
        "https://lich.example.vn:8443/signin/link?t="
    )
    # web.base_url wins over any Host, forged or not.
    based = _app_client(site, "https://evil.example.com", web_base_url="https://lich.gov.vn/")
    page = based.get("/signin")
    based.post("/signin", data={CSRF_FIELD: csrf_of(page.text), "email": LAN})
    assert link_of(site.smtp.received[-1].message).startswith("https://lich.gov.vn/signin/link?t=")


def test_loopback_links_are_mailed_only_by_a_loopback_server(site: Site) -> None:
    # Served on 127.0.0.1 and asked as 127.0.0.1: local use, the link works here.
    local = _app_client(site, "http://127.0.0.1:8080", web_allowed_hosts=())
    page = local.get("/signin")
    local.post("/signin", data={CSRF_FIELD: csrf_of(page.text), "email": LAN})
    assert link_of(site.smtp.received[-1].message).startswith(
        "http://127.0.0.1:8080/signin/link?t="
    )
    count = len(site.smtp.received)
    # Served on a public address, a Host of localhost is nobody's to vouch for.
    public = _app_client(site, "http://lich.example.vn", web_allowed_hosts=())
    page = public.get("/signin")
    public.post(
        "/signin",
        data={CSRF_FIELD: csrf_of(page.text), "email": LAN},
        headers={"host": "localhost:8080"},
    )
    # Served on loopback, a public Host is not loopback either.
    local.post(
        "/signin",
        data={CSRF_FIELD: csrf_of(page.text), "email": LAN},
        headers={"host": "evil.example.com"},
    )
    assert len(site.smtp.received) == count


def test_sign_in_requests_are_rate_limited_per_address(site: Site) -> None:
    client = site.client()
    answers = [ask(site, "nobody@qn.example.vn", client)[0] for _ in range(6)]
    assert answers == [200] * 5 + [429]
