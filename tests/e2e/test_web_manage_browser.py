"""A manager signs in and manages the organisation in headless Chromium (playwright).

Real ``calendar-svc serve``, real aiosmtpd SMTP server, Debian's Chromium; axe-core (from
tests/js/node_modules) checks every page the manager sees.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage
from smtp_support import SmtpServer
from web_support import Server, check_page

from conftest import Cli

MANAGER = "lan@qn.example.vn"
OPERATOR = "ops@example.vn"
ORG = "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh"
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
FIELDS = {
    "id": "thanh-lap-phuong-hong-gai",
    "name_vi": f"Ngày thành lập phường Hồng Gai {HOSTILE}",
    "name_en": "Founding of Hong Gai ward",
    "origin": "2025-02-30",
    "source": "Nghị quyết 1679/NQ-UBTVQH15",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("manage")


@pytest.fixture(scope="module")
def cli(home: Path) -> Cli:
    cli = Cli(home)
    for args in (
        ("org", "add", "quang-ninh", "--name", ORG, "--scope", "province:quang-ninh"),
        ("users", "add", MANAGER, "--org", "quang-ninh"),
        ("users", "add", OPERATOR, "--operator"),
    ):
        result = cli(*args)
        assert result.code == 0, result.err
    return cli


@pytest.fixture(scope="module")
def server(home: Path, cli: Cli, smtp: SmtpServer) -> Iterator[Server]:
    srv = Server(home)
    # No base URL: served on loopback and asked on loopback, the mailed link points here.
    srv.env.update(
        CALENDAR_SVC_WEB_BASE_URL="",
        CALENDAR_SVC_SMTP_HOST="127.0.0.1",
        CALENDAR_SVC_SMTP_PORT=str(smtp.port),
        CALENDAR_SVC_SMTP_FROM="Lịch kỷ niệm <lich@example.vn>",
    )
    srv.start()
    yield srv
    srv.stop()


def cli_origin_message(cli: Cli) -> str:
    """Return what ``calendar-svc add`` says about the same wrong date."""
    args = [f"--{k.replace('_', '-')}={v}" for k, v in FIELDS.items() if k != "id"]
    result = cli(
        "add", FIELDS["id"], *args, "--category", "dia-phuong", "--scope", "province:quang-ninh"
    )
    assert result.code == 1
    line = next(x for x in result.err.splitlines() if "--origin" in x)
    return line.split("option --origin: ", 1)[1]


def test_a_manager_signs_in_adds_an_anniversary_and_a_subscriber_and_reads_the_audit(
    server: Server, smtp: SmtpServer, cli: Cli, browser: Browser
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    errors: list[str] = []

    def on_console(m: ConsoleMessage) -> None:
        if m.type != "error":
            return
        # A page answered 400 on purpose (a wrong date) is reported too: not an error here.
        if m.text.startswith("Failed to load resource") and "400" in m.text:
            return
        errors.append(f"{m.text} {m.location.get('url')}")

    page.on("console", on_console)
    page.on(  # every style sheet and script loads
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.request.resource_type in ("stylesheet", "script") and r.status >= 400
            else None
        ),
    )

    # Sign in, by keyboard: type the address, Enter.
    page.goto(f"{server.url}/signin")
    check_page(page, "manage-signin")
    page.locator("#email").focus()
    page.keyboard.type(MANAGER)
    with page.expect_navigation():  # the page is at /signin already: wait for the answer
        page.keyboard.press("Enter")
    assert page.url == f"{server.url}/signin"
    assert page.locator("h1").inner_text() == "Hãy kiểm tra hộp thư"
    check_page(page, "manage-signin-sent")
    smtp.wait_for(lambda: len(smtp.received) == 1)
    message = smtp.received[0].message
    assert smtp.received[0].recipients == (MANAGER,)
    text = message.get_body(("plain",)).get_content()
    link = next(word for word in text.split() if "/signin/link?t=" in word)
    assert link.startswith(f"{server.url}/signin/link?t=")
    page.goto(link)
    check_page(page, "manage-signin-link")
    for _ in range(12):  # Tab to the button, press Enter.
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Đăng nhập / Sign in":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{server.url}/manage/quang-ninh"
    check_page(page, "manage-overview")

    # A wrong date first: the CLI's message beside the field, nothing saved.
    page.get_by_role("link", name="Ngày kỷ niệm của địa phương").click()
    form = page.locator("form[action$='/anniversaries']")
    for name, value in FIELDS.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=category]").select_option("dia-phuong")
    with page.expect_navigation():
        form.get_by_role("button", name="Thêm").click()
    error = page.locator("#e-origin")
    assert error.inner_text() == cli_origin_message(cli)
    assert page.locator("#f-origin").get_attribute("aria-describedby") == "e-origin"
    check_page(page, "manage-anniversary-error")
    assert cli("show", FIELDS["id"]).code == 1  # nothing saved
    form = page.locator("form[action$='/anniversaries']")
    form.locator("[name=origin]").fill("2025-07-01")
    with page.expect_navigation():
        form.get_by_role("button", name="Thêm").click()
    assert page.locator(".done").inner_text() == "Đã thêm."
    assert HOSTILE in page.locator("table").inner_text()  # shown as text, never run
    check_page(page, "manage-anniversaries")
    shown = json.loads(cli("show", FIELDS["id"], "--format", "json").out)
    assert shown["name_vi"] == FIELDS["name_vi"]

    # A subscriber.
    page.get_by_role("link", name="Người nhận thư nhắc").click()
    form = page.locator("form[action$='/subscribers']")
    form.locator("[name=email]").fill("hoa@qn.example.vn")
    form.locator("[name=name]").fill(f"Chị Hoa {HOSTILE}")
    with page.expect_navigation():
        form.get_by_role("button", name="Thêm").click()
    assert "hoa@qn.example.vn" in page.locator("table").inner_text()
    check_page(page, "manage-subscribers")

    # The monthly draft as .docx.
    page.get_by_role("link", name="Tổng quan").click()
    with page.expect_download() as info:
        page.locator("a.download").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as docx:
        assert "word/document.xml" in docx.namelist()

    # Both changes in the audit log.
    page.get_by_role("link", name="Nhật ký thay đổi").click()
    entries = page.locator("li.entry").all_inner_texts()
    assert len(entries) == 2
    assert "subscriber.add" in entries[0] and "hoa@qn.example.vn" in entries[0]
    assert "anniversary.add" in entries[1] and FIELDS["id"] in entries[1]
    assert all(MANAGER in e for e in entries)
    check_page(page, "manage-audit")
    audit = json.loads(cli("audit", "--org", "quang-ninh", "--format", "json").out)
    assert [e["action"] for e in audit] == ["subscriber.add", "anniversary.add"]

    # The other pages, in English too.
    for path, name in (
        ("/manage/quang-ninh/settings", "settings"),
        ("/manage/quang-ninh/digest", "digest"),
        ("/en/manage/quang-ninh/anniversaries", "anniversaries-en"),
        ("/en/manage/quang-ninh/subscribers", "subscribers-en"),
    ):
        page.goto(server.url + path)
        check_page(page, f"manage-{name}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert errors == [], errors  # no CSP refusal, no script error, no missing file (favicon)
    styles = page.evaluate("[...document.styleSheets].map(s => s.href)")
    assert f"{server.url}/static/manage.css" in styles
    context.close()


def test_an_operator_lists_the_organisations_and_a_bad_link_says_so(
    server: Server, smtp: SmtpServer, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/en/signin/link?t=forged")
    assert page.locator("h1").inner_text() == "This link cannot be used"
    check_page(page, "manage-invalid-link-en")
    count = len(smtp.received)
    page.goto(f"{server.url}/en/signin")
    page.locator("#email").fill(OPERATOR)
    page.get_by_role("button", name="Send me a sign-in link").click()
    smtp.wait_for(lambda: len(smtp.received) > count)
    text = smtp.received[-1].message.get_body(("plain",)).get_content()
    page.goto(next(word for word in text.split() if "/signin/link?t=" in word))
    page.get_by_role("button", name="Đăng nhập / Sign in").click()
    page.wait_for_url(f"{server.url}/en/manage")
    assert ORG in page.locator("main").inner_text()
    check_page(page, "manage-organisations-en")
    context.close()
