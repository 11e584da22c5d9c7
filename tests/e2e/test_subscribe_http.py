"""Self-subscription over HTTP against a real ``calendar-svc serve`` and a real aiosmtpd.

Security: forged, expired and replayed links; closed and approval policies; rate limits
(429 in Vietnamese and English); no enumeration (the same status and bytes for a known, an
unknown and an already subscribed address); markup in every field escaped in pages and
mails; no header injection.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from reminders_support import InstalledCli
from smtp_support import SmtpServer
from subscribe_support import (
    SENT_VI,
    browser_of,
    link_in,
    mails_to,
    page_text,
    post,
    smtp_env,
    text_part,
    token_of,
    wait_mail,
)
from web_support import Server

from calendar_svc.store.subscriptions import token_hash

HOSTILE = "<script>alert('x')</script><b>&amp;"
OPEN_NAME = 'Đảng ủy phường <i>Cửa Ông</i> & "Mông Dương"'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("subscribe")
    cli = InstalledCli(home)
    cli.ok("org", "add", "cua-ong", "--name", OPEN_NAME, "--scope", "commune:quang-ninh/cua-ong")
    cli.ok("org", "edit", "cua-ong", "--subscribe", "open")
    cli.ok(
        "org",
        "add",
        "qn",
        "--name",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh",
        "--scope",
        "province:quang-ninh",
        "--subscribe",
        "approval",
    )
    cli.ok("org", "add", "shut", "--name", "Tổ chức đóng", "--scope", "province:quang-ninh")
    cli.ok("subscribers", "add", "known@example.org", "--name", "Known", "--org", "shut")
    srv = Server(home, env=smtp_env(smtp)).start()
    yield srv
    srv.stop()


def subscribe(
    server: Server, email: str, org: str = "cua-ong", *, client: str, name: str = "", lang: str = ""
) -> tuple[int, bytes]:
    path = "/en/subscribe" if lang == "en" else "/subscribe"
    reply = post(server, path, {"organisation": org, "email": email, "name": name}, client=client)
    return reply.status, reply.body


def confirm_path(smtp: SmtpServer, email: str, count: int = 1) -> str:
    return link_in(wait_mail(smtp, email, count), "/subscribe/confirm")


def test_the_form_offers_the_scopes_organisations_that_take_subscriptions(server: Server) -> None:
    reply = server.get("/subscribe?scope=commune:quang-ninh/cua-ong")
    assert reply.status == 200 and reply.headers["cache-control"] == "no-store"
    text = page_text(reply)
    assert "Nhận nhắc việc qua email: Phường Cửa Ông" in text
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh (cần duyệt)" in text
    assert OPEN_NAME in text and "Tổ chức đóng" not in text  # closed: not offered
    assert "&lt;i&gt;Cửa Ông&lt;/i&gt; &amp; &#34;Mông Dương&#34;" in reply.text
    english = page_text(server.get("/en/subscribe?scope=province:quang-ninh"))
    assert "Email reminders: Quảng Ninh" in english and OPEN_NAME not in english
    assert "(needs approval)" in english
    month = server.get("/month/2023-02?scope=commune:quang-ninh/cua-ong").text
    assert (
        '<a href="/subscribe?scope=commune%3Aquang-ninh/cua-ong">Nhận nhắc việc qua email</a>'
        in month
    )


def test_the_same_answer_for_every_address(server: Server, smtp: SmtpServer) -> None:
    answers = {
        "unknown": subscribe(server, "nobody@example.org", client="203.0.113.1"),
        "known elsewhere": subscribe(server, "known@example.org", client="203.0.113.1"),
        "approval": subscribe(server, "nobody@example.org", "qn", client="203.0.113.1"),
    }
    wait_mail(smtp, "nobody@example.org")
    store_confirmed = confirm_path(smtp, "nobody@example.org")
    post(server, "/subscribe/confirm", {"t": token_of(store_confirmed)}, client="203.0.113.1")
    answers["subscribed already"] = subscribe(server, "nobody@example.org", client="203.0.113.1")
    statuses = {status for status, _ in answers.values()}
    bodies = {body for _, body in answers.values()}
    assert statuses == {200} and len(bodies) == 1, answers.keys()
    assert SENT_VI in bodies.pop().decode()
    manage = [
        post(server, "/subscriptions", {"email": email}, client="203.0.113.1")
        for email in ("nobody@example.org", "never@example.org", "known@example.org")
    ]
    assert {r.status for r in manage} == {200} and len({r.body for r in manage}) == 1
    wait_mail(smtp, "known@example.org", 2)  # a confirmation, then the manage link
    assert mails_to(smtp, "never@example.org") == []  # an unknown address gets no link


def test_forged_and_replayed_confirmation_links_do_nothing(
    server: Server, smtp: SmtpServer
) -> None:
    subscribe(server, "replay@example.org", client="203.0.113.2")
    path = confirm_path(smtp, "replay@example.org")
    token = token_of(path)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, "", "x" * 5000, token + "="):
        shown = server.get(f"/subscribe/confirm?t={bad}")
        assert shown.status == 400 and "Liên kết không dùng được" in page_text(shown)
        assert post(server, "/subscribe/confirm", {"t": bad}).status == 400
    shown = server.get(path)  # a scanner's prefetch confirms nothing
    assert shown.status == 200 and "replay@example.org" in page_text(shown)
    assert server.get(path).status == 200
    done = post(server, "/subscribe/confirm", {"t": token})
    assert done.status == 200 and "Đã đăng ký" in page_text(done)
    again = post(server, "/subscribe/confirm", {"t": token})
    assert again.status == 400 and "đã được dùng" in page_text(again)
    assert server.get(path).status == 400


def test_approval_and_closed_policies(server: Server, smtp: SmtpServer) -> None:
    status, _ = subscribe(server, "gated@example.org", "qn", client="203.0.113.3")
    assert status == 200
    done = post(
        server, "/subscribe/confirm", {"t": token_of(confirm_path(smtp, "gated@example.org"))}
    )
    assert done.status == 200 and "Đang chờ duyệt" in page_text(done)
    closed = post(
        server,
        "/subscribe",
        {"organisation": "shut", "email": "c@example.org"},
        client="203.0.113.3",
    )
    assert closed.status == 400 and "Hãy chọn một tổ chức trong danh sách." in page_text(closed)
    unknown = post(
        server,
        "/subscribe",
        {"organisation": "nope", "email": "c@example.org"},
        client="203.0.113.3",
    )
    assert unknown.status == 400
    time.sleep(0.5)
    assert mails_to(smtp, "c@example.org") == []
    # The manage page shows the request as awaiting approval; leaving withdraws it.
    post(server, "/subscriptions", {"email": "gated@example.org"}, client="203.0.113.3")
    manage = link_in(wait_mail(smtp, "gated@example.org", 2), "/subscriptions/manage")
    listed = page_text(server.get(manage))
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh (đang chờ duyệt)" in listed


def test_rate_limits_per_address_and_per_client(server: Server) -> None:
    answers = [
        subscribe(server, "limited@example.org", client=f"198.51.100.{i}")[0] for i in range(1, 6)
    ]
    assert answers == [200, 200, 200, 429, 429]
    many = [subscribe(server, f"user{i}@example.org", client="192.0.2.77")[0] for i in range(21)]
    assert many == [200] * 20 + [429]
    refused = post(server, "/subscriptions", {"email": "other@example.org"}, client="192.0.2.77")
    assert refused.status == 429  # one budget per client, every form together
    text = page_text(refused)
    assert "Quá nhiều yêu cầu" in text and "Too many requests" in text
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert refused.headers["content-type"].startswith("text/html")
    # Another client, another address: still served.
    assert subscribe(server, "fresh@example.org", client="192.0.2.78")[0] == 200


def test_markup_in_every_field_is_escaped_in_pages_and_mails(
    server: Server, smtp: SmtpServer
) -> None:
    status, _ = subscribe(server, "markup@example.org", name=HOSTILE, client="203.0.113.4")
    assert status == 200
    received = wait_mail(smtp, "markup@example.org")
    assert "<i>Cửa Ông</i>" not in text_part(received.message, "html")
    assert "&lt;i&gt;Cửa Ông&lt;/i&gt;" in text_part(received.message, "html")
    path = link_in(received, "/subscribe/confirm")
    for reply in (server.get(path), post(server, "/subscribe/confirm", {"t": token_of(path)})):
        assert "<i>" not in reply.text and "<script>alert" not in reply.text
    bad = post(
        server,
        "/subscribe",
        {"organisation": "cua-ong", "email": HOSTILE, "name": HOSTILE},
        client="203.0.113.4",
    )
    assert bad.status == 400
    assert "<script>alert" not in bad.text and "&lt;script&gt;alert(&#39;x&#39;)" in bad.text
    assert "Địa chỉ email không hợp lệ" in page_text(bad)
    post(server, "/subscriptions", {"email": "markup@example.org"}, client="203.0.113.4")
    manage = link_in(wait_mail(smtp, "markup@example.org", 2), "/subscriptions/manage")
    listed = server.get(manage)
    assert "<i>Cửa Ông</i>" not in listed.text and "&lt;i&gt;Cửa Ông&lt;/i&gt;" in listed.text


@pytest.mark.parametrize(
    ("email", "name"),
    [
        ("inject@example.org\r\nBcc: victim@example.net", ""),
        ("inject@example.org", "Tên\r\nBcc: victim@example.net"),
        ("inject@example.org>, victim@example.net", ""),
        ("inject@example.org\nSubject: spam", ""),
    ],
)
def test_no_header_injection(server: Server, smtp: SmtpServer, email: str, name: str) -> None:
    reply = post(
        server,
        "/subscribe",
        {"organisation": "cua-ong", "email": email, "name": name},
        client="203.0.113.5",
    )
    assert reply.status == 400
    time.sleep(0.3)
    assert all("victim@example.net" not in r.recipients for r in smtp.received)
    assert all(b"victim@example.net" not in r.data for r in smtp.received)


def test_a_confirmation_mail_has_one_recipient_and_plain_headers(
    server: Server, smtp: SmtpServer
) -> None:
    subscribe(server, "headers@example.org", name="Tên\u2028lạ", client="203.0.113.6")
    subscribe(server, "headers@example.org", name="Nguyễn Văn A", client="203.0.113.6")
    received = wait_mail(smtp, "headers@example.org")
    msg = received.message
    assert received.recipients == ("headers@example.org",)
    assert msg["To"] == "headers@example.org" and msg["Bcc"] is None
    assert msg["Subject"] == "Xác nhận đăng ký nhận nhắc việc / Confirm your reminder subscription"
    plain = text_part(msg)
    assert plain.index("Xin chào,") < plain.index("Hello,")  # Vietnamese, then English
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Content-Language"] == "vi"
    assert msg["List-Unsubscribe"] is None  # not a subscriber yet
    assert len(mails_to(smtp, "headers@example.org")) == 1  # the name with U+2028 was refused


def test_a_body_over_the_limit_is_refused(server: Server) -> None:
    reply = post(
        server, "/subscribe", {"organisation": "cua-ong", "email": "a" * 9000}, client="203.0.113.7"
    )
    assert reply.status == 413 and "Nội dung gửi lên quá lớn" in page_text(reply)


def test_a_form_without_its_csrf_token_is_refused(server: Server, smtp: SmtpServer) -> None:
    fields = {"organisation": "cua-ong", "email": "csrf@example.org"}
    for path in ("/subscribe", "/subscriptions"):
        bare = post(server, path, fields, client="203.0.113.10", csrf=False)
        assert bare.status == 403, path
        _, token = browser_of(server)
        wrong = post(
            server,
            path,
            {**fields, "csrf_token": token[:-1] + ("y" if token.endswith("x") else "x")},
            client="203.0.113.10",
        )
        assert wrong.status == 403, path
    subscribe(server, "csrf-ok@example.org", client="203.0.113.10")
    wait_mail(smtp, "csrf-ok@example.org")
    path = confirm_path(smtp, "csrf-ok@example.org")
    assert post(server, "/subscribe/confirm", {"t": token_of(path)}, csrf=False).status == 403
    assert server.get(path).status == 200  # the refused post used nothing
    assert mails_to(smtp, "csrf@example.org") == []


def test_expired_links_do_nothing(tmp_path: Path, smtp: SmtpServer) -> None:
    cli = InstalledCli(tmp_path)
    cli.ok(
        "org", "add", "cp", "--name", "Cẩm Phả", "--scope", "city:cam-pha", "--subscribe", "open"
    )
    srv = Server(tmp_path, env=smtp_env(smtp)).start()
    try:
        subscribe(srv, "late@example.org", "cp", client="203.0.113.8")
        subscribe(srv, "late@example.org", "cp", client="203.0.113.8")
        first = confirm_path(smtp, "late@example.org", 1)
        second = confirm_path(smtp, "late@example.org", 2)
    finally:
        srv.stop()
    # 48 hours pass for the first link, not for the second.
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="microseconds")
    with closing(sqlite3.connect(cli.database)) as conn, conn:
        conn.execute(
            "UPDATE subscription_tokens SET expires_at = ? WHERE token_hash = ?",
            (past, token_hash(token_of(first))),
        )
    srv = Server(tmp_path, env=smtp_env(smtp)).start()
    try:
        assert srv.get(first).status == 400
        assert post(srv, "/subscribe/confirm", {"t": token_of(first)}).status == 400
        assert post(srv, "/subscribe/confirm", {"t": token_of(second)}).status == 200
        post(srv, "/subscriptions", {"email": "late@example.org"}, client="203.0.113.8")
        manage = link_in(wait_mail(smtp, "late@example.org", 3), "/subscriptions/manage")
        assert srv.get(manage).status == 200
    finally:
        srv.stop()
    # Two hours pass for the "my subscriptions" link.
    with closing(sqlite3.connect(cli.database)) as conn, conn:
        conn.execute(
            "UPDATE subscription_tokens SET expires_at = ? WHERE token_hash = ?",
            (past, token_hash(token_of(manage))),
        )
    srv = Server(tmp_path, env=smtp_env(smtp)).start()
    try:
        assert srv.get(manage).status == 400
        fields = {"t": token_of(manage), "organisation": "cp"}
        assert post(srv, "/subscriptions/manage", fields).status == 400
    finally:
        srv.stop()
    (sub,) = json.loads(cli.ok("subscribers", "list", "--format", "json").out)
    assert (sub["email"], sub["active"]) == ("late@example.org", True)


def test_the_manage_link_unsubscribes_once(server: Server, smtp: SmtpServer) -> None:
    subscribe(server, "leaver@example.org", client="203.0.113.9", lang="en")
    confirmation = wait_mail(smtp, "leaver@example.org")
    assert confirmation.message["Subject"] == "Confirm your reminder subscription"
    assert "Xin chào" not in text_part(confirmation.message)  # the form was in English
    path = link_in(confirmation, "/subscribe/confirm")
    assert path.startswith("/en/subscribe/confirm?t=")
    done = post(server, "/en/subscribe/confirm", {"t": token_of(path)})
    assert done.status == 200 and "Subscribed" in page_text(done)
    post(server, "/en/subscriptions", {"email": "leaver@example.org"}, client="203.0.113.9")
    manage = link_in(wait_mail(smtp, "leaver@example.org", 2), "/subscriptions/manage")
    assert manage.startswith("/en/subscriptions/manage?t=")
    listed = server.get(manage)
    assert listed.status == 200 and listed.headers["referrer-policy"] == "no-referrer"
    assert "Subscriptions of leaver@example.org" in page_text(listed)
    assert "receiving reminders" in page_text(listed)
    forged = post(server, "/en/subscriptions/manage", {"t": "A" * 43, "organisation": "cua-ong"})
    assert forged.status == 400
    left = post(
        server, "/en/subscriptions/manage", {"t": token_of(manage), "organisation": "cua-ong"}
    )
    assert left.status == 200 and "Unsubscribed" in page_text(left)
    again = post(
        server, "/en/subscriptions/manage", {"t": token_of(manage), "organisation": "cua-ong"}
    )
    assert again.status == 400 and server.get(manage).status == 400
    # No longer subscribed: asking for a link again mails nothing (and answers the same).
    answer = post(
        server, "/en/subscriptions", {"email": "leaver@example.org"}, client="203.0.113.9"
    )
    assert answer.status == 200
    time.sleep(0.5)
    assert len(mails_to(smtp, "leaver@example.org")) == 2


def test_the_access_log_keeps_no_link_token(server: Server, smtp: SmtpServer) -> None:
    subscribe(server, "logged@example.org", client="203.0.113.11")
    path = confirm_path(smtp, "logged@example.org")
    assert server.get(path).status == 200
    assert server.get(f"/unsubscribe?t={token_of(path)}&x=1").status == 400
    time.sleep(0.3)
    log = server.log.read_text(encoding="utf-8")
    assert "GET /subscribe/confirm?t=… HTTP/1.1" in log
    assert "GET /unsubscribe?t=…&x=1 HTTP/1.1" in log
    assert token_of(path) not in log
