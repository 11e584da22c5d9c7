"""Let people subscribe themselves: subscribe policies, subscriber states, links, limits.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

``organisations.subscribe`` is ``open``, ``approval`` or ``closed``. Existing organisations
become ``closed``: before this revision only an operator could add a subscriber, and an
upgrade must not let strangers into an organisation's mailing list; its operator opens
it (``calendar-svc org edit ID --subscribe open|approval``). ``subscribers.state`` is
``active`` or ``awaiting_approval`` (never active meanwhile); existing subscribers are
``active``. ``subscription_tokens`` keeps the SHA-256 of each single-use link sent by
mail, and ``rate_limits`` the fixed-window counters shared by every process.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from calendar_svc.store.tables import AwareDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[str]:
    """Return the id type: text, bytewise-sorted on PostgreSQL."""
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


#: The new columns: (table, column, default, ((constraint name, condition), ...)).
_CHECKED_COLUMNS = (
    (
        "organisations",
        "subscribe",
        "closed",
        (("ck_organisations_subscribe", "subscribe IN ('open', 'approval', 'closed')"),),
    ),
    (
        "subscribers",
        "state",
        "active",
        (
            ("ck_subscribers_state", "state IN ('active', 'awaiting_approval')"),
            ("ck_subscribers_state_inactive", "state = 'active' OR NOT active"),
        ),
    ),
)


def _add_checked_column(
    table: str, column: str, default: str, checks: tuple[tuple[str, str], ...]
) -> None:
    """Add a NOT NULL text column with a default and its CHECK constraints.

    SQLite takes the constraints in ``ADD COLUMN`` itself; recreating the table (Alembic's
    batch mode) would be needed otherwise, and could lose the constraints it does not
    reflect. PostgreSQL adds the column, then each constraint.
    """
    if op.get_bind().dialect.name == "sqlite":
        constraints = " ".join(f"CONSTRAINT {name} CHECK ({cond})" for name, cond in checks)
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT '{default}' "
            + constraints
        )
        return
    op.add_column(
        table,
        sa.Column(column, sa.Text(), nullable=False, server_default=sa.text(f"'{default}'")),
    )
    for name, cond in checks:
        op.create_check_constraint(op.f(name), table, cond)


def upgrade() -> None:
    """Add the two columns and create ``subscription_tokens`` and ``rate_limits``."""
    for table, column, default, checks in _CHECKED_COLUMNS:
        _add_checked_column(table, column, default, checks)
    op.create_table(
        "subscription_tokens",
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("email", _id(), nullable=False),
        sa.Column("organisation_id", _id(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("lang", sa.Text(), nullable=False),
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.Column("expires_at", AwareDateTime(), nullable=False),
        sa.Column("used_at", AwareDateTime(), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('confirm', 'manage')", name=op.f("ck_subscription_tokens_purpose")
        ),
        sa.CheckConstraint("lang IN ('vi', 'en')", name=op.f("ck_subscription_tokens_lang")),
        sa.PrimaryKeyConstraint("token_hash", name="pk_subscription_tokens"),
    )
    op.create_index("ix_subscription_tokens_email", "subscription_tokens", ["email"])
    op.create_index("ix_subscription_tokens_expires_at", "subscription_tokens", ["expires_at"])
    op.create_table(
        "rate_limits",
        sa.Column("key", _id(), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_limits"),
    )
    op.create_index("ix_rate_limits_window_start", "rate_limits", ["window_start"])


def downgrade() -> None:
    """Drop the two tables and the two columns."""
    op.drop_index("ix_rate_limits_window_start", table_name="rate_limits")
    op.drop_table("rate_limits")
    op.drop_index("ix_subscription_tokens_expires_at", table_name="subscription_tokens")
    op.drop_index("ix_subscription_tokens_email", table_name="subscription_tokens")
    op.drop_table("subscription_tokens")
    for table, column, _, checks in reversed(_CHECKED_COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            # SQLite cannot drop a column its CHECK constraints name: recreate the table.
            with op.batch_alter_table(table, recreate="always") as batch:
                for name, _ in checks:
                    batch.drop_constraint(op.f(name), type_="check")
                batch.drop_column(column)
            continue
        for name, _ in checks:
            op.drop_constraint(op.f(name), table, type_="check")
        op.drop_column(table, column)
