"""Domain assertion helpers and builders shared by the tests."""

from __future__ import annotations

from datetime import date

from calendar_svc.core.model import Anniversary, Calendar, DateForm, Occurrence, Origin
from calendar_svc.core.occurrences import occurrences


def make(
    ident: str = "x",
    origin: str = "1930-02-03",
    *,
    category: str = "su-kien-lich-su",
    scope: str = "national",
    calendar: str = "solar",
    leap: bool = False,
    name_vi: str | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    date_form: DateForm = DateForm.RANGE,
    duration_days: int = 1,
) -> Anniversary:
    """Build an anniversary from an origin written as in the CSV."""
    from calendar_svc.rowfields import parse_origin

    parsed = parse_origin(origin, Calendar(calendar))
    if leap:
        parsed = Origin(parsed.year, parsed.month, parsed.day, leap=True, calendar=parsed.calendar)
    return Anniversary(
        id=ident,
        name_vi=name_vi or f"Sự kiện {ident}",
        name_en=f"Event {ident}",
        origin=parsed,
        category=category,
        scope=scope,
        source="test",
        valid_from=valid_from,
        valid_to=valid_to,
        date_form=date_form,
        duration_days=duration_days,
    )


def occurrences_of(ann: Anniversary, start: str, end: str) -> list[Occurrence]:
    """Return the listed occurrences of one anniversary in an ISO date range."""
    return occurrences([ann], date.fromisoformat(start), date.fromisoformat(end))


def assert_occurs(ann: Anniversary, on: str, *, count: int | None) -> Occurrence:
    """Assert the anniversary is listed on day ``on`` with ``count``; return the occurrence."""
    day = date.fromisoformat(on)
    found = occurrences([ann], day, day)
    assert [o.date for o in found] == [day], f"{ann.id} does not occur on {on}: {found}"
    assert found[0].count == count, f"{ann.id} on {on}: count {found[0].count} != {count}"
    return found[0]


def assert_not_listed(ann: Anniversary, year: int) -> None:
    """Assert the anniversary has no listed occurrence in ``year``."""
    found = occurrences([ann], date(year, 1, 1), date(year, 12, 31))
    assert found == [], f"{ann.id} is listed in {year}: {found}"
