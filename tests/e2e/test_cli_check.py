"""End-to-end: ``calendar-svc check`` as staff run it on drafts, pastes and bad files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from docx import Document

from conftest import Cli

SEED = Path("/work/shared/reference/581-CV-BTGTU-2023-02.txt")
ORG_NAME = "Ban Tuyên giáo Thành ủy Cẩm Phả"
SLIPPED = (
    "V/v định hướng công tác tuyên truyền tháng 12/2025\n"
    "Kỷ niệm 81 năm Ngày thành lập Quân đội nhân dân Việt Nam (22/12/1944 - 22/12/2025); "
    "36 năm Ngày hội Quốc phòng toàn dân (22/12/1944 - 22/12/2025).\n"
)


def _one_line_error(result: object, *fragments: str) -> None:
    code, out, err = result.code, result.out, result.err  # type: ignore[attr-defined]
    assert code == 1, (out, err)
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("Lỗi / Error: "), err
    for fragment in fragments:
        assert fragment in err, err


def test_seed_directive_has_no_slip(cli: Cli, tmp_path: Path) -> None:
    if not SEED.is_file():
        pytest.skip("the seed directive is not on this machine")
    result = cli("check", str(SEED), "--scope", "city:cam-pha")
    assert result.code == 0, result.err
    assert "Tháng 02/2023 · " in result.out and ": 7 mục, 0 lỗi" in result.out
    assert f"{SEED}:33: ngoài tháng / stray" in result.out
    assert result.err == ""


def test_a_slip_from_standard_input_fails_with_the_correction(cli: Cli) -> None:
    result = cli("check", "-", stdin=SLIPPED)
    assert result.code == 1
    assert result.err == "Lỗi / Error: <stdin>: 2 lỗi cần sửa / 2 slip(s) to fix\n"
    out = result.out
    assert "<stdin>:2: sai số năm / arithmetic slip: “36 năm Ngày hội Quốc phòng toàn dân" in out
    assert "<stdin>:2: sai mốc gốc / origin slip" in out
    assert "sửa / fix: 36 năm Ngày hội Quốc phòng toàn dân (22/12/1989 - 22/12/2025)" in out
    assert "khớp “Ngày hội Quốc phòng toàn dân”, 1.00" in out
    assert "Tháng 12/2025: 2 mục, 2 lỗi" in out


def test_json_report(cli: Cli) -> None:
    result = cli("check", "-", "--format", "json", "--scope", "national", stdin=SLIPPED)
    assert result.code == 1
    data = json.loads(result.out)
    assert (data["month"], data["scope"], data["mentions"], data["slips"], data["ok"]) == (
        "2025-12",
        "national",
        2,
        2,
        False,
    )
    origin = next(f for f in data["findings"] if f["kind"] == "origin")
    assert origin == {
        "kind": "origin",
        "slip": True,
        "place": "<stdin>:2",
        "line": 2,
        "paragraph": None,
        "text": "36 năm Ngày hội Quốc phòng toàn dân (22/12/1944 - 22/12/2025)",
        "correction": "36 năm Ngày hội Quốc phòng toàn dân (22/12/1989 - 22/12/2025)",
        "reason": origin["reason"],
        "anniversary_id": "ngay-hoi-quoc-phong-toan-dan",
        "match": "Ngày hội Quốc phòng toàn dân",
        "score": 1.0,
    }
    assert {f["kind"] for f in data["findings"]} >= {"arithmetic", "origin", "omission"}


@pytest.mark.parametrize(
    ("org", "scope"),
    [("tw", "national"), ("qn", "province:quang-ninh"), ("cam-pha", "city:cam-pha")],
)
def test_own_docx_draft_checks_clean(cli: Cli, tmp_path: Path, org: str, scope: str) -> None:
    assert cli("org", "add", org, "--name", ORG_NAME, "--scope", scope).code == 0
    out = tmp_path / f"{org}.docx"
    made = cli("directive", "2023-02", "--org", org, "--format", "docx", "--out", str(out))
    assert made.code == 0, made.err
    result = cli("check", str(out), "--org", org)
    assert result.code == 0, result.out + result.err
    assert result.out.startswith("Không thấy lỗi nào / No finding.\n"), result.out
    assert "Tháng 02/2023 · " in result.out  # the month comes from the V/v line


def test_docx_findings_name_the_paragraph(cli: Cli, tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("V/v tuyên truyền tháng 03/2025")
    doc.add_paragraph("Kỷ niệm 92 năm ngày thành lập Đoàn TNCS HCM (26/3/1931-26/3/2025).")
    path = tmp_path / "draft.docx"
    doc.save(str(path))
    result = cli("check", str(path))
    assert result.code == 1
    assert f"{path}:¶2: sai số năm / arithmetic slip" in result.out
    assert "sửa / fix: 94 năm ngày thành lập Đoàn TNCS HCM (26/03/1931 - 26/03/2025)" in result.out


def test_month_lines_check_back_clean(cli: Cli, tmp_path: Path) -> None:
    for month, scope in [
        ("2023-02", "city:cam-pha"),
        ("2024-12", "national"),
        ("2025-09", "province:quang-ninh"),
    ]:
        line = cli("month", month, "--scope", scope, "--format", "text")
        assert line.code == 0
        result = cli("check", "-", "--month", month, "--scope", scope, stdin=line.out)
        assert result.code == 0, result.out
        assert result.out.startswith("Không thấy lỗi nào / No finding."), result.out


def test_no_month_named_and_none_given(cli: Cli) -> None:
    result = cli("check", "-", stdin="93 năm Ngày thành lập Đảng (03/02/1930 - 03/02/2023)\n")
    _one_line_error(result, "<stdin>: ", "--month YYYY-MM")


def test_scope_and_org_together_and_a_bad_month_are_usage_errors(cli: Cli) -> None:
    _one_line_error(cli("check", "-", "--scope", "national", "--org", "x", stdin="x"), "--scope")
    _one_line_error(cli("check", "-", "--month", "2023-13", stdin="x"), "2023-13")
    _one_line_error(
        cli("check", "-", "--month", "2023-02", "--scope", "city:nowhere", stdin="x"),
        "city:nowhere",
    )


def test_bad_input_gets_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    _one_line_error(cli("check", str(empty)), f"{empty}: tệp rỗng / the file is empty")

    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    _one_line_error(cli("check", str(binary)), "a binary file, not text")

    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Ký niêm tháng 02/2023".encode("latin-1"))
    _one_line_error(cli("check", str(latin)), "not UTF-8 text")

    fake = tmp_path / "draft.docx"
    fake.write_text("tháng 02/2023 — not a Word file", encoding="utf-8")
    _one_line_error(cli("check", str(fake)), f"{fake}: không phải tệp .docx / not a .docx")

    other_zip = tmp_path / "other.docx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("hello.txt", "hi")
    _one_line_error(cli("check", str(other_zip)), "not a .docx")

    big = tmp_path / "big.txt"
    with big.open("wb") as stream:
        block = ("kỷ niệm 93 năm Ngày thành lập Đảng (03/02/1930 - 03/02/2023)\n" * 1000).encode()
        while stream.tell() < 50 * 1024 * 1024:
            stream.write(block)
    _one_line_error(cli("check", str(big)), "file too large (at most 10 MiB)")

    many = tmp_path / "many.txt"
    many.write_text(
        "tháng 02/2023\n"
        + "; ".join(f"{n} năm Ngày X (01/02/{2023 - n} - 01/02/2023)" for n in range(1, 1200)),
        encoding="utf-8",
    )
    _one_line_error(cli("check", str(many)), "more than 1000: not a directive")

    _one_line_error(cli("check", str(tmp_path / "missing.txt")), "no such file")
    _one_line_error(cli("check", str(tmp_path)), "is a directory")
