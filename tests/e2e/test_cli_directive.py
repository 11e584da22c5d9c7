"""End-to-end: a new user registers an organisation and drafts its monthly directive."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from conftest import Cli

GOLDEN = Path(__file__).parent / "golden" / "directive-2023-02-cam-pha.txt"
ORG_NAME = "Ban Tuyên giáo Thành ủy Cẩm Phả"

#: Item 9 of Công văn 581-CV/BTGTU (Cẩm Phả, 02/02/2023): counts and dates as computed,
#: in date order (the directive itself lists them out of order).
ITEM_9 = [
    "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)",
    "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)",
    "44 năm Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc (17/02/1979 - 17/02/2023)",
    "11 năm Ngày thành lập Thành phố Cẩm Phả (21/02/2012 - 21/02/2023)",
    "68 năm Ngày Thầy thuốc Việt Nam (27/02)",
]

ITEM_HEAD = (
    "Chủ động thông tin, tuyên truyền kỷ niệm các ngày lễ lớn và sự kiện lịch sử quan trọng "
    "trong tháng 02 của đất nước, của Tỉnh và Thành phố: kỷ niệm "
)


def _add_cam_pha(cli: Cli, *extra: str) -> None:
    result = cli("org", "add", "cam-pha", "--name", ORG_NAME, "--scope", "city:cam-pha", *extra)
    assert result.code == 0, result.err


def test_new_user_drafts_the_february_2023_item(cli: Cli) -> None:
    _add_cam_pha(cli)
    result = cli("directive", "2023-02", "--org", "cam-pha", "--format", "text")
    assert result.code == 0, result.err
    item = result.out.splitlines()[0]
    assert item.startswith(ITEM_HEAD)
    positions = [item.find(entry) for entry in ITEM_9]
    assert -1 not in positions, item
    assert positions == sorted(positions)
    assert "Lễ hội" not in item  # festivals belong with the cultural activities
    assert result.out == GOLDEN.read_text(encoding="utf-8")


def test_round_first_is_the_organisation_s_choice(cli: Cli) -> None:
    _add_cam_pha(cli, "--round-first")
    item = cli("directive", "2023-02", "--org", "cam-pha").out.splitlines()[0]
    assert item.startswith(ITEM_HEAD + "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát")
    assert "[năm" not in item
    assert cli("org", "edit", "cam-pha", "--round-marked").code == 0
    item = cli("directive", "2023-02", "--org", "cam-pha").out.splitlines()[0]
    # Marked in date order: the month-only Tuyên ngôn (02/1848) first, dated on the 1st.
    assert item.startswith(ITEM_HEAD + "175 năm Ra đời tác phẩm “Tuyên ngôn của Đảng Cộng sản”")


def test_lookahead_horizon_from_the_record(cli: Cli) -> None:
    _add_cam_pha(cli, "--lookahead-months", "9")
    out = cli("directive", "2023-02", "--org", "cam-pha").out
    assert "từ tháng 03/2023 đến tháng 11/2023" in out
    assert "60 năm Ngày thành lập tỉnh Quảng Ninh (30/10/1963 - 30/10/2023)" in out
    assert cli("org", "edit", "cam-pha", "--lookahead-months", "0").code == 0
    assert "hướng tới" not in cli("directive", "2023-02", "--org", "cam-pha").out


def test_markdown_to_a_file(cli: Cli, tmp_path: Path) -> None:
    _add_cam_pha(cli)
    out = tmp_path / "draft.md"
    result = cli("directive", "2023-02", "--org", "cam-pha", "--format", "md", "--out", str(out))
    assert result.code == 0, result.err
    assert str(out) in result.out
    assert "**110 năm Ngày sinh đồng chí Huỳnh Tấn Phát" in out.read_text(encoding="utf-8")


def test_docx_goes_to_the_current_directory_by_default(cli: Cli, tmp_path: Path) -> None:
    _add_cam_pha(cli, "--signer-name", "Trịnh Thị Huệ")
    work = tmp_path / "work"
    work.mkdir()
    result = cli(
        "directive", "2023-02", "--org", "cam-pha", "--format", "docx", "--date", "2023-02-02",
        cwd=work,
    )  # fmt: skip
    assert result.code == 0, result.err
    path = work / "directive-2023-02-cam-pha.docx"
    assert result.out == f"Đã ghi / Wrote {path}\n"
    doc = Document(str(path))
    header = doc.tables[0]
    assert header.rows[0].cells[0].paragraphs[0].text == "THÀNH ỦY CẨM PHẢ"
    date_line = next(p.text for p in header.rows[1].cells[1].paragraphs if p.text)
    assert date_line == "Cẩm Phả, ngày 02 tháng 02 năm 2023"
    signer = [p.text for p in doc.tables[1].rows[0].cells[1].paragraphs if p.text]
    assert signer == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Trịnh Thị Huệ"]
    item = next(p.text for p in doc.paragraphs if p.text.startswith("7. "))
    assert all(entry in item for entry in ITEM_9)


def test_docx_to_a_named_file(cli: Cli, tmp_path: Path) -> None:
    _add_cam_pha(cli)
    out = tmp_path / "nested" / "cv.docx"
    result = cli("directive", "2023-02", "--org", "cam-pha", "--format", "docx", "--out", str(out))
    assert result.code == 0, result.err
    assert result.out == f"Đã ghi / Wrote {out}\n"
    assert out.stat().st_size > 10_000


def test_unknown_organisation_is_one_line(cli: Cli) -> None:
    result = cli("directive", "2023-02", "--org", "nowhere")
    assert result.code == 1
    assert (
        result.err == "Lỗi / Error: không tìm thấy tổ chức 'nowhere' / no organisation 'nowhere'\n"
    )


def test_bad_month_and_date_are_usage_errors(cli: Cli) -> None:
    _add_cam_pha(cli)
    bad_month = cli("directive", "2023-13", "--org", "cam-pha")
    assert bad_month.code != 0 and "2023-13" in bad_month.err
    bad_date = cli("directive", "2023-02", "--org", "cam-pha", "--date", "02/02/2023")
    assert bad_date.code != 0 and "02/02/2023" in bad_date.err


def test_bad_directive_setting_is_refused_and_nothing_is_written(cli: Cli) -> None:
    result = cli(
        "org", "add", "cam-pha", "--name", ORG_NAME, "--scope", "city:cam-pha",
        "--lookahead-months", "13",
    )  # fmt: skip
    assert result.code != 0
    assert "13" in result.err
    assert cli("directive", "2023-02", "--org", "cam-pha").code == 1


def test_no_month_drafts_next_month(cli: Cli) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    _add_cam_pha(cli)
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    default = cli("directive", "--org", "cam-pha", "--date", "2026-01-01")
    assert default.code == 0, default.err
    named = cli("directive", f"{year:04d}-{month:02d}", "--org", "cam-pha", "--date", "2026-01-01")
    assert default.out == named.out
    assert f"tháng {month:02d}" in default.out
