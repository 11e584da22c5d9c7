"""Known answers of the bundled dataset: what a staff member checks by hand each month.

Each case is a listing (period and scope) and a line it must or must not hold, written as
``month --format text`` writes it.
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from calendar_svc.catalog import DATASET_REVISION, bundled_path, load_bundled, load_scopes
from calendar_svc.core.counting import phrase
from calendar_svc.core.occurrences import month_range
from calendar_svc.core.policy import directive_entries
from calendar_svc.core.scopes import listed_scopes
from calendar_svc.services.listing import ListingQuery, list_occurrences
from calendar_svc.store.memory import MemoryReader

SCOPES = load_scopes()
READER = MemoryReader(load_bundled(), DATASET_REVISION)


def texts(year: int, month: int, scope: str) -> list[str]:
    occs = list_occurrences(READER, SCOPES, ListingQuery(*month_range(year, month), scope))
    return [phrase(occ) for occ in directive_entries(occs)]


@pytest.mark.parametrize(
    ("year", "month", "scope", "line"),
    [
        # The hometown rule: Tôn Đức Thắng's 133rd birthday in An Giang, not nationally.
        (
            2021,
            8,
            "province:an-giang",
            "133 năm Ngày sinh Chủ tịch Tôn Đức Thắng (20/08/1888 - 20/08/2021)",
        ),
        # A day-only international day, cited as directives print it.
        (2026, 7, "national", "Ngày Dân số thế giới (11/07)"),
        # The merger of 1/7/2025: the new Quảng Trị's first anniversary.
        (
            2026,
            7,
            "province:quang-tri",
            "1 năm Ngày thành lập tỉnh Quảng Trị (mới) (01/07/2025 - 01/07/2026)",
        ),
        # Quảng Ninh's founding day, 63 years on, for a ward of the province.
        (
            2026,
            10,
            "commune:quang-ninh/cua-ong",
            "63 năm Ngày thành lập tỉnh Quảng Ninh (30/10/1963 - 30/10/2026)",
        ),
        # A former province's re-establishment, listed while it existed.
        (
            2024,
            7,
            "province:quang-binh",
            "35 năm Ngày tái lập tỉnh Quảng Bình (01/07/1989 - 01/07/2024)",
        ),
        # The seed directive's city day, under the city's old id.
        (
            2023,
            2,
            "city:cam-pha",
            "11 năm Ngày thành lập Thành phố Cẩm Phả (21/02/2012 - 21/02/2023)",
        ),
    ],
)
def test_listed(year: int, month: int, scope: str, line: str) -> None:
    assert line in texts(year, month, scope)


@pytest.mark.parametrize(
    ("year", "month", "scope", "start"),
    [
        # Outside the home province a leader's 133rd birthday is not listed (100 + 5k only).
        (2021, 8, "national", "133 năm Ngày sinh Chủ tịch Tôn Đức Thắng"),
        (2021, 8, "province:dong-thap", "133 năm Ngày sinh Chủ tịch Tôn Đức Thắng"),
        # A former province's founding day ends with the province.
        (2026, 7, "province:quang-tri", "37 năm Ngày tái lập tỉnh Quảng Bình"),
        # The city of Cẩm Phả's founding day stops with the city.
        (2026, 2, "commune:quang-ninh/cam-pha", "14 năm Ngày thành lập Thành phố Cẩm Phả"),
    ],
)
def test_not_listed(year: int, month: int, scope: str, start: str) -> None:
    assert not [text for text in texts(year, month, scope) if text.startswith(start)]


def test_national_leaders_follow_100_and_every_5() -> None:
    assert "135 năm Ngày sinh Chủ tịch Tôn Đức Thắng (20/08/1888 - 20/08/2023)" in texts(
        2023, 8, "national"
    )


def test_the_dataset_is_large_and_every_province_has_rows() -> None:
    rows = list(csv.DictReader(bundled_path().open(encoding="utf-8")))
    assert len(rows) >= 600
    assert all(row["source"].strip() for row in rows)
    by_scope = Counter(row["scope"] for row in rows)
    for scope in SCOPES:
        if scope.kind == "province" and scope.valid_to is None:
            heritage = set(listed_scopes(SCOPES, scope.id)) - {"national"}
            assert sum(by_scope[s] for s in heritage) >= 5, scope.id
    quang_ninh = sum(
        n
        for s, n in by_scope.items()
        if s in ("province:quang-ninh", "city:cam-pha", "city:ha-long")
        or s.startswith(("commune:quang-ninh/", "district:quang-ninh/"))
    )
    assert quang_ninh >= 30


def test_every_leader_has_a_home_province() -> None:
    leaders = [a for a in load_bundled() if a.category == "ngay-sinh-lanh-dao"]
    assert len(leaders) >= 50
    missing = [a.id for a in leaders if not a.home and a.id != "sinh-chu-tich-ho-chi-minh"]
    assert missing == []
