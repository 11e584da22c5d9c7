"""An anniversary reader over anniversaries held in memory (no database open).

It answers like the database readers (the contract suite runs on it too), so a service
written against :class:`~calendar_svc.store.repository.AnniversaryReader` serves callers
that hold the data already, such as the reminder composer of a dispatch pass.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from calendar_svc.core.model import Anniversary, Calendar
from calendar_svc.errors import NotFoundError
from calendar_svc.store.repository import ANNIVERSARY_KIND, NEVER_REVISED


def _in_months(ann: Anniversary, months: Collection[int]) -> bool:
    origin = ann.origin
    return origin.calendar is Calendar.LUNAR or origin.month is None or origin.month in months


class MemoryReader:
    """Read anniversaries from a sequence; implements ``AnniversaryReader``."""

    def __init__(
        self, anniversaries: Iterable[Anniversary], revision: datetime = NEVER_REVISED
    ) -> None:
        self._by_id = {ann.id: ann for ann in sorted(anniversaries, key=lambda a: a.id)}
        self._revision = revision

    def anniversaries(
        self,
        *,
        months: Collection[int] | None = None,
        scopes: Collection[str] | None = None,
        categories: Collection[str] | None = None,
    ) -> list[Anniversary]:
        """Return the anniversaries that may occur in ``months``; see the protocol."""
        return [
            ann
            for ann in self._by_id.values()
            if (months is None or _in_months(ann, months))
            and (scopes is None or ann.scope in scopes)
            and (categories is None or ann.category in categories)
        ]

    def get(self, anniversary_id: str) -> Anniversary:
        """Return one anniversary; NotFoundError if there is none."""
        try:
            return self._by_id[anniversary_id]
        except KeyError:
            raise NotFoundError(ANNIVERSARY_KIND, anniversary_id) from None

    def revision(self) -> datetime:
        """Return the revision given at construction."""
        return self._revision

    def count(self) -> int:
        """Return the number of anniversaries."""
        return len(self._by_id)
