"""Create and prepare SQLAlchemy engines, and open serialized write transactions.

SQLite through the stdlib driver does not emit ``BEGIN`` before a ``SELECT`` or DDL (its
legacy transaction control), so a read-check-write sequence would not be one transaction.
:func:`prepare_engine` takes transaction control over, as the SQLAlchemy SQLite docs
describe; :func:`begin_write` then starts write transactions with ``BEGIN IMMEDIATE`` on
SQLite and takes a transaction-scoped advisory lock on PostgreSQL, so writers (and the
first-use migrate-and-seed) run one at a time. A writer that finds the lock taken says
so once (:data:`WAITING_MESSAGE`, a warning) and waits up to :data:`WRITE_WAIT_SECONDS`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from calendar_svc.store.errors import StoreError, encode_password, mask_url

#: Execution option read by the SQLite ``begin`` hook: the BEGIN mode to emit.
SQLITE_BEGIN_OPTION = "calendar_svc_sqlite_begin"
#: Execution option read by the SQLite ``begin`` hook: False for a writer that must not
#: wait past the busy timeout (it has its own patience), True (default) to wait and say so.
SQLITE_WAIT_OPTION = "calendar_svc_sqlite_wait"

#: Key of the PostgreSQL advisory lock held by every write transaction (ASCII "cal_stor").
PG_WRITE_LOCK_KEY = 0x63616C5F73746F72

#: Seconds to wait for a PostgreSQL connection, unless the URL says otherwise.
PG_CONNECT_TIMEOUT = 10

#: Seconds a writer tries for the write lock before it says that it waits.
WAIT_NOTICE_SECONDS = 2
#: Seconds a writer waits for the write lock in all; then SQLite's "database is locked".
WRITE_WAIT_SECONDS = 600
#: What a writer says when another holds the write lock (a big import, say).
WAITING_MESSAGE = (
    "đang chờ: một tiến trình khác đang ghi vào cơ sở dữ liệu (chẳng hạn một lần nhập lớn) "
    "/ waiting for the database: another process is writing to it (a big import, say)"
)

log = logging.getLogger(__name__)


def display_url(engine: Engine) -> str:
    """Return the engine's URL with the password masked, for messages."""
    return mask_url(engine.url.render_as_string(hide_password=False))


def create_store_engine(url: str) -> Engine:
    """Create a prepared engine for ``url`` without connecting.

    Args:
        url: A SQLAlchemy URL: ``sqlite:///path`` or ``postgresql+psycopg://...``.

    Returns:
        The engine, prepared by :func:`prepare_engine`.

    Raises:
        StoreError: The URL cannot be parsed or names an unknown database driver.
    """
    try:
        parsed = make_url(encode_password(url))
        kwargs: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT}
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise StoreError(url, f"not a usable database URL ({exc})") from exc
    prepare_engine(engine)
    return engine


def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Stop the sqlite3 module from emitting BEGIN itself; :func:`_sqlite_begin` does it."""
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    """Emit BEGIN (DEFERRED, or the mode the connection's execution options ask for)."""
    dbapi_connection: Any = conn.connection.dbapi_connection
    if dbapi_connection is not None and dbapi_connection.isolation_level is not None:
        # A connection pooled before prepare_engine ran.
        dbapi_connection.isolation_level = None
    options = conn.get_execution_options()
    mode = options.get(SQLITE_BEGIN_OPTION, "DEFERRED")
    if mode != "IMMEDIATE" or not options.get(SQLITE_WAIT_OPTION, True):
        conn.exec_driver_sql(f"BEGIN {mode}")
        return
    configured = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {WAIT_NOTICE_SECONDS * 1000}")
    try:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
            log.warning(WAITING_MESSAGE)
            wait = max(WRITE_WAIT_SECONDS * 1000, int(configured or 0))
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(configured or 0)}")


def prepare_engine(engine: Engine) -> None:
    """Make SQLite transactions real transactions (idempotent; no-op on other databases).

    Call it before the engine's first connection; :class:`AnniversaryRepo` calls it.
    """
    if engine.dialect.name != "sqlite" or event.contains(engine, "begin", _sqlite_begin):
        return
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)


@contextmanager
def begin_write(engine: Engine, *, wait: bool = True) -> Iterator[Connection]:
    """Open a connection in a write transaction that no other writer runs alongside.

    SQLite: ``BEGIN IMMEDIATE`` (waits for the file's write lock, saying so after
    :data:`WAIT_NOTICE_SECONDS`). PostgreSQL: ``pg_advisory_xact_lock`` on
    :data:`PG_WRITE_LOCK_KEY` (saying so when another holds it). The transaction commits
    when the block ends and rolls back if it raises. ``wait=False``: a writer with its
    own patience (the dispatcher) waits only SQLite's busy timeout, silently.
    """
    with engine.connect() as conn, write_transaction(conn, wait=wait):
        yield conn


@contextmanager
def write_transaction(conn: Connection, *, wait: bool = True) -> Iterator[Connection]:
    """Run a :func:`begin_write` transaction on ``conn`` (no transaction open on it)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE", SQLITE_WAIT_OPTION: wait})
    try:
        with conn.begin():
            if dialect == "postgresql":
                key = {"key": PG_WRITE_LOCK_KEY}
                if not wait:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), key)
                elif not conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), key).scalar():
                    log.warning(WAITING_MESSAGE)
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), key)
            yield conn
    finally:
        if dialect == "sqlite":
            conn.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
