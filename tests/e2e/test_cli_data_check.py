"""End-to-end: ``data check`` on the shipped data and on files with each kind of problem."""

from __future__ import annotations

from pathlib import Path

from calendar_svc.catalog import bundled_path
from conftest import Cli

HEADER = "id,name_vi,name_en,origin,category,scope,source"


def test_the_shipped_data_passes(cli: Cli) -> None:
    result = cli("data", "check")
    assert result.code == 0, result.out + result.err
    assert "không có vấn đề / " in result.out and "no problem found" in result.out


def test_the_shipped_file_passes_and_export_gives_it_back(cli: Cli, tmp_path: Path) -> None:
    assert cli("data", "check", str(bundled_path())).code == 0
    out = tmp_path / "export.csv"
    assert cli("export", "--out", str(out)).code == 0
    assert out.read_text(encoding="utf-8") == bundled_path().read_text(encoding="utf-8")


def test_each_problem_is_reported_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        f"{HEADER}\n"
        "le-x,Ngày truyền thống ngành Tư pháp,Justice,1945-08-28,ngay-truyen-thong,national,QĐ 1\n"
        "le-y,Ngày truyền thống ngành Tư pháp Việt Nam,Justice,1945-08-28,ngay-truyen-thong,"
        "national,QĐ 2\n"
        "le-z,Ngày truyền thống ngành Văn hóa,Culture,1945-08-28,ngay-truyen-thong,national,QĐ 3\n"
        "le-w,Ngày W,W,1950-01-01,dia-phuong,province:quang-ninh,shared/reference/anniversary-facts.md\n",
        encoding="utf-8",
    )
    result = cli("data", "check", str(path))
    assert result.code == 1
    lines = result.out.splitlines()
    assert (
        "le-w: dẫn tệp không phát hành kèm 'shared/reference/anniversary-facts.md' / cites a "
        "file that is not shipped, 'shared/reference/anniversary-facts.md': cite the document"
    ) in lines
    assert [line for line in lines if line.startswith("le-x, le-y: có thể trùng nhau")]
    assert not [line for line in lines if "le-z" in line and "trùng" in line]
    # A file holding one province's rows leaves every other province without any.
    assert [line for line in lines if line.startswith("province:thanh-hoa: ")]
    assert not [line for line in lines if line.startswith("province:quang-ninh: ")]
    assert result.err.strip().endswith("problems in the data")


def test_a_url_is_not_an_unshipped_file() -> None:
    from calendar_svc.core.model import Anniversary, Origin
    from calendar_svc.services.datacheck import _source_findings

    ann = Anniversary(
        id="x",
        name_vi="X",
        name_en="",
        origin=Origin(1950, 1, 1),
        category="dia-phuong",
        scope="national",
        source="https://example.vn/shared/reference/page.html (10 năm)",
    )
    assert _source_findings([ann]) == []
