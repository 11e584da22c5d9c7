"""Rendering the directive from the bundled templates, and from an organisation's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from directive_support import cam_pha_draft

from calendar_svc.directive.profile import DirectiveSettings
from calendar_svc.directive.render import DirectiveTemplateError, render, render_blocks

GOLDEN = Path(__file__).resolve().parents[1] / "e2e" / "golden" / "directive-2023-02-cam-pha.txt"

ITEM_9 = [
    "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)",
    "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)",
    "44 năm Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc (17/02/1979 - 17/02/2023)",
    "11 năm Ngày thành lập Thành phố Cẩm Phả (21/02/2012 - 21/02/2023)",
    "68 năm Ngày Thầy thuốc Việt Nam (27/02)",
]


def test_text_matches_the_golden_file(tmp_path: Path) -> None:
    assert render(cam_pha_draft(tmp_path), "text") == GOLDEN.read_text(encoding="utf-8")


def test_markdown_bolds_round_entries_in_date_order(tmp_path: Path) -> None:
    md = render(cam_pha_draft(tmp_path), "md")
    item = next(line for line in md.splitlines() if line.startswith("Chủ động thông tin"))
    assert "**110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)**" in item
    assert "**115 năm Ngày sinh đồng chí Nguyễn Đức Cảnh (02/02/1908 - 02/02/2023)**" in item
    assert "**93 năm" not in item
    positions = [item.index(entry) for entry in ITEM_9]
    assert positions == sorted(positions)
    assert (
        "  - 110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023) – năm tròn: "
        "kỷ niệm quy mô lớn (căn cứ Kết luận 88-KL/TW)."
    ) in md


def test_round_first_text_has_no_marks_and_leads_with_nam_tron(tmp_path: Path) -> None:
    text = render(cam_pha_draft(tmp_path, DirectiveSettings(round_first=True)), "text")
    item = text.splitlines()[0]
    assert "[năm" not in item
    assert item.index("110 năm Ngày sinh đồng chí Huỳnh Tấn Phát") < item.index("115 năm")
    assert item.index("115 năm") < item.index("93 năm Ngày thành lập Đảng")


def test_docx_blocks_hold_the_header_and_items(tmp_path: Path) -> None:
    blocks = render_blocks(cam_pha_draft(tmp_path))
    assert blocks["parent_body"] == ["THÀNH ỦY CẨM PHẢ"]
    assert blocks["number"] == ["Số [[…]]-CV/BTGTU"]
    assert blocks["place_date"] == ["Cẩm Phả, ngày 02 tháng 02 năm 2023"]
    assert blocks["recipients"][-1] == "- Các đồng chí báo cáo viên Thành phố."
    assert blocks["distribution"][0] == "- Ban Tuyên giáo Tỉnh ủy (*báo cáo*),"
    assert blocks["signer_name"] == ["[[Họ và tên]]"]
    numbered = [line.split(" ", 1)[0] for line in blocks["items"] if line[0].isdigit()]
    assert numbered == ["1.", "2.", "3.", "4.", "5.", "6.", "7.", "8."]


def _org_templates(tmp_path: Path, files: dict[str, str]) -> DirectiveSettings:
    folder = tmp_path / "mau"
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    return DirectiveSettings(templates=str(folder))


def test_an_organisation_template_replaces_the_bundled_one(tmp_path: Path) -> None:
    settings = _org_templates(
        tmp_path,
        {"directive.txt.j2": "{{ p.short_name }}: {{ draft.entries | length }} mục\n"},
    )
    assert render(cam_pha_draft(tmp_path, settings), "text") == "Ban Tuyên giáo Thành ủy: 9 mục\n"


def test_an_organisation_template_may_extend_the_bundled_one(tmp_path: Path) -> None:
    settings = _org_templates(
        tmp_path,
        {
            "document.docx.j2": '{% extends "bundled/document.docx.j2" %}'
            "{% block signer_name %}Trịnh Thị Huệ{% endblock %}",
        },
    )
    blocks = render_blocks(cam_pha_draft(tmp_path, settings))
    assert blocks["signer_name"] == ["Trịnh Thị Huệ"]
    assert blocks["party"] == ["ĐẢNG CỘNG SẢN VIỆT NAM"]


def test_a_misspelt_name_in_a_template_is_an_error(tmp_path: Path) -> None:
    settings = _org_templates(tmp_path, {"directive.txt.j2": "{{ draft.entires }}\n"})
    with pytest.raises(DirectiveTemplateError, match=r"directive\.txt\.j2: .*entires"):
        render(cam_pha_draft(tmp_path, settings), "text")


def test_a_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    settings = _org_templates(tmp_path, {"directive.md.j2": "ok\n{% if %}\n"})
    with pytest.raises(DirectiveTemplateError, match=r"directive.md.j2:2: "):
        render(cam_pha_draft(tmp_path, settings), "md")


def test_a_docx_template_without_a_block_is_an_error(tmp_path: Path) -> None:
    settings = _org_templates(tmp_path, {"document.docx.j2": "{% block party %}x{% endblock %}"})
    with pytest.raises(DirectiveTemplateError, match="missing blocks"):
        render_blocks(cam_pha_draft(tmp_path, settings))


def test_a_missing_template_directory_is_an_error(tmp_path: Path) -> None:
    settings = DirectiveSettings(templates=str(tmp_path / "nowhere"))
    with pytest.raises(DirectiveTemplateError, match="is not a directory"):
        render(cam_pha_draft(tmp_path, settings), "text")


def test_the_draft_from_memory_equals_the_draft_from_the_store(tmp_path: Path) -> None:
    from calendar_svc.catalog import load_bundled, load_scopes
    from calendar_svc.services.directive import draft_directive
    from calendar_svc.store.memory import MemoryReader

    for settings in (None, DirectiveSettings(lookahead_months=12, round_first=True)):
        stored = cam_pha_draft(tmp_path / str(settings is None), settings)
        in_memory = draft_directive(
            MemoryReader(load_bundled()), load_scopes(), stored.profile, 2023, 2, stored.issued
        )
        assert in_memory == stored
