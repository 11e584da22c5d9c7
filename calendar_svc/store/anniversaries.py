"""The anniversary store on SQLAlchemy Core: SQLite and PostgreSQL (psycopg 3).

Every method runs in one transaction. Writes go through :func:`begin_write` (serialized)
and bump ``meta.revised_at`` in the same transaction. Database failures become
:class:`~calendar_svc.store.errors.StoreError` naming the URL with its password masked.

:meth:`AnniversaryRepo.upsert` takes rows of any number: it stages them in a temporary
table of its connection (batched ``executemany``, no write lock held), then merges them
in one short write transaction with one ``INSERT … SELECT … ON CONFLICT DO UPDATE``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    MetaData,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from calendar_svc.core.model import Anniversary, Calendar
from calendar_svc.errors import AlreadyExistsError, NotFoundError
from calendar_svc.store.access import EngineAccess, joined_write
from calendar_svc.store.engine import write_transaction
from calendar_svc.store.errors import StoreError
from calendar_svc.store.repository import ANNIVERSARY_KIND, NEVER_REVISED, UpsertResult
from calendar_svc.store.rows import (
    COLUMNS,
    READ_COLUMNS,
    anniversary_from_row,
    as_utc,
    format_revision,
    next_revision,
    parse_revision,
    row_from_anniversary,
    values_from_anniversary,
)
from calendar_svc.store.schema import REVISED_AT_KEY
from calendar_svc.store.scope_index import SqlScopeIndex
from calendar_svc.store.tables import AwareDateTime, anniversaries, meta

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


#: Rows sent to the staging table per ``executemany``.
UPSERT_BATCH = 5000

#: The temporary table an upsert stages its rows in (one per connection).
STAGING_TABLE = "anniversaries_staged"

#: The columns an upsert compares and writes (all but the row's own revision).
_VALUE_COLUMNS = [name for name in COLUMNS if name != "id"]


def _staging_table() -> Table:
    """Return the temporary table of staged rows: the columns of ``anniversaries``.

    Keyed by id (on SQLite without a rowid, so kept in id order): a repeated id is
    refused as it is staged, and the merge walks both tables in the order of their keys.
    """
    return Table(
        STAGING_TABLE,
        MetaData(),
        *(Column(name, _t.c[name].type, primary_key=name == "id") for name in COLUMNS),
        prefixes=["TEMPORARY"],
        sqlite_with_rowid=False,
    )


#: SQLite page cache of a connection while it imports (KiB; the default is 2,000).
IMPORT_CACHE_KIB = 65_536


def _differs(stored: Table, staged: Any) -> ColumnElement[bool]:
    """Return whether a stored row and a staged one differ in any value (NULL-safe)."""
    return or_(*(stored.c[name].is_distinct_from(staged[name]) for name in _VALUE_COLUMNS))


#: Positions in :data:`COLUMNS` of the values SQLite's driver takes in another form.
_LEAP_AT, _FROM_AT, _TO_AT = (COLUMNS.index(c) for c in ("leap_month", "valid_from", "valid_to"))


def _driver_values(ann: Anniversary, dialect: str) -> tuple[Any, ...]:
    """Return the values of ``ann`` as the database driver takes them, in COLUMNS order.

    SQLite stores dates as ISO text and booleans as 0 or 1 (as SQLAlchemy's types do);
    psycopg adapts the Python values itself.
    """
    values = values_from_anniversary(ann)
    if dialect != "sqlite":
        return values
    row = list(values)
    row[_LEAP_AT] = 1 if row[_LEAP_AT] else 0
    for at in (_FROM_AT, _TO_AT):
        if row[at] is not None:
            row[at] = row[at].isoformat()
    return tuple(row)


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

    def upsert(self, anns: Iterable[Anniversary], *, now: datetime | None = None) -> UpsertResult:
        """Insert or update ``anns`` in one transaction; see the protocol.

        ``anns`` may be a stream of any length: it is read once, in batches, into a
        temporary table of this connection. An exception raised while it is read (a
        problem of the file it comes from) leaves the stored data as it was. Then one write
        transaction counts, merges and bumps the revision; a row's own revision moves only
        when one of its values changed.

        Raises:
            ValueError: Two of ``anns`` share an id.
        """
        as_utc(now)
        staged = _staging_table()
        joined = joined_write(self._engine)
        if joined is not None:  # inside together(): stage and merge in its transaction
            with self.failures("write"):
                staged.create(joined)
                try:
                    total = self._stage(joined, staged, anns)
                except IntegrityError:
                    raise ValueError("an anniversary id appears twice in one upsert") from None
                result = self._merge(joined, staged, total, now)
                staged.drop(joined)  # on failure, the rollback drops it
                return result
        with self.failures("write"), self._engine.connect() as conn:
            caches = self._grow_caches(conn)
            try:
                with conn.begin():
                    staged.create(conn)
                    try:
                        total = self._stage(conn, staged, anns)
                    except IntegrityError:
                        raise ValueError("an anniversary id appears twice in one upsert") from None
                with write_transaction(conn):
                    return self._merge(conn, staged, total, now)
            finally:
                with conn.begin():
                    staged.drop(conn, checkfirst=True)
                self._set_caches(conn, caches)

    @staticmethod
    def _grow_caches(conn: Connection) -> dict[str, int]:
        """Give a SQLite connection :data:`IMPORT_CACHE_KIB`; return the sizes it had."""
        if conn.dialect.name != "sqlite":
            return {}
        had = {
            schema: int(conn.exec_driver_sql(f"PRAGMA {schema}.cache_size").scalar() or 0)
            for schema in ("main", "temp")
        }
        AnniversaryRepo._set_caches(conn, dict.fromkeys(had, -IMPORT_CACHE_KIB))
        return had

    @staticmethod
    def _set_caches(conn: Connection, sizes: dict[str, int]) -> None:
        for schema, size in sizes.items():
            conn.exec_driver_sql(f"PRAGMA {schema}.cache_size = {size}")
        if sizes:
            conn.commit()

    def _stage(self, conn: Connection, staged: Table, anns: Iterable[Anniversary]) -> int:
        """Copy ``anns`` into the staging table, a batch per ``executemany``; return the count.

        On PostgreSQL through psycopg, ``COPY … FROM STDIN`` instead: the same rows, a
        fraction of the round trips.
        """
        dialect = conn.dialect.name
        if dialect == "postgresql" and conn.dialect.driver == "psycopg":
            return self._copy(conn, anns)
        marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO {STAGING_TABLE} ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join(marker for _ in COLUMNS)})"
        )
        total = 0
        stream = iter(anns)
        while batch := [_driver_values(ann, dialect) for ann in islice(stream, UPSERT_BATCH)]:
            conn.exec_driver_sql(sql, batch)
            total += len(batch)
        return total

    def _copy(self, conn: Connection, anns: Iterable[Anniversary]) -> int:
        """Stage ``anns`` with psycopg's ``COPY`` (in the connection's transaction)."""
        import psycopg

        dbapi: Any = conn.connection.dbapi_connection
        total = 0
        try:
            with (
                dbapi.cursor() as cursor,
                cursor.copy(f"COPY {STAGING_TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for ann in anns:
                    copy.write_row(values_from_anniversary(ann))
                    total += 1
        except psycopg.errors.UniqueViolation:
            raise IntegrityError("COPY", None, Exception("repeated id")) from None
        except psycopg.Error as exc:
            raise StoreError(self._url, str(exc), action="write") from exc
        return total

    def _merge(
        self, conn: Connection, staged: Table, total: int, now: datetime | None
    ) -> UpsertResult:
        """Count, then merge the staged rows into ``anniversaries`` (in a write transaction)."""
        inserted = conn.execute(
            select(func.count()).select_from(staged).where(~exists().where(_t.c.id == staged.c.id))
        ).scalar_one()
        updated = conn.execute(
            select(func.count())
            .select_from(staged.join(_t, _t.c.id == staged.c.id))
            .where(_differs(_t, staged.c))
        ).scalar_one()
        result = UpsertResult(
            inserted=inserted, updated=updated, unchanged=total - inserted - updated
        )
        if not result.changed:
            return result
        when = bump_revision(conn, now)
        dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        rows = (
            select(
                *(staged.c[name] for name in COLUMNS),
                bindparam("when", when, type_=AwareDateTime()),
            )
            .where(true())  # SQLite reads "SELECT … ON CONFLICT" as a join without a WHERE
            .order_by(staged.c.id)  # new rows are added, and rows read, in key order
        )
        merge = dialect_insert(_t).from_select([*COLUMNS, "revised_at"], rows)
        conn.execute(
            merge.on_conflict_do_update(
                index_elements=[_t.c.id],
                set_={name: merge.excluded[name] for name in [*_VALUE_COLUMNS, "revised_at"]},
                where=_differs(_t, merge.excluded),
            )
        )
        return result
