"""Known answers, policies and invariants of the Vietnamese lunar calendar (core/lunar.py)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_svc.core import lunar
from calendar_svc.core.lunar import (
    MAX_DATE,
    MAX_YEAR,
    MIN_DATE,
    MIN_YEAR,
    LunarDate,
    LunarMonth,
    anniversary_date,
    can_chi,
    leap_month,
    to_lunar,
    to_solar,
    year_months,
)
from calendar_svc.errors import CalendarSvcError, LunarDateError

VECTORS = Path(__file__).parents[1] / "data" / "lunar-vectors.csv"
SHARED_VECTORS = Path(__file__).parents[3] / "shared/reference/lunar-vectors.csv"


def read_vectors(path: Path) -> list[tuple[date, int, int, int, bool]]:
    """Read ``(solar, year, month, day, leap)`` rows from a vectors CSV."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [
            (
                date.fromisoformat(row["solar_date"]),
                int(row["lunar_year"]),
                int(row["lunar_month"]),
                int(row["lunar_day"]),
                row["is_leap_month"] == "1",
            )
            for row in csv.DictReader(handle)
        ]


VECTOR_ROWS = read_vectors(VECTORS)


def d(text: str) -> date:
    """Parse an ISO date (keeps the tables short)."""
    return date.fromisoformat(text)


def assert_lunar(solar: str, year: int, month: int, day: int, *, leap: bool = False) -> None:
    """Assert that ``solar`` is the given lunar date, in both directions."""
    got = to_lunar(d(solar))
    assert (got.year, got.month, got.day, got.leap) == (year, month, day, leap)
    assert to_solar(year, month, day, leap=leap) == d(solar)


# --- vectors -------------------------------------------------------------------------------


def test_vector_copy_matches_shared_reference() -> None:
    if not SHARED_VECTORS.exists():
        pytest.skip(f"shared reference not present at {SHARED_VECTORS}")
    assert VECTORS.read_bytes() == SHARED_VECTORS.read_bytes()


def test_vectors_cover_the_known_vietnam_china_differences() -> None:
    solar_dates = {row[0] for row in VECTOR_ROWS}
    assert {d("1968-01-29"), d("1985-01-21"), d("2007-02-17"), d("2030-02-02")} <= solar_dates


@pytest.mark.parametrize(
    ("solar", "year", "month", "day", "leap"), VECTOR_ROWS, ids=[str(r[0]) for r in VECTOR_ROWS]
)
def test_vector_solar_to_lunar(solar: date, year: int, month: int, day: int, leap: bool) -> None:
    got = to_lunar(solar)
    assert (got.year, got.month, got.day, got.leap) == (year, month, day, leap)


@pytest.mark.parametrize(
    ("solar", "year", "month", "day", "leap"), VECTOR_ROWS, ids=[str(r[0]) for r in VECTOR_ROWS]
)
def test_vector_lunar_to_solar(solar: date, year: int, month: int, day: int, leap: bool) -> None:
    assert to_solar(year, month, day, leap=leap) == solar
    assert anniversary_date(year, month, day, leap=leap)[0] == solar


# --- Vietnam's meridian vs China's (independent check, see lunar.md) -------------------------

# (year, Tết in Vietnam (UTC+7), Spring Festival in China (UTC+8)).
TET_DIFFERENCES = [
    (1968, "1968-01-29", "1968-01-30"),
    (1969, "1969-02-16", "1969-02-17"),
    (1985, "1985-01-21", "1985-02-20"),
    (2007, "2007-02-17", "2007-02-18"),
    (2030, "2030-02-02", "2030-02-03"),
    (2053, "2053-02-18", "2053-02-19"),
]


@pytest.mark.parametrize(("year", "vietnam", "china"), TET_DIFFERENCES)
def test_tet_on_vietnam_meridian(year: int, vietnam: str, china: str) -> None:
    assert to_solar(year, 1, 1) == d(vietnam)
    assert to_lunar(d(china)) != LunarDate(year, 1, 1)
    assert to_lunar(d(vietnam)).label() == f"1/1 {can_chi(year)}"


@pytest.mark.parametrize(
    ("year", "vietnam", "china"),
    [(1984, None, 10), (1985, 2, None), (1987, 7, 6)],
)
def test_leap_months_that_differ_from_china(year: int, vietnam: int | None, china: int) -> None:
    assert leap_month(year) == vietnam
    assert leap_month(year) != china


