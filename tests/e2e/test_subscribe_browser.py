"""A new user subscribes in headless Chromium, confirms from the mail, gets the next digest.

Real parts only: ``calendar-svc serve`` on a free port, aiosmtpd, Debian's Chromium through
Playwright, and ``calendar-svc remind run-once`` for the digest, as the reminder tests run
it. Then the "manage my subscriptions" page and the digest's one-click unsubscribe link
work side by side.
"""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from playwright.sync_api import Browser
from reminders_support import InstalledCli
from smtp_support import SmtpServer
from subscribe_support import SENT_VI, link_in, local, mails_to, smtp_env, text_part, wait_mail
from web_support import ARTIFACTS, Server, check_page

CAM_PHA = "Ban Tuyên giáo và Dân vận Thành ủy Cẩm Phả"
FEB_SUBJECT = "[Nhắc lịch] Định hướng tuyên truyền tháng 02/2023 — hạn 02/02/2023"
FEB_PARTY = "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)"
ADDRESS = "nguoi-moi@example.org"
NAME = "Nguyễn Thị <b>Mới</b> <script>alert(1)</script>"


def subject_of(data: bytes) -> str:
    return str(email.message_from_bytes(data, policy=policy.default)["Subject"])


def test_a_new_user_subscribes_confirms_and_gets_the_next_digest(
    tmp_path: Path, browser: Browser
) -> None:
    cli = InstalledCli(tmp_path)
    cli.ok("org", "add", "cam-pha", "--name", CAM_PHA, "--scope", "city:cam-pha")
    cli.ok("org", "edit", "cam-pha", "--subscribe", "open")
    ARTIFACTS.mkdir(exist_ok=True)
    with SmtpServer() as smtp:
        server = Server(tmp_path, env=smtp_env(smtp)).start()
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            console: list[str] = []
            page.on("console", lambda msg: console.append(msg.text))
            page.goto(f"{server.url}/month/2023-02?scope=city:cam-pha")
            page.get_by_role("link", name="Nhận nhắc việc qua email").click()
            page.wait_for_url(re.compile(r"/subscribe\?scope=district%3Aquang-ninh/cam-pha$"))
            assert page.get_by_label("Tổ chức").input_value() == "cam-pha"
            assert "content-security-policy" in page.request.get(page.url).headers
            page.get_by_label("Địa chỉ email").fill(ADDRESS)
            page.get_by_label("Họ tên (không bắt buộc)").fill(NAME)
            check_page(page, "subscribe-form")
            page.keyboard.press("Enter")  # the keyboard sends the form
            page.wait_for_url(f"{server.url}/subscribe")
            assert SENT_VI in page.inner_text("main")
            check_page(page, "subscribe-sent")

            confirmation = wait_mail(smtp, ADDRESS)
            assert subject_of(confirmation.data) == (
                "Xác nhận đăng ký nhận nhắc việc / Confirm your reminder subscription"
            )
            assert CAM_PHA in text_part(confirmation.message)
            page.goto(local(server, link_in(confirmation, "/subscribe/confirm")))
            assert ADDRESS in page.inner_text("main")
            check_page(page, "subscribe-confirm")
            with page.expect_navigation():
                page.get_by_role("button", name="Xác nhận đăng ký").click()
            assert "Đã đăng ký" in page.inner_text("h1")
            check_page(page, "subscribe-subscribed")
            assert CAM_PHA in page.inner_text("main")
            assert not [m for m in console if "Content Security Policy" in m], console
            page.close()
        finally:
            server.stop()
        assert len(mails_to(smtp, ADDRESS)) == 1  # nothing but the confirmation so far

        run = cli.run_once(smtp.port, "2023-01-23T08:00")
        assert run.code == 0, run.err
        digests = [r for r in mails_to(smtp, ADDRESS) if subject_of(r.data) == FEB_SUBJECT]
        assert len(digests) == 1
        (digest,) = digests
        assert digest.recipients == (ADDRESS,)
        assert NAME in text_part(digest.message)  # plain text: as typed
        digest_html = text_part(digest.message, "html")
        assert "<b>Mới</b>" not in digest_html and "<script>" not in digest_html
        assert "Nguyễn Thị &lt;b&gt;Mới&lt;/b&gt; &lt;script&gt;" in digest_html
        assert FEB_PARTY in text_part(digest.message)
        one_click = str(digest.message["List-Unsubscribe"]).split("<", 1)[1].split(">", 1)[0]

        server = Server(tmp_path, env=smtp_env(smtp)).start()
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{server.url}/subscriptions")
            check_page(page, "subscribe-manage-form")
            page.get_by_label("Địa chỉ email").fill(ADDRESS)
            before = len(mails_to(smtp, ADDRESS))
            with page.expect_navigation():
                page.get_by_role("button", name="Gửi liên kết").click()
            manage = link_in(wait_mail(smtp, ADDRESS, before + 1), "/manage")
            page.goto(local(server, manage))
            item = page.locator("ul.subscriptions li")
            assert item.count() == 1 and CAM_PHA in item.inner_text()
            assert "đang nhận thư" in item.inner_text()
            check_page(page, "subscribe-manage-list")
            # The digest's one-click unsubscribe link still works beside the page.
            path = one_click.split("lich.example.org", 1)[1]
            answer = page.request.post(
                f"{server.url}{path}",
                data="List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert answer.status == 200
            page.reload()
            assert "Địa chỉ này không còn đăng ký nào." in page.inner_text("main")
            check_page(page, "subscribe-manage-empty")
            page.goto(f"{server.url}/en/subscribe?scope=city:cam-pha")
            check_page(page, "subscribe-form-en")
            page.close()
        finally:
            server.stop()
