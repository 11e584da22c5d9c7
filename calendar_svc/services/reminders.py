"""Plan the due reminders into the outbox: the planning half of every tick.

The window runs from where planning last reached (kept in the database) to ``now``, so a
service that was down for three days catches up: reminders still useful are queued,
stale ones recorded as skipped (:mod:`calendar_svc.core.schedule`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.schedule import SendPolicy, event_range, plan, window_start
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.mail.message import message_id_for
from calendar_svc.store.errors import StoredRowError
from calendar_svc.store.organisations import OrganisationRepo
from calendar_svc.store.outbox import OutboxRepo
from calendar_svc.store.repository import AnniversaryReader

log = logging.getLogger(__name__)


def skip_unreadable(exc: StoredRowError) -> None:
    """Log a subscriber row that cannot be read; it gets no reminder until it is fixed."""
    log.error("%s (no reminders for it until the row is fixed)", exc)


@dataclass(frozen=True, slots=True)
class PlanReport:
    """What planning did: its window and the rows it added."""

    window_start: datetime
    now: datetime
    planned: int
    inserted: int
    skipped: int
    superseded: int


def send_policy(timezone: str, send_time: str) -> SendPolicy:
    """Return the send policy of the configuration (``reminders.send_time`` is HH:MM)."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", send_time)
    if m is None:
        raise ValueError(f"send time {send_time!r} is not HH:MM")
    return SendPolicy(ZoneInfo(timezone), time(int(m[1]), int(m[2])))


def plan_reminders(
    reader: AnniversaryReader,
    engine: Engine,
    scopes: ScopeTree,
    *,
    policy: SendPolicy,
    message_domain: str,
    now: datetime,
) -> PlanReport:
    """Plan every reminder due by ``now`` and insert the new ones into the outbox.

    Args:
        reader: the anniversaries.
        engine: the database of organisations, subscribers and the outbox.
        scopes: the scope tree (a scope includes its parents).
        policy: when reminders go out.
        message_domain: right-hand side of the Message-IDs.
        now: the moment of planning (aware).
    """
    outbox = OutboxRepo(engine)
    people = OrganisationRepo(engine)
    start = window_start(outbox.planned_until(), now, policy)
    organisations = people.organisations()
    subscribers = people.subscribers(active_only=True, on_invalid=skip_unreadable)
    span = event_range(subscribers, start, now, policy)
    found = occurrences(reader.anniversaries(), *span) if span is not None else []

    def lineage(scope: str) -> Sequence[str]:
        return scopes.lineage(scope) if scope in scopes else (scope,)

    planned = plan(
        organisations=organisations,
        subscribers=subscribers,
        occurrences=found,
        lineage=lineage,
        window_start=start,
        now=now,
        policy=policy,
    )
    result = outbox.enqueue(
        planned, message_id=lambda key: message_id_for(key, message_domain), now=now
    )
    return PlanReport(
        window_start=start,
        now=now,
        planned=result.planned,
        inserted=result.inserted,
        skipped=result.skipped,
        superseded=result.superseded,
    )
