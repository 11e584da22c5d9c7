"""Create the reminder tables: organisations, subscribers and the outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from calendar_svc.store.tables import AwareDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[str]:
    """Return the id type: text, bytewise-sorted on PostgreSQL."""
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    """Create ``organisations``, ``subscribers`` and ``outbox`` with their indexes."""
    op.create_table(
        "organisations",
        sa.Column("id", _id(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("due_kind", sa.Text(), nullable=False),
        sa.Column("due_n", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Text(), nullable=False),
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.CheckConstraint("due_kind IN ('day', 'before')", name="ck_organisations_due_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
    )
    op.create_table(
        "subscribers",
        sa.Column("email", _id(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("organisation_id", _id(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("lang", sa.Text(), nullable=False),
        sa.Column("leads", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.Column("unsubscribed_at", AwareDateTime(), nullable=True),
        sa.CheckConstraint("lang IN ('vi', 'en')", name="ck_subscribers_lang"),
        sa.CheckConstraint(
            "(organisation_id IS NULL) <> (scope IS NULL)", name="ck_subscribers_audience"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_subscribers_organisation_id_organisations",
        ),
        sa.PrimaryKeyConstraint("email", name="pk_subscribers"),
    )
    op.create_index("ix_subscribers_organisation_id", "subscribers", ["organisation_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("subject", _id(), nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("recipient", _id(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("send_at", AwareDateTime(), nullable=False),
        sa.Column("deadline", AwareDateTime(), nullable=False),
        sa.Column("next_attempt_at", AwareDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", AwareDateTime(), nullable=True),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.Column("updated_at", AwareDateTime(), nullable=False),
        sa.Column("sent_at", AwareDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('digest', 'event')", name="ck_outbox_kind"),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'skipped')",
            name="ck_outbox_status",
        ),
        sa.CheckConstraint("lead_days >= 1", name="ck_outbox_lead_days"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint(
            "recipient",
            "kind",
            "subject",
            "occurrence",
            "lead_days",
            name="uq_outbox_recipient_kind_subject_occurrence_lead_days",
        ),
        sa.UniqueConstraint("message_id", name="uq_outbox_message_id"),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_index("ix_outbox_status_next_attempt_at", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_subscribers_organisation_id", table_name="subscribers")
    op.drop_table("subscribers")
    op.drop_table("organisations")
