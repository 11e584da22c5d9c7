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
