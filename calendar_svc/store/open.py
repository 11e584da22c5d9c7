"""Open the configured database: a fast read-only reader, or the migrated, seeded store.

This module is the stdlib read path. ``open_reader`` serves ``calendar-svc month``: on a
current SQLite file it returns a :class:`SqliteReader` without importing SQLAlchemy or
Alembic. ``open_store`` returns the :class:`~calendar_svc.store.store.Store`; the
SQLAlchemy work (create, migrate, seed) is :mod:`calendar_svc.store.bootstrap`'s.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

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
    from calendar_svc.store.bootstrap import Seed
    from calendar_svc.store.store import Store

APP_DIR = "calendar-svc"
DB_FILENAME = "calendar.sqlite3"

#: A plain SQLite file URL: ``sqlite:///relative`` or ``sqlite:////absolute``, no query.
_SQLITE_FILE_URL_RE = re.compile(r"^sqlite(?:\+pysqlite)?:///(?P<path>[^?]+)$")


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
    return open_store(url).anniversaries


def open_store(url: str | None, *, seed: Callable[[], Seed] | None = None) -> Store:
    """Open the database at ``url`` for reading and writing, creating it on first use.

    Creates the SQLite file's directory, then hands over to
    :func:`calendar_svc.store.bootstrap.bootstrap` (migrate to head; seed a database whose
    data was never written, from ``seed`` or the bundled dataset).

    Args:
        url: A SQLAlchemy URL; None means the default SQLite file.
        seed: Returns the data of a fresh database; None means the bundled dataset.

    Raises:
        StoreError: The database cannot be reached, opened or migrated (the message names
            the URL with its password masked).
    """
    from calendar_svc.store.bootstrap import bootstrap

    if url is None:
        url = default_url()
    path = sqlite_file_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(url, f"cannot create {path.parent}: {exc.strerror}") from exc
    return bootstrap(url) if seed is None else bootstrap(url, seed=seed)
