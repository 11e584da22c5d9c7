"""Build every feed from the store and publish them as files, atomically.

The data is read once (revision, then rows, then the revision again, so the two agree),
expanded once over the window, and each occurrence serialized once. The events of one
scope, in date order, form that scope's *block* (:class:`Block`), held once per snapshot:
a scope's feed is its frame around the blocks of the scopes it keeps (the national block,
the province's, its predecessors', its own …), in the order of their ids; the same block
serves every feed that keeps it (every commune of a province shares the province's). A
feed that also filters by category or round class is its frame around the events it
keeps, in date order (:class:`RenderedSnapshot`). The order of VEVENTs in a VCALENDAR
means nothing to a client. Feeds are assembled one at a time and staged as they come
(:func:`calendar_svc.files.replace_each`), so building thousands holds one feed in memory
at once: all the temporary files are written first, and renamed only when every one is on
disk, so a full disk or a read-only directory changes no feed at all. A feed named
``province/quang-ninh`` is written to ``province/quang-ninh.ics`` under the directory, the
path of its URL, so a static web server serves the same names. A feed whose bytes did not
change is not rewritten, so its modification time (the Last-Modified of the file,
whoever serves it) stays that of its last real change. An error never leaves an empty
or partial feed, or a temporary file, behind: the old files stay as they were.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from calendar_svc.core.model import Occurrence
from calendar_svc.core.occurrences import occurrences
from calendar_svc.errors import CalendarSvcError
from calendar_svc.feeds.definitions import FeedFilter, FeedSpec, Window
from calendar_svc.feeds.render import calendar_frame, render_events
from calendar_svc.files import FileWriteError, replace_all, replace_each

if TYPE_CHECKING:
    from calendar_svc.config import Settings
    from calendar_svc.store.repository import AnniversaryReader

log = logging.getLogger(__name__)

DEFAULT_UID_DOMAIN = "calendar-svc"
_SNAPSHOT_TRIES = 3
#: Below this many events, rendering in other processes costs more than it saves.
PARALLEL_MIN_EVENTS = 4000


class FeedPublishError(CalendarSvcError):
    """A feed file could not be written; the previous file, if any, is unchanged."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"không ghi được lịch / cannot write feed {path}: {reason}")


class SnapshotError(CalendarSvcError):
    """The data kept changing while it was being read."""

    def __init__(self) -> None:
        super().__init__(
            "dữ liệu thay đổi liên tục khi đang đọc / the data kept changing while it was "
            "read; try again"
        )


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """How feeds are rendered: language, alarm and the domain of UIDs."""

    lang: str = "vi"
    alarm_days: int = 0
    uid_domain: str = DEFAULT_UID_DOMAIN

    @classmethod
    def from_settings(cls, settings: Settings, uid_domain: str) -> FeedOptions:
        """Return the options the configuration gives, with the installation's UID domain
        (``store.meta.uid_domain()``: fixed once, never taken from ``web.base_url``)."""
        return cls(
            lang=settings.lang,
            alarm_days=settings.feeds_alarm_days,
            uid_domain=uid_domain,
        )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The occurrences of a window, read at one data revision."""

    revision: datetime
    window: Window
    occurrences: tuple[Occurrence, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """The serialized events of one scope, in date order, and a digest of those bytes."""

    data: bytes
    events: int
    #: A 128-bit BLAKE2b digest of :attr:`data`.
    digest: bytes


@dataclass(frozen=True, slots=True)
class RenderedSnapshot:
    """A snapshot with every occurrence's VEVENT bytes (parallel to its occurrences), the
    positions of each scope's occurrences, in order, and each scope's block."""

    snapshot: Snapshot
    events: tuple[bytes, ...]
    by_scope: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    #: A 128-bit BLAKE2b digest of each event's bytes (for ETags without rehashing).
    digests: tuple[bytes, ...] = ()
    #: Each scope's block, for the scopes that have events.
    blocks: Mapping[str, Block] = field(default_factory=dict)

    @classmethod
    def of(cls, snapshot: Snapshot, events: Sequence[bytes]) -> RenderedSnapshot:
        """Return the rendered snapshot with its index by scope, its event digests and
        its blocks."""
        index: dict[str, list[int]] = {}
        for n, occ in enumerate(snapshot.occurrences):
            index.setdefault(occ.anniversary.scope, []).append(n)
        by_scope = {scope: tuple(found) for scope, found in index.items()}
        digests = tuple(hashlib.blake2b(e, digest_size=16).digest() for e in events)
        blocks = {}
        for scope, found in by_scope.items():
            data = b"".join([events[n] for n in found])
            blocks[scope] = Block(data, len(found), hashlib.blake2b(data, digest_size=16).digest())
        return cls(snapshot, tuple(events), by_scope, digests, blocks)

    def block_scopes(self, filt: FeedFilter) -> list[str]:
        """Return the scopes whose blocks a feed by blocks (``filt.by_blocks``) holds, in
        the order it holds them: by id."""
        if filt.scopes is None:
            return sorted(self.blocks)
        blocks = self.blocks
        return sorted(s for s in filt.scopes if s in blocks)

    def positions(self, spec: FeedSpec) -> list[int]:
        """Return the positions of the occurrences ``spec`` keeps, in the feed's order:
        block after block for a feed by blocks, else the snapshot's (date) order."""
        filt = spec.filter
        if filt.by_blocks:
            by_scope = self.by_scope
            return [n for s in self.block_scopes(filt) for n in by_scope[s]]
        occs = self.snapshot.occurrences
        candidates: Iterable[int]
        if filt.scopes is None:
            candidates = range(len(occs))
        else:
            # Each list is sorted: timsort merges the runs in C, faster than heapq.merge.
            candidates = sorted(itertools.chain(*(self.by_scope.get(s, ()) for s in filt.scopes)))
        keeps = filt.keeps
        return [n for n in candidates if keeps(occs[n])]