@pytest.mark.parametrize(
    ("year", "leap"),
    [(1995, 8), (1998, 5), (2001, 4), (2004, 2), (2006, 7), (2009, 5), (2012, 4), (2014, 9),
     (2017, 6), (2020, 4), (2023, 2), (2025, 6), (2028, 5), (2031, 3), (2033, 11), (2036, 6),
     (2024, None), (2026, None)],
)  # fmt: skip
def test_leap_month_known_answers(year: int, leap: int | None) -> None:
    assert leap_month(year) == leap


@pytest.mark.parametrize(
    ("solar", "year", "month", "day"),
    [
        ("2024-02-10", 2024, 1, 1),  # Tết Giáp Thìn
        ("2024-04-18", 2024, 3, 10),  # Giỗ Tổ Hùng Vương
        ("2026-04-26", 2026, 3, 10),
        ("2026-03-21", 2026, 2, 3),  # Lễ hội đền Cửa Ông opens
        ("2018-03-18", 2018, 2, 2),
        ("2000-01-01", 1999, 11, 25),  # New Year boundary: still lunar 1999
        ("2025-12-31", 2025, 11, 12),
        ("2026-01-01", 2025, 11, 13),
    ],
)
def test_known_answers(solar: str, year: int, month: int, day: int) -> None:
    assert_lunar(solar, year, month, day)


# --- can chi and labels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "name"),
    [(1900, "Canh Tý"), (1930, "Canh Ngọ"), (1945, "Ất Dậu"), (1968, "Mậu Thân"),
     (1984, "Giáp Tý"), (2000, "Canh Thìn"), (2019, "Kỷ Hợi"), (2020, "Canh Tý"),
     (2021, "Tân Sửu"), (2022, "Nhâm Dần"), (2023, "Quý Mão"), (2024, "Giáp Thìn"),
     (2025, "Ất Tỵ"), (2026, "Bính Ngọ"), (2027, "Đinh Mùi"), (2199, "Kỷ Hợi")],
)  # fmt: skip
def test_can_chi(year: int, name: str) -> None:
    assert can_chi(year) == name


def test_can_chi_cycles_every_sixty_years() -> None:
    names = [can_chi(y) for y in range(1984, 2044)]
    assert len(set(names)) == 60
    assert all(can_chi(y) == can_chi(y + 60) for y in range(MIN_YEAR, MAX_YEAR + 1))
    assert "Tị" not in "".join(names)


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (LunarDate(2026, 3, 10), "10/3 Bính Ngọ", "10th day of the 3rd lunar month, year Bính Ngọ"),
        (LunarDate(2025, 6, 1, leap=True), "1/6 nhuận Ất Tỵ",
         "1st day of the leap 6th lunar month, year Ất Tỵ"),
        (LunarDate(2072, 11, 2, estimated=True), "2/11 Nhâm Thìn (ước tính)",
         "2nd day of the 11th lunar month, year Nhâm Thìn (estimated)"),
        (LunarDate(2024, 12, 23), "23/12 Giáp Thìn",
         "23rd day of the 12th lunar month, year Giáp Thìn"),
        (LunarDate(2024, 11, 13), "13/11 Giáp Thìn",
         "13th day of the 11th lunar month, year Giáp Thìn"),
        (LunarDate(2024, 1, 21), "21/1 Giáp Thìn", "21st day of the 1st lunar month, year Giáp Thìn"),
        (LunarDate(2024, 2, 22), "22/2 Giáp Thìn", "22nd day of the 2nd lunar month, year Giáp Thìn"),
    ],
)  # fmt: skip
def test_labels(value: LunarDate, vi: str, en: str) -> None:
    assert value.label() == vi
    assert str(value) == vi
    assert value.label_en() == en


@pytest.mark.parametrize(("month", "day"), [(0, 1), (13, 1), (1, 0), (1, 31)])
def test_lunar_date_rejects_impossible_parts(month: int, day: int) -> None:
    with pytest.raises(LunarDateError):
        LunarDate(2026, month, day)


def test_lunar_month_rejects_bad_length() -> None:
    with pytest.raises(LunarDateError, match="29 hoặc 30"):
        LunarMonth(2026, 1, False, d("2026-02-17"), 31, False)  # noqa: FBT003


