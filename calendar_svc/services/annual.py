"""Draft an organisation's annual guide: the service behind ``directive YYYY --annual``.

It lists the year's occurrences and the next year's for the organisation's scope (with
its parents) and composes the :class:`~calendar_svc.directive.annual.AnnualDraft`;
rendering it (text, Markdown, .docx) is the caller's choice.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from calendar_svc.core.occurrences import year_range
from calendar_svc.core.scopes import ScopeTree, level_key
from calendar_svc.directive.annual import AnnualDraft, compose_annual
from calendar_svc.directive.profile import DirectiveProfile
from calendar_svc.services.listing import ListingQuery, list_occurrences

if TYPE_CHECKING:
    from calendar_svc.store.repository import AnniversaryReader


def _kinds(scopes: ScopeTree, scope: str) -> list[str]:
    return [level_key(scopes[s]) for s in reversed(scopes.lineage(scope))]


def draft_annual(
    reader: AnniversaryReader,
    scopes: ScopeTree,
    profile: DirectiveProfile,
    year: int,
    issued: date,
) -> AnnualDraft:
    """Return the annual guide of ``year`` for ``profile``.

    ``reader`` is the database's, or a :class:`~calendar_svc.store.memory.MemoryReader`
    where none is open (the reminder's composer).

    Raises:
        UnknownScopeError: the profile's scope is unknown.
    """
    scopes.require(profile.scope)
    this_year = list_occurrences(reader, scopes, ListingQuery(*year_range(year), profile.scope))
    query = ListingQuery(*year_range(year + 1), profile.scope, round_only=True)
    next_year = list_occurrences(reader, scopes, query)
    return compose_annual(
        profile,
        year,
        issued,
        year_occurrences=this_year,
        next_year_occurrences=next_year,
        scope_kinds=_kinds(scopes, profile.scope),
    )
