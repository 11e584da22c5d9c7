"""Schema constants the fast read path needs without importing Alembic or SQLAlchemy."""

from __future__ import annotations

#: Alembic head revision of ``calendar_svc/store/migrations``; a test keeps them equal.
HEAD_REVISION = "0012"

#: Name of Alembic's version table.
VERSION_TABLE = "alembic_version"

#: Key in the ``meta`` table of the ISO-8601 UTC time of the last data change.
REVISED_AT_KEY = "revised_at"

#: Key in the ``meta`` table of the installation's UID domain (right of ``@`` in feed UIDs).
UID_DOMAIN_KEY = "uid_domain"

#: ``meta`` value of :data:`UID_DOMAIN_KEY` written by migration 0005 in a database that
#: already held data: the domain is the one earlier versions derived from ``web.base_url``,
#: fixed (and stored) the first time it is asked for.
UID_DOMAIN_FROM_BASE_URL = "=web.base_url"

#: Key in the ``meta`` table of the generated secret that signs unsubscribe links.
REMINDERS_SECRET_KEY = "reminders_secret"

#: Key in the ``meta`` table of the generated secret of the web forms' CSRF tokens.
WEB_SECRET_KEY = "web_secret"

#: Key in the ``meta`` table of the ISO-8601 UTC moment up to which reminders were planned.
PLANNED_UNTIL_KEY = "reminders_planned_until"

#: The same mark for plannings on a stated clock (``remind run-once --now``): rehearsals keep
#: their own, so a rehearsal dated in the past never makes the service catch up from then.
REHEARSAL_PLANNED_UNTIL_KEY = "reminders_planned_until_rehearsal"

#: Key in the ``meta`` table of the SHA-256 of the registry (``scopes.csv``) last loaded.
SCOPES_SHA256_KEY = "scopes_sha256"

#: SHA-256 of the bundled registry ``data/scopes.csv`` (a test keeps them equal; run
#: scripts/gen_scopes.py, then set it). A database that recorded another hash gets the
#: registry anew when it is opened for writing, and the read-only fast path steps aside.
SCOPES_SHA256 = "b6518ffe2e5e7774a667c3e6eae3c1b5f6bdb3c4a30cb2940906950fbf0ddad1"
