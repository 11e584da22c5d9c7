"""Create the anniversaries and meta tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``anniversaries`` with its month index, and ``meta``."""
    op.create_table(
        "anniversaries",
        sa.Column(
            "id",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("origin_year", sa.Integer(), nullable=True),
        sa.Column("origin_month", sa.Integer(), nullable=True),
        sa.Column("origin_day", sa.Integer(), nullable=True),
        sa.Column("calendar", sa.Text(), nullable=False),
        sa.Column("leap_month", sa.Boolean(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("date_form", sa.Text(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("calendar IN ('solar', 'lunar')", name="ck_anniversaries_calendar"),
        sa.CheckConstraint("date_form IN ('range', 'day')", name="ck_anniversaries_date_form"),
        sa.CheckConstraint("duration_days >= 1", name="ck_anniversaries_duration_days"),
        sa.PrimaryKeyConstraint("id", name="pk_anniversaries"),
    )
    op.create_index(
        "ix_anniversaries_calendar_origin_month_origin_day",
        "anniversaries",
        ["calendar", "origin_month", "origin_day"],
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("meta")
    op.drop_index("ix_anniversaries_calendar_origin_month_origin_day", table_name="anniversaries")
    op.drop_table("anniversaries")
