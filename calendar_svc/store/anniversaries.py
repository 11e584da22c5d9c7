"""The anniversary store on SQLAlchemy Core: SQLite and PostgreSQL (psycopg 3).

Every method runs in one transaction. Writes go through :func:`begin_write` (serialized)
and bump ``meta.revised_at`` in the same transaction. Database failures become
:class:`~calendar_svc.store.errors.StoreError` naming the URL with its password masked.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from calendar_svc.core.model import Anniversary, Calendar
from calendar_svc.errors import AlreadyExistsError, NotFoundError
from calendar_svc.store.access import EngineAccess
from calendar_svc.store.repository import ANNIVERSARY_KIND, NEVER_REVISED, UpsertResult
from calendar_svc.store.rows import (
    READ_COLUMNS,
    anniversary_from_row,
    as_utc,
    format_revision,
    next_revision,
    parse_revision,
    row_from_anniversary,
)
from calendar_svc.store.schema import REVISED_AT_KEY
from calendar_svc.store.scope_index import SqlScopeIndex
from calendar_svc.store.tables import anniversaries, meta

_t = anniversaries
_SELECT_COLUMNS = [_t.c[name] for name in READ_COLUMNS]


def month_filter(months: Collection[int]) -> ColumnElement[bool]:
    """Return the condition of :meth:`AnniversaryRepo.anniversaries` for ``months``.

    Written as three disjuncts that each lead with ``calendar``, so SQLite and PostgreSQL
    answer it from the (calendar, origin_month, origin_day) index.
    """
    solar = _t.c.calendar == Calendar.SOLAR.value
    terms: list[ColumnElement[bool]] = [
        _t.c.calendar == Calendar.LUNAR.value,
        and_(solar, _t.c.origin_month.is_(None)),
    ]
    wanted = sorted(set(months))
    if wanted:
        terms.append(and_(solar, _t.c.origin_month.in_(wanted)))
    return or_(*terms)


def select_anniversaries(
    *,
    months: Collection[int] | None = None,
    scopes: Collection[str] | None = None,
    categories: Collection[str] | None = None,
) -> Select[tuple[object, ...]]:
    """Return the SELECT behind :meth:`AnniversaryRepo.anniversaries`."""
    stmt: Select[tuple[object, ...]] = select(*_SELECT_COLUMNS).order_by(_t.c.id)
    if months is not None:
        stmt = stmt.where(month_filter(months))
    if scopes is not None:
        stmt = stmt.where(_t.c.scope.in_(sorted(set(scopes))))
    if categories is not None:
        stmt = stmt.where(_t.c.category.in_(sorted(set(categories))))
    return stmt


def insert_anniversaries(
    conn: Connection, anns: Iterable[Anniversary], revised_at: datetime
) -> int:
    """Insert ``anns`` on ``conn`` as revised at ``revised_at`` (no bump of the data's
    revision) and return how many were inserted."""
    rows = [{**row_from_anniversary(ann), "revised_at": revised_at} for ann in anns]
    if rows:
        conn.execute(insert(_t), rows)
    return len(rows)


def read_revision(conn: Connection) -> datetime | None:
    """Return the stored revision, or None if the data was never written."""
    value = conn.execute(select(meta.c.value).where(meta.c.key == REVISED_AT_KEY)).scalar()
    return None if value is None else parse_revision(value)


def write_revision(conn: Connection, when: datetime) -> None:
    """Store ``when`` as the revision."""
    value = format_revision(when)
    done = conn.execute(update(meta).where(meta.c.key == REVISED_AT_KEY).values(value=value))
    if done.rowcount == 0:
        conn.execute(insert(meta).values(key=REVISED_AT_KEY, value=value))


def bump_revision(conn: Connection, now: datetime | None) -> datetime:
    """Record a data change at ``now`` (None: the clock) and return the stored revision."""
    when = next_revision(read_revision(conn) or NEVER_REVISED, as_utc(now))
    write_revision(conn, when)
    return when


class AnniversaryRepo(EngineAccess):
    """Read and write anniversaries on any SQLAlchemy engine (SQLite or PostgreSQL).

    The schema must be at the head revision (:func:`calendar_svc.store.open.open_store`
    migrates; tests may call :func:`calendar_svc.store.migrate.upgrade`).
    Implements :class:`~calendar_svc.store.repository.AnniversaryStore`.
    """

    def close(self) -> None:
        """Close the engine's pooled connections (when no :class:`Store` holds them)."""
        self._engine.dispose()

    def scope_index(self) -> SqlScopeIndex:
        """Return indexed scope look-ups on this database."""
        from calendar_svc.store.scopes import ScopeRepo

        return ScopeRepo(self._engine).index()

    def anniversaries(
        self,
        *,
        months: Collection[int] | None = None,
        scopes: Collection[str] | None = None,
        categories: Collection[str] | None = None,
    ) -> list[Anniversary]:
        """Return the anniversaries that may occur in ``months``; see the protocol."""
        stmt = select_anniversaries(months=months, scopes=scopes, categories=categories)
        with self.reading() as conn:
            rows = conn.execute(stmt).all()
        return [anniversary_from_row(row) for row in rows]

    def get(self, anniversary_id: str) -> Anniversary:
        """Return one anniversary; NotFoundError if there is none."""
        with self.reading() as conn:
            row = conn.execute(select(*_SELECT_COLUMNS).where(_t.c.id == anniversary_id)).first()
        if row is None:
            raise NotFoundError(ANNIVERSARY_KIND, anniversary_id)
        return anniversary_from_row(row)

    def revision(self) -> datetime:
        """Return the aware UTC time of the last data change."""
        with self.reading() as conn:
            return read_revision(conn) or NEVER_REVISED

    def count(self) -> int:
        """Return the number of stored anniversaries."""
        with self.reading() as conn:
            return int(conn.execute(select(func.count()).select_from(_t)).scalar_one())

    def all_ids(self) -> set[str]:
        """Return the ids of every stored anniversary."""
        with self.reading() as conn:
            return set(conn.execute(select(_t.c.id)).scalars())

    def add(self, ann: Anniversary, *, now: datetime | None = None) -> None:
        """Insert a new anniversary; AlreadyExistsError if the id is taken."""
        as_utc(now)
        with self.writing() as conn:
            if conn.execute(select(_t.c.id).where(_t.c.id == ann.id)).first() is not None:
                raise AlreadyExistsError(ANNIVERSARY_KIND, ann.id)
            insert_anniversaries(conn, [ann], bump_revision(conn, now))

    def replace(self, ann: Anniversary, *, now: datetime | None = None) -> None:
        """Replace the anniversary with ``ann.id``; NotFoundError if there is none."""
        as_utc(now)
        values = row_from_anniversary(ann)
        del values["id"]
        with self.writing() as conn:
            stored = conn.execute(select(*_SELECT_COLUMNS).where(_t.c.id == ann.id)).first()
            if stored is None:
                raise NotFoundError(ANNIVERSARY_KIND, ann.id)
            if anniversary_from_row(stored) == ann:
                return  # nothing changes: the row keeps its revision, feeds their bytes
            values["revised_at"] = bump_revision(conn, now)
            conn.execute(update(_t).where(_t.c.id == ann.id).values(values))

    def remove(self, anniversary_id: str, *, now: datetime | None = None) -> None:
        """Delete one anniversary; NotFoundError if there is none."""
        as_utc(now)
        with self.writing() as conn:
            done = conn.execute(delete(_t).where(_t.c.id == anniversary_id))
            if done.rowcount == 0:
                raise NotFoundError(ANNIVERSARY_KIND, anniversary_id)
            bump_revision(conn, now)

    def upsert(self, anns: Sequence[Anniversary], *, now: datetime | None = None) -> UpsertResult:
        """Insert or update ``anns`` in one transaction; see the protocol."""
        as_utc(now)
        seen: set[str] = set()
        for ann in anns:
            if ann.id in seen:
                raise ValueError(f"anniversary id {ann.id!r} appears twice in one upsert")
            seen.add(ann.id)
        with self.writing() as conn:
            stored = {
                row[0]: anniversary_from_row(row)
                for row in conn.execute(select(*_SELECT_COLUMNS)).all()
                if row[0] in seen
            }
            new = [ann for ann in anns if ann.id not in stored]
            changed = [ann for ann in anns if ann.id in stored and stored[ann.id] != ann]
            result = UpsertResult(
                inserted=len(new),
                updated=len(changed),
                unchanged=len(anns) - len(new) - len(changed),
            )
            if not result.changed:
                return result
            when = bump_revision(conn, now)
            insert_anniversaries(conn, new, when)
            for ann in changed:
                values = row_from_anniversary(ann)
                del values["id"]
                values["revised_at"] = when
                conn.execute(update(_t).where(_t.c.id == ann.id).values(values))
        return result
