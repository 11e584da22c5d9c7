"""Headless Chromium (Debian's) driven by Playwright loads the month page of February 2023."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from web_support import BASE_URL, Server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Item 9 of Công văn 581-CV/BTGTU (Cẩm Phả, 02/02/2023): count and name as the page shows them.
DIRECTIVE_581 = [
    ("93 năm", "Ngày thành lập Đảng Cộng sản Việt Nam"),
    ("44 năm", "Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc"),
    ("68 năm", "Ngày Thầy thuốc Việt Nam"),
    ("110 năm", "Ngày sinh đồng chí Huỳnh Tấn Phát"),
    ("11 năm", "Ngày thành lập Thành phố Cẩm Phả"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("browser")).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert shutil.which(CHROMIUM), "install Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def check_events(page: Page) -> None:
    items = page.locator("ol.events > li")
    texts = [" ".join(t.split()) for t in items.all_inner_texts()]
    for count, name in DIRECTIVE_581:
        assert any(f"{count} {name}" in t for t in texts), (count, name, texts)


def check_month(page: Page) -> None:
    check_events(page)
    items = page.locator("ol.events > li")
    texts = [" ".join(t.split()) for t in items.all_inner_texts()]
    for count, name in DIRECTIVE_581:
        assert any(f"{count} {name}" in t for t in texts), (count, name, texts)
    party = page.locator("li.event", has_text="Ngày thành lập Đảng Cộng sản Việt Nam")
    assert "03/02" in party.inner_text() and "13/1 Quý Mão" in party.inner_text()
    assert page.locator("li.event.nam-tron", has_text="Huỳnh Tấn Phát").count() == 1
    cam_pha = page.locator("li.feed.current").first
    assert (
        cam_pha.locator("a.subscribe").get_attribute("href")
        == "webcal://lich.example.vn/feeds/cam-pha.ics"
    )
    assert cam_pha.locator("a.download").get_attribute("href") == f"{BASE_URL}/feeds/cam-pha.ics"
    assert cam_pha.locator("input").input_value() == f"{BASE_URL}/feeds/cam-pha.ics"
    hrefs = page.locator("li.feed a.subscribe").evaluate_all("els => els.map(e => e.href)")
    assert all(h.startswith("webcal://lich.example.vn/feeds/") for h in hrefs) and len(hrefs) == 46


def test_month_page_in_chromium(server: Server, browser: Browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}/month/2023-02?scope=city:cam-pha")
    assert page.title() == "Tháng 02/2023 — Lịch kỷ niệm"
    check_month(page)
    page.screenshot(path=ARTIFACTS / "month-2023-02-cam-pha.png", full_page=True)
    page.close()


def test_month_page_on_a_phone(server: Server, browser: Browser) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{server.url}/month/2023-02")
    # The picker: a province first (choosing it shows the page for it and its communes),
    # then one of its communes; each choice submits itself.
    with page.expect_navigation():
        page.select_option("select[name=province]", "province:quang-ninh")
    assert page.locator("select[name=scope] option").count() == 55  # the province + 54
    with page.expect_navigation():
        page.select_option("select[name=scope]", "commune:quang-ninh/cua-ong")
    assert "scope=commune%3Aquang-ninh%2Fcua-ong" in page.url
    check_events(page)  # phường Cửa Ông lists what Thành phố Cẩm Phả listed in 2023
    page.goto(f"{server.url}/month/2023-02?scope=city:cam-pha")
    check_month(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    page.screenshot(path=ARTIFACTS / "month-2023-02-cam-pha-phone.png", full_page=True)
    page.screenshot(path=ARTIFACTS / "month-2023-02-cam-pha-phone-top.png")
    page.locator("#dang-ky").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "month-2023-02-cam-pha-phone-subscribe.png")
    page.click("a[rel=next]")
    assert "/month/2023-03?scope=district%3Aquang-ninh%2Fcam-pha" in page.url
    context.close()
