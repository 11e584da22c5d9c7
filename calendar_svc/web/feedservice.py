"""The feeds a running server hands out: assembled on request from shared event bytes.

The server reads the data and renders every occurrence of the window once, on start-up
and whenever the data's revision or the window (the year) changes, checked every
:data:`REFRESH_SECONDS`. A feed (any scope of the registry, a category, ``round``,
``all``, or a query's ``custom`` feed) is then assembled when it is asked for: its frame
around the bytes of the events it keeps, found through the snapshot's index by scope.
A scope's feed is its frame and references to the snapshot's blocks (one per scope: the
national block, the province's, its predecessors' …, shared by every feed that keeps that
scope), so assembling it copies no event and it costs about 2 KB: every scope of the
country stays in the cache at once. Assembled feeds are kept in a cache keyed by
(revision, window, feed), bounded by the bytes they hold besides the blocks
(:data:`CACHE_BYTES`, least recently used first out). The server writes a feed's parts
as they are (``transport.writelines``, one ``writev``: see
:mod:`calendar_svc.web.protocol`).

Until one refresh has succeeded, feeds are unavailable (HTTP 503 with Retry-After), never
empty; when a later refresh fails, the last complete snapshot goes on being served and
the error shows in ``/healthz``. While the last refresh failed, the server tries again
every :data:`RETRY_SECONDS` instead, so it is back soon after the database is.
``/healthz`` also asks the database itself (:meth:`FeedService.probe`, at most once per
:data:`PROBE_SECONDS`), so an outage shows at once, not at the next refresh.

The ETag is a strong hash of a feed's bytes, computed from its frame and the digests of
its blocks (or events), which the snapshot computes once. Last-Modified is when those bytes first
came to be: kept from the previous snapshot while a feed's bytes stay the same (editing a
Cẩm Phả row leaves the national feed's ETag and Last-Modified as they were), else the
moment the snapshot took effect (the data's revision, or the local New Year that moved
the window). A client that only sends If-Modified-Since (Apple Calendar) therefore sees
every change. Static copies for another web server come from ``calendar-svc feeds
build``; the server itself writes no file.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from calendar_svc.config import Settings
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.errors import CalendarSvcError
from calendar_svc.feeds.definitions import (
    FeedCatalog,
    FeedSpec,
    Window,
    custom_spec,
    feed_window,
)
from calendar_svc.feeds.publish import (
    FeedOptions,
    RenderedSnapshot,
    build_feed,
    load_snapshot,
    render_snapshot,
)
from calendar_svc.store.repository import AnniversaryReader
from calendar_svc.web.validators import RawHeaders, calendar_headers

log = logging.getLogger(__name__)

#: The key of the running app's feed service in the ASGI lifespan state (where the HTTP
#: protocol of ``serve`` finds it).
FEEDS_STATE = "calendar_svc.feeds"
#: Seconds between checks of the data's revision and the window.
REFRESH_SECONDS = 30
#: Seconds between attempts while the last refresh failed (database down, say).
RETRY_SECONDS = 2.0
#: Seconds a database check made for ``/healthz`` is reused.
PROBE_SECONDS = 1.0
#: Bytes of assembled feeds the cache keeps besides the snapshot's blocks: a scope's feed
#: costs its frame (about 2 KB), so every scope of the country fits; a feed filtered by
#: category or round class costs its bytes.
CACHE_BYTES = 64 * 1024 * 1024


class FeedUnavailable(CalendarSvcError):
    """No complete build of the feeds exists yet (the reason is the last build error)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"lịch tạm thời không có / feeds are unavailable: {reason}")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A feed ready to send: its parts (bytes whose concatenation is the feed, shared with
    the snapshot), a strong ETag, when the bytes last changed, and the raw headers of its
    200 and 304 answers, as pairs and as header lines."""

    name: str
    parts: tuple[bytes, ...]
    etag: str
    last_modified: datetime
    events: int
    length: int = 0
    headers_200: RawHeaders = field(default_factory=list, compare=False, repr=False)
    headers_304: RawHeaders = field(default_factory=list, compare=False, repr=False)
    #: ``name: value\r\n`` lines of :attr:`headers_200` (and of :attr:`headers_304`).
    lines_200: bytes = field(default=b"", compare=False, repr=False)
    lines_304: bytes = field(default=b"", compare=False, repr=False)

    @classmethod
    def of(
        cls,
        name: str,
        parts: bytes | tuple[bytes, ...],
        last_modified: datetime,
        events: int,
        etag: str = "",
    ) -> Rendered:
        """Return the feed with its ETag (computed unless given) and headers."""
        if isinstance(parts, bytes):
            parts = (parts,)
        length = sum(map(len, parts))
        etag = etag or strong_etag(b"".join(parts))
        filename = f"{name.rsplit('/', 1)[-1]}.ics"
        full, short = calendar_headers(etag, last_modified, filename, length)
        return cls(
            name,
            parts,
            etag,
            last_modified,
            events,
            length,
            full,
            short,
            _lines(full),
            _lines(short),
        )

    @property
    def data(self) -> bytes:
        """Return the feed's bytes (joined on each call when it has several parts)."""
        return self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)

    @property
    def own_bytes(self) -> int:
        """Return the bytes this feed holds that the snapshot does not (what the cache
        counts): all of them for one part; only its frame when it references blocks."""
        if len(self.parts) == 1:
            return self.length + _OVERHEAD
        return len(self.parts[0]) + len(self.parts[-1]) + 8 * len(self.parts) + _OVERHEAD


