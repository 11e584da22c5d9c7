"""The hometown rule: a leader's birthday is listed every year in the home province.

Known answers: Chủ tịch Tôn Đức Thắng (20/8/1888, An Giang) is listed nationally only in
100 + 5k years (135 năm in 2023), and in An Giang every year (133 năm in 2021, the count
Ban Tuyên giáo Tỉnh ủy An Giang briefed: tests/data/directives/an-giang-2021-08.toml).
"""

from datetime import date

import pytest

from calendar_svc.core.model import Anniversary, Origin
from calendar_svc.core.occurrences import occurrences, year_range
from calendar_svc.core.policy import EVERY_YEAR, LEADERS_BIRTHDAYS, category_policy

TON_DUC_THANG = Anniversary(
    id="sinh-ton-duc-thang",
    name_vi="Ngày sinh Chủ tịch Tôn Đức Thắng",
    name_en="Birth of President Tôn Đức Thắng",
    origin=Origin(1888, 8, 20),
    category="ngay-sinh-lanh-dao",
    scope="national",
    source="test",
    home=("province:an-giang",),
)
NATIONAL = ("national",)
AN_GIANG = ("province:an-giang", "national")
AN_GIANG_WARD = ("commune:an-giang/rach-gia", "province:an-giang", "national")


def counts(local: tuple[str, ...], years: range) -> list[int | None]:
    found = occurrences([TON_DUC_THANG], *year_range(years.start), local=local)
    for year in years[1:]:
        found += occurrences([TON_DUC_THANG], *year_range(year), local=local)
    return [occ.count for occ in found]


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (NATIONAL, [135]),
        ((), [135]),
        (AN_GIANG, [131, 132, 133, 134, 135, 136, 137, 138]),
        (AN_GIANG_WARD, [131, 132, 133, 134, 135, 136, 137, 138]),
        (("province:dong-thap", "national"), [135]),
    ],
)
def test_listed_every_year_at_home_and_every_five_from_100_elsewhere(
    local: tuple[str, ...], expected: list[int]
) -> None:
    assert counts(local, range(2019, 2027)) == expected


def test_an_giang_lists_the_133rd_birthday_of_2021() -> None:
    (occ,) = occurrences([TON_DUC_THANG], date(2021, 8, 1), date(2021, 8, 31), local=AN_GIANG)
    assert (occ.date, occ.count) == (date(2021, 8, 20), 133)
    assert occurrences([TON_DUC_THANG], date(2021, 8, 1), date(2021, 8, 31)) == []


def test_the_rule_is_data_on_the_category() -> None:
    policy = category_policy("ngay-sinh-lanh-dao")
    assert policy.listing == LEADERS_BIRTHDAYS
    assert policy.home_listing == EVERY_YEAR
    assert policy.listing_for(("province:an-giang",), AN_GIANG) == EVERY_YEAR
    assert policy.listing_for(("province:an-giang",), NATIONAL) == LEADERS_BIRTHDAYS
    assert policy.listing_for((), AN_GIANG) == LEADERS_BIRTHDAYS
    assert category_policy("ngay-truyen-thong").listing_for(("province:an-giang",), AN_GIANG) == (
        EVERY_YEAR
    )


def test_a_home_that_is_no_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="home scope"):
        Anniversary(
            id="x",
            name_vi="X",
            name_en="",
            origin=Origin(1900, 1, 1),
            category="ngay-sinh-lanh-dao",
            scope="national",
            source="test",
            home=("An Giang",),
        )
