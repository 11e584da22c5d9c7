"""The audit log: every change made through the web pages (table of migration 0011).

Each entry says who (the signed-in address), when, in which organisation, what (an
action such as ``anniversary.add`` and its target, an id or an address), and the record
before and after as JSON (None where there was none). Entries are only ever added.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select

from calendar_svc.store.access import EngineAccess
from calendar_svc.store.rows import as_utc
from calendar_svc.store.tables import audit_log as _t

#: The most entries one listing returns.
MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: who, when, where, what, and the record before and after."""

    at: datetime
    actor: str
    organisation: str | None
    action: str
    target: str
    before: Any
    after: Any
    id: int | None = None

    def record(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "organisation": self.organisation,
            "action": self.action,
            "target": self.target,
            "before": self.before,
            "after": self.after,
        }


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        row.at,
        row.actor,
        row.organisation_id,
        row.action,
        row.target,
        _load(row.before),
        _load(row.after),
        row.id,
    )


class AuditRepo(EngineAccess):
    """Add and read audit entries."""

    def record(
        self,
        *,
        actor: str,
        organisation: str | None,
        action: str,
        target: str,
        before: Any = None,
        after: Any = None,
        now: datetime | None = None,
    ) -> None:
        """Add one entry (``before``/``after``: JSON-ready values, or None)."""
        with self.writing() as conn:
            conn.execute(
                insert(_t).values(
                    at=as_utc(now),
                    actor=actor,
                    organisation_id=organisation,
                    action=action,
                    target=target,
                    before=_dump(before),
                    after=_dump(after),
                )
            )

    def entries(self, *, organisation: str | None = None, limit: int = 50) -> list[AuditEntry]:
        """Return the newest entries first, optionally only one organisation's."""
        stmt = select(_t).order_by(_t.c.id.desc()).limit(max(0, min(limit, MAX_ENTRIES)))
        if organisation is not None:
            stmt = stmt.where(_t.c.organisation_id == organisation)
        with self.reading() as conn:
            return [_entry(row) for row in conn.execute(stmt).all()]
