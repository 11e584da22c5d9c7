"""The repository contract: what the rest of the service may ask of the anniversary store.

Two implementations exist: :class:`calendar_svc.store.anniversaries.AnniversaryRepo`
(SQLite or PostgreSQL, read and write) and
:class:`calendar_svc.store.sqlite_reader.SqliteReader` (SQLite, read only, stdlib only).
This module is pure so that callers can type against it without importing SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from calendar_svc.core.model import Anniversary

#: The ``kind`` of :class:`~calendar_svc.errors.NotFoundError` and
#: :class:`~calendar_svc.errors.AlreadyExistsError` raised by the store.
ANNIVERSARY_KIND = "ngày kỷ niệm"

#: The revision of a database whose data has never been written (not even seeded).
NEVER_REVISED = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """How many anniversaries an upsert inserted, updated and left unchanged."""

    inserted: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> bool:
        """Return whether the upsert wrote anything."""
        return self.inserted > 0 or self.updated > 0


class AnniversaryReader(Protocol):
    """Read access to the stored anniversaries."""

    def anniversaries(
        self,
        *,
        months: Collection[int] | None = None,
        scopes: Collection[str] | None = None,
        categories: Collection[str] | None = None,
    ) -> list[Anniversary]:
        """Return the anniversaries that may occur in the given solar months, ordered by id.

        Args:
            months: Solar months wanted (1-12). A row matches when its origin is solar with
                ``origin_month`` in ``months``, or when its occurrence month cannot be told
                from the origin: every lunar row and every year-only row. An empty
                collection therefore returns only lunar and year-only rows. None: all rows.
            scopes: Exact scope ids wanted; the caller expands a scope to its lineage.
                None: any scope. Empty: nothing.
            categories: Exact category slugs wanted. None: any. Empty: nothing.

        Returns:
            The matching anniversaries, ordered by id.
        """
        ...

    def get(self, anniversary_id: str) -> Anniversary:
        """Return one anniversary.

        Raises:
            calendar_svc.errors.NotFoundError: No anniversary has that id.
        """
        ...

    def revision(self) -> datetime:
        """Return the aware UTC time of the last data change (:data:`NEVER_REVISED` if none)."""
        ...

    def count(self) -> int:
        """Return the number of stored anniversaries."""
        ...


class AnniversaryStore(AnniversaryReader, Protocol):
    """Read and write access; every write bumps the revision in the same transaction.

    ``now`` is the time recorded as the revision; None means the clock (UTC). It must be
    timezone-aware. The stored revision only moves forward: a write at a ``now`` not later
    than the current revision records the current revision plus one microsecond.
    """

    def add(self, ann: Anniversary, *, now: datetime | None = None) -> None:
        """Insert a new anniversary.

        Raises:
            calendar_svc.errors.AlreadyExistsError: An anniversary with that id exists.
        """
        ...

    def replace(self, ann: Anniversary, *, now: datetime | None = None) -> None:
        """Replace the anniversary with the same id.

        Raises:
            calendar_svc.errors.NotFoundError: No anniversary has that id.
        """
        ...

    def remove(self, anniversary_id: str, *, now: datetime | None = None) -> None:
        """Delete one anniversary.

        Raises:
            calendar_svc.errors.NotFoundError: No anniversary has that id.
        """
        ...

    def upsert(self, anns: Iterable[Anniversary], *, now: datetime | None = None) -> UpsertResult:
        """Insert or update many anniversaries in one transaction: all or nothing.

        ``anns`` is read once; an exception raised while reading it writes nothing.

        The revision moves only when something was inserted or updated.

        Raises:
            ValueError: Two of ``anns`` share an id.
        """
        ...

    def all_ids(self) -> set[str]:
        """Return the ids of every stored anniversary."""
        ...
