"""Indexed look-ups of the ``scopes`` tables, on any connection that speaks ``:name`` SQL.

:class:`SqlScopeIndex` implements :class:`~calendar_svc.core.scopes.ScopeIndex` with one
indexed query per look-up, so resolving a scope and listing its heritage read a few rows,
never the whole registry. It serves the stdlib fast path (``sqlite3``) and the SQLAlchemy
store alike: both bind ``:name`` parameters. Stdlib only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from calendar_svc.core.scopes import Scope

#: Runs one SQL statement with named parameters and returns its rows.
Query = Callable[[str, Mapping[str, Any]], Sequence[Sequence[Any]]]

SCOPE_COLUMNS = (
    "id",
    "parent",
    "name_vi",
    "name_en",
    "kind",
    "type_vi",
    "code",
    "valid_to",
    "user_made",
    "source",
)
_SELECT = f"SELECT {', '.join(SCOPE_COLUMNS)} FROM scopes"


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def scope_from_db(
    row: Sequence[Any], successors: Sequence[str] = (), aliases: Sequence[str] = ()
) -> Scope:
    """Return the scope of a row of :data:`SCOPE_COLUMNS`."""
    return Scope(
        id=row[0],
        parent=row[1],
        name_vi=row[2],
        name_en=row[3],
        kind=row[4],
        type_vi=row[5],
        code=row[6],
        valid_to=_date(row[7]),
        user=bool(row[8]),
        source=row[9],
        successors=tuple(successors),
        aliases=tuple(aliases),
    )


class SqlScopeIndex:
    """The scope look-ups of :class:`~calendar_svc.core.scopes.ScopeIndex`, by index."""

    def __init__(self, query: Query) -> None:
        self._query = query
        self._cache: dict[str, Scope | None] = {}

    def get(self, scope_id: str) -> Scope | None:
        """Return the scope with this id, or None."""
        if scope_id not in self._cache:
            rows = self._query(f"{_SELECT} WHERE id = :id", {"id": scope_id})
            aliases = self._query(
                "SELECT alias FROM scope_aliases WHERE scope_id = :id ORDER BY alias",
                {"id": scope_id},
            )
            found = scope_from_db(rows[0], aliases=[a[0] for a in aliases]) if rows else None
            self._cache[scope_id] = found
        return self._cache[scope_id]

    def alias(self, alias: str) -> str | None:
        """Return the id an old id names, or None."""
        rows = self._query("SELECT scope_id FROM scope_aliases WHERE alias = :a", {"a": alias})
        return str(rows[0][0]) if rows else None

    def by_code(self, code: str) -> list[Scope]:
        """Return the scopes with this official code."""
        rows = self._query(f"{_SELECT} WHERE code = :c ORDER BY position", {"c": code})
        return [scope_from_db(r) for r in rows]

    def by_name(self, key: str) -> list[Scope]:
        """Return the scopes whose full or bare name, normalized or folded, is ``key``."""
        rows = self._query(
            f"{_SELECT} WHERE name_key = :k OR bare_key = :k OR fold_key = :k "
            "OR bare_fold_key = :k ORDER BY position",
            {"k": key},
        )
        return [scope_from_db(r) for r in rows]

    def predecessors(self, scope_id: str) -> list[str]:
        """Return the ids of the units that ``scope_id`` succeeded."""
        rows = self._query(
            "SELECT predecessor FROM scope_links WHERE successor = :s ORDER BY predecessor",
            {"s": scope_id},
        )
        return [str(r[0]) for r in rows]

    def labels(self) -> Iterator[tuple[str, str]]:
        """Return (id, name_vi) of every scope (reads the whole table: suggestions only)."""
        rows = self._query("SELECT id, name_vi FROM scopes ORDER BY position", {})
        return ((str(r[0]), str(r[1])) for r in rows)
