"""Logging of the long-running commands (``serve``, ``worker``): one line per event that matters.

At the default level (INFO) the service logs what it did: a tick that planned or sent
something is one line; a tick that did nothing is silent. Libraries that speak at every
start or every tick are held at WARNING: Alembic (its migration context, at each start)
and APScheduler (a "Running job" and "executed successfully" pair every minute).

The access log never holds the token of a mailed link (``?t=…`` of the confirmation,
"my subscriptions", sign-in and unsubscribe links): :class:`RedactTokens` replaces it with
``…``, so reading the logs opens no link.
"""

from __future__ import annotations

import logging
import re

#: Loggers that only speak when something goes wrong.
QUIET_LIBRARIES = ("alembic", "apscheduler")

FORMAT = "%(levelname)s: %(name)s: %(message)s"


#: The logger of uvicorn's access log (one line per request, with its path and query).
ACCESS_LOGGER = "uvicorn.access"

_TOKEN_RE = re.compile(r"([?&]t=)[^&#\s]+")


class RedactTokens(logging.Filter):
    """Replace the value of every ``t`` query parameter in a record's arguments by ``…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's text arguments in place; keep the record."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_RE.sub(r"\1…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr at ``level``; the chatty libraries at WARNING at least; no link
    tokens in the access log."""
    logging.basicConfig(level=level, format=FORMAT)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactTokens) for f in access.filters):
        access.addFilter(RedactTokens())
