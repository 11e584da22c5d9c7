"""The web pages' secret: generated once per installation and kept in ``meta``.

It keys the HMAC of the pages' CSRF tokens (:mod:`calendar_svc.web.security`). Like the
reminders' secret it is made on first use, inside a write transaction so that several
processes agree on one value, and read from the database ever after.
"""

from __future__ import annotations

import secrets

from calendar_svc.store.access import EngineAccess, read_meta, write_meta

#: Key in the ``meta`` table of the generated secret of the web pages.
WEB_SECRET_KEY = "web_secret"


def web_secret(store: EngineAccess, configured: str = "") -> str:
    """Return the web secret: ``configured``, else the one kept (made on first use)."""
    if configured:
        return configured
    with store.reading() as conn:
        value = read_meta(conn, WEB_SECRET_KEY)
    if value is not None:
        return value
    with store.writing() as conn:
        value = read_meta(conn, WEB_SECRET_KEY)
        if value is None:
            value = secrets.token_urlsafe(32)
            write_meta(conn, WEB_SECRET_KEY, value)
    return value
