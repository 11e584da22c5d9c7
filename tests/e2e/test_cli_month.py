"""End-to-end: ``calendar-svc month`` and ``year`` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import Cli

GOLDEN = Path(__file__).parent / "golden"

#: Item 9 of Công văn 581-CV/BTGTU (Cẩm Phả, 02/02/2023), as the product must compute it.
DIRECTIVE_581 = [
    "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)",
    "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)",
    "44 năm Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc (17/02/1979 - 17/02/2023)",
    "11 năm Ngày thành lập Thành phố Cẩm Phả (21/02/2012 - 21/02/2023)",
    "68 năm Ngày Thầy thuốc Việt Nam (27/02)",
]


def test_first_run_creates_the_database_and_lists_the_month(cli: Cli) -> None:
    assert not cli.database.exists()
    result = cli("month", "2023-02", "--scope", "city:cam-pha")
    assert result.code == 0, result.err
    assert cli.database.exists()
    lines = result.out.splitlines()
    assert lines[0].split() == [
        "Ngày",
        "Âm",
        "lịch",
        "Số",
        "năm",
        "Loại",
        "năm",
        "Tên",
        "Phạm",
        "vi",
    ]
    rows = {line.split("  ")[0]: line for line in lines[2:]}
    expected = {
        "03/02/2023": ("93", "Ngày thành lập Đảng Cộng sản Việt Nam"),
        "17/02/2023": ("44", "Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc"),
        "27/02/2023": ("68", "Ngày Thầy thuốc Việt Nam"),
        "15/02/2023": ("110", "Ngày sinh đồng chí Huỳnh Tấn Phát"),
        "21/02/2023": ("11", "Ngày thành lập Thành phố Cẩm Phả"),
    }
    for day, (count, name) in expected.items():
        assert day in rows, f"{day} missing from:\n{result.out}"
        assert f"  {count}  " in rows[day] and name in rows[day]
    # Dates are sorted.
    days = [line.split()[0] for line in lines[2:]]
    assert days == sorted(days, key=lambda d: tuple(reversed(d.split("/"))))


def test_text_format_gives_the_directive_line(cli: Cli) -> None:
    result = cli("month", "2023-02", "--scope", "city:cam-pha", "--format", "text")
    assert result.code == 0, result.err
    entries = result.out.rstrip("\n").split("; ")
    found = [e for e in entries if e in DIRECTIVE_581]
    assert found == DIRECTIVE_581  # all five, in date order


def test_golden_month_2023_02_cam_pha(cli: Cli) -> None:
    for fmt in ("text", "table"):
        result = cli("month", "2023-02", "--scope", "city:cam-pha", "--format", fmt)
        assert result.code == 0, result.err
        golden = (GOLDEN / f"month-2023-02-cam-pha.{fmt}.txt").read_text(encoding="utf-8")
        assert result.out == golden


def test_scope_includes_parents_and_national_excludes_children(cli: Cli) -> None:
    national = cli("month", "2023-02", "--scope", "national", "--format", "json")
    scopes = {row["scope"] for row in json.loads(national.out)}
    assert scopes == {"national"}
    city = json.loads(cli("month", "2023-02", "--scope", "city:cam-pha", "--format", "json").out)
    assert {row["scope"] for row in city} >= {"national", "district:quang-ninh/cam-pha"}


def test_round_filter_and_category(cli: Cli) -> None:
    rows = json.loads(cli("month", "2023-02", "--round", "--format", "json").out)
    assert rows and all(r["round_class"] in ("nam-tron", "nam-le-5") for r in rows)
    assert any(r["id"] for r in rows if r["count"] == 110)
    leaders = json.loads(
        cli("month", "2023-02", "--category", "ngay-sinh-lanh-dao", "--format", "json").out
    )
    assert [r["count"] for r in leaders] and {r["category"] for r in leaders} == {
        "ngay-sinh-lanh-dao"
    }


def test_json_and_csv_carry_the_same_rows(cli: Cli) -> None:
    as_json = json.loads(cli("month", "2023-02", "--format", "json").out)
    as_csv = list(csv.DictReader(io.StringIO(cli("month", "2023-02", "--format", "csv").out)))
    assert [r["id"] for r in as_json] == [r["id"] for r in as_csv]
    party = next(r for r in as_json if r["id"] == "thanh-lap-dang")
    assert party["round_class_label"] == "năm khác"
    assert party["text"] == DIRECTIVE_581[0]
    assert party["lunar_date"] == "13/1 Quý Mão"


def test_english_output(cli: Cli) -> None:
    result = cli("month", "2023-02", "--scope", "city:cam-pha", "--lang", "en", "--format", "text")
    assert "93rd anniversary of " in result.out
    assert "110th anniversary of " in result.out


def test_no_lunar_hides_the_lunar_column(cli: Cli) -> None:
    result = cli("month", "2023-02", "--no-lunar")
    assert "Âm lịch" not in result.out
    assert "lunar_date" not in cli("month", "2023-02", "--no-lunar", "--format", "csv").out


def test_plain_output_when_piped(cli: Cli) -> None:
    assert "\x1b[" not in cli("month", "2023-02").out


def test_default_month_is_the_current_month(cli: Cli) -> None:
    result = cli("month", "--format", "json")
    assert result.code == 0, result.err


def test_lunar_days_listed_with_their_lunar_date(cli: Cli) -> None:
    rows = json.loads(cli("month", "2026-04", "--format", "json").out)
    gio_to = [r for r in rows if r["date"] == "2026-04-26" and r["calendar"] == "lunar"]
    assert gio_to and gio_to[0]["count"] is None
    assert gio_to[0]["lunar_date"].startswith("10/3 Bính Ngọ")
    qn = json.loads(
        cli("month", "2026-03", "--scope", "province:quang-ninh", "--format", "json").out
    )
    assert any(r["date"] == "2026-03-21" and "Cửa Ông" in r["name_vi"] for r in qn)


def test_year_groups_by_month(cli: Cli) -> None:
    result = cli("year", "2023", "--round")
    assert result.code == 0, result.err
    assert "Tháng 02" in result.out and "Tháng 10" in result.out
    assert "60" in result.out  # 60 năm Ngày thành lập tỉnh Quảng Ninh
    text = cli("year", "2023", "--round", "--format", "text").out
    assert text.splitlines()[0].startswith(("Cả năm: ", "Tháng 01: "))


def test_user_errors_are_one_line_exit_1(cli: Cli) -> None:
    for args, needle in [
        (["month", "2023-13"], "'2023-13'"),
        (["month", "2023-02", "--scope", "province:atlantis"], "unknown scope 'province:atlantis'"),
        (["month", "2023-02", "--category", "nope"], "unknown category 'nope'"),
    ]:
        result = cli(*args)
        assert result.code == 1, (args, result)
        assert len(result.err.strip().splitlines()) == 1
        assert needle in result.err
        assert "Traceback" not in result.err
        assert result.out == ""


def test_bad_configuration_names_the_variable(cli: Cli) -> None:
    result = cli("month", "2023-02", env={"CALENDAR_SVC_TIMEZONE": "Mars/Base"})
    assert result.code == 1
    assert "CALENDAR_SVC_TIMEZONE" in result.err and "Traceback" not in result.err
