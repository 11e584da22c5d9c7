"""The SQLAlchemy bootstrap: create, migrate and seed a database, and return its store.

The first use of a database creates it, migrates it to the head revision and seeds it
from the bundled dataset, all in one serialized transaction, so two processes starting
at once on a fresh file neither both migrate nor both seed. Entry point:
:func:`calendar_svc.store.open.open_store`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alembic.util import CommandError
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from calendar_svc.core.model import Anniversary
from calendar_svc.store import migrate
from calendar_svc.store.access import read_meta
from calendar_svc.store.anniversaries import insert_anniversaries, read_revision, write_revision
from calendar_svc.store.engine import begin_write, create_store_engine, display_url
from calendar_svc.store.errors import StoreError
from calendar_svc.store.schema import HEAD_REVISION, SCOPES_SHA256, SCOPES_SHA256_KEY
from calendar_svc.store.scopes import sync_registry
from calendar_svc.store.store import Store
from calendar_svc.store.tables import anniversaries


@dataclass(frozen=True, slots=True)
class Seed:
    """What a fresh database is filled with, and the revision recorded for it."""

    anniversaries: Sequence[Anniversary]
    revised_at: datetime


def bundled_seed() -> Seed:
    """Return the bundled dataset, with its fixed revision (fresh databases agree)."""
    from calendar_svc import catalog

    return Seed(catalog.load_bundled(), catalog.DATASET_REVISION)


def bootstrap(url: str, *, seed: Callable[[], Seed] = bundled_seed) -> Store:
    """Return the store of the database at ``url``, migrated and seeded.

    Migrates to the head revision and fills a database whose data was never written (no
    anniversaries and no ``revised_at``) from ``seed``, recording the seed's revision. A
    database emptied by the user is not refilled. All of it runs in one serialized write
    transaction. A SQLite file's directory must exist.

    Args:
        url: A SQLAlchemy URL.
        seed: Returns the data of a fresh database; called only when seeding.

    Raises:
        StoreError: The database cannot be reached, opened or migrated (the message names
            the URL with its password masked).
    """
    engine = create_store_engine(url)
    try:
        _migrate_and_seed(engine, seed)
        _use_wal(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(display_url(engine), str(getattr(exc, "orig", None) or exc)) from exc
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)


def _use_wal(engine: Engine) -> None:
    """Put a SQLite database file in write-ahead-log mode (kept in the file); best effort.

    A WAL commit syncs the log once instead of creating, syncing and deleting a journal
    (about 0.2 ms instead of 0.9 ms here), and readers no longer wait for a writer. The
    reminder dispatcher commits every outcome as it comes, so its speed rests on this.
    The stdlib read-only reader reads WAL databases too. If another process holds the
    file just now, the switch waits for the next open.
    """
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        dbapi: Any = raw.dbapi_connection
        if dbapi.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
            dbapi.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:
        pass  # busy: another process has the file open in a transaction
    finally:
        raw.close()


def _migrate_and_seed(engine: Engine, seed: Callable[[], Seed]) -> None:
    """Migrate to head and seed a never-written database, in one write transaction."""
    with begin_write(engine) as conn:
        revision = migrate.current_revision(conn)
        if revision != HEAD_REVISION:
            _upgrade(conn, revision, display_url(engine))
        if read_revision(conn) is None and _is_empty(conn):
            data = seed()
            insert_anniversaries(conn, data.anniversaries, data.revised_at)
            write_revision(conn, data.revised_at)
        _sync_registry(conn)


def _sync_registry(conn: Connection) -> None:
    """Load the bundled registry of scopes if the database holds another one."""
    from calendar_svc import catalog

    if read_meta(conn, SCOPES_SHA256_KEY) != SCOPES_SHA256:
        sync_registry(conn, list(catalog.load_scopes()), SCOPES_SHA256)


def _upgrade(conn: Connection, revision: str | None, url: str) -> None:
    """Run Alembic's upgrade; a revision newer than this program becomes StoreError."""
    try:
        migrate.upgrade(conn)
    except CommandError as exc:
        raise StoreError(
            url,
            f"schema revision {revision!r} is unknown to this calendar-svc (head "
            f"{HEAD_REVISION!r}); upgrade calendar-svc ({exc})",
        ) from exc


def _is_empty(conn: Connection) -> bool:
    """Return whether the anniversaries table has no row."""
    return conn.execute(select(anniversaries.c.id).limit(1)).first() is None
