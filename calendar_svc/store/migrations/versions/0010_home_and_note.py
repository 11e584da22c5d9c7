"""Keep a leader's home scopes and the data keeper's note: ``anniversaries.home``, ``.note``.

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-01

``home`` holds the ';'-joined scope ids of a leader's home province(s), where the birth
anniversary is listed every year; ``note`` holds doubts and conflicting sources. Both are
empty text for existing rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``anniversaries.home`` and ``anniversaries.note`` (text, empty for existing rows)."""
    with op.batch_alter_table("anniversaries") as batch:
        batch.add_column(sa.Column("home", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop ``anniversaries.home`` and ``anniversaries.note``."""
    with op.batch_alter_table("anniversaries") as batch:
        batch.drop_column("note")
        batch.drop_column("home")
