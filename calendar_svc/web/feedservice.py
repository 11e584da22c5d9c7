"""The feeds a running server hands out: built in memory, published as files, refreshed.

The server builds every feed from the store on start-up and whenever the data's revision
or the window (the year) changes, checked every :data:`REFRESH_SECONDS`. Each build is
published to the feeds directory too (the same files ``calendar-svc feeds build`` writes,
which any web server can serve). Requests are answered from memory: the last complete
build. Until one build has succeeded, feeds are unavailable (HTTP 503 with Retry-After),
never empty; when a later build fails, the last complete one goes on being served and
the error shows in ``/healthz``. While the last build failed, the server tries again
every :data:`RETRY_SECONDS` instead, so it is back soon after the database is.

``/healthz`` also asks the database itself (:meth:`FeedService.probe`, at most once per
:data:`PROBE_SECONDS`), so an outage shows at once, not at the next refresh.

A feed's Last-Modified is the modification time of its published file, which changes only
when the bytes change (the ETag is a hash of the bytes). It is not the data's revision:
the window turning at New Year changes a feed without a new revision, and a client that
only sends If-Modified-Since (Apple Calendar) must still see that change.
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
    FeedSpec,
    Window,
    custom_spec,
    feed_definitions,
    feed_window,
)
from calendar_svc.feeds.publish import (
    BuiltFeed,
    FeedOptions,
    FeedPublishError,
    RenderedSnapshot,
    build_feed,
    build_feeds,
    feeds_dir,
    load_snapshot,
    publish,
    render_snapshot,
)
from calendar_svc.store.repository import AnniversaryReader
from calendar_svc.web.validators import RawHeaders, calendar_headers

log = logging.getLogger(__name__)

#: Seconds between checks of the data's revision and the window.
REFRESH_SECONDS = 30
#: Seconds between attempts while the last refresh failed (database down, say).
RETRY_SECONDS = 2.0
#: Seconds a database check made for ``/healthz`` is reused.
PROBE_SECONDS = 1.0
#: Custom (query) feeds kept rendered, most recent first.
CUSTOM_CACHE_SIZE = 64


class FeedUnavailable(CalendarSvcError):
    """No complete build of the feeds exists yet (the reason is the last build error)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"lịch tạm thời không có / feeds are unavailable: {reason}")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A feed ready to send: bytes, a strong ETag, when the bytes last changed, and the
    raw headers of its 200 and 304 answers."""

    name: str
    data: bytes
    etag: str
    last_modified: datetime
    events: int
    headers_200: RawHeaders = field(default_factory=list, compare=False, repr=False)
    headers_304: RawHeaders = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def of(cls, name: str, data: bytes, last_modified: datetime, events: int) -> Rendered:
        """Return the feed with its ETag and headers computed."""
        etag = strong_etag(data)
        full, short = calendar_headers(etag, last_modified, f"{name}.ics", len(data))
        return cls(name, data, etag, last_modified, events, full, short)


def strong_etag(data: bytes) -> str:
    """Return a strong entity tag of the bytes (a quoted 128-bit BLAKE2b digest)."""
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
    refreshed_at: datetime | None
    error: str | None


class FeedService:
    """Build, publish and hand out the feeds of one configuration.

    Thread-safe: :meth:`refresh` runs in a worker thread while requests read the current
    feeds, which are swapped in whole.
    """

    def __init__(
        self,
        settings: Settings,
        scopes: ScopeTree,
        *,
        open_reader: Callable[[], AnniversaryReader],
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.scopes = scopes
        self.specs: dict[str, FeedSpec] = {s.name: s for s in feed_definitions(scopes)}
        self.directory = feeds_dir(settings.feeds_dir)
        self.options = FeedOptions.from_settings(settings)
        self._open_reader = open_reader
        self._reader: AnniversaryReader | None = None
        self._zone = settings.timezone
        self._now = now or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._custom_lock = threading.Lock()
        self._rendered: RenderedSnapshot | None = None
        self._feeds: dict[str, Rendered] = {}
        self._custom: OrderedDict[tuple[object, ...], Rendered] = OrderedDict()
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

    def refresh(self) -> bool:
        """Rebuild and publish the feeds if the revision or the window changed.

        Errors are logged and kept for :meth:`status`; the last complete build stays.

        Returns:
            True when a new build was made.
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
        snapshot = load_snapshot(reader, window)
        rendered = render_snapshot(snapshot, self.options)
        feeds = self._publish(build_feeds(list(self.specs.values()), rendered))
        self._rendered = rendered
        self._feeds = feeds
        with self._custom_lock:
            self._custom = OrderedDict()
        self._error = None
        self._refreshed_at = self._now()
        log.info("feeds built: revision %s, window %s", snapshot.revision, window.label())
        return True

    def _publish(self, built: list[BuiltFeed]) -> dict[str, Rendered]:
        """Publish the files; return the feeds to serve with their Last-Modified."""
        now = _seconds(self._now())
        mtimes: dict[str, datetime] = {}
        try:
            for feed in publish(self.directory, built):
                stat = feed.path.stat()
                mtimes[feed.name] = _seconds(datetime.fromtimestamp(stat.st_mtime, UTC))
        except (FeedPublishError, OSError) as exc:
            # Serving from memory still works; the files are for other web servers.
            log.error("feeds not published to %s: %s", self.directory, exc)
        feeds: dict[str, Rendered] = {}
        for one in built:
            previous = self._feeds.get(one.spec.name)
            modified = mtimes.get(one.spec.name)
            if modified is None:
                same = previous is not None and previous.etag == strong_etag(one.data)
                modified = previous.last_modified if same and previous else now
            feeds[one.spec.name] = Rendered.of(
                one.spec.name, one.data, min(modified, now), one.events
            )
        return feeds

    def ready(self, name: str) -> Rendered | None:
        """Return a built feed by name, or None (unknown name, or nothing built yet)."""
        return self._feeds.get(name)

    def named(self, name: str) -> Rendered | None:
        """Return a published feed by name; None when no such feed exists.

        Raises:
            FeedUnavailable: no build has succeeded yet.
        """
        if name not in self.specs:
            return None
        feed = self._feeds.get(name)
        if feed is None:
            raise FeedUnavailable(self._error or "not built yet")
        return feed

    def custom(
        self, scope: str | None, categories: tuple[str, ...], *, round_only: bool
    ) -> Rendered:
        """Return the feed of a validated query, rendered from the current snapshot.

        Raises:
            FeedUnavailable: no build has succeeded yet.
        """
        rendered = self._rendered
        if rendered is None:
            raise FeedUnavailable(self._error or "not built yet")
        snapshot = rendered.snapshot
        key = (snapshot.revision, snapshot.window, scope, categories, round_only)
        with self._custom_lock:
            cached = self._custom.get(key)
        if cached is not None:
            return cached
        spec = custom_spec(self.scopes, scope, categories, round_only=round_only)
        built = build_feed(spec, rendered)
        feed = Rendered.of(
            "custom", built.data, _seconds(self._refreshed_at or self._now()), built.events
        )
        with self._custom_lock:
            self._custom[key] = feed
            while len(self._custom) > CUSTOM_CACHE_SIZE:
                self._custom.popitem(last=False)
        return feed

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
            feeds=len(self._feeds),
            refreshed_at=self._refreshed_at,
            error=self._error,
        )
