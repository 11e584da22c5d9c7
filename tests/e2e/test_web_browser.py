"""Headless Chromium (Debian's) driven by Playwright loads the month page of February 2023."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from web_support import ARTIFACTS, BASE_URL, Server

#: Item 9 of Công văn 581-CV/BTGTU (Cẩm Phả, 02/02/2023): count and name as the page shows them.
DIRECTIVE_581 = [
    ("93 năm", "Ngày thành lập Đảng Cộng sản Việt Nam"),
    ("44 năm", "Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc"),
    ("68 năm", "Ngày Thầy thuốc Việt Nam"),
    ("110 năm", "Ngày sinh đồng chí Huỳnh Tấn Phát"),
    ("11 năm", "Ngày thành lập Thành phố Cẩm Phả"),
]


#: The policy the service's pages must work under: no inline script or style at all.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'"


def strict_context(browser: Browser, server: Server, **options: object) -> BrowserContext:
    """Return a context where every answer of ``server`` carries :data:`CSP`, and where a
    script or style the policy refuses fails the test (``context.violations``)."""
    context = browser.new_context(**options)  # type: ignore[arg-type]
    violations: list[str] = []

    def with_policy(route: Route) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, headers={**answer.headers, "content-security-policy": CSP})

    def console(page: Page) -> None:
        page.on(
            "console",
            lambda msg: (
                violations.append(msg.text) if "Content Security Policy" in msg.text else None
            ),
        )

    context.route(f"{server.url}/**", with_policy)
    context.on("page", console)
    context.violations = violations  # type: ignore[attr-defined]
    return context


def assert_styled(page: Page) -> None:
    """The style sheet applied (under the policy): the header is the brand's red."""
    colour = page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor")
    assert colour == "rgb(179, 38, 30)", colour


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("browser")).start()
    yield srv
    srv.stop()


def check_month(page: Page) -> None:
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
        == "webcal://lich.example.vn/feeds/district/quang-ninh/cam-pha.ics"
    )
    feed = f"{BASE_URL}/feeds/district/quang-ninh/cam-pha.ics"
    assert cam_pha.locator("a.download").get_attribute("href") == feed
    assert cam_pha.locator("input").input_value() == feed
    hrefs = page.locator("li.feed a.subscribe").evaluate_all("els => els.map(e => e.href)")
    # Cẩm Phả, Quảng Ninh, national, all, round and the seven categories.
    assert all(h.startswith("webcal://lich.example.vn/feeds/") for h in hrefs) and len(hrefs) == 12


def test_month_page_in_chromium(server: Server, browser: Browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}/month/2023-02?scope=city:cam-pha")
    assert page.title() == "Tháng 02/2023 — Lịch kỷ niệm"
    check_month(page)
    page.screenshot(path=ARTIFACTS / "month-2023-02-cam-pha.png", full_page=True)
    page.close()


def test_month_page_on_a_phone(server: Server, browser: Browser) -> None:
    context = strict_context(
        browser,
        server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
    )
    page = context.new_page()
    page.goto(f"{server.url}/month/2023-02")
    assert_styled(page)
    # The picker: a province first (choosing it submits and lists its communes), then one
    # of its communes; each choice submits itself.
    with page.expect_navigation():
        page.select_option("select[name=province]", "province:quang-ninh")
    assert page.locator("select[name=scope] option").count() == 55  # the province + 54
    with page.expect_navigation():
        page.select_option("select[name=scope]", "commune:quang-ninh/cua-ong")
    assert "scope=commune%3Aquang-ninh%2Fcua-ong" in page.url
    page.goto(page.url.split("/month/")[0] + "/month/2023-02?scope=city:cam-pha")
    check_month(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    page.screenshot(path=ARTIFACTS / "month-2023-02-cam-pha-phone.png", full_page=True)
    page.screenshot(path=ARTIFACTS / "month-2023-02-cam-pha-phone-top.png")
    page.locator("#subscribe").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "month-2023-02-cam-pha-phone-subscribe.png")
    page.click("a[rel=next]")
    assert "/month/2023-03?scope=district%3Aquang-ninh%2Fcam-pha" in page.url
    assert context.violations == []  # type: ignore[attr-defined]
    context.close()


