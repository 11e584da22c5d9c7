"""Run the store's Alembic migrations programmatically (no alembic.ini needed).

The migration scripts live in the package (``calendar_svc/store/migrations``) and ship in
the wheel. ``env.py`` uses the connection passed in ``Config.attributes`` and joins its
transaction, so the caller decides what else happens in that transaction (the seed).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from calendar_svc.store.schema import VERSION_TABLE

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic config for the bundled migrations.

    Args:
        connection: The connection ``env.py`` migrates; None for script-only use.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_head() -> str:
    """Return the head revision of the bundled migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(connection: Connection) -> str | None:
    """Return the database's Alembic revision, or None if it was never migrated."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    value = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return None if value is None else str(value)


def upgrade(connection: Connection) -> None:
    """Upgrade the database to the head revision inside the connection's transaction.

    Raises:
        alembic.util.CommandError: The database is at a revision these scripts do not
            know (written by a newer calendar_svc).
    """
    command.upgrade(alembic_config(connection), "head")
