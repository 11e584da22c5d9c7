"""Record how a subscriber stopped receiving reminders: ``subscribers.unsubscribed_by``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

``link`` for the unsubscribe link of a reminder (the page's button or a mail client's
one-click request), ``cli`` for ``calendar-svc subscribers edit --inactive``; NULL while the
subscriber is active, and for rows unsubscribed before this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``subscribers.unsubscribed_by`` (text, NULL for existing rows)."""
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("unsubscribed_by", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop ``subscribers.unsubscribed_by``."""
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("unsubscribed_by")
