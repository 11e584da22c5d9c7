"""Scopes in the database: the registry of the country's units and the users' scopes.

Revision ID: 0004
Revises: 0005
Create Date: 2026-12-01

``scopes`` holds one row per unit or user scope, with the keys its names are found by
(indexed, so naming a scope reads no whole table); ``scope_links`` holds who succeeded
whom, indexed both ways; ``scope_aliases`` the old ids. The registry's rows are written
when the store is opened (:mod:`calendar_svc.store.scopes`), not here, so a new registry
needs no migration. Rows, organisations and subscribers of the former ids
``city:cam-pha`` and ``city:ha-long`` move to the registry's ids.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID_TYPE = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
RENAMED = {
    "city:cam-pha": "district:quang-ninh/cam-pha",
    "city:ha-long": "district:quang-ninh/ha-long",
}


def upgrade() -> None:
    """Create the scope tables and move rows off the former ids."""
    op.create_table(
        "scopes",
        sa.Column("id", ID_TYPE, nullable=False),
        sa.Column("parent", ID_TYPE, nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("type_vi", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("user_made", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("bare_key", sa.Text(), nullable=False),
        sa.Column("fold_key", sa.Text(), nullable=False),
        sa.Column("bare_fold_key", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scopes")),
    )
    for column in ("parent", "code", "name_key", "bare_key", "fold_key", "bare_fold_key"):
        op.create_index(op.f(f"ix_scopes_{column}"), "scopes", [column])
    op.create_table(
        "scope_links",
        sa.Column("predecessor", ID_TYPE, nullable=False),
        sa.Column("successor", ID_TYPE, nullable=False),
        sa.PrimaryKeyConstraint("predecessor", "successor", name=op.f("pk_scope_links")),
    )
    op.create_index(op.f("ix_scope_links_successor"), "scope_links", ["successor"])
    op.create_table(
        "scope_aliases",
        sa.Column("alias", ID_TYPE, nullable=False),
        sa.Column("scope_id", ID_TYPE, nullable=False),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_scope_aliases")),
    )
    op.create_index(op.f("ix_scope_aliases_scope_id"), "scope_aliases", ["scope_id"])
    for table in ("anniversaries", "organisations", "subscribers"):
        for old, new in RENAMED.items():
            op.execute(
                sa.text(f"UPDATE {table} SET scope = :new WHERE scope = :old").bindparams(
                    new=new, old=old
                )
            )


def downgrade() -> None:
    """Drop the scope tables (rows keep the registry's ids)."""
    op.drop_index(op.f("ix_scope_aliases_scope_id"), table_name="scope_aliases")
    op.drop_table("scope_aliases")
    op.drop_index(op.f("ix_scope_links_successor"), table_name="scope_links")
    op.drop_table("scope_links")
    for column in ("parent", "code", "name_key", "bare_key", "fold_key", "bare_fold_key"):
        op.drop_index(op.f(f"ix_scopes_{column}"), table_name="scopes")
    op.drop_table("scopes")
