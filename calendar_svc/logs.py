"""Logging of the long-running commands (``serve``, ``worker``): one line per event that matters.

At the default level (INFO) the service logs what it did: a tick that planned or sent
something is one line; a tick that did nothing is silent. Libraries that speak at every
start or every tick are held at WARNING: Alembic (its migration context, at each start)
and APScheduler (a "Running job" and "executed successfully" pair every minute).
"""

from __future__ import annotations

import logging

#: Loggers that only speak when something goes wrong.
QUIET_LIBRARIES = ("alembic", "apscheduler")

FORMAT = "%(levelname)s: %(name)s: %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr at ``level``; the chatty libraries at WARNING at least."""
    logging.basicConfig(level=level, format=FORMAT)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
