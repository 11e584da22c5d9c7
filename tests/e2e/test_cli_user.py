"""End-to-end: what a new user tried and expected, command by command, with exact output."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli

LUNAR_FIELDS = ("--category", "su-kien-lich-su", "--scope", "national", "--source", "test")


def test_an_empty_directive_line_says_why_in_the_users_language(cli: Cli) -> None:
    args = ("month", "2023-02", "--category", "le-hoi", "--scope", "province:quang-ninh")
    assert "Lễ hội xuân đền Cửa Ông" in cli(*args).out
    vi = cli(*args, "--format", "text")
    assert (vi.code, vi.out) == (
        0,
        "Dòng định hướng trống: 1 lễ hội trong danh sách không được đưa vào dòng định hướng "
        "(lễ hội không phải ngày kỷ niệm).\n",
    )
    en = cli(*args, "--format", "text", "--lang", "en")
    assert en.out == (
        "The directive's line is empty: the 1 festival(s) listed are left out (festivals are not "
        "commemorations, so not in the directive's line).\n"
    )
    assert (
        cli(
            "month",
            "2023-02",
            "--category",
            "dia-phuong",
            "--scope",
            "national",
            "--format",
            "text",
            "--lang",
            "en",
        ).out
        == "No anniversaries.\n"
    )


def test_year_table_has_a_column_header(cli: Cli) -> None:
    lines = cli("year", "2023", "--round").out.splitlines()
    assert lines[0].split()[:4] == ["Ngày", "Âm", "lịch", "Số"]
    assert set(lines[1].replace(" ", "")) == {"─"}
    # A year-only origin is dated 1 January: in January's group, as in `month 2023-01`.
    assert lines[2] == "Tháng 01"
    january = lines[3 : lines.index("", 3)]
    assert any("Đề cương về văn hóa Việt Nam" in line for line in january), january


def test_add_edit_and_import_refuse_lunar_dates_that_do_not_exist(cli: Cli, tmp_path: Path) -> None:
    leap = cli(
        "add",
        "x",
        "--name-vi",
        "X",
        "--origin",
        "2021-04-01",
        "--calendar",
        "lunar",
        "--leap-month",
        "1",
        *LUNAR_FIELDS,
    )
    assert (leap.code, leap.out) == (1, "")
    assert leap.err == (
        "Lỗi / Error: calendar-svc add: option --origin: năm âm lịch 2021 (Tân Sửu) không có "
        "tháng 4 nhuận (năm này không có tháng nhuận) / lunar year 2021 has no leap month 4 "
        "(it has no leap month)\n"
    )
    day30 = cli(
        "add", "x", "--name-vi", "X", "--origin", "2021-12-30", "--calendar", "lunar", *LUNAR_FIELDS
    )
    assert day30.code == 1
    assert "tháng 12 năm 2021 âm lịch chỉ có 29 ngày, không có ngày 30" in day30.err
    assert (
        cli("lunar", "--to-solar", "2021-12-30").err.split(": ", 1)[1]
        == (day30.err.split("option --origin: ", 1)[1])
    )
    assert (
        cli(
            "add",
            "x",
            "--name-vi",
            "X",
            "--origin",
            "2021-12-29",
            "--calendar",
            "lunar",
            *LUNAR_FIELDS,
        ).code
        == 0
    )
    edit = cli("edit", "x", "--origin", "2021-12-30")
    assert edit.code == 1 and "option --origin: tháng 12 năm 2021 âm lịch" in edit.err
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name_vi,origin,calendar,category,scope,source\n"
        "y,Y,2021-12-30,lunar,su-kien-lich-su,national,s\n",
        encoding="utf-8",
    )
    imported = cli("import", str(bad))
    assert imported.code == 1 and "bad.csv:2: column 'origin': tháng 12 năm 2021" in imported.err


def test_wording_of_counts_and_of_missing_or_positional_fields(cli: Cli, tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text(
        "id,name_vi,origin,category,scope,source\nok,X,2020-01-01,su-kien-lich-su,national,s\n",
        encoding="utf-8",
    )
    assert cli("import", str(one)).out == (
        "Đã nhập 1 dòng: 1 mới, 0 cập nhật, 0 không đổi / Imported 1 row: 1 new, 0 updated, "
        "0 unchanged.\n"
    )
    missing = cli(
        "add", "x", "--name-vi", "X", "--category", "su-kien-lich-su", "--scope", "national",
        "--source", "s",
    )  # fmt: skip
    assert missing.err == (
        "Lỗi / Error: calendar-svc add: option --origin: thiếu / is missing (give --origin)\n"
    )
    empty = cli(
        "add",
        "x",
        "--name-vi",
        "X",
        "--origin",
        "",
        "--category",
        "su-kien-lich-su",
        "--scope",
        "national",
        "--source",
        "s",
    )
    assert empty.err == "Lỗi / Error: calendar-svc add: option --origin: is empty\n"
    positional = cli(
        "add",
        "Bad Id",
        "--name-vi",
        "X",
        "--origin",
        "2020",
        "--category",
        "su-kien-lich-su",
        "--scope",
        "national",
        "--source",
        "s",
    )
    assert positional.err == (
        "Lỗi / Error: calendar-svc add: argument ID: 'Bad Id' is not a slug "
        "(use a-z, 0-9 and '-')\n"
    )


def test_export_for_excel_starts_with_a_bom_and_imports_back(cli: Cli, tmp_path: Path) -> None:
    plain = cli("export")
    assert not plain.out.startswith("\ufeff")
    excel = tmp_path / "excel.csv"
    done = cli("export", "--excel", "--out", str(excel))
    assert done.code == 0, done.err
    data = excel.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,name_vi,")
    assert data[3:].decode("utf-8") == plain.out
    assert cli("export", "--excel").out == "\ufeff" + plain.out
    again = cli("import", str(excel))
    assert again.code == 0 and "0 mới, 0 cập nhật" in again.out


def _months_from_today(n: int) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    index = today.year * 12 + today.month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def test_month_next_prev_and_ranges(cli: Cli) -> None:
    for word, n in (("next", 1), ("prev", -1), ("sau", 1)):
        assert cli("month", word, "--format", "json").out == (
            cli("month", _months_from_today(n), "--format", "json").out
        ), word
    ranged = cli("month", "2023-02..2023-04", "--round", "--format", "text")
    assert ranged.code == 0, ranged.err
    each = [
        f"{m}/2023: " + cli("month", f"2023-{m}", "--round", "--format", "text").out
        for m in ("02", "03", "04")
    ]
    assert ranged.out == "".join(each)
    assert (
        ranged.out.startswith("02/2023: ")
        and "115 năm Ngày sinh đồng chí Nguyễn Đức Cảnh" in each[0]
    )
    options = cli("month", "--from", "2023-02", "--to", "2023-04", "--round", "--format", "text")
    assert options.out == ranged.out
    table = cli("month", "--from", "2023-11", "--to", "2024-01", "--round", "--format", "json")
    dates = [row["date"] for row in json.loads(table.out)]
    assert dates == sorted(dates) and dates[0][:7] == "2023-11" and dates[-1][:7] == "2024-01"
    assert "2023-12-03" in dates  # 115 năm Ngày sinh đồng chí Ngô Gia Tự
    backwards = cli("month", "2023-04..2023-02")
    assert backwards.code == 1
    assert "the last month is before the first" in backwards.err
    alone = cli("month", "--from", "2023-02")
    assert alone.err == (
        "Lỗi / Error: thiếu / missing --to: --from and --to go together (or MONTH as A..B) "
        "(calendar-svc month --help)\n"
    )


def test_search_by_name_with_or_without_diacritics(cli: Cli) -> None:
    accented = cli("search", "biên phòng", "--format", "json")
    assert accented.code == 0, accented.err
    ids = [r["id"] for r in json.loads(accented.out)]
    assert ids == ["ngay-bien-phong-toan-dan", "truyen-thong-bo-doi-bien-phong"]
    assert cli("search", "BIEN PHONG", "--format", "json").out == accented.out
    table = cli("search", "biên phòng").out.splitlines()
    assert table[0].split("  ")[0] == "ID"
    assert table[2].startswith("ngay-bien-phong-toan-dan        03/03/1989  ")
    assert table[2].endswith("Ngày Biên phòng toàn dân")
    assert cli("search", "không có gì như thế").out == (
        "Không tìm thấy / Nothing found for 'không có gì như thế'.\n"
    )


def test_show_gives_every_field_the_source_and_next_dates(cli: Cli) -> None:
    shown = cli("show", "ngay-bien-phong-toan-dan")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert lines[:9] == [
        "ID                    ngay-bien-phong-toan-dan",
        "Tên / Name (vi)       Ngày Biên phòng toàn dân",
        "Tên / Name (en)       All-People Border Defence Day",
        "Ngày gốc / Origin     03/03/1989 (dương lịch / solar)",
        "Loại / Category       ngay-truyen-thong (Ngày truyền thống)",
        "Phạm vi / Scope       national (Toàn quốc)",
        "Cách ghi / Date form  range",
        "Số ngày / Days        1",
        "Liệt kê từ / From     -",
    ]
    assert lines[10].startswith("Nguồn / Source        https://")
    assert lines[11] == "Lần tới / Next:"
    record = json.loads(cli("show", "ngay-bien-phong-toan-dan", "--format", "json").out)
    assert len(record["next"]) == 5 == len(lines[12:])
    first = record["next"][0]
    year = int(first["date"][:4])
    assert first["count"] == year - 1989
    assert lines[12].startswith(f"  03/03/{year}  ")
    assert lines[12].endswith(
        f"{year - 1989} năm Ngày Biên phòng toàn dân (03/03/1989 - 03/03/{year})"
    )
    missing = cli("show", "nope")
    assert (missing.code, missing.err) == (
        1,
        "Lỗi / Error: không tìm thấy ngày kỷ niệm 'nope' / no anniversary 'nope'\n",
    )


def test_categories_lists_every_category_with_counts(cli: Cli) -> None:
    lines = cli("categories").out.splitlines()
    assert lines[0].split("  ")[0] == "Loại / Slug"
    festival = next(line for line in lines if line.startswith("le-hoi "))
    assert festival.split()[:4] == ["le-hoi", "Lễ", "hội", "Festival"]
    assert "không / no" in festival
    records = json.loads(cli("categories", "--format", "json").out)
    total = sum(r["anniversaries"] for r in records)
    assert total == len(cli("export").out.splitlines()) - 1
    assert {r["slug"]: r["in_directive_line"] for r in records}["le-hoi"] is False