@pytest.fixture(scope="module")
def unset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server without web.base_url: its links follow the address a request came to."""
    srv = Server(tmp_path_factory.mktemp("no-base"), env={"CALENDAR_SVC_WEB_BASE_URL": ""}).start()
    yield srv
    srv.stop()


def _clients_page(browser: Browser, server: Server) -> tuple[Page, list[str]]:
    """Open the Cẩm Phả page with the calendar services' sites answered locally."""
    context = strict_context(browser, server)
    opened: list[str] = []

    def answer(route: Route) -> None:
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>client</title>")

    context.route("https://calendar.google.com/**", answer)
    context.route("https://outlook.live.com/**", answer)
    context.route("https://outlook.office.com/**", answer)
    page = context.new_page()
    page.goto(f"{server.url}/month/2023-02?scope=city:cam-pha")
    return page, opened


def test_subscribe_links_for_every_client(unset: Server, browser: Browser) -> None:
    page, opened = _clients_page(browser, unset)
    feed = page.locator("li.feed.current").first
    https = f"{unset.url}/feeds/district/quang-ninh/cam-pha.ics"  # the port the server listens on
    webcal = https.replace("http://", "webcal://", 1)
    # Apple Calendar, Outlook for Windows and Mac, Thunderbird: webcal://
    assert feed.locator("a.subscribe").get_attribute("href") == webcal
    # Any other client: the https address, to copy; it answers with the calendar.
    assert feed.locator("input").input_value() == https
    reply = page.request.get(https)
    assert reply.status == 200 and reply.headers["content-type"] == "text/calendar; charset=utf-8"
    assert reply.body().startswith(b"BEGIN:VCALENDAR")
    title = feed.locator(".title").inner_text()
    # Google Calendar (From URL), Outlook.com and Microsoft 365 (add from web): each link
    # opens the client's page with the feed filled in.
    for css, host, check in (
        ("a.google", "calendar.google.com", lambda q: q["cid"] == [webcal]),
        ("a.outlook", "outlook.live.com", lambda q: q["url"] == [https] and q["name"] == [title]),
        (
            "a.outlook-work",
            "outlook.office.com",
            lambda q: q["url"] == [https] and q["name"] == [title],
        ),
    ):
        with page.context.expect_page() as popup:
            feed.locator(css).click()
        popup.value.wait_for_load_state()
        url = urlsplit(opened[-1])
        assert url.hostname == host, opened
        assert check(parse_qs(url.query)), (css, opened[-1])
        assert popup.value.title() == "client"
        popup.value.close()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button = feed.locator("button[data-copy]")
    assert button.inner_text() == "Chép"
    button.click()
    # The label changes once the clipboard has taken the text (a promise): wait for it.
    expect(button).to_have_text("Đã chép")
    assert page.evaluate("navigator.clipboard.readText()") == https
    assert_styled(page)
    assert page.context.violations == []  # type: ignore[attr-defined]
    page.context.close()


def test_english_page(server: Server, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{server.url}/month/2023-02?scope=city:cam-pha")
    page.click("header a.lang")
    assert "/en/month/2023-02?scope=district%3Aquang-ninh%2Fcam-pha" in page.url
    assert page.get_attribute("html", "lang") == "en"
    assert page.title() == "February 2023 — Commemoration calendar"
    assert page.locator("h1").inner_text() == "Anniversaries of February 2023"
    party = page.locator("li.event", has_text="Founding of the Communist Party of Vietnam")
    assert "93 years" in party.inner_text() and "Tuesday" not in party.inner_text()
    assert "Friday" in party.inner_text()  # 3 February 2023
    assert page.locator("li.feed.current a.subscribe").inner_text() == "Subscribe"
    assert (
        "93rd anniversary of Founding of the Communist Party"
        in page.locator("p.directive").inner_text()
    )
    page.click("a[rel=next]")
    assert "/en/month/2023-03" in page.url and page.get_attribute("html", "lang") == "en"
    page.goto(f"{server.url}/month/2023-02?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    page.click("header a.lang")
    assert page.get_attribute("html", "lang") == "vi"
    page.close()


def test_error_pages(server: Server, browser: Browser) -> None:
    page = browser.new_page()
    reply = page.goto(f"{server.url}/month/2023-13")
    assert reply is not None and reply.status == 400
    assert page.get_attribute("html", "lang") == "vi"
    assert page.title().startswith("400 Yêu cầu không hợp lệ / Bad request")
    assert "2023-13" in page.locator("p.detail").inner_text()
    page.click("a.back")
    assert page.url == f"{server.url}/" and page.locator("ol.events, p").count() > 0
    reply = page.goto(f"{server.url}/en/feeds-that-do-not-exist")
    assert reply is not None and reply.status == 404
    assert page.get_attribute("html", "lang") == "en"
    assert page.title() == "404 Not found — Commemoration calendar"
    page.click("a.back")
    assert page.url == f"{server.url}/en/" and page.get_attribute("html", "lang") == "en"
    page.close()