# --- strict to_solar errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "leap", "vi", "en"),
    [
        ((2025, 2, 30), False, "chỉ có 29 ngày, không có ngày 30", "has only 29 days"),
        ((2026, 3, 1), True, "không có tháng 3 nhuận (năm này không có tháng nhuận)",
         "has no leap month 3 (it has no leap month)"),
        ((2025, 5, 1), True, "tháng nhuận là tháng 6", "its leap month is 6"),
        ((1899, 1, 1), False, "năm âm lịch 1899 ngoài phạm vi hỗ trợ 1900–2199",
         "lunar year 1899 is outside the supported range"),
        ((2200, 1, 1), False, "ngoài phạm vi", "outside the supported range"),
        ((2026, 13, 1), False, "tháng âm lịch 13 không hợp lệ", "lunar month 13 is invalid"),
        ((2026, 0, 1), False, "tháng âm lịch 0 không hợp lệ", "lunar month 0 is invalid"),
        ((2026, 1, 31), False, "ngày âm lịch 31 không hợp lệ", "lunar day 31 is invalid"),
        ((2026, 1, 0), False, "ngày âm lịch 0 không hợp lệ", "lunar day 0 is invalid"),
    ],
)  # fmt: skip
def test_to_solar_is_strict(args: tuple[int, int, int], leap: bool, vi: str, en: str) -> None:
    with pytest.raises(LunarDateError) as caught:
        to_solar(*args, leap=leap)
    message = str(caught.value)
    assert "\n" not in message
    vi_part, en_part = message.split(" / ")
    assert vi in vi_part
    assert en in en_part
    assert isinstance(caught.value, CalendarSvcError)
    assert isinstance(caught.value, ValueError)


def test_to_solar_accepts_day_30_of_a_30_day_month() -> None:
    assert to_solar(2025, 1, 30) == d("2025-02-27")


# --- anniversary policies -------------------------------------------------------------------


def test_leap_origin_uses_the_leap_month_in_a_year_that_has_it() -> None:
    assert anniversary_date(2025, 6, 1, leap=True) == (d("2025-07-25"), False)


@pytest.mark.parametrize("year", [2024, 2026, 2023, 2028])  # no leap / another leap month
def test_leap_origin_falls_back_to_the_regular_month(year: int) -> None:
    assert anniversary_date(year, 6, 15, leap=True) == (to_solar(year, 6, 15), False)


def test_regular_origin_keeps_the_regular_month_in_a_leap_year() -> None:
    assert anniversary_date(2025, 6, 1) == (d("2025-06-25"), False)
    assert anniversary_date(2031, 3, 10) == (d("2031-04-01"), False)  # Giỗ Tổ, leap 3 in 2031


@pytest.mark.parametrize("year", range(MIN_YEAR, MAX_YEAR + 1, 7))
def test_fixed_festivals_use_the_regular_month(year: int) -> None:
    for month, day in ((1, 1), (3, 10), (2, 3)):
        solar, _ = anniversary_date(year, month, day)
        assert to_lunar(solar) == LunarDate(year, month, day, estimated=to_lunar(solar).estimated)


def test_day_30_of_a_29_day_month_falls_on_day_29() -> None:
    assert anniversary_date(2025, 2, 30) == (d("2025-03-28"), False)
    assert anniversary_date(2025, 6, 30, leap=True) == (d("2025-08-22"), False)  # leap 6: 29 days


def test_day_30_policy_holds_in_every_short_month() -> None:
    for year in range(MIN_YEAR, MAX_YEAR + 1):
        for m in year_months(year):
            solar, _ = anniversary_date(year, m.month, 30, leap=m.leap)
            assert solar == m.start + timedelta(days=m.length - 1)


# --- estimated ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("solar", "estimated"),
    [
        ("1998-09-21", True),  # 1/8: new moon 1.5 min after midnight UTC+7
        ("1998-10-19", True),  # 29/8: the whole month is uncertain
        ("1998-09-20", True),  # 30/7: last day before an uncertain month
        ("1998-09-19", False),  # 29/7: not the last day
        ("2072-12-09", True),  # 1/11 Nhâm Thìn, new moon 1.5 min before midnight
        ("2077-11-15", True),  # 1/10 Đinh Tỵ, new moon 0.4 min before midnight
        ("2026-04-26", False),
    ],
)
def test_estimated_near_midnight_new_moons(solar: str, estimated: bool) -> None:
    assert to_lunar(d(solar)).estimated is estimated


