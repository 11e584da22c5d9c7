"""End-to-end: what a new user tried and expected, command by command, with exact output."""

from __future__ import annotations

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
    assert lines[2] == "Cả năm"


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
        "add", "x", "--name-vi", "X", "--category", "su-kien-lich-su", "--scope", "national"
    )
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
