"""Draft a month's directive for an organisation: the service behind ``calendar-svc directive``.

It lists the month's occurrences and the look-ahead's round ones for the organisation's
scope (with its parents) and composes the :class:`~calendar_svc.directive.draft.Draft`;
rendering it (text, Markdown, .docx) is the caller's choice. A year-only origin occurs on
1 January (:mod:`calendar_svc.core.occurrences`), so the year's first directive lists it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from calendar_svc.core.occurrences import month_range
from calendar_svc.core.scopes import ScopeTree, level_key
from calendar_svc.directive.draft import Draft, compose_draft, lookahead_range
from calendar_svc.directive.profile import DirectiveProfile
from calendar_svc.services.listing import ListingQuery, list_occurrences

if TYPE_CHECKING:
    from calendar_svc.store.repository import AnniversaryReader


def draft_directive(
    reader: AnniversaryReader,
    scopes: ScopeTree,
    profile: DirectiveProfile,
    year: int,
    month: int,
    issued: date,
) -> Draft:
    """Return the draft of the commemoration parts of ``month``/``year`` for ``profile``.

    Args:
        reader: the anniversaries: the database's, or a
            :class:`~calendar_svc.store.memory.MemoryReader` where none is open.
        scopes: the scope tree; the profile's scope must be in it.
        profile: the issuing organisation.
        year: the directive's year.
        month: the directive's month (1-12).
        issued: the date the date line states.

    Raises:
        UnknownScopeError: the profile's scope is unknown.
    """
    scopes.require(profile.scope)
    start, end = month_range(year, month)
    this_month = list_occurrences(reader, scopes, ListingQuery(start, end, profile.scope))
    # A year-only origin is dated 1 January: January's listing holds it already.
    window = lookahead_range(year, month, profile.lookahead_months)
    ahead = []
    if window is not None:
        query = ListingQuery(window[0], window[1], profile.scope, round_only=True)
        ahead = list_occurrences(reader, scopes, query)
    kinds = [level_key(scopes[s]) for s in reversed(scopes.lineage(profile.scope))]
    return compose_draft(
        profile,
        year,
        month,
        issued,
        month_occurrences=this_month,
        ahead_occurrences=ahead,
        scope_kinds=kinds,
    )