def test_estimated_flows_into_anniversaries_and_months() -> None:
    assert anniversary_date(1998, 8, 1) == (d("1998-09-21"), True)
    assert anniversary_date(1998, 7, 30) == (d("1998-09-20"), True)
    assert anniversary_date(1998, 7, 29)[1] is False
    flagged = [(m.month, m.leap) for m in year_months(1998) if m.estimated]
    assert flagged == [(7, False), (8, False)]


def test_estimated_months_are_rare() -> None:
    flagged = sum(m.estimated for y in range(MIN_YEAR, MAX_YEAR + 1) for m in year_months(y))
    assert 0 < flagged < 200


# --- range ends -----------------------------------------------------------------------------


def test_range_constants() -> None:
    assert (MIN_YEAR, MAX_YEAR) == (1900, 2199)
    assert d("1900-01-31") == MIN_DATE
    last = year_months(MAX_YEAR)[-1]
    assert last.start + timedelta(days=last.length - 1) == MAX_DATE
    assert d("2199-12-31") <= MAX_DATE


def test_range_ends_convert() -> None:
    assert to_lunar(MIN_DATE) == LunarDate(1900, 1, 1)
    end = to_lunar(MAX_DATE)
    assert (end.year, end.month, end.leap) == (2199, 12, False)
    assert to_solar(end.year, end.month, end.day) == MAX_DATE


@pytest.mark.parametrize("solar", [MIN_DATE - timedelta(days=1), MAX_DATE + timedelta(days=1)])
def test_out_of_range_solar_dates_raise(solar: date) -> None:
    with pytest.raises(LunarDateError, match=r"ngoài phạm vi .* / date .* outside"):
        to_lunar(solar)


@pytest.mark.parametrize("year", [MIN_YEAR - 1, MAX_YEAR + 1])
def test_out_of_range_years_raise(year: int) -> None:
    for call in (year_months, leap_month, lambda y: anniversary_date(y, 1, 1)):
        with pytest.raises(LunarDateError, match="outside the supported range"):
            call(year)


# --- invariants -----------------------------------------------------------------------------


@settings(max_examples=1000)
@given(st.dates(min_value=MIN_DATE, max_value=MAX_DATE))
def test_round_trip(solar: date) -> None:
    ld = to_lunar(solar)
    assert to_solar(ld.year, ld.month, ld.day, leap=ld.leap) == solar
    month = next(m for m in year_months(ld.year) if (m.month, m.leap) == (ld.month, ld.leap))
    assert month.length in (29, 30)
    assert month.start == solar - timedelta(days=ld.day - 1)
    assert ld.day <= month.length


@settings(max_examples=1000)
@given(st.dates(min_value=MIN_DATE, max_value=MAX_DATE - timedelta(days=1)))
def test_next_day_is_next_lunar_day(solar: date) -> None:
    today, tomorrow = to_lunar(solar), to_lunar(solar + timedelta(days=1))
    if tomorrow.day == 1:
        assert today.day in (29, 30)
    else:
        assert (tomorrow.year, tomorrow.month, tomorrow.leap) == (
            today.year,
            today.month,
            today.leap,
        )
        assert tomorrow.day == today.day + 1


def test_year_months_are_consistent() -> None:
    previous_end = MIN_DATE
    for year in range(MIN_YEAR, MAX_YEAR + 1):
        months = year_months(year)
        leap = leap_month(year)
        assert len(months) == (13 if leap else 12)
        assert [m.month for m in months if not m.leap] == list(range(1, 13))
        if leap:
            position = next(i for i, m in enumerate(months) if m.leap)
            assert (months[position].month, months[position - 1].month) == (leap, leap)
        assert months[0].start == previous_end
        for m in months:
            assert m.year == year
            assert m.length in (29, 30)
            assert m.start == previous_end
            previous_end = m.start + timedelta(days=m.length)
        assert sum(m.length for m in months) in ((383, 384, 385) if leap else (353, 354, 355))
        assert lunar.to_solar(year, 1, 1) == months[0].start
    assert previous_end == MAX_DATE + timedelta(days=1)
