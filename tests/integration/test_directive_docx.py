"""The .docx draft: read back with python-docx, then LibreOffice → PDF → PNG kept as artifacts.

The PNGs land in ``tests/artifacts/`` (git-ignored) for a person to look at. The
conversion needs ``soffice`` and ``pdftoppm`` (Debian: libreoffice-writer-nogui,
poppler-utils, fonts-liberation; ``.ci/run`` installs them). Without them the test is
skipped on a workstation but fails when ``$CI`` is set.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from directive_support import cam_pha_draft, render_pdf, save_pages
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from calendar_svc.directive.profile import DirectiveSettings
from calendar_svc.directive.word import default_filename, write_document

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"

ITEM_9 = [
    "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)",
    "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)",
    "44 năm Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc (17/02/1979 - 17/02/2023)",
    "11 năm Ngày thành lập Thành phố Cẩm Phả (21/02/2012 - 21/02/2023)",
    "68 năm Ngày Thầy thuốc Việt Nam (27/02)",
]


def _cell_texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text]


@pytest.fixture
def docx_path(tmp_path: Path) -> Path:
    draft = cam_pha_draft(tmp_path)
    return write_document(draft, tmp_path / "out" / default_filename(draft))


def test_default_file_name(tmp_path: Path) -> None:
    assert default_filename(cam_pha_draft(tmp_path)) == "directive-2023-02-cam-pha.docx"


def test_declares_vietnamese_and_the_moment_it_was_made(tmp_path: Path) -> None:
    import zipfile
    from datetime import UTC, datetime, timedelta

    before = datetime.now(UTC).replace(microsecond=0)
    draft = cam_pha_draft(tmp_path)
    path = write_document(draft, tmp_path / "lang.docx")
    props = Document(str(path)).core_properties
    assert props.language == "vi-VN"
    assert props.created is not None and props.modified == props.created
    created = props.created.replace(tzinfo=UTC)
    assert before <= created <= datetime.now(UTC) + timedelta(seconds=1)
    styles = zipfile.ZipFile(path).read("word/styles.xml").decode("utf-8")
    defaults = styles.split("<w:docDefaults>", 1)[1].split("</w:docDefaults>", 1)[0]
    assert '<w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="vi-VN"/>' in defaults
    normal = styles.split('w:styleId="Normal"', 1)[1].split("</w:style>", 1)[0]
    assert 'w:val="vi-VN"' in normal and "en-US" not in styles


def test_page_is_a4_with_decree_30_margins(docx_path: Path) -> None:
    section = Document(str(docx_path)).sections[0]
    mm = [
        round(length.mm, 1)
        for length in (
            section.page_width,
            section.page_height,
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ]
    assert mm == [210.0, 297.0, 20.0, 20.0, 30.0, 15.0]
    normal = Document(str(docx_path)).styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(14))


def test_header_puts_the_party_body_above_the_issuing_body(docx_path: Path) -> None:
    header = Document(str(docx_path)).tables[0]
    (top_left, top_right), (bottom_left, bottom_right) = (row.cells for row in header.rows)
    assert _cell_texts(top_left) == ["THÀNH ỦY CẨM PHẢ", "BAN TUYÊN GIÁO", "*"]
    assert top_left.paragraphs[1].runs[0].bold
    assert not top_left.paragraphs[0].runs[0].bold
    assert _cell_texts(top_right) == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    party = top_right.paragraphs[0].runs[0]
    assert party.bold and party.underline
    assert _cell_texts(bottom_left) == [
        "Số …-CV/BTGTU",
        "V/v định hướng trọng tâm công tác",
        "thông tin, tuyên truyền trong tháng 02/2023",
    ]
    (date_line,) = [p for p in bottom_right.paragraphs if p.text]
    assert date_line.text == "Cẩm Phả, ngày 02 tháng 02 năm 2023"
    assert all(run.italic for run in date_line.runs)


def test_body_has_recipients_items_and_the_commemoration_item(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0] == "Kính gửi:\t- Ủy ban nhân dân Thành phố,"
    assert texts[4] == "- Các đồng chí báo cáo viên Thành phố."
    assert texts[5].startswith("Thực hiện Công văn số … ngày … của Ban Tuyên giáo Tỉnh ủy về")
    numbered = [t.split(" ", 1)[0] for t in texts if t[:1].isdigit()]
    assert numbered == ["1.", "2.", "3.", "4.", "5.", "6.", "7.", "8."]
    item = next(t for t in texts if t.startswith("7. Chủ động thông tin, tuyên truyền kỷ niệm"))
    positions = [item.index(entry) for entry in ITEM_9]
    assert positions == sorted(positions)
    lookahead = next(t for t in texts if t.startswith("8. "))
    assert "110 năm Ngày sinh đồng chí Chu Huy Mân (17/03/1913 - 17/03/2023)" in lookahead
    festival = next(t for t in texts if "Lễ hội xuân đền Cửa Ông" in t)
    assert festival.startswith("- Thông tin, tuyên truyền các hoạt động văn hóa, lễ hội")
    assert texts[-1].endswith("./.")
    body = next(p for p in doc.paragraphs if p.text.startswith("7. "))
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.paragraph_format.first_line_indent == Cm(1.27)
    bold = [r.text for r in body.runs if r.bold]
    assert bold == [
        "175 năm Ra đời tác phẩm “Tuyên ngôn của Đảng Cộng sản” (02/1848 - 02/2023)",
        "115 năm Ngày sinh đồng chí Nguyễn Đức Cảnh (02/02/1908 - 02/02/2023)",
        "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)",
    ]


def test_placeholders_are_highlighted_for_the_staff_to_fill(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    item_1 = next(p for p in doc.paragraphs if p.text.startswith("1. "))
    fill = [r for r in item_1.runs if r.font.highlight_color is not None]
    assert fill and all(r.italic for r in fill)
    assert "".join(r.text for r in fill).startswith("Thông tin, tuyên truyền những kết quả")


def test_distribution_and_signature_sit_side_by_side(docx_path: Path) -> None:
    footer = Document(str(docx_path)).tables[1]
    ((left, right),) = (row.cells for row in footer.rows)
    assert _cell_texts(left) == [
        "Nơi nhận:",
        "- Ban Tuyên giáo Tỉnh ủy (báo cáo),",
        "- Thường trực Thành ủy (báo cáo),",
        "- Như trên,",
        "- Lưu BTG.",
    ]
    report = [r.text for r in left.paragraphs[1].runs if r.italic]
    assert report == ["báo cáo"]
    assert _cell_texts(right) == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Họ và tên"]


def test_signer_from_the_settings(tmp_path: Path) -> None:
    settings = DirectiveSettings(signer_name="Trịnh Thị Huệ", recipients=("Các chi bộ",))
    draft = cam_pha_draft(tmp_path, settings)
    doc = Document(str(write_document(draft, tmp_path / "d.docx")))
    ((_, right),) = (row.cells for row in doc.tables[1].rows)
    assert _cell_texts(right)[-1] == "Trịnh Thị Huệ"
    assert next(p.text for p in doc.paragraphs if p.text) == "Kính gửi: Các chi bộ."


def test_libreoffice_renders_it_as_an_administrative_document(
    docx_path: Path, tmp_path: Path
) -> None:
    pdf, text = render_pdf(docx_path, tmp_path)
    for expected in (
        "THÀNH ỦY CẨM PHẢ",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Cẩm Phả, ngày 02 tháng 02 năm 2023",
        "Kính gửi:",
        "Nơi nhận:",
        "K/T TRƯỞNG BAN",
    ):
        assert expected in text, f"{expected!r} missing from the PDF:\n{text}"
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
    assert "Serif" in fonts.stdout or "Times" in fonts.stdout, fonts.stdout

    pages = save_pages(pdf, ARTIFACTS, docx_path.stem)
    shutil.copyfile(docx_path, (ARTIFACTS / docx_path.stem).with_suffix(".docx"))
    # Three pages since the dataset covers the country: the look-ahead (item 8) names ten
    # anniversaries of 03–05/2023 where it named two.
    assert len(pages) == 3, pages
    assert all(page.stat().st_size > 20_000 for page in pages)
