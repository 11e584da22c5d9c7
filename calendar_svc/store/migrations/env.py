"""Alembic environment of the store.

Programmatic use (:mod:`calendar_svc.store.migrate`) passes a connection in
``config.attributes["connection"]``; the migrations then run inside that connection's
transaction. Developers may also run the ``alembic`` command from the repository root
(``alembic.ini``); the URL then comes from ``-x url=...``, else
``$CALENDAR_SVC_DATABASE_URL``, else the default SQLite file.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from calendar_svc.store.tables import metadata

if context.config.config_file_name is not None:
    # The `alembic` command with the repository's alembic.ini; never programmatic use.
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    """Return the database URL for command-line use."""
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    url = os.environ.get("CALENDAR_SVC_DATABASE_URL")
    if url:
        return url
    from calendar_svc.store.open import default_sqlite_path

    return f"sqlite:///{default_sqlite_path()}"


def _run(connection: Connection) -> None:
    """Run the migrations on ``connection``."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Print the SQL of the migrations instead of running it (``alembic upgrade --sql``)."""
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new one from the URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from calendar_svc.store.engine import begin_write, create_store_engine

    engine = create_store_engine(_url())
    try:
        with begin_write(engine) as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