#: A feed of more parts than this is joined into one (``writev`` takes at most 1,024).
MAX_PARTS = 512


@dataclass(frozen=True, slots=True)
class BuiltFeed:
    """One rendered feed: its bytes are the concatenation of its parts (its frame's head,
    blocks or events, its frame's tail), which share the snapshot's bytes."""

    spec: FeedSpec
    parts: tuple[bytes, ...]
    events: int
    #: A digest of the bytes, from the frame and the blocks' or events' digests: equal
    #: digests, equal bytes (the strong ETag of the service).
    digest: str = ""

    @property
    def data(self) -> bytes:
        """Return the feed's bytes (joined on each call)."""
        return self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)

    @property
    def size(self) -> int:
        """Return the length of the feed's bytes."""
        return sum(map(len, self.parts))


@dataclass(frozen=True, slots=True)
class PublishedFeed:
    """What publishing did with one feed."""

    name: str
    path: Path
    events: int
    size: int
    written: bool


def feeds_dir(configured: str) -> Path:
    """Return the configured feeds directory, or ``feeds`` beside the default database."""
    if configured:
        return Path(configured).expanduser()
    from calendar_svc.store.open import default_sqlite_path

    return default_sqlite_path().parent / "feeds"


def load_snapshot(reader: AnniversaryReader, window: Window) -> Snapshot:
    """Read every anniversary at one revision and expand it over the window.

    Raises:
        SnapshotError: the revision moved during each of three reads.
        calendar_svc.store.StoreError: the database cannot be read.
    """
    for _ in range(_SNAPSHOT_TRIES):
        before = reader.revision()
        rows = reader.anniversaries()
        if reader.revision() == before:
            found = occurrences(rows, window.start, window.end)
            return Snapshot(before, window, tuple(found))
    raise SnapshotError


def _render_part(
    part: Sequence[Occurrence], revision: datetime, options: FeedOptions
) -> list[bytes]:
    return render_events(
        part,
        revision=revision,
        lang=options.lang,
        alarm_days=options.alarm_days,
        uid_domain=options.uid_domain,
    )


def render_snapshot(
    snapshot: Snapshot, options: FeedOptions, *, workers: int = 1
) -> RenderedSnapshot:
    """Serialize every occurrence of the snapshot once, for all the feeds that keep it.

    Args:
        snapshot: The occurrences and their revision.
        options: Language, alarm and UID domain.
        workers: Processes to share the work among when there are at least
            :data:`PARALLEL_MIN_EVENTS` events (forked, so only from a single-threaded
            program such as the CLI); 1 renders in this process.
    """
    occs = snapshot.occurrences
    if workers <= 1 or len(occs) < PARALLEL_MIN_EVENTS or not _can_fork():
        return RenderedSnapshot.of(snapshot, _render_part(occs, snapshot.revision, options))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(occs) // workers)
    parts = [occs[i : i + size] for i in range(0, len(occs), size)]
    render = functools.partial(_render_part, revision=snapshot.revision, options=options)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(parts), mp_context=context) as pool:
        chunks = [chunk for part in pool.map(render, parts) for chunk in part]
    return RenderedSnapshot.of(snapshot, chunks)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def build_feed(spec: FeedSpec, rendered: RenderedSnapshot) -> BuiltFeed:
    """Assemble one feed from the snapshot's serialized events.

    A feed by blocks (``spec.filter.by_blocks``) is its frame around references to the
    blocks of its scopes, copying no event; any other feed joins the events it keeps into one part.
    The bytes equal :func:`~calendar_svc.feeds.render.render_calendar` of
    ``spec.select(occurrences)`` (a test holds them to it).
    """
    snapshot = rendered.snapshot
    head, tail = calendar_frame(spec.title, feed_description(spec, snapshot.window))
    digest = hashlib.blake2b(head + tail, digest_size=16)
    if spec.filter.by_blocks:
        blocks = [rendered.blocks[s] for s in rendered.block_scopes(spec.filter)]
        digest.update(b"".join([b.digest for b in blocks]))
        parts: tuple[bytes, ...] = (head, *(b.data for b in blocks), tail)
        if len(parts) > MAX_PARTS:
            parts = (b"".join(parts),)
        return BuiltFeed(spec, parts, sum(b.events for b in blocks), digest.hexdigest())
    positions = rendered.positions(spec)
    events: tuple[bytes, ...] = ()
    digests: tuple[bytes, ...] = ()
    if positions:
        pick = operator.itemgetter(*positions, positions[0])  # always a tuple
        events, digests = pick(rendered.events)[:-1], pick(rendered.digests)[:-1]
    digest.update(b"".join(digests))
    data = b"".join([head, *events, tail])
    return BuiltFeed(spec, (data,), len(positions), digest.hexdigest())


