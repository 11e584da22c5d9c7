"""A read-only anniversary reader on the stdlib ``sqlite3`` module.

This is the fast path of ``calendar-svc month``: it must not import SQLAlchemy (whose
import alone costs about 230 ms). It answers exactly like
:class:`~calendar_svc.store.anniversaries.AnniversaryRepo` (the contract suite runs on
both) and shares its row mapping (:mod:`calendar_svc.store.rows`).
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Collection, Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from calendar_svc.core.model import Anniversary
from calendar_svc.errors import NotFoundError
from calendar_svc.store.errors import StoreError
from calendar_svc.store.repository import ANNIVERSARY_KIND, NEVER_REVISED
from calendar_svc.store.rows import READ_COLUMNS, anniversary_from_row, parse_revision
from calendar_svc.store.schema import REVISED_AT_KEY
from calendar_svc.store.scope_index import SqlScopeIndex

_SELECT = f"SELECT {', '.join(READ_COLUMNS)} FROM anniversaries"


def _placeholders(values: Collection[object]) -> str:
    """Return ``?, ?, ?`` for ``values``."""
    return ", ".join("?" for _ in values)


def anniversaries_query(
    *,
    months: Collection[int] | None = None,
    scopes: Collection[str] | None = None,
    categories: Collection[str] | None = None,
) -> tuple[str, list[Any]] | None:
    """Return the SQL and parameters of :meth:`SqliteReader.anniversaries`.

    Returns None when an empty ``scopes`` or ``categories`` means no row can match.
    """
    where: list[str] = []
    params: list[Any] = []
    if months is not None:
        terms = ["calendar = 'lunar'", "(calendar = 'solar' AND origin_month IS NULL)"]
        wanted = sorted(set(months))
        if wanted:
            terms.append(f"(calendar = 'solar' AND origin_month IN ({_placeholders(wanted)}))")
            params.extend(wanted)
        where.append(f"({' OR '.join(terms)})")
    for column, values in (("scope", scopes), ("category", categories)):
        if values is None:
            continue
        wanted_values = sorted(set(values))
        if not wanted_values:
            return None
        where.append(f"{column} IN ({_placeholders(wanted_values)})")
        params.extend(wanted_values)
    sql = _SELECT
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql + " ORDER BY id", params


class SqliteReader:
    """Read anniversaries from a SQLite file opened read-only.

    Each call opens its own short connection (``file:...?mode=ro``), so a reader is cheap,
    holds nothing open between calls and may be shared between threads. Implements
    :class:`~calendar_svc.store.repository.AnniversaryReader`.
    """

    def __init__(self, path: Path | str) -> None:
        self._path = Path(path).absolute()
        self._uri = self._path.as_uri() + "?mode=ro"

    @property
    def path(self) -> Path:
        """Return the absolute path of the database file."""
        return self._path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """Open a read-only connection; turn SQLite failures into StoreError."""
        try:
            with closing(sqlite3.connect(self._uri, uri=True)) as conn:
                yield conn
        except sqlite3.Error as exc:
            raise StoreError(f"sqlite:///{self._path}", str(exc), action="read") from exc

    def anniversaries(
        self,
        *,
        months: Collection[int] | None = None,
        scopes: Collection[str] | None = None,
        categories: Collection[str] | None = None,
    ) -> list[Anniversary]:
        """Return the anniversaries that may occur in ``months``; see the protocol."""
        query = anniversaries_query(months=months, scopes=scopes, categories=categories)
        if query is None:
            return []
        sql, params = query
        with self._connect() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [anniversary_from_row(row) for row in rows]

    def get(self, anniversary_id: str) -> Anniversary:
        """Return one anniversary; NotFoundError if there is none."""
        with self._connect() as conn:
            row = conn.execute(f"{_SELECT} WHERE id = ?", (anniversary_id,)).fetchone()
        if row is None:
            raise NotFoundError(ANNIVERSARY_KIND, anniversary_id)
        return anniversary_from_row(row)

    def revision(self) -> datetime:
        """Return the aware UTC time of the last data change."""
        with self._connect() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (REVISED_AT_KEY,)).fetchone()
        return NEVER_REVISED if row is None else parse_revision(row[0])

    def count(self) -> int:
        """Return the number of stored anniversaries."""
        with self._connect() as conn:
            return int(conn.execute("SELECT count(*) FROM anniversaries").fetchone()[0])

    def scope_index(self) -> SqlScopeIndex:
        """Return indexed scope look-ups on this file.

        The look-ups of one command share one read-only connection, opened on the first
        and closed when the index is dropped (a dozen queries cost a few connections'
        set-up otherwise).
        """
        conn: list[sqlite3.Connection] = []

        def query(sql: str, params: Mapping[str, Any]) -> list[Any]:
            try:
                if not conn:
                    conn.append(sqlite3.connect(self._uri, uri=True, check_same_thread=False))
                return conn[0].execute(sql, dict(params)).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"sqlite:///{self._path}", str(exc), action="read") from exc

        def close() -> None:
            for each in conn:
                each.close()

        index = SqlScopeIndex(query)
        weakref.finalize(index, close)
        return index
