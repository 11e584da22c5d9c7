"""The annual guide from the bundled dataset: the 2024 national guide against 126-HD/BTGTW,
the .docx read back with python-docx, rendered by LibreOffice to PNG, and template overrides.

The PNGs land in ``tests/artifacts/`` (git-ignored) for a person to look at; the
conversion needs ``soffice`` and ``pdftoppm`` (skipped on a workstation without them,
failed when ``$CI`` is set), as in ``test_directive_docx.py``.
"""

from __future__ import annotations

import csv
import subprocess
from datetime import date
from pathlib import Path

import pytest
from directive_support import render_pdf, save_pages
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from calendar_svc.catalog import load_scopes
from calendar_svc.directive.annual import AnnualDraft
from calendar_svc.directive.annual_word import annual_filename, write_annual_document
from calendar_svc.directive.profile import DirectiveSettings, build_profile
from calendar_svc.directive.render import DirectiveTemplateError, render
from calendar_svc.services.annual import draft_annual
from calendar_svc.store.open import open_store

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
GUIDE_126 = ROOT / "tests" / "data" / "126-HD-BTGTW-2024.csv"
TEXT = {"text": "annual.txt.j2", "md": "annual.md.j2"}


def _draft(
    tmp_path: Path,
    year: int,
    *,
    org: tuple[str, str, str] = ("btgtw", "Ban Tuyên giáo Trung ương", "national"),
    settings: DirectiveSettings | None = None,
    issued: date = date(2023, 12, 19),
) -> AnnualDraft:
    scopes = load_scopes()
    org_id, name, scope = org
    profile = build_profile(org_id, name, scope, settings, scope_name=scopes[scope].name_vi)
    with open_store(f"sqlite:///{tmp_path / 'calendar.sqlite3'}") as store:
        return draft_annual(store.anniversaries, scopes, profile, year, issued)


def _guide_rows() -> list[dict[str, str]]:
    lines = [ln for ln in GUIDE_126.read_text(encoding="utf-8").splitlines() if ln[:1] != "#"]
    return list(csv.DictReader(lines))


def test_every_item_of_126_hd_the_dataset_holds_is_in_its_group(tmp_path: Path) -> None:
    draft = _draft(tmp_path, 2024)
    groups = {g.number: g for g in draft.groups}
    rows = _guide_rows()
    held = [r for r in rows if r["id"]]
    assert len(held) == 12 and len(rows) == 13
    for row in held:
        group = groups[int(row["group"])]
        found = [e for e in group.entries if e.occurrence.anniversary.id == row["id"]]
        assert len(found) == 1, f"{row['as_written']} not in group {row['group']}"
        expected = int(row["count"]) if row["count"] else None
        assert found[0].count == expected, row
    # Tết is named with its lunar year, as the guide does ("Tết nguyên đán Giáp Thìn").
    tet = next(e for e in groups[1].entries if e.occurrence.anniversary.id == "tet-nguyen-dan")
    assert tet.text == "Tết Nguyên đán Giáp Thìn (1/1 âm lịch, 10/02/2024)"
    focus = [e.text for e in draft.focus]
    assert "70 năm Chiến thắng Điện Biên Phủ (07/05/1954 - 07/05/2024)" in focus
    assert "120 năm Ngày sinh đồng chí Trần Phú (01/05/1904 - 01/05/2024)" in focus
    assert "80 năm Ngày thành lập Quân đội nhân dân Việt Nam (22/12/1944 - 22/12/2024)" in focus
    assert 5 not in groups  # a national guide has no local group


def test_the_2024_text_lists_the_items_under_their_headings(tmp_path: Path) -> None:
    text = render(_draft(tmp_path, 2024), "text", names=TEXT)
    lines = text.splitlines()
    heads = [
        "1. Kỷ niệm các ngày lễ lớn của đất nước",
        "2. Kỷ niệm các sự kiện lịch sử quan trọng",
        "3. Kỷ niệm ngày sinh các đồng chí lãnh đạo chủ chốt của Đảng, Nhà nước "
        "và lãnh đạo tiền bối tiêu biểu",
        "4. Các ngày quốc tế và các ngày kỷ niệm khác",
        "5. Hướng tới các ngày kỷ niệm năm tròn năm 2025 cần chuẩn bị sớm",
    ]
    positions = [lines.index(h) for h in heads]
    assert positions == sorted(positions)
    dbp = lines.index(
        "- 70 năm Chiến thắng Điện Biên Phủ (07/05/1954 - 07/05/2024) [năm tròn]: "
        "lễ kỷ niệm cấp quốc gia (Nghị định 145/2013/NĐ-CP)"
    )
    assert positions[0] < dbp < positions[1]
    assert (
        "- 70 năm Chiến thắng Điện Biên Phủ (07/05/1954 - 07/05/2024) [năm tròn]: "
        "lễ kỷ niệm cấp quốc gia (Nghị định 145/2013/NĐ-CP)" in lines
    )
    assert (
        "- 120 năm Ngày sinh đồng chí Trần Phú (01/05/1904 - 01/05/2024) [năm tròn]: "
        "kỷ niệm quy mô lớn (Kết luận 88-KL/TW)" in lines
    )
    assert "Số …-HD/BTGTW" in lines and "Hà Nội, ngày 19 tháng 12 năm 2023" in lines
    assert lines.index("I. MỤC ĐÍCH, YÊU CẦU") < lines.index("II. CÁC NGÀY KỶ NIỆM TRONG NĂM 2024")
    assert lines.index("II. CÁC NGÀY KỶ NIỆM TRONG NĂM 2024") < lines.index(
        "III. TỔ CHỨC THỰC HIỆN"
    )
    assert "Lễ hội" not in text


