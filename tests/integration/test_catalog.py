"""CSV loading and validation: exact messages with file:line and column."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from calendar_svc.catalog import (
    COLUMNS,
    DATASET_REVISION,
    DATASET_SHA256,
    bundled_path,
    load_bundled,
    load_csv,
    load_scopes,
    write_csv,
)
from calendar_svc.core.model import Calendar, DateForm, Precision
from calendar_svc.errors import CsvImportError

HEADER = "id,name_vi,name_en,origin,calendar,category,scope,valid_from,valid_to,source"
GOOD = "thanh-lap-dang,Ngày thành lập Đảng Cộng sản Việt Nam,Party founding,1930-02-03,solar,ngay-le-lon,national,,,ND 145"


def _load(tmp_path: Path, text: str | bytes, name: str = "anniversaries.csv") -> list:  # type: ignore[type-arg]
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return load_csv(path, scopes=load_scopes(), display_name=f"data/{name}")


def _errors(tmp_path: Path, text: str | bytes) -> list[str]:
    with pytest.raises(CsvImportError) as info:
        _load(tmp_path, text)
    return [str(p) for p in info.value.problems]


def test_good_file_loads(tmp_path: Path) -> None:
    (ann,) = _load(tmp_path, f"{HEADER}\n{GOOD}\n")
    assert ann.id == "thanh-lap-dang"
    assert ann.origin.year == 1930 and ann.origin.precision is Precision.DAY


def test_impossible_date_names_line_and_column(tmp_path: Path) -> None:
    rows = [GOOD.replace("thanh-lap-dang", f"r{i}") for i in range(45)]
    rows.append("bad,Tên,Name,1932-02-30,solar,su-kien-lich-su,national,,,src")
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    assert _errors(tmp_path, text) == [
        "data/anniversaries.csv:47: column 'origin': '1932-02-30' is not a valid date "
        "(use YYYY-MM-DD, YYYY-MM or YYYY, or --MM-DD for a day without a year)"
    ]


def test_all_problems_at_once(tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n"
        "a,Tên,Name,1930-02-03,solar,khong-co,national,,,s\n"
        "b,Tên,Name,1930-02-03,solar,su-kien-lich-su,province:atlantis,,,s\n"
        "a,Tên,Name,1930-02-03,solar,su-kien-lich-su,national,,,s\n"
        "c,Tên,Name,1930-02-03,moon,su-kien-lich-su,national,,1920-01-01,s\n"
    )
    errors = _errors(tmp_path, text)
    assert errors[0].startswith(
        "data/anniversaries.csv:2: column 'category': unknown category 'khong-co' (known: ngay-le-lon,"
    )
    assert errors[1].startswith(
        "data/anniversaries.csv:3: column 'scope': phạm vi không có / unknown scope "
        "'province:atlantis'"
    )
    assert errors[2] == "data/anniversaries.csv:4: column 'id': 'a' is already used on line 2"
    assert (
        errors[3] == "data/anniversaries.csv:5: column 'calendar': 'moon' is not 'solar' or 'lunar'"
    )
    assert (
        errors[4]
        == "data/anniversaries.csv:5: column 'valid_to': '1920-01-01' is before the origin '1930-02-03'"
    )
    assert len(errors) == 5


def test_first_20_then_a_count(tmp_path: Path) -> None:
    rows = [f"r{i},Tên,Name,2020-13-01,solar,su-kien-lich-su,national,,,s" for i in range(25)]
    with pytest.raises(CsvImportError) as info:
        _load(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n")
    lines = str(info.value).splitlines()
    assert len(lines) == 21
    assert lines[-1] == "… và 5 lỗi khác / and 5 more"


def test_bom_crlf_blank_lines_and_quoted_newlines_keep_line_numbers(tmp_path: Path) -> None:
    # The quoted field runs over two physical lines; the next record starts on line 5.
    text = (
        "\ufeff" + HEADER + "\r\n"
        "\r\n"
        'a,Tên,"Name\r\nsecond line",1930-02-03,solar,su-kien-lich-su,national,,,s\r\n'
        "b,Tên,Name,1930-02-31,solar,su-kien-lich-su,national,,,s\r\n"
    )
    errors = _errors(tmp_path, text)
    assert errors == [
        "data/anniversaries.csv:3: column 'name_en': contains a line break",
        "data/anniversaries.csv:5: column 'origin': '1930-02-31' is not a valid date "
        "(use YYYY-MM-DD, YYYY-MM or YYYY, or --MM-DD for a day without a year)",
    ]


def test_bom_and_crlf_accepted(tmp_path: Path) -> None:
    (ann,) = _load(tmp_path, "\ufeff" + HEADER + "\r\n\r\n" + GOOD + "\r\n")
    assert ann.name_vi == "Ngày thành lập Đảng Cộng sản Việt Nam"


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "id,name_vi,orign,category,scope,source\n")
    assert errors == [
        "data/anniversaries.csv:1: unknown column 'orign' (known: " + ", ".join(COLUMNS) + ")",
        "data/anniversaries.csv:1: missing required column 'origin'",
    ]


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    data = (HEADER + "\n" + GOOD + "\n").encode("utf-8") + "x,Tên".encode("cp1258") + b"\n"
    errors = _errors(tmp_path, data)
    assert errors == [
        "data/anniversaries.csv:3: byte 0xea is not UTF-8 (save the file as UTF-8 CSV)"
    ]


def test_wrong_field_count(tmp_path: Path) -> None:
    errors = _errors(tmp_path, f"{HEADER}\na,b\n")
    assert errors == ["data/anniversaries.csv:2: has 2 fields but the header has 10"]


def test_empty_file(tmp_path: Path) -> None:
    assert _errors(tmp_path, "") == [
        "data/anniversaries.csv:1: the file is empty (it needs a header row)"
    ]


def test_formula_like_cells_are_rejected(tmp_path: Path) -> None:
    text = f"{HEADER}\na,=cmd|' /C calc'!A0,Name,1930-02-03,solar,su-kien-lich-su,national,,,s\n"
    assert _errors(tmp_path, text) == [
        "data/anniversaries.csv:2: column 'name_vi': \"=cmd|' /C calc'!A0\" starts like a spreadsheet formula"
    ]


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CsvImportError, match=r"missing\.csv: cannot read the file"):
        load_csv(tmp_path / "missing.csv", scopes=load_scopes())


def test_export_round_trips(tmp_path: Path) -> None:
    anns = load_bundled()
    buf = io.StringIO()
    write_csv(anns, buf)
    again = _load(tmp_path, buf.getvalue())
    assert again == anns


def test_bundled_dataset_is_valid_and_covers_the_reference() -> None:
    anns = {a.id: a for a in load_bundled()}
    assert len(anns) >= 60
    assert all(a.source for a in anns.values())
    lunar = [a for a in anns.values() if a.calendar is Calendar.LUNAR]
    assert lunar, "the dataset has lunar days"
    major = [a for a in anns.values() if a.category == "ngay-le-lon"]
    assert len(major) >= 8
    scopes = {a.scope for a in anns.values()}
    assert {"national", "province:quang-ninh", "district:quang-ninh/cam-pha"} <= scopes
    assert any(a.date_form is DateForm.DAY for a in anns.values())


def test_dataset_revision_is_aware_and_paired_with_the_data() -> None:
    assert DATASET_REVISION.tzinfo is not None
    digest = hashlib.sha256(bundled_path().read_bytes()).hexdigest()
    assert digest == DATASET_SHA256, (
        "the bundled dataset changed: bump DATASET_REVISION and set DATASET_SHA256 to " + digest
    )


@pytest.mark.parametrize(
    ("char", "reason"),
    [
        ("\u2028", "line break"),
        ("\u2029", "line break"),
        ("\x85", "line break"),
        ("\x9b", "control character"),
    ],
)
def test_line_and_paragraph_separators_are_refused_like_cr_lf(
    tmp_path: Path, char: str, reason: str
) -> None:
    row = f"a,Tên{char}giữa,Name,1930-02-03,solar,su-kien-lich-su,national,,,s"
    assert _errors(tmp_path, HEADER + "\n" + row + "\n") == [
        f"data/anniversaries.csv:2: column 'name_vi': contains a {reason}"
    ]


def test_the_column_table_reads_every_file_column_and_fills_every_field() -> None:
    from dataclasses import fields

    from calendar_svc.core.model import Anniversary
    from calendar_svc.rowfields import PARSED_COLUMNS, REQUIRED_COLUMNS

    names = [column.name for column in PARSED_COLUMNS]
    assert sorted(names) == sorted(COLUMNS)
    assert REQUIRED_COLUMNS == ("id", "name_vi", "origin", "category", "scope", "source")
    # revised_at is the store's (when the row last changed), never in a file.
    assert {f.name for f in fields(Anniversary)} - {"revised_at"} == set(names) - {
        "calendar",
        "leap_month",
    }
