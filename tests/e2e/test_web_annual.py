"""The month page's year view offers the annual guide; the .docx downloads for the scope."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Browser
from web_support import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("web-annual")).start()
    yield srv
    srv.stop()


def test_the_year_view_links_the_guide_of_the_chosen_scope(server: Server) -> None:
    page = server.get("/month/2027-02?scope=province%3Aquang-ninh")
    assert page.status == 200
    link = re.search(r'<a class="download annual" href="([^"]+)">([^<]+)</a>', page.text)
    assert link is not None
    assert link.group(2) == "Tải dự thảo hướng dẫn năm 2027"
    href = link.group(1).replace("&amp;", "&")
    assert href == "/annual/2027.docx?scope=province%3Aquang-ninh"
    reply = server.get(href)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert reply.headers["content-disposition"] == (
        'attachment; filename="huong-dan-2027-province-quang-ninh.docx"'
    )
    doc = Document(io.BytesIO(reply.body))
    top_left = doc.tables[0].rows[0].cells[0]
    assert [p.text for p in top_left.paragraphs] == [
        "TỈNH ỦY QUẢNG NINH",
        "BAN TUYÊN GIÁO VÀ DÂN VẬN",
        "*",
    ]
    texts = [p.text for p in doc.paragraphs]
    assert "5. Kỷ niệm các ngày truyền thống, sự kiện lịch sử của Tỉnh" in texts
    assert any(t.startswith("- 120 năm Ngày sinh đồng chí Trường Chinh") for t in texts)


def test_without_a_scope_the_guide_is_national(server: Server) -> None:
    page = server.get("/month/2024-05")
    assert 'href="/annual/2024.docx"' in page.text
    reply = server.get("/annual/2024.docx")
    assert reply.status == 200
    doc = Document(io.BytesIO(reply.body))
    texts = [p.text for p in doc.paragraphs]
    assert not any(t.startswith("5. Kỷ niệm các ngày truyền thống") for t in texts)
    assert [p.text for p in doc.tables[0].rows[1].cells[0].paragraphs] == ["Số …-HD/BTGDVTW"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/annual/20x7.docx", 404),
        ("/annual/1800.docx", 404),
        ("/annual/2027.docx?scope=province%3Anowhere", 400),
        ("/annual/2027.docx?category=le-hoi", 400),
    ],
)
def test_bad_requests_get_one_clear_answer(server: Server, path: str, status: int) -> None:
    reply = server.get(path)
    assert reply.status == status, reply.text
    assert "Traceback" not in reply.text


def test_a_user_downloads_the_guide_from_the_year_view_in_chromium(
    server: Server, tmp_path: Path, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(f"{server.url}/month/2027-02")
    with page.expect_navigation():
        page.select_option("select[name=province]", "province:quang-ninh")
    link = page.get_by_role("link", name="Tải dự thảo hướng dẫn năm 2027")
    assert link.is_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "huong-dan-2027-province-quang-ninh.docx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    page.close()
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert texts[texts.index("HƯỚNG DẪN") + 2].endswith("năm 2027")
    assert "5. Kỷ niệm các ngày truyền thống, sự kiện lịch sử của Tỉnh" in texts
