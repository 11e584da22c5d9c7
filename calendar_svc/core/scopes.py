"""The scope tree: a scope's listing includes the rows of its parents.

``city:cam-pha`` lists national, Quảng Ninh and Cẩm Phả rows; ``national`` lists
national rows only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from calendar_svc.errors import UnknownScopeError


@dataclass(frozen=True, slots=True)
class Scope:
    """One administrative scope and its parent."""

    id: str
    parent: str | None
    name_vi: str
    name_en: str


class ScopeTree:
    """A validated set of scopes; every parent exists and there are no cycles."""

    def __init__(self, scopes: Iterable[Scope]) -> None:
        self._scopes: dict[str, Scope] = {}
        for scope in scopes:
            if scope.id in self._scopes:
                raise ValueError(f"scope {scope.id!r} is defined twice")
            self._scopes[scope.id] = scope
        for scope in self._scopes.values():
            seen = {scope.id}
            parent = scope.parent
            while parent is not None:
                if parent not in self._scopes:
                    raise ValueError(f"scope {scope.id!r} has an unknown parent {parent!r}")
                if parent in seen:
                    raise ValueError(f"scope {scope.id!r} is its own ancestor")
                seen.add(parent)
                parent = self._scopes[parent].parent

    def __contains__(self, scope_id: object) -> bool:
        return scope_id in self._scopes

    def __getitem__(self, scope_id: str) -> Scope:
        return self._scopes[scope_id]

    def require(self, scope_id: str) -> Scope:
        """Return the scope; UnknownScopeError (naming the known ones) if there is none."""
        found = self._scopes.get(scope_id)
        if found is None:
            raise UnknownScopeError(scope_id, self._scopes)
        return found

    def ids(self) -> list[str]:
        """Return every scope id, in definition order."""
        return list(self._scopes)

    def lineage(self, scope_id: str) -> tuple[str, ...]:
        """Return the scope and its ancestors, nearest first; KeyError if unknown."""
        chain = [scope_id]
        parent = self._scopes[scope_id].parent
        while parent is not None:
            chain.append(parent)
            parent = self._scopes[parent].parent
        return tuple(chain)
