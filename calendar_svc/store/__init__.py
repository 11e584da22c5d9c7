"""The store: one object per database, its repositories, the tables and migrations.

Importing this package stays light (no SQLAlchemy): ``calendar-svc month`` reads through
:class:`~calendar_svc.store.sqlite_reader.SqliteReader` on the stdlib ``sqlite3`` module.

Modules:
    repository: the contract (``AnniversaryReader``, ``AnniversaryStore``, ``UpsertResult``).
    open: ``open_reader``, ``open_store``, ``default_sqlite_path`` (stdlib only).
    bootstrap: the SQLAlchemy side of ``open_store``: create, migrate, seed.
    store: ``Store``, the object ``open_store`` returns: ``.anniversaries``,
        ``.organisations``, ``.outbox``, ``.meta``, ``close()``.
    anniversaries, organisations, outbox, meta: the repositories (SQLite and PostgreSQL).
    sqlite_reader: ``SqliteReader`` (read-only, stdlib only).
    rows: row ↔ Anniversary mapping shared by both.
    tables, engine, migrate, schema: schema, engines, Alembic.
    errors: ``StoreError``, ``StoredRowError``.
"""

from __future__ import annotations

from calendar_svc.store.errors import StoredRowError, StoreError
from calendar_svc.store.open import default_sqlite_path, open_reader, open_store
from calendar_svc.store.repository import AnniversaryReader, AnniversaryStore, UpsertResult

__all__ = [
    "AnniversaryReader",
    "AnniversaryStore",
    "StoreError",
    "StoredRowError",
    "UpsertResult",
    "default_sqlite_path",
    "open_reader",
    "open_store",
]
