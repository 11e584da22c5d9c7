"""Transactions for the reminder repositories, with database failures as StoreError.

:meth:`EngineAccess.together` opens one write transaction that every repository of the
same engine joins while it is open in this thread: a change and its audit entry commit
together, or neither does.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from calendar_svc.store.engine import begin_write, display_url, prepare_engine
from calendar_svc.store.errors import StoreAction, StoreError
from calendar_svc.store.tables import meta

_joined = threading.local()


def joined_write(engine: Engine) -> Connection | None:
    """Return the connection of the :meth:`EngineAccess.together` transaction this thread
    has open on ``engine``, or None."""
    found: dict[int, Connection] = getattr(_joined, "by_engine", {})
    return found.get(id(engine))


class EngineAccess:
    """Open read and serialized write transactions on an engine; wrap failures.

    Subclasses are the reminder repositories; the schema must be at the head revision
    (:func:`calendar_svc.store.open.open_store` migrates).
    """

    #: Whether a write waits for another writer's lock, saying so (see
    #: :func:`~calendar_svc.store.engine.begin_write`); False where the caller has its
    #: own patience and must see a held lock as a failure at the busy timeout.
    waits_for_writers = True

    def __init__(self, engine: Engine) -> None:
        prepare_engine(engine)
        self._engine = engine
        self._url = display_url(engine)

    @property
    def engine(self) -> Engine:
        """Return the engine."""
        return self._engine

    @property
    def dialect(self) -> str:
        """Return the database's dialect name: 'sqlite' or 'postgresql'."""
        return self._engine.dialect.name

    @contextmanager
    def failures(self, action: StoreAction) -> Iterator[None]:
        """Turn database failures into :class:`StoreError`."""
        try:
            yield
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc)
            raise StoreError(self._url, reason, action=action) from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """Open a connection in a read transaction (inside :meth:`together`: its own)."""
        joined = joined_write(self._engine)
        if joined is not None:
            yield joined
            return
        with self.failures("read"), self._engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """Open a connection in a serialized write transaction (one writer at a time);
        inside :meth:`together`, join its transaction."""
        joined = joined_write(self._engine)
        if joined is not None:
            yield joined
            return
        with (
            self.failures("write"),
            begin_write(self._engine, wait=self.waits_for_writers) as conn,
        ):
            yield conn

    @contextmanager
    def together(self) -> Iterator[Connection]:
        """Open one serialized write transaction that every repository on this engine
        joins, in this thread, until the block ends: it all commits at the end, or all
        rolls back if the block raises. Nested, it joins the open one."""
        if joined_write(self._engine) is not None:
            with self.writing() as conn:
                yield conn
            return
        with self.writing() as conn:
            found: dict[int, Connection] = getattr(_joined, "by_engine", {})
            _joined.by_engine = {**found, id(self._engine): conn}
            try:
                yield conn
            finally:
                _joined.by_engine = found

    @contextmanager
    def concurrent(self) -> Iterator[Connection]:
        """Open a write transaction that runs alongside others.

        PostgreSQL: a plain transaction (row locks decide, as with ``SKIP LOCKED``).
        SQLite: ``BEGIN IMMEDIATE``, its only way to write without a deadlock.
        """
        if self.dialect == "sqlite" or joined_write(self._engine) is not None:
            with self.writing() as conn:
                yield conn
            return
        with self.failures("write"), self._engine.connect() as conn, conn.begin():
            yield conn


def read_meta(conn: Connection, key: str) -> str | None:
    """Return the ``meta`` value of ``key``, or None."""
    value = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
    return None if value is None else str(value)


def write_meta(conn: Connection, key: str, value: str) -> None:
    """Set the ``meta`` value of ``key``."""
    done = conn.execute(update(meta).where(meta.c.key == key).values(value=value))
    if done.rowcount == 0:
        conn.execute(insert(meta).values(key=key, value=value))


def kept_secret(store: EngineAccess, key: str, configured: str = "") -> str:
    """Return ``configured``, else the secret kept in ``meta`` under ``key``.

    The secret is made on first use inside a write transaction, so that several processes
    agree on one value, and read from the database ever after.
    """
    if configured:
        return configured
    with store.reading() as conn:
        value = read_meta(conn, key)
    if value is not None:
        return value
    with store.writing() as conn:
        value = read_meta(conn, key)
        if value is None:
            value = secrets.token_urlsafe(32)
            write_meta(conn, key, value)
    return value