#: What a cached feed costs besides its bytes: objects, headers, the cache's own entry.
_OVERHEAD = 1024


def _lines(headers: RawHeaders) -> bytes:
    return b"".join([b"%s: %s\r\n" % pair for pair in headers])


def strong_etag(data: bytes) -> str:
    """Return a strong entity tag of the bytes (a quoted 128-bit BLAKE2b digest).

    Assembled feeds use :attr:`~calendar_svc.feeds.publish.BuiltFeed.digest` instead (the
    same strength, from the events' digests), which costs no pass over the bytes.
    """
    return f'"{hashlib.blake2b(data, digest_size=16).hexdigest()}"'


def _seconds(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Status:
    """What ``/healthz`` reports."""

    ok: bool
    revision: datetime | None
    window: Window | None
    feeds: int
    events: int
    refreshed_at: datetime | None
    error: str | None


class FeedService:
    """Refresh the snapshot of one configuration and assemble its feeds on request.

    Thread-safe: :meth:`refresh` runs in a worker thread while requests read the current
    snapshot, which is swapped in whole; the cache has its own lock.
    """

    def __init__(
        self,
        settings: Settings,
        scopes: ScopeTree,
        *,
        open_reader: Callable[[], AnniversaryReader],
        resolve_uid_domain: Callable[[AnniversaryReader], str] | None = None,
        now: Callable[[], datetime] | None = None,
        cache_bytes: int = CACHE_BYTES,
    ) -> None:
        self.settings = settings
        self.scopes = scopes
        self.catalog = FeedCatalog(scopes)
        self._open_reader = open_reader
        self._resolve_uid_domain = resolve_uid_domain or default_uid_domain(settings)
        self._options: FeedOptions | None = None
        self._reader: AnniversaryReader | None = None
        self._zone = settings.timezone
        self._now = now or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._rendered: RenderedSnapshot | None = None
        self._since: datetime | None = None
        self._cache: OrderedDict[tuple[object, ...], Rendered] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached = 0
        #: Per named feed: the ETag and Last-Modified it was last served with.
        self._seen: dict[str, tuple[str, datetime]] = {}
        self._error: str | None = "not built yet"
        self._refreshed_at: datetime | None = None
        self._probe_lock = threading.Lock()
        self._probed: tuple[float, str | None] | None = None

    def today(self) -> date:
        """Return today's date in the configured time zone."""
        return self._now().astimezone(self._zone).date()

    def reader(self) -> AnniversaryReader:
        """Return the store's reader, opened on first use (and again after a failure)."""
        if self._reader is None:
            self._reader = self._open_reader()
        return self._reader

    def window(self) -> Window:
        """Return the window of today."""
        s = self.settings
        return feed_window(self.today(), s.feeds_years_back, s.feeds_years_ahead)

    def options(self) -> FeedOptions:
        """Return how events are rendered; the UID domain is read (or fixed) once."""
        if self._options is None:
            s = self.settings
            self._options = FeedOptions.from_settings(s, self._resolve_uid_domain(self.reader()))
        return self._options

    def refresh(self) -> bool:
        """Read and render the data again if the revision or the window changed.

        Errors are logged and kept for :meth:`status`; the last complete snapshot stays.

        Returns:
            True when a new snapshot was made.
        """
        with self._lock:
            try:
                return self._refresh()
            except CalendarSvcError as exc:
                self._error = str(exc)
                self._reader = None
                log.error("feeds not refreshed: %s", exc)
                return False
            except Exception as exc:
                self._error = f"{type(exc).__name__}: {exc}"
                self._reader = None
                log.exception("feeds not refreshed")
                return False

    def _refresh(self) -> bool:
        window = self.window()
        reader = self.reader()
        current = self._rendered.snapshot if self._rendered else None
        if (
            current is not None
            and current.window == window
            and current.revision == reader.revision()
        ):
            self._error = None
            return False
        options = self.options()
        snapshot = load_snapshot(reader, window)
        rendered = render_snapshot(snapshot, options)
        new_year = datetime(self.today().year, 1, 1, tzinfo=self._zone).astimezone(UTC)
        since = _seconds(max(snapshot.revision, new_year))
        with self._cache_lock:
            self._rendered = rendered
            self._since = min(since, _seconds(self._now()))
            self._cache.clear()
            self._cached = 0
        self._error = None
        self._refreshed_at = self._now()
        log.info(
            "feeds ready: revision %s, window %s, %d events",
            snapshot.revision,
            window.label(),
            len(rendered.events),
        )
        return True

    def _current(self) -> tuple[RenderedSnapshot, datetime]:
        rendered, since = self._rendered, self._since
        if rendered is None or since is None:
            raise FeedUnavailable(self._error or "not built yet")
        return rendered, since

    def resolve(self, name: str) -> FeedSpec | None:
        """Return the feed a name (of a URL) stands for, or None."""
        return self.catalog.resolve(name)

    def named(self, name: str) -> Rendered | None:
        """Return the feed of a name: a scope, a category, ``round`` or ``all``.

        Returns:
            The feed, or None when no feed has that name.

        Raises:
            FeedUnavailable: no refresh has succeeded yet.
        """
        current = self._rendered
        if current is not None:  # the hot path: a feed asked for by its own name
            hit = self._cached_feed((current.snapshot.revision, current.snapshot.window, name))
            if hit is not None:
                return hit
        spec = self.catalog.resolve(name)
        if spec is None:
            return None
        rendered, since = self._current()
        return self._assembled(spec, rendered, since, remember=True)

    def _cached_feed(self, key: tuple[object, ...]) -> Rendered | None:
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
            return cached

    def custom(
        self, scope: str | None, categories: tuple[str, ...], *, round_only: bool
    ) -> Rendered:
        """Return the feed of a validated query.

        Raises:
            FeedUnavailable: no refresh has succeeded yet.
        """
        rendered, since = self._current()
        spec = custom_spec(self.scopes, scope, categories, round_only=round_only)
        return self._assembled(spec, rendered, since, remember=False)

    def _assembled(
        self, spec: FeedSpec, rendered: RenderedSnapshot, since: datetime, *, remember: bool
    ) -> Rendered:
        snapshot = rendered.snapshot
        # A named feed's name decides its contents within a snapshot; a query's, its filter.
        what: object = spec.name if remember else spec.filter
        key = (snapshot.revision, snapshot.window, what)
        cached = self._cached_feed(key)
        if cached is not None:
            return cached
        built = build_feed(spec, rendered)
        etag = f'"{built.digest}"'
        modified = since
        if remember:
            seen = self._seen.get(spec.name)
            if seen is not None and seen[0] == etag:
                modified = seen[1]
            self._seen[spec.name] = (etag, modified)
        feed = Rendered.of(spec.name, built.parts, modified, built.events, etag)
        cost = feed.own_bytes
        with self._cache_lock:
            if self._rendered is rendered and cost <= self._cache_bytes:
                self._cache[key] = feed
                self._cached += cost
                while self._cached > self._cache_bytes:
                    _, old = self._cache.popitem(last=False)
                    self._cached -= old.own_bytes
        return feed

    def cache_usage(self) -> tuple[int, int]:
        """Return the number of cached feeds and their bytes."""
        with self._cache_lock:
            return len(self._cache), self._cached

    def probe(self) -> str | None:
        """Check that the database answers; return the failure, or None when it does.

        The answer is reused for :data:`PROBE_SECONDS`, so a busy health check does not
        become a load on the database; callers at the same moment share one check.
        """
        with self._probe_lock:
            if self._probed is not None and time.monotonic() - self._probed[0] < PROBE_SECONDS:
                return self._probed[1]
            error: str | None = None
            try:
                self.reader().revision()
            except CalendarSvcError as exc:
                error = str(exc)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
            if error is not None:
                self._reader = None  # open it again next time
                if self._probed is None or self._probed[1] != error:
                    log.warning("database check failed: %s", error)
            self._probed = (time.monotonic(), error)
            return error

    def status(self) -> Status:
        """Return the state of the last refresh."""
        snapshot = self._rendered.snapshot if self._rendered else None
        return Status(
            ok=self._error is None and snapshot is not None,
            revision=snapshot.revision if snapshot else None,
            window=snapshot.window if snapshot else None,
            feeds=len(self.catalog.fixed) + len(self.scopes.ids()) if self._rendered else 0,
            events=len(self._rendered.events) if self._rendered else 0,
            refreshed_at=self._refreshed_at,
            error=self._error,
        )


def default_uid_domain(settings: Settings) -> Callable[[AnniversaryReader], str]:
    """Return how a service finds the installation's UID domain: through the store it
    reads when that can write, else through the configured database."""

    def resolve(reader: AnniversaryReader) -> str:
        from calendar_svc.store.access import EngineAccess
        from calendar_svc.store.installation import uid_domain
        from calendar_svc.store.open import open_store

        if isinstance(reader, EngineAccess):
            return uid_domain(reader, settings.web_base_url)
        with open_store(settings.database_url or None) as store:
            return store.meta.uid_domain(settings.web_base_url)

    return resolve
