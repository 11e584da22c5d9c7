from datetime import date

import pytest

from calendar_svc.core.model import Anniversary, Calendar, Origin, Precision
from calendar_svc.core.scopes import Scope, ScopeTree


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"year": 1932, "month": 2, "day": 30}, "does not exist"),
        ({"year": 1932, "month": 13}, "month 13"),
        ({"year": None, "month": 2}, "yearless"),
        ({"year": 2000, "month": None, "day": 3}, "a day needs a month"),
        ({"year": 2000, "month": 2, "day": 1, "leap": True}, "leap month"),
        ({"year": 2000, "month": 2, "day": 31, "calendar": Calendar.LUNAR}, "lunar day"),
    ],
)
def test_invalid_origins_cannot_be_built(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Origin(**kwargs)  # type: ignore[arg-type]


def test_origin_precision_and_iso() -> None:
    assert Origin(1930, 2, 3).precision is Precision.DAY
    assert Origin(1972, 12).precision is Precision.MONTH
    assert Origin(1943).precision is Precision.YEAR
    assert Origin(None, 1, 1, calendar=Calendar.LUNAR).iso() == "--01-01"
    assert Origin(1972, 12).iso() == "1972-12"
    assert Origin(None, 2, 29).day == 29  # a yearless 29 February is allowed


def test_anniversary_validates_window_and_slug() -> None:
    origin = Origin(2012, 2, 21)
    with pytest.raises(ValueError, match="valid_to is before"):
        Anniversary(
            "a",
            "A",
            "A",
            origin,
            "dia-phuong",
            "city:cam-pha",
            "s",
            valid_from=date(2020, 1, 1),
            valid_to=date(2019, 1, 1),
        )
    with pytest.raises(ValueError, match="slug"):
        Anniversary("Bad Id", "A", "A", origin, "dia-phuong", "national", "s")
    with pytest.raises(ValueError, match="scope"):
        Anniversary("a", "A", "A", origin, "dia-phuong", "Quảng Ninh", "s")


def test_scope_lineage() -> None:
    tree = ScopeTree(
        [
            Scope("national", None, "Toàn quốc", "Nationwide"),
            Scope("province:quang-ninh", "national", "Quảng Ninh", "Quảng Ninh"),
            Scope("city:cam-pha", "province:quang-ninh", "Cẩm Phả", "Cẩm Phả"),
        ]
    )
    assert tree.lineage("city:cam-pha") == ("city:cam-pha", "province:quang-ninh", "national")
    assert tree.lineage("national") == ("national",)
    with pytest.raises(ValueError, match="unknown parent"):
        ScopeTree([Scope("a:b", "a:c", "x", "x")])
    with pytest.raises(ValueError, match="own ancestor"):
        ScopeTree([Scope("a:b", "a:c", "x", "x"), Scope("a:c", "a:b", "y", "y")])
