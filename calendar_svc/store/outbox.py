"""The reminder outbox in the store: enqueue, claim, settle, list and retry rows.

A row's identity is its :class:`~calendar_svc.core.recipients.ReminderKey` (unique), so
enqueueing the same plan twice inserts nothing the second time. Dispatchers *claim* due
rows: on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED`` in an ordinary transaction,
so several dispatchers share the work without waiting on each other; on SQLite inside
``BEGIN IMMEDIATE``, one claimer at a time. A claim sets ``status = 'sending'``, counts the
attempt and sets a lease; a row whose lease runs out (its dispatcher died) can be claimed
again, and that claim counts no attempt: a dispatcher claims a batch ahead, so a crash
must not use up the attempts of rows it never tried (50 crashes in a row would otherwise
fail reminders that were never sent). Settling moves claimed rows to sent, back to
pending (retry), failed or skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from calendar_svc.core.recipients import ReminderKey, ReminderKind
from calendar_svc.core.schedule import PlannedReminder
from calendar_svc.store.access import EngineAccess, kept_secret, read_meta, write_meta
from calendar_svc.store.rows import as_utc
from calendar_svc.store.schema import PLANNED_UNTIL_KEY, REMINDERS_SECRET_KEY
from calendar_svc.store.tables import outbox as _t

SUPERSEDED = "superseded by a shorter-lead reminder"


class OutboxStatus(StrEnum):
    """Where a reminder stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One outbox row."""

    id: int
    key: ReminderKey
    message_id: str
    status: OutboxStatus
    send_at: datetime
    deadline: datetime
    next_attempt_at: datetime
    attempts: int
    lease_until: datetime | None
    claimed_by: str | None
    reason: str
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    """What enqueueing a plan did: rows planned, new rows (of which ``skipped`` went in as
    skipped), and pending rows skipped as superseded."""

    planned: int
    inserted: int
    skipped: int
    superseded: int


@dataclass(frozen=True, slots=True)
class Settlement:
    """The outcome of one claimed row.

    ``status`` SENT, FAILED or SKIPPED ends the row; PENDING puts it back for another
    attempt at ``next_attempt_at`` (a retry), or, with ``released``, gives the attempt
    back because the message was never tried.
    """

    id: int
    status: OutboxStatus
    reason: str = ""
    next_attempt_at: datetime | None = None
    released: bool = False


def _row(row: Row[Any]) -> OutboxRow:
    m = row._mapping
    key = ReminderKey(
        ReminderKind(m["kind"]), m["subject"], m["occurrence"], m["lead_days"], m["recipient"]
    )
    return OutboxRow(
        id=m["id"],
        key=key,
        message_id=m["message_id"],
        status=OutboxStatus(m["status"]),
        send_at=m["send_at"],
        deadline=m["deadline"],
        next_attempt_at=m["next_attempt_at"],
        attempts=m["attempts"],
        lease_until=m["lease_until"],
        claimed_by=m["claimed_by"],
        reason=m["reason"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        sent_at=m["sent_at"],
    )


def _claimable(now: datetime) -> Any:
    return or_(
        and_(_t.c.status == OutboxStatus.PENDING.value, _t.c.next_attempt_at <= now),
        and_(_t.c.status == OutboxStatus.SENDING.value, _t.c.lease_until <= now),
    )


class OutboxRepo(EngineAccess):
    """The outbox table and the reminder facts kept in ``meta``."""

    #: The dispatcher's writes fail at the busy timeout: it keeps the outcomes and retries
    #: within its own patience (a one-shot pass gives up after it).
    waits_for_writers = False

    def enqueue(
        self,
        planned: Sequence[PlannedReminder],
        *,
        message_id: Callable[[ReminderKey], str],
        now: datetime,
        mark: str = PLANNED_UNTIL_KEY,
    ) -> EnqueueResult:
        """Insert the planned reminders not yet in the outbox; record ``now`` as planned.

        Pending rows for which a shorter lead of the same reminder now exists are skipped
        as superseded, in the same transaction. ``mark`` is the meta key that records how
        far planning reached (:data:`PLANNED_UNTIL_KEY` on the real clock).
        """
        when = as_utc(now)
        values = [
            {
                "kind": p.key.kind.value,
                "subject": p.key.subject,
                "occurrence": p.key.occurrence,
                "lead_days": p.key.lead,
                "recipient": p.key.recipient,
                "message_id": message_id(p.key),
                "status": p.status.value,
                "send_at": p.send_at,
                "deadline": p.deadline,
                "next_attempt_at": p.send_at,
                "attempts": 0,
                "reason": p.reason,
                "created_at": when,
                "updated_at": when,
            }
            for p in planned
        ]
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        stmt = dialect.insert(_t).on_conflict_do_nothing()
        count_all = select(func.count()).select_from(_t)
        count_skipped = count_all.where(_t.c.status == OutboxStatus.SKIPPED.value)
        with self.writing() as conn:
            before = conn.execute(count_all).scalar_one()
            skipped_before = conn.execute(count_skipped).scalar_one()
            for start in range(0, len(values), 1000):
                conn.execute(stmt, values[start : start + 1000])
            inserted = conn.execute(count_all).scalar_one() - before
            skipped = conn.execute(count_skipped).scalar_one() - skipped_before
            superseded = self._supersede(conn, when) if inserted else 0
            previous = read_meta(conn, mark)
            if previous is None or datetime.fromisoformat(previous) < when:
                write_meta(conn, mark, when.isoformat())
        return EnqueueResult(len(planned), int(inserted), int(skipped), superseded)

    @staticmethod
    def _supersede(conn: Any, when: datetime) -> int:
        """Skip pending rows that a shorter lead of the same reminder has overtaken."""
        other = _t.alias("shorter")
        overtaken = exists().where(
            other.c.recipient == _t.c.recipient,
            other.c.kind == _t.c.kind,
            other.c.subject == _t.c.subject,
            other.c.occurrence == _t.c.occurrence,
            other.c.lead_days < _t.c.lead_days,
            other.c.status.in_(("pending", "sending", "sent")),
        )
        done = conn.execute(
            update(_t)
            .where(_t.c.status == OutboxStatus.PENDING.value, overtaken)
            .values(status=OutboxStatus.SKIPPED.value, reason=SUPERSEDED, updated_at=when)
        )
        return int(done.rowcount)

    def planned_until(self, mark: str = PLANNED_UNTIL_KEY) -> datetime | None:
        """Return the latest moment reminders were planned up to, or None if never."""
        with self.reading() as conn:
            value = read_meta(conn, mark)
        return None if value is None else datetime.fromisoformat(value).astimezone(UTC)

    def secret(self, configured: str = "") -> str:
        """Return the unsubscribe secret: ``configured``, else one generated once and kept."""
        return kept_secret(self, REMINDERS_SECRET_KEY, configured)

    def due_count(self, now: datetime) -> int:
        """Return how many rows a dispatcher could claim at ``now``."""
        with self.reading() as conn:
            stmt = select(func.count()).select_from(_t).where(_claimable(as_utc(now)))
            return int(conn.execute(stmt).scalar_one())

    def claim(self, worker: str, *, now: datetime, limit: int, lease: timedelta) -> list[OutboxRow]:
        """Claim up to ``limit`` due rows for ``worker`` until ``now + lease``; oldest first."""
        when = as_utc(now)
        pick = (
            select(_t.c.id)
            .where(_claimable(when))
            .order_by(_t.c.send_at, _t.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self.concurrent() as conn:
            ids = list(conn.execute(pick).scalars())
            if not ids:
                return []
            conn.execute(
                update(_t)
                .where(_t.c.id.in_(ids))
                .values(
                    status=OutboxStatus.SENDING.value,
                    claimed_by=worker,
                    lease_until=when + lease,
                    # A row taken back from a dead dispatcher keeps its count.
                    attempts=_t.c.attempts
                    + case((_t.c.status == OutboxStatus.PENDING.value, 1), else_=0),
                    updated_at=when,
                )
            )
            rows = conn.execute(select(_t).where(_t.c.id.in_(ids)).order_by(_t.c.send_at, _t.c.id))
            return [_row(row) for row in rows]

    def renew(self, worker: str, *, now: datetime, lease: timedelta) -> int:
        """Extend the lease of every row ``worker`` holds to ``now + lease``; return how many."""
        when = as_utc(now)
        with self.writing() as conn:
            result = conn.execute(
                update(_t)
                .where(_t.c.claimed_by == worker, _t.c.status == OutboxStatus.SENDING.value)
                .values(lease_until=when + lease)
            )
            return int(result.rowcount or 0)

    def settle(self, settlements: Iterable[Settlement], worker: str, *, now: datetime) -> int:
        """Record outcomes of rows ``worker`` claimed, in one transaction; return rows changed.

        A sent message is recorded even if the claim was lost meanwhile (the server took
        it); other outcomes only while the row is still this worker's claim.
        """
        when = as_utc(now)
        items = list(settlements)
        sent = [s.id for s in items if s.status is OutboxStatus.SENT]
        others = [
            {
                "b_id": s.id,
                "b_status": s.status.value,
                "b_reason": s.reason,
                "b_next": s.next_attempt_at or when,
                "b_give_back": 1 if s.released else 0,
            }
            for s in items
            if s.status is not OutboxStatus.SENT
        ]
        changed = 0
        with self.concurrent() as conn:
            if sent:
                done = conn.execute(
                    update(_t)
                    .where(_t.c.id.in_(sent), _t.c.status != OutboxStatus.SENT.value)
                    .values(
                        status=OutboxStatus.SENT.value,
                        sent_at=when,
                        lease_until=None,
                        reason="",
                        updated_at=when,
                    )
                )
                changed += done.rowcount
            if others:
                stmt = (
                    update(_t)
                    .where(
                        _t.c.id == bindparam("b_id"),
                        _t.c.status == OutboxStatus.SENDING.value,
                        _t.c.claimed_by == worker,
                    )
                    .values(
                        status=bindparam("b_status"),
                        reason=bindparam("b_reason"),
                        next_attempt_at=bindparam("b_next", type_=_t.c.next_attempt_at.type),
                        attempts=_t.c.attempts - bindparam("b_give_back"),
                        lease_until=None,
                        updated_at=when,
                    )
                )
                done = conn.execute(stmt, others)
                changed += done.rowcount
        return changed

    def rows(
        self,
        *,
        status: OutboxStatus | None = None,
        limit: int | None = 100,
        recipient: str | None = None,
    ) -> list[OutboxRow]:
        """Return rows, newest send moment first, optionally of one status or recipient."""
        stmt = select(_t).order_by(_t.c.send_at.desc(), _t.c.id.desc())
        if status is not None:
            stmt = stmt.where(_t.c.status == status.value)
        if recipient is not None:
            stmt = stmt.where(_t.c.recipient == recipient.strip().lower())
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.reading() as conn:
            return [_row(row) for row in conn.execute(stmt)]

    def counts(self) -> dict[OutboxStatus, int]:
        """Return the number of rows in each status (zero ones included)."""
        stmt = select(_t.c.status, func.count()).group_by(_t.c.status)
        with self.reading() as conn:
            found = {OutboxStatus(s): int(n) for s, n in conn.execute(stmt)}
        return {status: found.get(status, 0) for status in OutboxStatus}

    def statuses(self, ids: Sequence[int]) -> dict[int, OutboxStatus]:
        """Return the status of each of ``ids`` that exists."""
        if not ids:
            return {}
        stmt = select(_t.c.id, _t.c.status).where(_t.c.id.in_(list(ids)))
        with self.reading() as conn:
            return {int(i): OutboxStatus(st) for i, st in conn.execute(stmt)}

    def retry(self, *, ids: Sequence[int] = (), failed: bool = False, now: datetime) -> int:
        """Put failed (or the given failed or skipped) rows back to pending with fresh attempts.

        Returns how many rows were requeued. Sent rows are never requeued.
        """
        when = as_utc(now)
        stmt = update(_t).values(
            status=OutboxStatus.PENDING.value,
            attempts=0,
            next_attempt_at=when,
            lease_until=None,
            claimed_by=None,
            reason="",
            updated_at=when,
        )
        if ids:
            stmt = stmt.where(
                _t.c.id.in_(list(ids)),
                _t.c.status.in_((OutboxStatus.FAILED.value, OutboxStatus.SKIPPED.value)),
            )
        elif failed:
            stmt = stmt.where(_t.c.status == OutboxStatus.FAILED.value)
        else:
            return 0
        with self.writing() as conn:
            return int(conn.execute(stmt).rowcount)
