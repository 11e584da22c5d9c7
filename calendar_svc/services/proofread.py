"""Proofread a directive for a month and a scope: the service behind ``calendar-svc check``
and the month page's "Kiểm tra văn bản" form.

It gathers the anniversaries a name may match (the scope's lineage, or every row without
a scope) and the month's listed occurrences (for omissions), then runs the pure check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from calendar_svc.core.occurrences import month_range
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.proofread.check import Report, check_lines
from calendar_svc.proofread.period import named_month
from calendar_svc.services.listing import ListingQuery, list_occurrences, validate_filters

if TYPE_CHECKING:
    from calendar_svc.store.repository import AnniversaryReader

from calendar_svc.errors import CalendarSvcError


class MonthUnknownError(CalendarSvcError):
    """The text names no month and none was given."""

    def __init__(self, source: str) -> None:
        super().__init__(
            f"{source}: văn bản không ghi “tháng MM/YYYY”, hãy thêm --month / the text names "
            "no month (“tháng MM/YYYY” or a V/v line): give --month YYYY-MM"
        )


def month_of(lines: Sequence[str], source: str, given: tuple[int, int] | None) -> tuple[int, int]:
    """Return the month to check: the one given, else the one the text names.

    Raises:
        MonthUnknownError: neither.
    """
    if given is not None:
        return given
    found = named_month(lines)
    if found is None:
        raise MonthUnknownError(source)
    return found


def proofread(
    reader: AnniversaryReader,
    scopes: ScopeTree,
    lines: Sequence[str],
    *,
    year: int,
    month: int,
    scope: str | None,
) -> Report:
    """Return the report of checking ``lines`` for ``month``/``year`` and ``scope``.

    Raises:
        FilterError: the scope is unknown.
    """
    start, end = month_range(year, month)
    query = ListingQuery(start, end, scope)
    validate_filters(query, scopes)
    lineage = scopes.lineage(scope) if scope is not None else None
    anniversaries = reader.anniversaries(scopes=lineage)
    expected = list_occurrences(reader, scopes, query)
    return check_lines(
        lines, year=year, month=month, anniversaries=anniversaries, expected=expected
    )
