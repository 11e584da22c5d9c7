from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendar_svc.core.counting import (
    citation,
    directive_line,
    format_origin,
    ordinal_en,
    phrase_en,
    phrase_vi,
    round_class,
    round_class_label,
)
from calendar_svc.core.model import DateForm, Occurrence, RoundClass
from helpers import make


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, RoundClass.KHAC),
        (4, RoundClass.KHAC),
        (5, RoundClass.LE_5),
        (6, RoundClass.KHAC),
        (9, RoundClass.KHAC),
        (10, RoundClass.TRON),
        (11, RoundClass.KHAC),
        (15, RoundClass.LE_5),
        (44, RoundClass.KHAC),
        (68, RoundClass.KHAC),
        (93, RoundClass.KHAC),
        (95, RoundClass.LE_5),
        (100, RoundClass.TRON),
        (105, RoundClass.LE_5),
        (110, RoundClass.TRON),
        (135, RoundClass.LE_5),
    ],
)
def test_round_class_known_answers(count: int, expected: RoundClass) -> None:
    assert round_class(count) is expected


@pytest.mark.parametrize("bad", [0, -5])
def test_round_class_rejects_non_positive_counts(bad: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        round_class(bad)


@given(st.integers(min_value=1, max_value=10_000))
def test_round_class_depends_on_last_digit_only(n: int) -> None:
    rc = round_class(n)
    assert (rc is RoundClass.TRON) == (n % 10 == 0)
    assert (rc is RoundClass.LE_5) == (n % 10 == 5)
    if n > 10:
        assert round_class(n) is round_class(n % 10 or 10)


def test_round_class_labels_keep_chan_out() -> None:
    # "năm chẵn" colloquially means năm tròn; the product never calls …5 "chẵn".
    assert round_class_label(RoundClass.TRON) == "năm tròn"
    assert round_class_label(RoundClass.LE_5) == "năm lẻ 5"
    assert round_class_label(RoundClass.KHAC) == "năm khác"
    assert round_class_label(None) == ""
    assert round_class_label(RoundClass.TRON, "en") == "round"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0th"),
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (93, "93rd"),
        (101, "101st"),
        (102, "102nd"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (121, "121st"),
        (1011, "1011th"),
    ],
)
def test_ordinal_en(n: int, text: str) -> None:
    assert ordinal_en(n) == text


def _occ(origin: str, on: date, count: int | None, **kw: object) -> Occurrence:
    ann = make("a", origin, name_vi="Ngày thành lập Đảng Cộng sản Việt Nam", **kw)  # type: ignore[arg-type]
    rc = round_class(count) if count is not None else None
    return Occurrence(ann, on, count, rc)


def test_phrase_vi_is_the_directive_form() -> None:
    occ = _occ("1930-02-03", date(2023, 2, 3), 93)
    assert (
        phrase_vi(occ) == "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)"
    )


def test_phrase_en_uses_ordinals() -> None:
    occ = _occ("1930-02-03", date(2023, 2, 3), 93)
    assert phrase_en(occ) == "93rd anniversary of Event a (03/02/1930 - 03/02/2023)"


def test_day_form_cites_day_and_month_only() -> None:
    occ = _occ("1955-02-27", date(2023, 2, 27), 68, date_form=DateForm.DAY)
    assert citation(occ) == "27/02"


@pytest.mark.parametrize(
    ("origin", "on", "count", "cited"),
    [
        ("1972-12", date(2022, 12, 1), 50, "12/1972 - 12/2022"),
        ("1943", date(2023, 1, 1), 80, "1943 - 2023"),
    ],
)
def test_citation_by_precision(origin: str, on: date, count: int, cited: str) -> None:
    assert citation(_occ(origin, on, count)) == cited


def test_lunar_yearless_citation_gives_lunar_then_solar_date() -> None:
    occ = _occ("--03-10", date(2026, 4, 26), None, calendar="lunar", category="ngay-le-lon")
    assert citation(occ) == "10/3 âm lịch, 26/04/2026"
    assert phrase_vi(occ).startswith("Ngày thành lập Đảng Cộng sản Việt Nam (10/3 âm lịch")


def test_format_origin_lunar_leap() -> None:
    ann = make("l", "2020-04-15", calendar="lunar", leap=True)
    assert format_origin(ann.origin) == "15/4 nhuận/2020 âm lịch"


def test_directive_line_joins_with_semicolons() -> None:
    a = _occ("1930-02-03", date(2023, 2, 3), 93)
    b = _occ("1979-02-17", date(2023, 2, 17), 44)
    assert directive_line([a, b]).count("; ") == 1
