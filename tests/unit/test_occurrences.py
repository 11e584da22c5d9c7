from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendar_svc.core.counting import phrase_vi
from calendar_svc.core.model import Anniversary, Calendar, Origin, Precision, RoundClass
from calendar_svc.core.occurrences import (
    month_range,
    occurrence_in,
    occurrences,
    solar_day,
)
from helpers import assert_not_listed, assert_occurs, make, occurrences_of


def test_count_comes_from_occurrence_year_not_today() -> None:
    party = make("thanh-lap-dang", "1930-02-03", category="ngay-le-lon")
    assert_occurs(party, "2023-02-03", count=93)
    assert_occurs(party, "2030-02-03", count=100)
    assert_occurs(party, "1931-02-03", count=1)


def test_nothing_in_origin_year_or_before() -> None:
    ann = make("a", "2012-02-21", category="dia-phuong")
    assert_not_listed(ann, 2012)
    assert_not_listed(ann, 2000)
    assert_occurs(ann, "2013-02-21", count=1)


def test_range_crossing_new_year() -> None:
    dec = make("dec", "1946-12-19")
    jan = make("jan", "1946-01-06")
    found = occurrences([dec, jan], date(2023, 12, 15), date(2024, 1, 10))
    assert [(o.anniversary.id, o.date, o.count) for o in found] == [
        ("dec", date(2023, 12, 19), 77),
        ("jan", date(2024, 1, 6), 78),
    ]


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2023, date(2023, 2, 28)), (2024, date(2024, 2, 29)), (2100, date(2100, 2, 28))],
)
def test_29_february_falls_on_28_february_in_common_years(year: int, expected: date) -> None:
    assert solar_day(year, 2, 29) == expected
    ann = make("leap", "1960-02-29")
    occ = occurrence_in(ann, year)
    assert occ is not None
    assert occ.date == expected
    assert occ.count == year - 1960


def test_29_february_never_spills_into_march() -> None:
    ann = make("leap", "1960-02-29")
    assert occurrences_of(ann, "2023-03-01", "2023-03-31") == []


def test_month_only_origin_is_one_day_on_the_first_of_its_month() -> None:
    ann = make("dbp-tren-khong", "1972-12")
    (occ,) = occurrences_of(ann, "2022-12-01", "2022-12-31")
    assert occ.precision is Precision.MONTH
    assert (occ.date, occ.last_day, occ.count) == (date(2022, 12, 1), date(2022, 12, 1), 50)
    assert occ.round_class is RoundClass.TRON
    assert phrase_vi(occ) == "50 năm Sự kiện dbp-tren-khong (12/1972 - 12/2022)"
    # A range that holds the 1st holds it; one that starts later does not.
    assert occurrences_of(ann, "2022-12-01", "2022-12-01") == [occ]
    assert occurrences_of(ann, "2022-12-10", "2022-12-31") == []


def test_month_only_origin_keeps_a_longer_duration() -> None:
    ann = make("dot-thi-dua", "1972-12", duration_days=10)
    (occ,) = occurrences_of(ann, "2022-12-01", "2022-12-31")
    assert occ.last_day == date(2022, 12, 10)


def test_year_only_origin_is_one_day_on_1_january_in_januarys_listing() -> None:
    ann = make("de-cuong-van-hoa", "1943")
    (occ,) = occurrences_of(ann, "2023-01-01", "2023-12-31")
    assert (occ.precision, occ.count, occ.round_class) == (Precision.YEAR, 80, RoundClass.TRON)
    assert occ.last_day == occ.date == date(2023, 1, 1)
    assert occurrences_of(ann, "2023-01-01", "2023-01-31") == [occ]
    assert occurrences_of(ann, "2023-02-01", "2023-12-31") == []
    assert phrase_vi(occ) == "80 năm Sự kiện de-cuong-van-hoa (1943 - 2023)"


