"""Rate limits kept in the database, so every process of one deployment shares them.

A limit is a fixed window: ``hit(key, limit=5, window=3600, now=...)`` counts one request
for ``key`` in the window of ``window`` seconds that holds ``now`` (windows start at
multiples of ``window`` since the epoch) and answers whether it is within ``limit``. The
count is one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement, atomic on SQLite
and PostgreSQL alike: two ``serve`` processes on one PostgreSQL database never both see
the last allowed request. A request refused still counts, so hammering does not reopen
the window. Keys name what is limited: ``subscribe:addr:<sha256 of the address>``,
``client:<ip>``; an address is never stored in clear.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite

from calendar_svc.store.access import EngineAccess
from calendar_svc.store.rows import as_utc
from calendar_svc.store.tables import rate_limits as _t

#: Longest key accepted (keys are built by the service, never taken from a request).
MAX_KEY_CHARS = 200


def window_start(now: datetime, window: int) -> int:
    """Return the start, in seconds since the epoch, of the ``window`` holding ``now``."""
    seconds = int(as_utc(now).timestamp())
    return seconds - seconds % window


class RateLimitRepo(EngineAccess):
    """Fixed-window request counters in the ``rate_limits`` table."""

    def hit(self, key: str, *, limit: int, window: int, now: datetime) -> bool:
        """Count one request for ``key``; return whether it is within ``limit`` per window.

        Args:
            key: What is limited (``client:203.0.113.7``).
            limit: Requests allowed in one window (at least 1).
            window: Length of a window in seconds (at least 1).
            now: The moment of the request (aware).
        """
        if limit < 1 or window < 1:
            raise ValueError("a rate limit needs limit >= 1 and window >= 1")
        if not key or len(key) > MAX_KEY_CHARS:
            raise ValueError(f"a rate limit key has 1 to {MAX_KEY_CHARS} characters")
        start = window_start(now, window)
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        stmt = dialect.insert(_t).values(key=key, window_start=start, hits=1)
        same = _t.c.window_start >= stmt.excluded.window_start
        stmt = stmt.on_conflict_do_update(
            index_elements=[_t.c.key],
            set_={
                "hits": case((same, _t.c.hits + 1), else_=1),
                "window_start": case((same, _t.c.window_start), else_=stmt.excluded.window_start),
            },
        ).returning(_t.c.hits)
        with self.concurrent() as conn:
            hits = int(conn.execute(stmt).scalar_one())
        return hits <= limit

    def purge(self, *, before: datetime) -> int:
        """Delete the counters whose window started before ``before``; return how many."""
        cutoff = int(as_utc(before).timestamp())
        with self.concurrent() as conn:
            done = conn.execute(delete(_t).where(_t.c.window_start < cutoff))
        return int(done.rowcount or 0)
