"""Open the configured database: a fast read-only reader, or the migrated, seeded store.

This module is the stdlib read path. ``open_reader`` serves ``calendar-svc month``: on a
current SQLite file it returns a :class:`SqliteReader` without importing SQLAlchemy or
Alembic. ``open_store`` returns the :class:`~calendar_svc.store.store.Store`; the
SQLAlchemy work (create, migrate, seed) is :mod:`calendar_svc.store.bootstrap`'s.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from calendar_svc.filemodes import PRIVATE_DIR_MODE
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

    Raises:
        StoreError: the file name holds a NUL character (``sqlite:///%00``).
    """
    if url is None:
        return default_sqlite_path()
    match = _SQLITE_FILE_URL_RE.match(url)
    if match is None:
        return None
    path = unquote(match["path"])
    if path == ":memory:" or path.startswith("file:"):
        return None
    if "\x00" in path:
        raise StoreError(url, "the file name holds a NUL character")
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

    A SQLite file that does not exist yet is created complete: its directory (``0700``
    when it is made here), then the database built and seeded in a private (``0600``)
    staging file beside it, which is linked into place only when whole. A SQLite file
    that exists is never seeded; one that is empty or cannot be read is an error; one in a
    directory that cannot be written is opened read-only (writes then fail). Then
    :func:`calendar_svc.store.bootstrap.bootstrap` migrates to head (and, for another
    database, seeds one whose data was never written, from ``seed`` or the bundled
    dataset).

    Args:
        url: A SQLAlchemy URL; None means the default SQLite file.
        seed: Returns the data of a fresh database; None means the bundled dataset.

    Raises:
        StoreError: The database cannot be reached, opened or migrated (the message names
            the URL with its password masked).
    """
    from calendar_svc.store.bootstrap import bootstrap, bundled_seed

    if url is None:
        url = default_url()
    seed = bundled_seed if seed is None else seed
    path = sqlite_file_path(url)
    if path is not None:
        _make_private_dir(url, path.parent)
        if not os.path.lexists(path):
            with _directory_lock(url, path.parent):
                if not os.path.lexists(path):  # not created by another process meanwhile
                    _create_sqlite(url, path, seed)
        else:
            _check_existing(url, path)
            if not os.access(path.parent, os.W_OK):  # a read-only mount, another's directory
                return bootstrap(read_only_url(path), seed=seed, read_only=True)
        return bootstrap(url, seed=seed, may_seed=False)
    return bootstrap(url, seed=seed)


def read_only_url(path: Path) -> str:
    """Return the SQLAlchemy URL that opens a SQLite file read-only and immutable.

    Used when its directory cannot be written: SQLite could not create the ``-shm`` file
    a WAL database needs, so the file is read as one that does not change.
    """
    return f"sqlite:///file:{quote(str(path.absolute()))}?mode=ro&immutable=1&uri=true"


def _check_existing(url: str, path: Path) -> None:
    """Refuse a SQLite file that is there but empty or cannot be read (never rebuild it).

    The file is looked at with ``stat`` and ``access``, never opened: closing a plain
    descriptor of a database file drops every POSIX lock this process holds on it, the
    shared lock of an open WAL connection included. The next connection of another
    process to close would then take the file for unused, checkpoint it and delete the
    WAL, and this process's later writes would go to the deleted WAL, answered but lost.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise StoreError(url, f"cannot read {path}: {exc.strerror}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(url, f"cannot read {path}: {os.strerror(errno.EISDIR)}")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(url, f"cannot read {path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise StoreError(url, f"cannot read {path}: {os.strerror(errno.EACCES)}")
    if info.st_size == 0:
        raise StoreError(
            url,
            f"{path} is empty (0 bytes): restore it from a backup, or remove it to start "
            "afresh from the bundled dataset",
        )


@contextlib.contextmanager
def _directory_lock(url: str, directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (first openers create the file one at a time)."""
    import fcntl

    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as exc:
        raise StoreError(url, f"cannot open {directory}: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _make_private_dir(url: str, directory: Path) -> None:
    """Create the database's directory for the owner alone (its parents as usual)."""
    if directory.is_dir():
        return
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        directory.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        os.chmod(directory, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask
    except OSError as exc:
        raise StoreError(url, f"cannot create {directory}: {exc.strerror}") from exc


def _create_sqlite(url: str, path: Path, seed: Callable[[], Seed]) -> None:
    """Build a new SQLite database in a private staging file, then link it to ``path``.

    ``mkstemp`` creates the staging file ``0600`` (SQLite gives its journal files the
    same permissions). Should ``path`` appear meanwhile, that file is kept.
    """
    from calendar_svc.store.bootstrap import bootstrap

    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    except OSError as exc:
        raise StoreError(url, f"cannot create {path}: {exc.strerror}") from exc
    os.close(fd)
    staging = Path(name)
    try:
        bootstrap(f"sqlite:///{staging}", seed=seed).close()
        try:
            os.link(staging, path)
        except FileExistsError:
            pass
        except OSError:
            if not os.path.lexists(path):  # no hard links here: rename instead
                os.replace(staging, path)
    except OSError as exc:
        raise StoreError(url, f"cannot create {path}: {exc.strerror}") from exc
    finally:
        for leftover in (staging, *(Path(f"{staging}{s}") for s in ("-wal", "-shm", "-journal"))):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
