"""End-to-end: a new user finds their province and commune, adds a bloc, drafts directives."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from docx import Document

from conftest import Cli

GOLDEN = Path(__file__).parent / "golden"
BLOC = "Đảng ủy Khối các cơ quan tỉnh Quảng Ninh"

#: February 2023 as Công văn 581-CV/BTGTU (Cẩm Phả) lists it: phường Cửa Ông, which
#: succeeded Thành phố Cẩm Phả, lists the city's founding day while it was still valid.
CAM_PHA_2023 = "11 năm Ngày thành lập Thành phố Cẩm Phả (21/02/2012 - 21/02/2023)"


def ok(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.code == 0, (args, result.err)
    return result.out


def one_line_error(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.code == 1, (args, result.out)
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    return result.err


def test_the_whole_country_is_listed(cli: Cli) -> None:
    units = json.loads(ok(cli, "scopes", "list", "--format", "json"))
    now = [u for u in units if u["valid_to"] is None]
    assert len(now) >= 3355 and len(units) > len(now)
    assert {u["kind"] for u in now} == {"national", "province", "commune"}
    below = ok(cli, "scopes", "list", "--under", "province:quang-ninh", "--format", "json")
    assert len(json.loads(below)) == 54
    former = ok(cli, "scopes", "list", "--under", "22", "--status", "former", "--format", "csv")
    assert len(former.splitlines()) == 1 + 13
    found = ok(cli, "scopes", "list", "--search", "cua ong")
    assert "commune:quang-ninh/cua-ong" in found and "Phường Cửa Ông" in found
    shown = ok(cli, "scopes", "show", "phường Cửa Ông")
    assert "Thành phố Cẩm Phả (district:quang-ninh/cam-pha)" in shown
    assert "06781" in shown


@pytest.mark.parametrize(
    "scope",
    ["commune:quang-ninh/cua-ong", "phường Cửa Ông", "06781", "Cửa Ông, Quảng Ninh", "cua ong"],
)
def test_a_ward_lists_its_province_and_the_city_it_succeeded(cli: Cli, scope: str) -> None:
    text = ok(cli, "month", "2023-02", "--scope", scope, "--format", "text")
    seed = ok(cli, "month", "2023-02", "--scope", "city:cam-pha", "--format", "text")
    assert text == seed and CAM_PHA_2023 in text


def test_heritage_stops_with_each_row_valid_to(cli: Cli) -> None:
    ok(
        cli,
        "add",
        "mo-than-cam-pha",
        "--name-vi",
        "Ngày truyền thống mỏ than Cẩm Phả",
        "--origin",
        "1960-02-10",
        "--category",
        "dia-phuong",
        "--scope",
        "thành phố Cẩm Phả",
        "--source",
        "test",
    )
    text = ok(cli, "month", "2026-02", "--scope", "commune:quang-ninh/cua-ong", "--format", "text")
    assert "66 năm Ngày truyền thống mỏ than Cẩm Phả (10/02/1960 - 10/02/2026)" in text
    assert "Ngày thành lập Thành phố Cẩm Phả" not in text  # valid_to 2025-06-30
    assert "Ngày thành lập Đảng Cộng sản Việt Nam" in text
    assert "Chi bộ Đảng đầu tiên ở Khu mỏ Quảng Ninh" in text
    other = ok(cli, "month", "2026-02", "--scope", "commune:quang-ninh/ha-long", "--format", "text")
    assert "mỏ than Cẩm Phả" not in other
    table = ok(cli, "month", "2026-02", "--scope", "phường Cửa Ông")
    assert "district:quang-ninh/cam-pha" in table


def test_scopes_are_taken_by_id_code_and_name(cli: Cli) -> None:
    by_id = ok(cli, "month", "2026-02", "--scope", "province:thanh-hoa", "--format", "json")
    by_code = ok(cli, "month", "2026-02", "--scope", "38", "--format", "json")
    by_name = ok(cli, "month", "2026-02", "--scope", "Thanh Hóa", "--format", "json")
    assert by_id == by_code == by_name
    err = one_line_error(cli, "month", "2026-02", "--scope", "phường Cửa Ôngg")
    assert "unknown scope 'phường Cửa Ôngg' (nearest: commune:quang-ninh/cua-ong" in err
    err = one_line_error(cli, "month", "2026-02", "--scope", "Tân Thành")
    assert "ambiguous scope 'Tân Thành'" in err and "more" in err


def test_a_user_bloc_scope_lists_its_rows(cli: Cli) -> None:
    ok(
        cli,
        "scopes",
        "add",
        "dang-uy-khoi-qn",
        "--name-vi",
        BLOC,
        "--parent",
        "province:quang-ninh",
    )
    ok(
        cli,
        "add",
        "thanh-lap-dang-bo-khoi",
        "--name-vi",
        "Ngày thành lập Đảng bộ Khối các cơ quan tỉnh",
        "--origin",
        "1990-02-10",
        "--category",
        "dia-phuong",
        "--scope",
        "dang-uy-khoi-qn",
        "--source",
        "test",
    )
    text = ok(cli, "month", "2026-02", "--scope", "dang-uy-khoi-qn", "--format", "text")
    assert "36 năm Ngày thành lập Đảng bộ Khối các cơ quan tỉnh (10/02/1990 - 10/02/2026)" in text
    assert "Chi bộ Đảng đầu tiên ở Khu mỏ Quảng Ninh" in text
    province = ok(cli, "month", "2026-02", "--scope", "province:quang-ninh", "--format", "text")
    assert "Đảng bộ Khối" not in province
    shown = ok(cli, "scopes", "show", "dang-uy-khoi-qn")
    assert "có / yes" in shown


def test_bad_scope_changes_are_refused_in_one_line_and_change_nothing(cli: Cli) -> None:
    ok(cli, "scopes", "add", "khoi", "--name-vi", "Đảng ủy Khối", "--parent", "province:quang-ninh")
    ok(
        cli,
        "scopes",
        "add",
        "chi-bo",
        "--name-vi",
        "Chi bộ",
        "--parent",
        "khoi",
        "--kind",
        "agency",
    )
    before = ok(cli, "scopes", "list", "--format", "csv")
    err = one_line_error(
        cli, "scopes", "add", "x", "--name-vi", "X", "--parent", "province:nowhere"
    )
    assert "--parent: phạm vi không có / unknown scope 'province:nowhere'" in err
    err = one_line_error(cli, "scopes", "add", "khoi", "--name-vi", "X", "--parent", "national")
    assert "scope 'khoi' already exists" in err
    err = one_line_error(cli, "scopes", "edit", "khoi", "--parent", "chi-bo")
    assert "its own ancestor" in err
    err = one_line_error(cli, "scopes", "add", "province:moi", "--name-vi", "X", "--parent", "22")
    assert "not a user scope id" in err
    err = one_line_error(cli, "scopes", "edit", "province:quang-ninh", "--name-vi", "X")
    assert "belongs to the registry" in err
    err = one_line_error(cli, "scopes", "remove", "khoi", "--yes")
    assert "is in use: 1 child scopes" in err
    ok(cli, "org", "add", "cb", "--name", "Chi bộ", "--scope", "chi-bo", "--due-day", "25")
    err = one_line_error(cli, "scopes", "remove", "chi-bo", "--yes")
    assert "is in use: 1 organisations" in err
    assert ok(cli, "scopes", "list", "--format", "csv") == before
    ok(cli, "org", "remove", "cb", "--yes")
    ok(cli, "scopes", "remove", "chi-bo", "--yes")
    assert "chi-bo" not in ok(cli, "scopes", "list", "--under", "khoi")


def test_csv_scope_column_takes_names_and_user_scopes_travel(cli: Cli, tmp_path: Path) -> None:
    ok(cli, "scopes", "add", "khoi", "--name-vi", BLOC, "--parent", "Quảng Ninh")
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "id,name_vi,origin,category,scope,source\n"
        "a,Ngày A,1990-02-10,dia-phuong,phường Cửa Ông,s\n"
        "b,Ngày B,1991-02-11,dia-phuong,khoi,s\n",
        encoding="utf-8",
    )
    ok(cli, "import", str(rows))
    out, scopes = tmp_path / "out.csv", tmp_path / "scopes.csv"
    ok(cli, "export", "--out", str(out), "--scopes", str(scopes))
    exported = out.read_text(encoding="utf-8")
    assert "a,Ngày A,,1990-02-10,solar,,dia-phuong,commune:quang-ninh/cua-ong," in exported
    assert "khoi" in scopes.read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name_vi,origin,category,scope,source\nc,Ngày C,1990-02-10,dia-phuong,Tân Thành,s\n",
        encoding="utf-8",
    )
    err = cli("import", str(bad)).err
    assert "bad.csv:2: column 'scope': phạm vi chưa rõ / ambiguous scope 'Tân Thành'" in err

    other = Cli(tmp_path / "other")
    err = one_line_error(other, "import", str(out))
    assert "unknown scope 'khoi'" in err
    ok(other, "import", str(out), "--scopes", str(scopes))
    text = ok(other, "month", "2001-02", "--scope", "khoi", "--format", "text")
    assert "10 năm Ngày B (11/02/1991 - 11/02/2001)" in text


def _header(path: Path) -> list[str]:
    doc = Document(str(path))
    return [cell.text for table in doc.tables for row in table.rows for cell in row.cells]


@pytest.mark.parametrize(
    ("org", "name", "scope", "golden"),
    [
        (
            "qn",
            "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh",
            "22",
            "directive-2026-02-province.txt",
        ),
        ("cua-ong", "Đảng ủy phường Cửa Ông", "phường Cửa Ông", "directive-2026-02-ward.txt"),
        ("khoi", BLOC, "khoi", "directive-2026-02-bloc.txt"),
    ],
)
def test_directive_wording_follows_the_unit_kind(
    cli: Cli, tmp_path: Path, org: str, name: str, scope: str, golden: str
) -> None:
    ok(cli, "scopes", "add", "khoi", "--name-vi", BLOC, "--parent", "province:quang-ninh")
    ok(cli, "org", "add", org, "--name", name, "--scope", scope, "--due-day", "25")
    text = ok(cli, "directive", "2026-02", "--org", org, "--format", "text", "--date", "2026-01-25")
    docx = tmp_path / f"{org}.docx"
    ok(
        cli,
        "directive",
        "2026-02",
        "--org",
        org,
        "--format",
        "docx",
        "--out",
        str(docx),
        "--date",
        "2026-01-25",
    )
    # The header block and the item's opening; the listed rows follow the dataset.
    opening = text.splitlines()[0].split(": kỷ niệm ")[0]
    got = "\n".join(_header(docx)) + "\n---\n" + opening + "\n"
    path = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")
    for symbol_line in (c for c in _header(docx) if c.startswith("Số ")):
        code = symbol_line.split("\n")[0].split("-", 1)[1]
        assert all(ch == "Đ" or ord(ch) < 128 for ch in code), code
