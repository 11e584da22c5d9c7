"""Expand anniversaries into their occurrences over a date range.

Policies (each is tested in ``tests/unit/test_occurrences.py``):

* **Counts** come from the occurrence's year: ``count = year - origin year``. There is no
  occurrence in the origin's own year or before it (a count is at least 1). A lunar
  origin counts lunar years.
* **29 February.** An origin on 29 February falls on 28 February in common years (the
  last day of February), so it is listed every year in its month.
* **Precision.** A month-only origin (12/1972) occurs on the 1st of its month; a
  year-only origin (1943) on 1 January. Each is one day (its ``duration_days``), and its
  period shows in its citation: ``(12/1972 - 12/2026)``, ``(1943 - 2025)``.
* **Ranges.** An occurrence belongs to a range when all its days (``date`` …
  ``last_day``) lie inside the range. So a month-only occurrence is in its month's
  listing, a year-only one in January's, and every output (month, year, page, API,
  feeds, directive, reminders) puts them on the same day.
* **Validity.** An occurrence is kept only when its date lies inside the anniversary's
  ``valid_from`` … ``valid_to`` window (either end may be open).
* **Listing.** The category's :class:`~calendar_svc.core.policy.ListingRule` decides
  which counts are listed (leaders' birthdays: 100, 105, 110 …); in a listing for a
  leader's home province (``local`` holds one of the anniversary's ``home`` scopes) the
  category's home rule applies instead (every year).
* **Lunar dates** resolve through :func:`calendar_svc.core.lunar.anniversary_date`
  (leap-month and day-30 policies live there); years outside the lunar table are skipped.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import date

from calendar_svc.core import lunar
from calendar_svc.core.counting import round_class
from calendar_svc.core.model import Anniversary, Calendar, Occurrence, Precision
from calendar_svc.core.policy import CATEGORIES, CategoryPolicy, ListingRule

_EVERY_YEAR = ListingRule()
_MONTH_RE = re.compile(r"(\d{4})-(\d{1,2})")


def solar_day(year: int, month: int, day: int) -> date:
    """Return the solar date of month/day in ``year``; 29 February becomes 28 in common years."""
    if month == 2 and day == 29 and not _calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def _period_start(ann: Anniversary, year: int) -> date:
    origin = ann.origin
    if origin.precision is Precision.YEAR:
        return date(year, 1, 1)
    assert origin.month is not None  # precision says so
    if origin.precision is Precision.MONTH:
        return date(year, origin.month, 1)
    assert origin.day is not None
    return solar_day(year, origin.month, origin.day)


def _make(ann: Anniversary, when: date, year: int, *, estimated: bool = False) -> Occurrence | None:
    origin = ann.origin
    if origin.year is None:
        return Occurrence(ann, when, None, None, estimated)
    count = year - origin.year
    if count < 1:
        return None
    return Occurrence(ann, when, count, round_class(count), estimated)


def _in_window(ann: Anniversary, when: date) -> bool:
    if ann.valid_from is not None and when < ann.valid_from:
        return False
    return ann.valid_to is None or when <= ann.valid_to


def occurrence_in(ann: Anniversary, year: int) -> Occurrence | None:
    """Return the solar anniversary's occurrence in ``year``, before any listing rule.

    Returns None for a year before or equal to the origin year, or outside the validity
    window. Lunar anniversaries can occur zero or two times in a solar year: use
    :func:`occurrences` for them.
    """
    if ann.calendar is Calendar.LUNAR:
        raise ValueError("occurrence_in is for solar anniversaries; use occurrences()")
    when = _period_start(ann, year)
    if not _in_window(ann, when):
        return None
    return _make(ann, when, year)


def _lunar_occurrences(ann: Anniversary, start: date, end: date) -> Iterable[Occurrence]:
    origin = ann.origin
    assert origin.month is not None and origin.day is not None  # lunar origins carry a day
    first = max(start.year - 1, lunar.MIN_YEAR)
    last = min(end.year, lunar.MAX_YEAR)
    for lunar_year in range(first, last + 1):
        when, estimated = lunar.anniversary_date(
            lunar_year, origin.month, origin.day, leap=origin.leap
        )
        if start <= when <= end and _in_window(ann, when):
            occ = _make(ann, when, lunar_year, estimated=estimated)
            if occ is not None:
                yield occ


def _solar_occurrences(ann: Anniversary, start: date, end: date) -> Iterable[Occurrence]:
    for year in range(start.year, end.year + 1):
        occ = occurrence_in(ann, year)
        if occ is not None and start <= occ.date and occ.last_day <= end:
            yield occ


def occurrences(
    anniversaries: Iterable[Anniversary],
    start: date,
    end: date,
    *,
    categories: Mapping[str, CategoryPolicy] = CATEGORIES,
    apply_listing: bool = True,
    local: Collection[str] = (),
) -> list[Occurrence]:
    """Return every listed occurrence whose whole period lies in ``start`` … ``end``.

    Args:
        anniversaries: the anniversaries to expand.
        start: first day of the range, inclusive.
        end: last day of the range, inclusive.
        categories: listing policies by category slug; an unknown category lists every year.
        apply_listing: when False, return every occurrence regardless of listing rules.
        local: the scopes the listing is for (a scope, its ancestors, the units it
            succeeded); an anniversary whose ``home`` is among them follows its category's
            home rule (a leader's birthday every year in the home province).

    Returns:
        Occurrences sorted by date, then anniversary id.
    """
    if end < start:
        raise ValueError(f"range ends ({end}) before it starts ({start})")
    found: list[Occurrence] = []
    for ann in anniversaries:
        policy = categories.get(ann.category)
        if policy is None:
            rule = _EVERY_YEAR
        elif ann.home and local:
            rule = policy.listing_for(ann.home, local)
        else:
            rule = policy.listing
        expand = _lunar_occurrences if ann.calendar is Calendar.LUNAR else _solar_occurrences
        for occ in expand(ann, start, end):
            if not apply_listing or rule.lists(occ.count):
                found.append(occ)
    found.sort(key=lambda o: (o.date, o.anniversary.id))
    return found


def parse_month(text: str) -> tuple[int, int]:
    """Return (year, month) of ``YYYY-MM`` (``2023-02`` or ``2023-2``); ValueError otherwise."""
    m = _MONTH_RE.fullmatch(text.strip())
    if m is None or not 1 <= int(m[2]) <= 12 or int(m[1]) < 1:
        raise ValueError(f"'{text}' không phải tháng / is not a month (use YYYY-MM)")
    return int(m[1]), int(m[2])


def month_range(year: int, month: int) -> tuple[date, date]:
    """Return the first and last day of a month."""
    return date(year, month, 1), date(year, month, _calendar.monthrange(year, month)[1])


def year_range(year: int) -> tuple[date, date]:
    """Return the first and last day of a year."""
    return date(year, 1, 1), date(year, 12, 31)
