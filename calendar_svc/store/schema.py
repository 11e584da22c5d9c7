"""Schema constants the fast read path needs without importing Alembic or SQLAlchemy."""

from __future__ import annotations

#: Alembic head revision of ``calendar_svc/store/migrations``; a test keeps them equal.
HEAD_REVISION = "0004"

#: Name of Alembic's version table.
VERSION_TABLE = "alembic_version"

#: Key in the ``meta`` table of the ISO-8601 UTC time of the last data change.
REVISED_AT_KEY = "revised_at"

#: Key in the ``meta`` table of the generated secret that signs unsubscribe links.
REMINDERS_SECRET_KEY = "reminders_secret"

#: Key in the ``meta`` table of the ISO-8601 UTC moment up to which reminders were planned.
PLANNED_UNTIL_KEY = "reminders_planned_until"

#: Key in the ``meta`` table of the SHA-256 of the registry (``scopes.csv``) last loaded.
SCOPES_SHA256_KEY = "scopes_sha256"

#: SHA-256 of the bundled registry ``data/scopes.csv`` (a test keeps them equal; run
#: scripts/gen_scopes.py, then set it). A database that recorded another hash gets the
#: registry anew when it is opened for writing, and the read-only fast path steps aside.
SCOPES_SHA256 = "b6518ffe2e5e7774a667c3e6eae3c1b5f6bdb3c4a30cb2940906950fbf0ddad1"
