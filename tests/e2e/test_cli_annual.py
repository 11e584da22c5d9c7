"""End-to-end: a new user registers a province's department and drafts its 2027 guide."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from conftest import Cli

QN_NAME = "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh"

GROUPS = [
    "1. Kỷ niệm các ngày lễ lớn của đất nước",
    "2. Kỷ niệm các sự kiện lịch sử quan trọng",
    "3. Kỷ niệm ngày sinh các đồng chí lãnh đạo chủ chốt của Đảng, Nhà nước "
    "và lãnh đạo tiền bối tiêu biểu",
    "4. Các ngày quốc tế và các ngày kỷ niệm khác",
    "5. Kỷ niệm các ngày truyền thống, sự kiện lịch sử của Tỉnh",
    "6. Hướng tới các ngày kỷ niệm năm tròn năm 2028 cần chuẩn bị sớm",
]


def _add_qn(cli: Cli) -> None:
    result = cli("org", "add", "qn", "--name", QN_NAME, "--scope", "province:quang-ninh")
    assert result.code == 0, result.err


def _section(lines: list[str], head: str) -> list[str]:
    start = lines.index(head) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def test_new_user_drafts_the_2027_guide_of_quang_ninh(cli: Cli) -> None:
    _add_qn(cli)
    result = cli(
        "directive", "2027", "--annual", "--org", "qn", "--format", "text", "--date", "2026-12-01"
    )
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    positions = [lines.index(g) for g in GROUPS]
    assert positions == sorted(positions)
    le_lon = _section(lines, GROUPS[0])
    assert le_lon[0].startswith(
        "- 97 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2027): "
        "không tổ chức lễ cấp quốc gia"
    )
    assert "- Tết Nguyên đán Đinh Mùi (1/1 âm lịch, 06/02/2027)" in le_lon
    assert "- Giỗ Tổ Hùng Vương (10/3 âm lịch, 16/04/2027)" in le_lon
    leaders = _section(lines, GROUPS[2])
    assert (
        "- 120 năm Ngày sinh đồng chí Trường Chinh (09/02/1907 - 09/02/2027) [năm tròn]: "
        "kỷ niệm quy mô lớn (Kết luận 88-KL/TW)" in leaders
    )
    own = [ln.split(" (", 1)[0] for ln in _section(lines, GROUPS[4])]
    expected = [  # Quảng Ninh's rows of 2027 in the bundled dataset, in date order
        "- 97 năm Ngày thành lập Chi bộ Đảng đầu tiên ở Khu mỏ Quảng Ninh",
        "- 72 năm Ngày Giải phóng Vùng mỏ",
        "- 64 năm Ngày thành lập tỉnh Quảng Ninh",
        "- 91 năm Ngày truyền thống Công nhân Vùng mỏ - Truyền thống ngành Than",
    ]
    assert [ln for ln in own if ln in expected] == expected
    focus = next(ln for ln in lines if ln.startswith("Trọng tâm năm 2027: kỷ niệm "))
    assert "120 năm Ngày sinh đồng chí Trường Chinh (09/02/1907 - 09/02/2027)" in focus
    ahead = _section(lines, GROUPS[5])
    assert any(ln.startswith("- 120 năm Ngày sinh đồng chí Ngô Gia Tự") for ln in ahead)
    assert any(
        ln.startswith("- 60 năm Cuộc Tổng tiến công và nổi dậy Xuân Mậu Thân") for ln in ahead
    )
    assert "Lễ hội" not in result.out
    assert lines[-3:] == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "(Họ và tên)"]
    assert "Nơi nhận:" in lines


def test_docx_to_the_current_directory_and_md_to_a_file(cli: Cli, tmp_path: Path) -> None:
    _add_qn(cli)
    result = cli("directive", "2027", "--annual", "--org", "qn", "--format", "docx", cwd=tmp_path)
    assert result.code == 0, result.err
    path = tmp_path / "huong-dan-2027-qn.docx"
    assert result.out.strip() == f"Đã ghi / Wrote {path}"
    texts = [p.text for p in Document(str(path)).paragraphs if p.text]
    assert texts[0] == "HƯỚNG DẪN"
    assert "5. Kỷ niệm các ngày truyền thống, sự kiện lịch sử của Tỉnh" in texts
    out = tmp_path / "g.md"
    result = cli(
        "directive", "2027", "--annual", "--org", "qn", "--format", "md", "--out", str(out)
    )
    assert result.code == 0, result.err
    assert "### 3. Kỷ niệm ngày sinh" in out.read_text(encoding="utf-8")


def test_bad_year_and_unknown_organisation(cli: Cli) -> None:
    _add_qn(cli)
    result = cli("directive", "2027-02", "--annual", "--org", "qn")
    assert result.code == 1
    assert "'2027-02' không phải năm / is not a year" in result.err
    assert "Traceback" not in result.err
    result = cli("directive", "2027", "--org", "qn")
    assert result.code != 0
    assert "'2027' không phải tháng / is not a month (use YYYY-MM, or YYYY with --annual)" in (
        result.err
    )
    result = cli("directive", "2027", "--annual", "--org", "nope")
    assert result.code != 0 and "nope" in result.err and "Traceback" not in result.err


def test_year_only_round_anniversary_reaches_the_january_directive_and_the_guide(
    cli: Cli,
) -> None:
    _add_qn(cli)
    entry = "80 năm Đề cương về văn hóa Việt Nam (1943 - 2023)"
    january = cli("directive", "2023-01", "--org", "qn").out
    assert f"{entry} [năm tròn]" in january.splitlines()[0]
    assert entry not in cli("directive", "2023-02", "--org", "qn").out
    guide = cli("directive", "2023", "--annual", "--org", "qn").out.splitlines()
    history = _section(guide, GROUPS[1])
    assert any(ln.startswith(f"- {entry} [năm tròn]: lễ kỷ niệm cấp quốc gia") for ln in history)
    ahead = cli("directive", "2022", "--annual", "--org", "qn").out.splitlines()
    assert any(
        ln.startswith(f"- {entry}:")
        for ln in _section(
            ahead, "6. Hướng tới các ngày kỷ niệm năm tròn năm 2023 cần chuẩn bị sớm"
        )
    )
