"""Schema constants the fast read path needs without importing Alembic or SQLAlchemy."""

from __future__ import annotations

#: Alembic head revision of ``calendar_svc/store/migrations``; a test keeps them equal.
HEAD_REVISION = "0007"

#: Name of Alembic's version table.
VERSION_TABLE = "alembic_version"

#: Key in the ``meta`` table of the ISO-8601 UTC time of the last data change.
REVISED_AT_KEY = "revised_at"

#: Key in the ``meta`` table of the generated secret that signs unsubscribe links.
REMINDERS_SECRET_KEY = "reminders_secret"

#: Key in the ``meta`` table of the ISO-8601 UTC moment up to which reminders were planned.
PLANNED_UNTIL_KEY = "reminders_planned_until"

#: The same mark for plannings on a stated clock (``remind run-once --now``): rehearsals keep
#: their own, so a rehearsal dated in the past never makes the service catch up from then.
REHEARSAL_PLANNED_UNTIL_KEY = "reminders_planned_until_rehearsal"