def test_markdown_bolds_the_round_entries(tmp_path: Path) -> None:
    md = render(_draft(tmp_path, 2024), "md", names=TEXT)
    assert "### 1. Kỷ niệm các ngày lễ lớn của đất nước" in md
    assert "- **70 năm Chiến thắng Điện Biên Phủ (07/05/1954 - 07/05/2024)**: lễ kỷ niệm" in md
    assert "[năm tròn]" not in md


def test_an_organisation_template_replaces_a_block(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    (own / "annual.docx.j2").write_text(
        '{% extends "bundled/annual.docx.j2" %}{% block signer_name %}Nguyễn Văn A{% endblock %}',
        encoding="utf-8",
    )
    (own / "annual.txt.j2").write_text("{{ draft.year }} {{ p.name }} {{ nope }}\n", "utf-8")
    draft = _draft(tmp_path, 2024, settings=DirectiveSettings(templates=str(own)))
    doc = Document(str(write_annual_document(draft, tmp_path / "g.docx")))
    ((_, right),) = (row.cells for row in doc.tables[1].rows)
    assert [p.text for p in right.paragraphs if p.text][-1] == "Nguyễn Văn A"
    with pytest.raises(DirectiveTemplateError, match=r"annual\.txt\.j2.*nope"):
        render(draft, "text", names=TEXT)


@pytest.fixture
def qn_docx(tmp_path: Path) -> Path:
    name = "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh"
    draft = _draft(
        tmp_path, 2027, org=("qn", name, "province:quang-ninh"), issued=date(2026, 12, 1)
    )
    assert annual_filename(draft) == "huong-dan-2027-qn.docx"
    return write_annual_document(draft, tmp_path / "out" / annual_filename(draft))


def test_docx_reads_back_with_header_groups_items_and_signature(qn_docx: Path) -> None:
    doc = Document(str(qn_docx))
    section = doc.sections[0]
    mm = [round(x.mm, 1) for x in (section.page_width, section.page_height, section.left_margin)]
    assert mm == [210.0, 297.0, 30.0]
    (top_left, top_right), (bottom_left, bottom_right) = (row.cells for row in doc.tables[0].rows)
    assert [p.text for p in top_left.paragraphs] == [
        "TỈNH ỦY QUẢNG NINH",
        "BAN TUYÊN GIÁO VÀ DÂN VẬN",
        "*",
    ]
    assert top_left.paragraphs[1].runs[0].bold
    assert [p.text for p in top_right.paragraphs] == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert [p.text for p in bottom_left.paragraphs] == ["Số …-HD/BTGDVTU"]
    assert [p.text for p in bottom_right.paragraphs] == ["Quảng Ninh, ngày 01 tháng 12 năm 2026"]
    paras = [p for p in doc.paragraphs if p.text]
    texts = [p.text for p in paras]
    kind = paras[0]
    assert kind.text == "HƯỚNG DẪN" and kind.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert kind.runs[0].bold
    assert texts[1].startswith("tuyên truyền kỷ niệm các ngày lễ lớn")
    assert texts[2].endswith("tiền bối tiêu biểu năm 2027")
    groups = [t for t in texts if t[:2] in {"1.", "2.", "3.", "4.", "5.", "6."} and "Kỷ niệm" in t]
    assert [g.split(". ", 1)[0] for g in groups] == ["1", "2", "3", "5"]
    headings = [p for p in paras if p.text in {"I. MỤC ĐÍCH, YÊU CẦU", "III. TỔ CHỨC THỰC HIỆN"}]
    assert len(headings) == 2 and all(r.bold for p in headings for r in p.runs)
    assert (
        "- 97 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2027): "
        in "\n".join(texts)
    )
    chinh = next(p for p in paras if "Trường Chinh" in p.text and p.text.startswith("- "))
    assert [r.text for r in chinh.runs if r.bold] == [
        "120 năm Ngày sinh đồng chí Trường Chinh (09/02/1907 - 09/02/2027)"
    ]
    body = next(p for p in paras if p.text.startswith("1. Tuyên truyền sâu rộng"))
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.runs[0].font.size == Pt(14)
    assert texts[-1].endswith("./.")
    ((left, right),) = (row.cells for row in doc.tables[1].rows)
    assert [p.text for p in left.paragraphs][:2] == [
        "Nơi nhận:",
        "- Ban Tuyên giáo và Dân vận Trung ương (báo cáo),",
    ]
    assert [p.text for p in right.paragraphs if p.text] == [
        "K/T TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Họ và tên",
    ]
    assert doc.core_properties.language == "vi-VN"


def test_libreoffice_renders_the_guide(qn_docx: Path, tmp_path: Path) -> None:
    pdf, text = render_pdf(qn_docx, tmp_path)
    for expected in (
        "TỈNH ỦY QUẢNG NINH",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "HƯỚNG DẪN",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "III. TỔ CHỨC THỰC HIỆN",
        "Nơi nhận:",
        "K/T TRƯỞNG BAN",
        "Ngày thành lập tỉnh Quảng Ninh",
    ):
        assert expected in text, f"{expected!r} missing from the PDF"
    pages = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    assert "A4" in pages.stdout or "595" in pages.stdout, pages.stdout
    assert save_pages(pdf, ARTIFACTS, qn_docx.stem)
