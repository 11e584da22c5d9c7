"""The anniversary store: SQLAlchemy tables, the repository, Alembic migrations.

Importing this package stays light (no SQLAlchemy): ``calendar-svc month`` reads through
:class:`~calendar_svc.store.sqlite_reader.SqliteReader` on the stdlib ``sqlite3`` module.

Modules:
    repository: the contract (``AnniversaryReader``, ``AnniversaryStore``, ``UpsertResult``).
    open: ``open_reader``, ``open_store``, ``default_sqlite_path``.
    sqlalchemy_store: ``SqlAlchemyStore`` (SQLite and PostgreSQL).
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
