"""SQLAlchemy Core tables of the store.

``anniversaries`` keeps the origin both as written (``origin``) and split into integer
columns, so that listing one month reads an index instead of the whole table. ``meta``
holds small key/value facts such as ``revised_at``.

There is deliberately no index on ``scope`` or ``category``: a listing asks for a scope's
whole lineage, which includes ``national`` and so most rows, and SQLite (without
statistics) would prefer such an index to the month index and read most of the table.

Later tables (organisations, subscribers, outbox) join this ``metadata`` in their own
migrations; :class:`AwareDateTime` is there for their timestamps.

The Alembic migrations under ``migrations/versions`` are the schema's source of truth; a
test checks that they agree with these definitions on every supported database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.types import TypeEngine

#: Constraint names are stable, so later migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Ids sort bytewise everywhere: PostgreSQL databases often default to a linguistic
#: collation that ignores '-', which would order ids unlike SQLite and Python.
ID_TYPE = Text().with_variant(Text(collation="C"), "postgresql")


class AwareDateTime(TypeDecorator[datetime]):
    """An aware datetime on every database, returned in UTC.

    PostgreSQL stores ``TIMESTAMP WITH TIME ZONE``. SQLite has no such type, so there the
    value is fixed-width ISO-8601 text in UTC, which sorts in time order (the approach of
    apscheduler's ``EmulatedTimestampTZ``). Naive datetimes are refused rather than guessed.
    """

    impl = String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Return TIMESTAMPTZ on PostgreSQL and text elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TIMESTAMP(timezone=True))
        return dialect.type_descriptor(String(32))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Convert an aware datetime to what the database stores."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r}")
        value = value.astimezone(UTC)
        if dialect.name == "postgresql":
            return value
        return value.isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Convert a stored value back to an aware UTC datetime."""
        if value is None:
            return None
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if when.tzinfo is None:
            return when.replace(tzinfo=UTC)
        return when.astimezone(UTC)


anniversaries = Table(
    "anniversaries",
    metadata,
    Column("id", ID_TYPE, primary_key=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("origin", Text, nullable=False),
    Column("origin_year", Integer, nullable=True),
    Column("origin_month", Integer, nullable=True),
    Column("origin_day", Integer, nullable=True),
    Column("calendar", Text, nullable=False),
    Column("leap_month", Boolean, nullable=False),
    Column("category", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    Column("date_form", Text, nullable=False),
    Column("duration_days", Integer, nullable=False),
    Column("source", Text, nullable=False),
    CheckConstraint("calendar IN ('solar', 'lunar')", name="calendar"),
    CheckConstraint("date_form IN ('range', 'day')", name="date_form"),
    CheckConstraint("duration_days >= 1", name="duration_days"),
    Index(None, "calendar", "origin_month", "origin_day"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)
