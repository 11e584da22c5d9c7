"""Open the configured database: a fast read-only reader, or the migrated, seeded store.

``open_reader`` serves ``calendar-svc month``: on a current SQLite file it returns a
:class:`SqliteReader` without importing SQLAlchemy or Alembic. ``open_store`` creates the
database on first use, migrates it to the head revision and seeds it from the bundled
dataset, all in one serialized transaction, so two processes starting at once on a fresh
file neither both migrate nor both seed.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from calendar_svc.core.model import Anniversary
from calendar_svc.store.errors import StoreError
from calendar_svc.store.repository import AnniversaryReader
from calendar_svc.store.schema import (
    HEAD_REVISION,
    REVISED_AT_KEY,
    SCOPES_SHA256,
    SCOPES_SHA256_KEY,
    VERSION_TABLE,
)
from calendar_svc.store.sqlite_reader import SqliteReader

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from calendar_svc.store.sqlalchemy_store import SqlAlchemyStore

APP_DIR = "calendar-svc"
DB_FILENAME = "calendar.sqlite3"

#: A plain SQLite file URL: ``sqlite:///relative`` or ``sqlite:////absolute``, no query.
_SQLITE_FILE_URL_RE = re.compile(r"^sqlite(?:\+pysqlite)?:///(?P<path>[^?]+)$")


@dataclass(frozen=True, slots=True)
class Seed:
    """What a fresh database is filled with, and the revision recorded for it."""

    anniversaries: Sequence[Anniversary]
    revised_at: datetime


def bundled_seed() -> Seed:
    """Return the bundled dataset, with its fixed revision (fresh databases agree)."""
    from calendar_svc import catalog

    return Seed(catalog.load_bundled(), catalog.DATASET_REVISION)


def default_sqlite_path() -> Path:
    """Return ``$XDG_DATA_HOME/calendar-svc/calendar.sqlite3``.

    ``$XDG_DATA_HOME`` defaults to ``~/.local/share`` when it is unset, empty or relative,
    as the XDG Base Directory specification says.
    """
    data_home = os.environ.get("XDG_DATA_HOME", "")
    base = Path(data_home) if data_home and Path(data_home).is_absolute() else None
    if base is None:
        base = Path.home() / ".local" / "share"
    return base / APP_DIR / DB_FILENAME


def default_url() -> str:
    """Return the SQLAlchemy URL of :func:`default_sqlite_path`."""
    return f"sqlite:///{default_sqlite_path()}"


def sqlite_file_path(url: str | None) -> Path | None:
    """Return the file a plain SQLite URL names, or None for any other URL.

    None (the default database) gives :func:`default_sqlite_path`. In-memory databases
    and URLs with query options give None: they take the SQLAlchemy path.
    """
    if url is None:
        return default_sqlite_path()
    match = _SQLITE_FILE_URL_RE.match(url)
    if match is None:
        return None
    path = unquote(match["path"])
    if path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def _is_current(path: Path) -> bool:
    """Return whether the SQLite file is at head, was seeded or written, has this registry."""
    try:
        with closing(sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)) as conn:
            version = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
            revised = conn.execute("SELECT 1 FROM meta WHERE key = ?", (REVISED_AT_KEY,)).fetchone()
            registry = conn.execute(
                "SELECT value FROM meta WHERE key = ?", (SCOPES_SHA256_KEY,)
            ).fetchone()
    except sqlite3.Error:
        return False
    return (
        version is not None
        and version[0] == HEAD_REVISION
        and revised is not None
        and registry is not None
        and registry[0] == SCOPES_SHA256
    )


def open_reader(url: str | None) -> AnniversaryReader:
    """Return the fastest reader of the database at ``url``.

    A SQLite file that exists, is at :data:`HEAD_REVISION` and holds data gets a
    :class:`SqliteReader` (no SQLAlchemy import). Anything else goes through
    :func:`open_store`, which creates, migrates and seeds as needed.

    Args:
        url: A SQLAlchemy URL; None means the default SQLite file.

    Raises:
        StoreError: The database cannot be opened.
    """
    path = sqlite_file_path(url)
    if path is not None and path.is_file() and _is_current(path):
        return SqliteReader(path)
    return open_store(url)


def open_store(url: str | None, *, seed: Callable[[], Seed] = bundled_seed) -> SqlAlchemyStore:
    """Open the database at ``url`` for reading and writing, creating it on first use.

    Creates the SQLite file's directory, migrates to the head revision, and fills a
    database whose data was never written (no anniversaries and no ``revised_at``) from
    ``seed``, recording the seed's revision. A database emptied by the user is not
    refilled. All of it runs in one serialized write transaction.

    Args:
        url: A SQLAlchemy URL; None means the default SQLite file.
        seed: Returns the data of a fresh database; called only when seeding.

    Raises:
        StoreError: The database cannot be reached, opened or migrated (the message names
            the URL with its password masked).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from calendar_svc.store.engine import create_store_engine, display_url
    from calendar_svc.store.sqlalchemy_store import SqlAlchemyStore

    if url is None:
        url = default_url()
    path = sqlite_file_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(url, f"cannot create {path.parent}: {exc.strerror}") from exc
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
    return SqlAlchemyStore(engine)


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
    from calendar_svc.store import migrate
    from calendar_svc.store.engine import begin_write, display_url
    from calendar_svc.store.sqlalchemy_store import (
        insert_anniversaries,
        read_revision,
        write_revision,
    )

    with begin_write(engine) as conn:
        revision = migrate.current_revision(conn)
        if revision != HEAD_REVISION:
            _upgrade(conn, revision, display_url(engine))
        if read_revision(conn) is None and _is_empty(conn):
            data = seed()
            insert_anniversaries(conn, data.anniversaries)
            write_revision(conn, data.revised_at)
        _sync_registry(conn)


def _sync_registry(conn: Connection) -> None:
    """Load the bundled registry of scopes if the database holds another one."""
    from calendar_svc import catalog
    from calendar_svc.store.access import read_meta
    from calendar_svc.store.scopes import sync_registry

    if read_meta(conn, SCOPES_SHA256_KEY) != SCOPES_SHA256:
        sync_registry(conn, list(catalog.load_scopes()), SCOPES_SHA256)


def _upgrade(conn: Connection, revision: str | None, url: str) -> None:
    """Run Alembic's upgrade; a revision newer than this program becomes StoreError."""
    from alembic.util import CommandError

    from calendar_svc.store import migrate

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
    from sqlalchemy import select

    from calendar_svc.store.tables import anniversaries

    return conn.execute(select(anniversaries.c.id).limit(1)).first() is None
