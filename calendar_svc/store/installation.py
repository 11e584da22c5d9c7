"""The installation's UID domain: fixed once, kept in ``meta``, never the public address.

Feed UIDs are ``<anniversary id>-<year>@<domain>``. The domain must not change while
anyone is subscribed, or every event shows twice; so it is not taken from
``web.base_url`` (which an operator sets or changes later) but fixed once:

* a new database gets a generated name, ``<12 hex digits>.calendar-svc``, on first use;
* a database that held data before migration 0005 (whose feeds were published with the
  host of ``web.base_url``) gets that host, or ``127.0.0.1`` when no base URL is set (the
  default of those versions), the first time the domain is asked for.

Either way the value is written to ``meta.uid_domain`` and read from there ever after.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from calendar_svc.store.access import EngineAccess, read_meta, write_meta
from calendar_svc.store.schema import UID_DOMAIN_FROM_BASE_URL, UID_DOMAIN_KEY

#: ``web.base_url``'s default before the domain was stored: its host ended older UIDs.
LEGACY_DEFAULT_HOST = "127.0.0.1"


def legacy_domain(base_url: str) -> str:
    """Return the UID domain earlier versions used for ``base_url``: its host."""
    host = urlsplit(base_url).hostname if base_url else None
    return host or LEGACY_DEFAULT_HOST


def generated_domain() -> str:
    """Return a new random domain: ``3f9c0a1b2d4e.calendar-svc``."""
    return f"{secrets.token_hex(6)}.calendar-svc"


def uid_domain(store: EngineAccess, base_url: str = "") -> str:
    """Return the installation's UID domain, fixing it in ``meta`` on first use.

    Args:
        store: The store (read and write).
        base_url: ``web.base_url``; read only once, to keep the UIDs of a database that
            published feeds before the domain was stored.
    """
    with store.reading() as conn:
        value = read_meta(conn, UID_DOMAIN_KEY)
    if value is not None and value != UID_DOMAIN_FROM_BASE_URL:
        return value
    with store.writing() as conn:
        value = read_meta(conn, UID_DOMAIN_KEY)
        if value is None or value == UID_DOMAIN_FROM_BASE_URL:
            value = legacy_domain(base_url) if value is not None else generated_domain()
            write_meta(conn, UID_DOMAIN_KEY, value)
    return value
