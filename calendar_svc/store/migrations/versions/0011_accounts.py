"""Add the web accounts: users, web sessions, sign-in links and the audit log.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

Sessions and sign-in links keep only the SHA-256 of their random tokens, so a copy of
the database signs nobody in.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from calendar_svc.store.tables import AwareDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[str]:
    """Return the id type: text, bytewise-sorted on PostgreSQL."""
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _token_table(name: str, *, used: bool) -> None:
    """Create a table of hashed tokens (``used``: with the moment a link was used)."""
    columns: list[sa.Column[object]] = [
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("email", _id(), nullable=False),
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.Column("expires_at", AwareDateTime(), nullable=False),
    ]
    if used:
        columns.append(sa.Column("used_at", AwareDateTime(), nullable=True))
    op.create_table(name, *columns, sa.PrimaryKeyConstraint("token_hash", name=op.f(f"pk_{name}")))
    op.create_index(op.f(f"ix_{name}_email"), name, ["email"])


def upgrade() -> None:
    """Create ``users``, ``web_sessions``, ``signin_links`` and ``audit_log``."""
    op.create_table(
        "users",
        sa.Column("email", _id(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("organisation_id", _id(), nullable=True),
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('operator', 'manager')", name=op.f("ck_users_role")),
        sa.CheckConstraint(
            "role = 'operator' OR organisation_id IS NOT NULL", name=op.f("ck_users_manager_org")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_organisation_id"), "users", ["organisation_id"])
    for name, used in (("web_sessions", False), ("signin_links", True)):
        _token_table(name, used=used)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", AwareDateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("organisation_id", _id(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_organisation_id_id"), "audit_log", ["organisation_id", "id"])


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_index(op.f("ix_audit_log_organisation_id_id"), table_name="audit_log")
    op.drop_table("audit_log")
    for name in ("signin_links", "web_sessions"):
        op.drop_index(op.f(f"ix_{name}_email"), table_name=name)
        op.drop_table(name)
    op.drop_index(op.f("ix_users_organisation_id"), table_name="users")
    op.drop_table("users")
