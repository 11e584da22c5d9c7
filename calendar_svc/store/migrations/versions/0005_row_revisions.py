"""Give each anniversary row its own revision, and fix the installation's UID domain.

Revision ID: 0005
Revises: 0007
Create Date: 2026-12-01

``anniversaries.revised_at`` is when the row last changed: the DTSTAMP and LAST-MODIFIED
of its feed events, so an edit changes only that row's events. Existing rows get the
data's revision (``meta.revised_at``), which is what their events carried until now, so
the upgrade itself changes no feed.

A database that already holds data gets ``meta.uid_domain = "=web.base_url"``: its feeds
were published with UIDs ending in the host of ``web.base_url``, and the first program
that asks for the domain fixes that host (or ``127.0.0.1``, the old default) for good,
so subscribers keep every UID. A new database gets a generated domain instead, on first
use (:mod:`calendar_svc.store.installation`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from calendar_svc.store.rows import parse_revision
from calendar_svc.store.tables import AwareDateTime

revision: str = "0005"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REVISED_AT = "revised_at"
_UID_DOMAIN = "uid_domain"
_FROM_BASE_URL = "=web.base_url"


def upgrade() -> None:
    """Add ``anniversaries.revised_at`` (the data's revision for existing rows) and mark
    a database with data as keeping its UID domain."""
    with op.batch_alter_table("anniversaries") as batch:
        batch.add_column(sa.Column("revised_at", AwareDateTime(), nullable=True))
    conn = op.get_bind()
    meta = sa.table("meta", sa.column("key", sa.Text()), sa.column("value", sa.Text()))
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == _REVISED_AT)).scalar()
    anniversaries = sa.table(
        "anniversaries", sa.column("id"), sa.column("revised_at", AwareDateTime())
    )
    has_rows = conn.execute(sa.select(anniversaries.c.id).limit(1)).first() is not None
    if value is not None:
        conn.execute(sa.update(anniversaries).values(revised_at=parse_revision(str(value))))
    if value is not None or has_rows:
        known = conn.execute(sa.select(meta.c.key).where(meta.c.key == _UID_DOMAIN)).first()
        if known is None:
            conn.execute(sa.insert(meta).values(key=_UID_DOMAIN, value=_FROM_BASE_URL))


def downgrade() -> None:
    """Drop ``anniversaries.revised_at`` (the UID domain stays in ``meta``)."""
    with op.batch_alter_table("anniversaries") as batch:
        batch.drop_column("revised_at")