def feed_description(spec: FeedSpec, window: Window) -> str:
    """Return the calendar description of a feed: its own, then the window."""
    return f"{spec.description}. Từ {window.label()}."


def build_feeds(specs: Sequence[FeedSpec], rendered: RenderedSnapshot) -> list[BuiltFeed]:
    """Assemble every feed, in memory."""
    return [build_feed(spec, rendered) for spec in specs]


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _replace_changed(files: Mapping[Path, bytes]) -> set[Path]:
    """Replace the files whose bytes changed, all staged before any is renamed.

    Returns:
        The paths written.

    Raises:
        FeedPublishError: a file cannot be written (no feed changed when staging failed),
            or a feed is empty.
    """
    for path, data in files.items():
        if not data:
            raise FeedPublishError(path, "refusing to publish an empty feed")
    changed = {path: data for path, data in files.items() if not _unchanged(path, data)}
    try:
        replace_all(changed)
    except FileWriteError as exc:
        raise FeedPublishError(exc.path, exc.reason) from exc
    return set(changed)


def publish_file(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` atomically; do nothing when the bytes are the same.

    Returns:
        True when the file was written, False when it already held these bytes.

    Raises:
        FeedPublishError: the file cannot be written (the old one is left as it was), or
            ``data`` is empty.
    """
    return bool(_replace_changed({path: data}))


def feed_path(out_dir: Path, name: str) -> Path:
    """Return the file of the feed ``name`` under ``out_dir``: ``<name>.ics``."""
    return out_dir.joinpath(*name.split("/")).with_name(f"{name.rsplit('/', 1)[-1]}.ics")


def publish(out_dir: Path, feeds: Iterable[BuiltFeed]) -> list[PublishedFeed]:
    """Write each built feed to ``out_dir/<name>.ics``, atomically, skipping unchanged ones.

    ``feeds`` may be a generator: each feed is staged as it comes and then dropped, so
    only one feed's bytes are held at a time.

    All or nothing, as far as a file system allows: every changed feed is first written
    in full to a temporary file beside its target and synced; only when all of them are
    on disk are they renamed over the old files (a rename needs no space). A full disk or
    a read-only directory therefore leaves every previous feed as it was, and no
    temporary file behind.

    Raises:
        FeedPublishError: the directory or a file cannot be written.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FeedPublishError(out_dir, exc.strerror or str(exc)) from exc
    done: list[PublishedFeed] = []

    def changed() -> Iterator[tuple[Path, bytes]]:
        for feed in feeds:
            path = feed_path(out_dir, feed.spec.name)
            data = feed.data
            if not data:
                raise FeedPublishError(path, "refusing to publish an empty feed")
            write = not _unchanged(path, data)
            done.append(PublishedFeed(feed.spec.name, path, feed.events, len(data), write))
            if write:
                yield path, data

    try:
        replace_each(changed())
    except FileWriteError as exc:
        raise FeedPublishError(exc.path, exc.reason) from exc
    for feed in done:
        if feed.written:
            log.info("published %s (%d events, %d bytes)", feed.path, feed.events, feed.size)
    return done


@dataclass(frozen=True, slots=True)
class PublishReport:
    """The result of :func:`build_and_publish`."""

    directory: Path
    window: Window
    revision: datetime
    feeds: tuple[PublishedFeed, ...]


def build_and_publish(
    reader: AnniversaryReader,
    specs: Sequence[FeedSpec],
    window: Window,
    out_dir: Path,
    options: FeedOptions,
    *,
    workers: int = 1,
) -> PublishReport:
    """Read the data, render every event once, then assemble and publish every feed.

    No feed is replaced unless every feed was assembled and staged. ``workers`` as for
    :func:`render_snapshot`.
    """
    snapshot = load_snapshot(reader, window)
    rendered = render_snapshot(snapshot, options, workers=workers)
    published = publish(out_dir, (build_feed(spec, rendered) for spec in specs))
    return PublishReport(out_dir, window, snapshot.revision, tuple(published))
