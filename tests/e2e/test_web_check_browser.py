"""Headless Chromium (Debian's) uses the month page's "Kiểm tra văn bản" form: a pasted
draft with slips, an uploaded .docx draft of the service's own, and a file that is not one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Browser
from web_support import ARTIFACTS, Server

from calendar_svc.catalog import load_bundled, load_scopes
from calendar_svc.directive.profile import build_profile
from calendar_svc.directive.word import document_bytes
from calendar_svc.services.directive import draft_directive
from calendar_svc.store.memory import MemoryReader

PASTED = (
    "V/v định hướng công tác tuyên truyền tháng 12/2025\n"
    "Kỷ niệm 81 năm Ngày thành lập Quân đội nhân dân Việt Nam (22/12/1944 - 22/12/2025); "
    "36 năm Ngày hội Quốc phòng toàn dân (22/12/1944 - 22/12/2025); "
    "43 năm Ngày Nhà giáo Việt Nam (20/11/1982 - 20/11/2025)."
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("check-browser")).start()
    yield srv
    srv.stop()


def test_pasted_text_shows_each_finding_highlighted(server: Server, browser: Browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}/month/2025-12?scope=national")
    assert page.locator("#kiem-tra").inner_text() == "Kiểm tra văn bản"
    form = page.locator("form.proofread")
    assert form.locator("input[name=scope]").input_value() == "national"
    form.locator("textarea[name=text]").fill(PASTED)
    assert form.locator("input[name=csrf_token]").input_value()  # every form carries one
    with page.expect_navigation(url="**/month/2025-12/check"):
        form.locator("button[type=submit]").click()
    assert page.title() == "Kiểm tra văn bản tháng 12/2025 — Lịch kỷ niệm"
    summary = page.locator("p.summary")
    assert "2 lỗi cần sửa" in summary.inner_text() and "failed" in (
        summary.get_attribute("class") or ""
    )

    slips = page.locator("ol.findings li.finding.slip")
    kinds = [" ".join(t.split()) for t in slips.locator(".kind").all_inner_texts()]
    assert kinds == ["sai số năm / arithmetic slip", "sai mốc gốc / origin slip"]
    origin = page.locator("li.finding.origin")
    assert "văn bản dán:2" in origin.locator(".place").inner_text()
    assert origin.locator(".correction strong").inner_text() == (
        "36 năm Ngày hội Quốc phòng toàn dân (22/12/1989 - 22/12/2025)"
    )
    stray = page.locator("li.finding.stray")
    assert "43 năm Ngày Nhà giáo Việt Nam" in stray.inner_text()

    marks = page.locator("ol.checked-text a.mark")
    texts = marks.all_inner_texts()
    assert texts == [
        "36 năm Ngày hội Quốc phòng toàn dân (22/12/1944 - 22/12/2025)",
        "43 năm Ngày Nhà giáo Việt Nam (20/11/1982 - 20/11/2025)",
    ]
    assert "slip" in (marks.nth(0).get_attribute("class") or "")
    assert "advice" in (marks.nth(1).get_attribute("class") or "")
    red = marks.nth(0).evaluate("e => getComputedStyle(e).backgroundColor")
    assert red == "rgb(253, 231, 229)"
    marks.nth(0).click()
    assert page.url.endswith(f"#f-{marks.nth(0).get_attribute('data-finding')}")
    # The pasted text stays in the form for the next try; nothing else keeps it.
    assert page.locator("form.proofread textarea").input_value() == PASTED
    page.screenshot(path=ARTIFACTS / "check-2025-12-pasted.png", full_page=True)
    page.close()


def test_uploaded_docx_draft_checks_clean(server: Server, browser: Browser, tmp_path: Path) -> None:
    scopes = load_scopes()
    profile = build_profile("cam-pha", "Ban Tuyên giáo Thành ủy Cẩm Phả", "city:cam-pha")
    draft = draft_directive(
        MemoryReader(load_bundled()), scopes, profile, 2023, 2, date(2023, 2, 2)
    )
    path = tmp_path / "du-thao-2023-02.docx"
    path.write_bytes(document_bytes(draft))
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(f"{server.url}/month/2023-02?scope=city:cam-pha")
    page.set_input_files("form.proofread input[type=file]", str(path))
    with page.expect_navigation(url="**/month/2023-02/check"):
        page.click("form.proofread button[type=submit]")
    assert page.locator("p.summary").inner_text().startswith("Không có lỗi")
    assert "du-thao-2023-02.docx" in page.locator("h2.checked-name").inner_text()
    assert page.locator("ol.findings").count() == 0
    assert page.locator("ol.checked-text a.mark").count() == 0
    assert "11 năm Ngày thành lập Thành phố Cẩm Phả" in page.locator("ol.checked-text").inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    page.close()


def test_a_file_that_is_not_a_docx_is_one_clear_line(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    fake = tmp_path / "du-thao.docx"
    fake.write_text("không phải Word", encoding="utf-8")
    page = browser.new_page()
    page.goto(f"{server.url}/month/2023-02/check")
    page.set_input_files("form.proofread input[type=file]", str(fake))
    with page.expect_navigation(url="**/month/2023-02/check"):
        page.click("form.proofread button[type=submit]")
    alert = page.locator("p.error[role=alert]")
    assert alert.inner_text() == "du-thao.docx: không phải tệp .docx / not a .docx (Word) document"
    assert page.locator("p.summary").count() == 0
    doc = Document()
    doc.add_paragraph("")
    empty = tmp_path / "trong.docx"
    doc.save(str(empty))
    page.set_input_files("form.proofread input[type=file]", str(empty))
    with page.expect_navigation():  # the page is at this URL already: wait for the answer
        page.click("form.proofread button[type=submit]")
    assert "không có chữ / the document has no text" in page.locator("p.error").inner_text()
    page.close()
