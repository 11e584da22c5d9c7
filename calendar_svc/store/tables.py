"""SQLAlchemy Core tables of the store.

``anniversaries`` keeps the origin both as written (``origin``) and split into integer
columns, so that listing one month reads an index instead of the whole table. ``meta``
holds small key/value facts such as ``revised_at``.

There is deliberately no index on ``scope`` or ``category``: a listing asks for a scope's
whole lineage, which includes ``national`` and so most rows, and SQLite (without
statistics) would prefer such an index to the month index and read most of the table.

The reminder tables (``organisations``, ``subscribers``, ``outbox``; migration 0002)
join this ``metadata``; :class:`AwareDateTime` carries their timestamps.

The Alembic migrations under ``migrations/versions`` are the schema's source of truth; a
test checks that they agree with these definitions on every supported database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
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
    # When this row last changed (migration 0005): the DTSTAMP of its feed events.
    Column("revised_at", AwareDateTime, nullable=True),
    Column("home", Text, nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
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

# --- Reminders (migration 0002) -------------------------------------------------------

organisations = Table(
    "organisations",
    metadata,
    Column("id", ID_TYPE, primary_key=True),
    Column("name", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("due_kind", Text, nullable=False),
    Column("due_n", Integer, nullable=False),
    Column("leads", Text, nullable=False),
    Column("created_at", AwareDateTime, nullable=False),
    # What the organisation overrides in its directive draft, as JSON (migration 0003).
    Column("directive", Text, nullable=False, server_default=text("'{}'")),
    # The annual guide's reminder: due day MM-DD (NULL: none) and lead days (migration 0006).
    Column("annual_due", Text, nullable=True),
    Column("annual_leads", Text, nullable=True),
    # Whether people may subscribe themselves (migration 0012): closed unless opened.
    Column("subscribe", Text, nullable=False, server_default=text("'closed'")),
    CheckConstraint("due_kind IN ('day', 'before')", name="due_kind"),
    CheckConstraint("subscribe IN ('open', 'approval', 'closed')", name="subscribe"),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("email", ID_TYPE, primary_key=True),
    Column("name", Text, nullable=False),
    Column("organisation_id", ID_TYPE, ForeignKey("organisations.id"), nullable=True),
    Column("scope", Text, nullable=True),
    Column("categories", Text, nullable=False),
    Column("lang", Text, nullable=False),
    Column("leads", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", AwareDateTime, nullable=False),
    Column("unsubscribed_at", AwareDateTime, nullable=True),
    Column("unsubscribed_by", Text, nullable=True),
    # active, or awaiting_approval (never active meanwhile; migration 0012).
    Column("state", Text, nullable=False, server_default=text("'active'")),
    CheckConstraint("lang IN ('vi', 'en')", name="lang"),
    CheckConstraint("(organisation_id IS NULL) <> (scope IS NULL)", name="audience"),
    CheckConstraint("state IN ('active', 'awaiting_approval')", name="state"),
    CheckConstraint("state = 'active' OR NOT active", name="state_inactive"),
    Index(None, "organisation_id"),
)

#: One row per reminder; (kind, subject, occurrence, lead_days, recipient) is its identity,
#: so planning again inserts nothing twice. The unique index leads with the recipient, so
#: the lead times of one reminder for one person sit together. ``status`` moves pending →
#: sending → sent, or to failed / skipped with ``reason``; ``lease_until`` bounds a claim.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("subject", ID_TYPE, nullable=False),
    Column("occurrence", Date, nullable=False),
    Column("lead_days", Integer, nullable=False),
    Column("recipient", ID_TYPE, nullable=False),
    Column("message_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("send_at", AwareDateTime, nullable=False),
    Column("deadline", AwareDateTime, nullable=False),
    Column("next_attempt_at", AwareDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_until", AwareDateTime, nullable=True),
    Column("claimed_by", Text, nullable=True),
    Column("reason", Text, nullable=False),
    Column("created_at", AwareDateTime, nullable=False),
    Column("updated_at", AwareDateTime, nullable=False),
    Column("sent_at", AwareDateTime, nullable=True),
    UniqueConstraint("recipient", "kind", "subject", "occurrence", "lead_days"),
    UniqueConstraint("message_id"),
    CheckConstraint("kind IN ('digest', 'event', 'annual')", name="kind"),
    CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name="status"),
    CheckConstraint("lead_days >= 1", name="lead_days"),
    Index(None, "status", "next_attempt_at"),
)

# --- Scopes (migration 0004) -----------------------------------------------------------

#: The registry's units and the users' scopes. The four keys are the normalized and
#: folded forms of the full and the bare name (:func:`calendar_svc.core.scopes.name_keys`),
#: indexed so that naming a scope is a look-up. ``position`` keeps the registry's order.
scopes = Table(
    "scopes",
    metadata,
    Column("id", ID_TYPE, primary_key=True),
    Column("parent", ID_TYPE, nullable=True),
    Column("kind", Text, nullable=False),
    Column("type_vi", Text, nullable=False),
    Column("code", Text, nullable=False),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("valid_to", Date, nullable=True),
    Column("source", Text, nullable=False),
    Column("user_made", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
    Column("name_key", Text, nullable=False),
    Column("bare_key", Text, nullable=False),
    Column("fold_key", Text, nullable=False),
    Column("bare_fold_key", Text, nullable=False),
    Index(None, "parent"),
    Index(None, "code"),
    Index(None, "name_key"),
    Index(None, "bare_key"),
    Index(None, "fold_key"),
    Index(None, "bare_fold_key"),
)

#: Who succeeded whom (a former unit → each unit that took its place).
scope_links = Table(
    "scope_links",
    metadata,
    Column("predecessor", ID_TYPE, primary_key=True),
    Column("successor", ID_TYPE, primary_key=True),
    Index(None, "successor"),
)

#: Old ids that still name a scope (``city:cam-pha``).
scope_aliases = Table(
    "scope_aliases",
    metadata,
    Column("alias", ID_TYPE, primary_key=True),
    Column("scope_id", ID_TYPE, nullable=False),
    Index(None, "scope_id"),
)

# --- Accounts (migration 0011) ---------------------------------------------------------

#: The people who sign in to the web pages: operators (everything) and the managers of one
#: organisation each. ``email`` is kept lower-case.
users = Table(
    "users",
    metadata,
    Column("email", ID_TYPE, primary_key=True),
    Column("role", Text, nullable=False),
    Column("organisation_id", ID_TYPE, ForeignKey("organisations.id"), nullable=True),
    Column("created_at", AwareDateTime, nullable=False),
    CheckConstraint("role IN ('operator', 'manager')", name="role"),
    CheckConstraint("role = 'operator' OR organisation_id IS NOT NULL", name="manager_org"),
    Index(None, "organisation_id"),
)

#: Signed-in browsers. Only the SHA-256 of the cookie's random token is stored.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("email", ID_TYPE, nullable=False),
    Column("created_at", AwareDateTime, nullable=False),
    Column("expires_at", AwareDateTime, nullable=False),
    Index(None, "email"),
)

#: Emailed sign-in links: the SHA-256 of the link's random token, single use.
signin_links = Table(
    "signin_links",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("email", ID_TYPE, nullable=False),
    Column("created_at", AwareDateTime, nullable=False),
    Column("expires_at", AwareDateTime, nullable=False),
    Column("used_at", AwareDateTime, nullable=True),
    Index(None, "email"),
)

#: Every change made through the web pages: who, when, which organisation, what, and the
#: record before and after as JSON (NULL where there was none).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", AwareDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("organisation_id", ID_TYPE, nullable=True),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    Index(None, "organisation_id", "id"),
)

# --- Self-subscription (migration 0012) ------------------------------------------------

#: Single-use links sent by mail: confirming a subscription, opening "my subscriptions".
#: Only the SHA-256 of a token is kept (hex), never the token. A ``confirm`` row carries
#: the request (organisation, name, language) until it is used or expires.
subscription_tokens = Table(
    "subscription_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("purpose", Text, nullable=False),
    Column("email", ID_TYPE, nullable=False),
    Column("organisation_id", ID_TYPE, nullable=True),
    Column("name", Text, nullable=True),
    Column("lang", Text, nullable=False),
    Column("created_at", AwareDateTime, nullable=False),
    Column("expires_at", AwareDateTime, nullable=False),
    Column("used_at", AwareDateTime, nullable=True),
    CheckConstraint("purpose IN ('confirm', 'manage')", name="purpose"),
    CheckConstraint("lang IN ('vi', 'en')", name="lang"),
    Index(None, "email"),
    Index(None, "expires_at"),
)

#: Fixed-window counters of :mod:`calendar_svc.store.ratelimits`: ``window_start`` is the
#: window's start in whole seconds since the epoch, ``hits`` the requests counted in it.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", ID_TYPE, primary_key=True),
    Column("window_start", BigInteger, nullable=False),
    Column("hits", Integer, nullable=False),
    Index(None, "window_start"),
)