def test_validity_window() -> None:
    ann = make(
        "tp-cam-pha",
        "2012-02-21",
        category="dia-phuong",
        valid_to=date(2025, 6, 30),
    )
    assert_occurs(ann, "2025-02-21", count=13)
    assert_not_listed(ann, 2026)
    later = make("new", "2000-05-01", valid_from=date(2020, 1, 1))
    assert_not_listed(later, 2019)
    assert_occurs(later, "2020-05-01", count=20)


@pytest.mark.parametrize(
    ("year", "listed"),
    [
        (2003, False),
        (2004, True),
        (2005, False),
        (2008, False),
        (2009, True),
        (2014, True),
        (2019, True),
        (2024, True),
        (2025, False),
        (2029, True),
    ],
)
def test_leaders_birthdays_from_100_every_5_years(year: int, listed: bool) -> None:
    tran_phu = make("sinh-tran-phu", "1904-05-01", category="ngay-sinh-lanh-dao")
    found = occurrences_of(tran_phu, f"{year}-01-01", f"{year}-12-31")
    assert bool(found) is listed


def test_major_days_every_year() -> None:
    hcm = make("sinh-hcm", "1890-05-19", category="ngay-le-lon")
    for year in range(2020, 2031):
        assert_occurs(hcm, f"{year}-05-19", count=year - 1890)


def test_listing_rule_can_be_bypassed() -> None:
    tran_phu = make("sinh-tran-phu", "1904-05-01", category="ngay-sinh-lanh-dao")
    start, end = date(2023, 5, 1), date(2023, 5, 31)
    assert occurrences([tran_phu], start, end) == []
    (occ,) = occurrences([tran_phu], start, end, apply_listing=False)
    assert occ.count == 119


def test_sorted_by_date_then_id() -> None:
    anns = [make("b", "1930-02-03"), make("a", "1950-02-03"), make("c", "1979-02-01")]
    found = occurrences(anns, *month_range(2023, 2))
    assert [o.anniversary.id for o in found] == ["c", "a", "b"]


def test_reversed_range_is_an_error() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        occurrences([], date(2023, 2, 1), date(2023, 1, 1))


def test_lunar_festival_is_uncounted_and_follows_the_lunar_calendar() -> None:
    gio_to = make("gio-to", "--03-10", calendar="lunar", category="ngay-le-lon")
    assert_occurs(gio_to, "2026-04-26", count=None)
    assert_occurs(gio_to, "2024-04-18", count=None)
    assert occurrences_of(gio_to, "2026-03-01", "2026-03-31") == []


def test_tet_falls_on_vietnamese_new_year() -> None:
    tet = make("tet", "--01-01", calendar="lunar", category="ngay-le-lon")
    found = occurrences_of(tet, "2023-01-01", "2026-12-31")
    assert [o.date for o in found] == [
        date(2023, 1, 22),
        date(2024, 2, 10),
        date(2025, 1, 29),
        date(2026, 2, 17),
    ]


def test_lunar_origin_with_a_year_counts_lunar_years() -> None:
    # A lunar 12th month that falls in the next solar year still counts its lunar year.
    ann = make("l", "2000-12-29", calendar="lunar")
    (occ,) = occurrences_of(ann, "2025-01-01", "2025-01-31")
    assert occ.date == date(2025, 1, 28)
    assert occ.count == 24


@given(
    origin_year=st.integers(1800, 2100),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    year=st.integers(1800, 2200),
)
def test_occurrence_invariants(origin_year: int, month: int, day: int, year: int) -> None:
    ann = Anniversary(
        "p",
        "Tên",
        "Name",
        Origin(origin_year, month, day, calendar=Calendar.SOLAR),
        "su-kien-lich-su",
        "national",
        "test",
    )
    occ = occurrence_in(ann, year)
    if year <= origin_year:
        assert occ is None
    else:
        assert occ is not None
        assert (occ.date.month, occ.date.day) == (month, day)
        assert occ.count == year - origin_year >= 1
