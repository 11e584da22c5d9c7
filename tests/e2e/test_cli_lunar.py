"""``calendar-svc lunar``: solar ↔ lunar conversion and a lunar year's months."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from calendar_svc.commands.lunar import command
from calendar_svc.errors import LunarDateError


def run(*args: str) -> str:
    """Invoke the command, assert success and return its output."""
    result = CliRunner().invoke(command, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_solar_to_lunar_table() -> None:
    assert run("2026-04-26") == (
        "Dương lịch / Solar  Âm lịch / Lunar  Năm / Year  Tháng / Month  Ngày / Day"
        "  Nhuận / Leap  Ước tính / Estimated\n"
        "2026-04-26          10/3 Bính Ngọ    2026        3              10"
        "          không / no    không / no\n"
        "10th day of the 3rd lunar month, year Bính Ngọ\n"
    )


def test_solar_to_lunar_json() -> None:
    assert json.loads(run("2025-07-25", "--format", "json")) == {
        "solar": "2025-07-25",
        "lunar": {"year": 2025, "month": 6, "day": 1, "leap": True},
        "can_chi": "Ất Tỵ",
        "estimated": False,
        "label": "1/6 nhuận Ất Tỵ",
        "label_en": "1st day of the leap 6th lunar month, year Ất Tỵ",
    }


def test_estimated_date_is_marked() -> None:
    out = json.loads(run("2072-12-09", "--format", "json"))
    assert out["estimated"] is True
    assert out["label"] == "1/11 Nhâm Thìn (ước tính)"


def test_lunar_to_solar() -> None:
    assert run("--to-solar", "2026-03-10").splitlines()[1].startswith("2026-04-26 ")
    assert json.loads(run("--to-solar", "2026-03-10", "--format", "json"))["solar"] == "2026-04-26"


def test_lunar_to_solar_leap_month() -> None:
    out = json.loads(run("--to-solar", "2025-06-01", "--leap", "--format", "json"))
    assert (out["solar"], out["lunar"]["leap"]) == ("2025-07-25", True)
    assert json.loads(run("--to-solar", "2025-06-01", "--format", "json"))["solar"] == "2025-06-25"


def test_year_table() -> None:
    lines = run("--year", "2025").splitlines()
    assert lines[0] == "Năm âm lịch / Lunar year 2025 Ất Tỵ: tháng 6 nhuận / leap month 6"
    assert lines[1].split("  ")[0] == "Tháng / Month"
    assert "Bắt đầu / Start" in lines[1]
    assert len(lines) == 2 + 13
    assert lines[2] == (
        "1              không / no    2025-01-29       2025-02-27      30              không / no"
    )
    assert lines[8] == (
        "6              có / yes      2025-07-25       2025-08-22      29              không / no"
    )


def test_year_json() -> None:
    out = json.loads(run("--year", "2026", "--format", "json"))
    assert (out["year"], out["can_chi"], out["leap_month"]) == (2026, "Bính Ngọ", None)
    assert len(out["months"]) == 12
    assert out["months"][0] == {
        "month": 1,
        "leap": False,
        "start": "2026-02-17",
        "end": "2026-03-18",
        "length": 30,
        "estimated": False,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to-solar", "2025-02-30"], "chỉ có 29 ngày, không có ngày 30 / lunar month 2 of 2025"),
        (["--to-solar", "2026-03-01", "--leap"], "không có tháng 3 nhuận"),
        (["--to-solar", "2300-01-01"], "năm âm lịch 2300 ngoài phạm vi hỗ trợ 1900–2199"),
        (["--to-solar", "2026-13-01"], "tháng âm lịch 13 không hợp lệ"),
        (["1800-01-01"], "ngoài phạm vi âm lịch hỗ trợ"),
        (["--year", "2200"], "lunar year 2200 is outside the supported range 1900–2199"),
    ],
)
def test_impossible_dates_raise_lunar_date_error(args: list[str], message: str) -> None:
    with pytest.raises(LunarDateError, match=message):
        CliRunner().invoke(command, args, catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["26/04/2026"], "is not a solar date (use YYYY-MM-DD)"),
        (["--to-solar", "2026-3"], "is not a lunar date (use YYYY-MM-DD"),
        (["2026-04-26", "--year", "2026"], "give a solar date, or --to-solar, or --year (one"),
        (["2026-04-26", "--leap"], "--leap goes with --to-solar"),
        (["2026-04-26", "--format", "xml"], "'xml' is not one of 'table', 'json'"),
    ],
)
def test_bad_input_is_a_usage_error(args: list[str], message: str) -> None:
    result = CliRunner().invoke(command, args)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())


def test_main_reports_lunar_errors_in_one_line(cli: Callable[..., Any]) -> None:
    result = cli("lunar", "--to-solar", "2025-02-30")
    assert result.code == 1
    assert result.err == (
        "Lỗi / Error: tháng 2 năm 2025 âm lịch chỉ có 29 ngày, không có ngày 30"
        " / lunar month 2 of 2025 has only 29 days, there is no day 30\n"
    )
    assert result.out == ""


def test_main_converts(cli: Callable[..., Any]) -> None:
    result = cli("lunar", "--to-solar", "2026-02-03", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["solar"] == "2026-03-21"  # Lễ hội đền Cửa Ông 2026


def test_no_argument_converts_today(cli: Callable[..., Any]) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    result = cli("lunar", "--format", "json")
    assert result.code == 0, result.err
    assert result.out == cli("lunar", today.isoformat(), "--format", "json").out
    assert json.loads(result.out)["solar"] == today.isoformat()
