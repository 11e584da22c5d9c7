"""List occurrences for a period, a scope and filters: the service behind month and year."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from calendar_svc.core.counting import is_big
from calendar_svc.core.model import Occurrence
from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.policy import require_category
from calendar_svc.core.scopes import (
    ScopeError,
    ScopeIndex,
    ScopeNotFoundError,
    listed_scopes,
    resolve,
)

if TYPE_CHECKING:
    from calendar_svc.store.repository import AnniversaryReader


@dataclass(frozen=True, slots=True)
class ListingQuery:
    """What to list: a date range, a scope (with its parents), categories, round only."""

    start: date
    end: date
    scope: str | None = None
    categories: tuple[str, ...] = ()
    round_only: bool = False


def validate_filters(query: ListingQuery, scopes: ScopeIndex) -> str | None:
    """Return the id of the query's scope (None: every scope).

    The scope may be named by id, old id, official code or Vietnamese name; an unknown
    or ambiguous one raises ScopeNotFoundError whose one line lists the candidates, an unknown
    category UnknownCategoryError.
    """
    scope_id: str | None = None
    if query.scope is not None:
        try:
            scope_id = resolve(scopes, query.scope)
        except ScopeError as exc:
            raise ScopeNotFoundError(query.scope, str(exc)) from None
    for category in query.categories:
        require_category(category)
    return scope_id


def months_spanned(start: date, end: date) -> Collection[int] | None:
    """Return the solar months a range touches, or None when it touches all twelve."""
    if (end.year - start.year) * 12 + end.month - start.month >= 11:
        return None
    months: list[int] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def list_occurrences(
    reader: AnniversaryReader, scopes: ScopeIndex, query: ListingQuery
) -> list[Occurrence]:
    """Return the listed occurrences of the query, sorted by date.

    A scope lists the rows of its heritage (:func:`~calendar_svc.core.scopes.heritage`):
    its own, its ancestors', and those of the units it succeeded; each row's own
    ``valid_to`` still applies. Only the rows of the months the range touches are read
    (an index on month and day serves that), plus lunar and year-only rows, whose month
    the origin does not tell.
    The listed scopes are also where the home rule looks: a leader from the scope's
    province is listed every year there.
    """
    scope_id = validate_filters(query, scopes)
    wanted: Sequence[str] | None = None
    if scope_id is not None:
        wanted = listed_scopes(scopes, scope_id)
    rows = reader.anniversaries(
        months=months_spanned(query.start, query.end),
        scopes=wanted,
        categories=query.categories or None,
    )
    found = occurrences(rows, query.start, query.end, local=wanted or ())
    if query.round_only:
        found = [occ for occ in found if is_big(occ.round_class)]
    return found
