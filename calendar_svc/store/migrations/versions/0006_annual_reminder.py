"""Add the annual guide's reminder (issue 15): the organisation's rule, the outbox's kind.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-01

``organisations.annual_due`` is the guide's due day ``MM-DD`` (NULL: no annual reminder)
and ``annual_leads`` its lead times in days (``30``); the outbox accepts ``annual`` rows
besides ``digest`` and ``event``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from calendar_svc.store.tables import AwareDateTime

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = "kind IN ('digest', 'event', 'annual')"
_OLD_KINDS = "kind IN ('digest', 'event')"
#: The name migration 0002 gave the CHECK (the naming convention prefixed it once more).
_KIND_CHECK = "ck_outbox_ck_outbox_kind"


def _outbox(kinds: str) -> sa.Table:
    """Return the outbox as migration 0002 made it, with the CHECK on ``kind`` given."""
    text_id = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
    return sa.Table(
        "outbox",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("subject", text_id, nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("recipient", text_id, nullable=False),
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
        sa.CheckConstraint(kinds, name=_KIND_CHECK),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'skipped')",
            name="ck_outbox_ck_outbox_status",
        ),
        sa.CheckConstraint("lead_days >= 1", name="ck_outbox_ck_outbox_lead_days"),
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
        sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )


def _outbox_kinds(kinds: str) -> None:
    """Replace the outbox's CHECK on ``kind``.

    SQLite cannot alter a constraint: the table is recreated from its whole definition
    (rows copied); PostgreSQL drops and adds the constraint.
    """
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("outbox", recreate="always", copy_from=_outbox(kinds)):
            pass
        return
    op.drop_constraint(op.f(_KIND_CHECK), "outbox", type_="check")
    op.create_check_constraint(op.f(_KIND_CHECK), "outbox", kinds)


def upgrade() -> None:
    """Add ``organisations.annual_due``/``annual_leads``; allow ``annual`` outbox rows."""
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("annual_due", sa.Text(), nullable=True))
        batch.add_column(sa.Column("annual_leads", sa.Text(), nullable=True))
    _outbox_kinds(_KINDS)


def downgrade() -> None:
    """Drop the annual rows and columns; the outbox takes only digests and events again."""
    op.execute("DELETE FROM outbox WHERE kind = 'annual'")
    _outbox_kinds(_OLD_KINDS)
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("annual_leads")
        batch.drop_column("annual_due")
