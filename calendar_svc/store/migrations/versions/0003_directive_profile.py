"""Add the organisations' directive settings (issue 6): one JSON object per organisation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Only what an organisation overrides is stored (``{}`` for none); the rest of its
directive profile is derived from its name (:mod:`calendar_svc.directive.profile`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``organisations.directive`` (text, ``{}`` for existing rows)."""
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column("directive", sa.Text(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    """Drop ``organisations.directive``."""
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("directive")
