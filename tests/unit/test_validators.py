"""Conditional-request parsing: any If-Modified-Since value is parsed or ignored, never raised."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_svc.web.validators import http_date, is_not_modified, parse_http_date

ETAG = '"abc"'
MODIFIED = datetime(2026, 11, 26, tzinfo=UTC)

OUT_OF_RANGE = [
    "Tue, 01 Dec 99999999999999999999 00:00:00 GMT",
    "Tue, 01 Dec 2026 00:00:00 -99999999999999999999",
    "Tue, 01 Dec 2026 99:00:00 GMT",
    "Tue, 01 Dec 2026 00:00:00 +9999",
    "Fri, 31 Dec 9999 23:59:59 -2359",
    "",
    "garbage",
    "Tue, 01 Dec 2026",
]


def test_out_of_range_and_malformed_dates_are_ignored() -> None:
    for value in OUT_OF_RANGE:
        assert parse_http_date(value) is None, value
        assert is_not_modified(None, value, ETAG, MODIFIED) is False, value


def test_a_valid_date_is_compared() -> None:
    assert is_not_modified(None, http_date(MODIFIED), ETAG, MODIFIED) is True
    assert is_not_modified(None, "Wed, 25 Nov 2026 00:00:00 GMT", ETAG, MODIFIED) is False
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == datetime(
        1994, 11, 6, 8, 49, 37, tzinfo=UTC
    )


_NUMBER = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "00", "-0", "+1", "9999", "10000", "2026", "24", "60", "61"]),
)
_WORD = st.sampled_from(["Tue,", "Mon", "Dec", "Feb", "GMT", "UTC", "-0000", "+2400", "EST"])
_DATE_LIKE = st.lists(st.one_of(_NUMBER, _WORD, st.text(max_size=12)), max_size=8).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(_DATE_LIKE, st.text(max_size=200)))
def test_any_if_modified_since_is_answered_without_error(value: str) -> None:
    since = parse_http_date(value)
    if since is not None:
        assert since.tzinfo is not None
        assert http_date(since)  # representable
    assert is_not_modified(None, value, ETAG, MODIFIED) in (False, True)


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=200))
def test_any_if_none_match_is_answered_without_error(value: str) -> None:
    assert is_not_modified(value, None, ETAG, MODIFIED) in (False, True)
