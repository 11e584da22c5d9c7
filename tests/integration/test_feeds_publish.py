"""Feeds built from a real SQLite store, written to disk and read back by three parsers.

The parsers are independent: icalendar (the builder's own library), ``ical`` (PyPI, a
strict pydantic-based parser) and Mozilla's ical.js (the parser inside Thunderbird and
Nextcloud) run by Node. Each must read every feed without error and find exactly the
occurrences the core computed: UIDs, dates and counts.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream
from js_support import parse_with_ical_js

from calendar_svc.catalog import DATASET_REVISION, load_scopes
from calendar_svc.core.occurrences import month_range, occurrences
from calendar_svc.feeds import render_calendar
from calendar_svc.feeds.check import check_bytes
from calendar_svc.feeds.definitions import FeedSpec, feed_definitions, feed_window, scope_feed_name
from calendar_svc.feeds.publish import (
    PARALLEL_MIN_EVENTS,
    FeedOptions,
    FeedPublishError,
    Snapshot,
    build_and_publish,
    build_feed,
    feed_description,
    load_snapshot,
    publish_file,
    render_snapshot,
)
from calendar_svc.feeds.render import event_summary, event_uid
from calendar_svc.services.listing import ListingQuery, list_occurrences
from calendar_svc.store.anniversaries import AnniversaryRepo
from calendar_svc.store.errors import StoreError
from calendar_svc.store.open import open_store
from calendar_svc.web.feedservice import FeedService, FeedUnavailable
from helpers import make

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
TODAY = date(2026, 11, 26)
WINDOW = feed_window(TODAY, 1, 5)
OPTIONS = FeedOptions(uid_domain="lich.example.vn")


def feed_files(directory: Path) -> dict[str, Path]:
    """Return the .ics files under ``directory`` by feed name (``province/quang-ninh``)."""
    return {
        str(p.relative_to(directory))[: -len(".ics")]: p for p in sorted(directory.rglob("*.ics"))
    }


@pytest.fixture
def store(tmp_path: Path) -> AnniversaryRepo:
    return open_store(f"sqlite:///{tmp_path / 'calendar.sqlite3'}").anniversaries


@pytest.fixture
def published(store: AnniversaryRepo, tmp_path: Path) -> Path:
    out = tmp_path / "feeds"
    build_and_publish(store, sample_definitions(), WINDOW, out, OPTIONS)
    return out


#: Scope feeds read back in full: the registry has some 4,100 (each is built on request).
SAMPLE_SCOPES = (
    "national",
    "province:quang-ninh",
    "province:quang-tri",
    "district:quang-ninh/cam-pha",
    "commune:quang-ninh/cua-ong",
)


def sample_definitions() -> list[FeedSpec]:
    """Return the fixed feeds and the scope feeds of :data:`SAMPLE_SCOPES`."""
    specs = feed_definitions(load_scopes())
    wanted = {scope_feed_name(s) for s in SAMPLE_SCOPES}
    return [s for s in specs if s.kind != "scope" or s.name in wanted]


def expected_events(store: AnniversaryRepo, spec_name: str) -> list[tuple[str, date, date, str]]:
    """Return (UID, start, end, summary) of every occurrence the core computes for a feed."""
    spec = {s.name: s for s in sample_definitions()}[spec_name]
    occs = spec.select(occurrences(store.anniversaries(), WINDOW.start, WINDOW.end))
    return [
        (event_uid(o, OPTIONS.uid_domain), o.date, o.last_day + timedelta(days=1), event_summary(o))
        for o in occs
    ]


def test_every_feed_reads_back_equal_with_three_parsers(
    store: AnniversaryRepo, published: Path
) -> None:
    files = feed_files(published)
    assert set(files) == {s.name for s in sample_definitions()}
    paths = list(files.values())
    by_js = parse_with_ical_js(paths)
    for name, path in files.items():
        data = path.read_bytes()
        want = expected_events(store, name)
        assert want, f"{path.name} is empty"
        assert check_bytes(data, path.name).ok

        cal = icalendar.Calendar.from_ical(data)
        got = [
            (str(e["uid"]), e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"]))
            for e in cal.walk("VEVENT")
        ]
        assert got == want, path.name
        assert {e.decoded("dtstamp") for e in cal.walk("VEVENT")} == {DATASET_REVISION}

        strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
        got_strict = [(e.uid, e.dtstart, e.dtend, e.summary) for e in strict.events]
        assert got_strict == want, path.name

        js = by_js[str(path)]
        got_js = [
            (e["uid"], date.fromisoformat(e["start"]), date.fromisoformat(e["end"]), e["summary"])
            for e in js["events"]
        ]
        assert got_js == want, path.name
        assert all(e["startIsDate"] and e["endIsDate"] for e in js["events"])
        assert js["method"] == "PUBLISH" and js["refresh"] == "P1D"


def test_counts_in_summaries_are_the_cores(store: AnniversaryRepo, published: Path) -> None:
    cal = icalendar.Calendar.from_ical(
        (published / "district" / "quang-ninh" / "cam-pha.ics").read_bytes()
    )
    summaries = {str(e["uid"]): str(e["summary"]) for e in cal.walk("VEVENT")}
    assert summaries["thanh-lap-dang-2026@lich.example.vn"] == (
        "Kỷ niệm 96 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2026)"
    )
    assert summaries["thanh-lap-dang-2030@lich.example.vn"].startswith("Kỷ niệm 100 năm ")
    assert "thanh-lap-dang-2024@lich.example.vn" not in summaries  # before the window
    round_cal = icalendar.Calendar.from_ical((published / "round.ics").read_bytes())
    for event in round_cal.walk("VEVENT"):
        cats = event.get("categories")
        labels = [str(c) for c in cats.cats] if cats else []
        assert "năm tròn" in labels or "năm lẻ 5" in labels, event["summary"]


def test_two_builds_are_byte_identical_and_the_second_writes_nothing(
    store: AnniversaryRepo, published: Path, tmp_path: Path
) -> None:
    before = {
        name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for name, p in feed_files(published).items()
    }
    report = build_and_publish(store, sample_definitions(), WINDOW, published, OPTIONS)
    assert not any(f.written for f in report.feeds)
    after = {
        name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for name, p in feed_files(published).items()
    }
    assert after == before
    other = tmp_path / "again"
    build_and_publish(store, sample_definitions(), WINDOW, other, OPTIONS)
    assert {name: p.read_bytes() for name, p in feed_files(other).items()} == {
        k: v[0] for k, v in before.items()
    }
    left = sorted(str(p.relative_to(published)) for p in published.rglob("*") if p.is_file())
    assert left == sorted(f"{name}.ics" for name in before)  # no temporary files left


def test_a_data_change_rewrites_only_the_feeds_it_touches(
    store: AnniversaryRepo, published: Path
) -> None:
    store.add(
        make("phuong-moi", "2020-07-01", category="dia-phuong", scope="city:cam-pha"),
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    report = build_and_publish(store, sample_definitions(), WINDOW, published, OPTIONS)
    written = {f.name for f in report.feeds if f.written}
    # DTSTAMP is the row's own revision: only the feeds that hold the new row change.
    # 2025 is năm lẻ 5: in round; Quảng Ninh holds its units' rows.
    assert written == {
        "all",
        "district/quang-ninh/cam-pha",
        "province/quang-ninh",
        "commune/quang-ninh/cua-ong",
        "dia-phuong",
        "round",
    }
    data = (published / "dia-phuong.ics").read_bytes()
    assert b"UID:phuong-moi-2025@lich.example.vn" in data
    assert data.count(b"DTSTAMP:20270101T000000Z") == data.count(b"UID:phuong-moi-")
    assert b"phuong-moi" not in (published / "province" / "quang-tri.ics").read_bytes()


def test_february_2023_golden_snapshot(store: AnniversaryRepo) -> None:
    query = ListingQuery(*month_range(2023, 2), scope="city:cam-pha")
    occs = list_occurrences(store, load_scopes(), query)
    data = render_calendar(
        occs,
        name="Lịch kỷ niệm: Thành phố Cẩm Phả",
        description="Ngày kỷ niệm tháng 02/2023 của Thành phố Cẩm Phả",
        revision=store.revision(),
        uid_domain="lich.example.vn",
    )
    golden = GOLDEN / "feeds-2023-02-cam-pha.ics"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_bytes(data)
    assert data == golden.read_bytes()
    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")]
    for line in (
        "Kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)",
        "Kỷ niệm 44 năm Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc (17/02/1979 - 17/02/2023)",
        "Kỷ niệm 68 năm Ngày Thầy thuốc Việt Nam (27/02)",
        "Kỷ niệm 110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)",
        "Kỷ niệm 11 năm Ngày thành lập Thành phố Cẩm Phả (21/02/2012 - 21/02/2023)",
    ):
        assert line in summaries


# --- atomic publishing ----------------------------------------------------------------


def test_publish_file_skips_identical_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.ics"
    assert publish_file(path, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    mtime = path.stat().st_mtime_ns
    assert not publish_file(path, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert path.stat().st_mtime_ns == mtime
    assert publish_file(path, b"other")
    assert path.read_bytes() == b"other"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "feed.ics"
    target.mkdir()  # os.replace of a file onto a directory fails
    (target / "keep").write_text("x")
    with pytest.raises(FeedPublishError, match=r"feed\.ics"):
        publish_file(target, b"data")
    assert sorted(os.listdir(tmp_path)) == ["feed.ics"]
    with pytest.raises(FeedPublishError, match="empty"):
        publish_file(tmp_path / "empty.ics", b"")
    assert not (tmp_path / "empty.ics").exists()


class BrokenReader:
    """A reader whose rows cannot be read (the store's contract: StoreError)."""

    def __init__(self, inner: AnniversaryRepo | None = None) -> None:
        self.inner = inner
        self.broken = inner is None

    def revision(self) -> datetime:
        if self.broken or self.inner is None:
            return datetime(2027, 6, 1, tzinfo=UTC)
        return self.inner.revision()

    def anniversaries(self, **kwargs: object) -> list:
        if self.broken or self.inner is None:
            raise StoreError("sqlite:///broken", "disk I/O error", action="read")
        return self.inner.anniversaries(**kwargs)  # type: ignore[arg-type]


def test_a_read_error_writes_nothing(published: Path) -> None:
    before = {name: p.read_bytes() for name, p in feed_files(published).items()}
    with pytest.raises(StoreError):
        build_and_publish(BrokenReader(), sample_definitions(), WINDOW, published, OPTIONS)  # type: ignore[arg-type]
    assert {name: p.read_bytes() for name, p in feed_files(published).items()} == before


# --- the server's feed service ---------------------------------------------------------


def service_for(store: AnniversaryRepo, tmp_path: Path, reader=None) -> FeedService:
    from calendar_svc.config import Settings

    settings = Settings(feeds_dir=str(tmp_path / "served"), web_base_url="https://lich.example.vn")
    return FeedService(
        settings,
        load_scopes(),
        open_reader=lambda: reader or store,
        resolve_uid_domain=lambda _: "lich.example.vn",
        now=lambda: datetime(2026, 11, 26, 3, 0, tzinfo=UTC),
    )


def test_service_rebuilds_on_a_data_change_only(store: AnniversaryRepo, tmp_path: Path) -> None:
    service = service_for(store, tmp_path)
    assert service.refresh()
    first = service.named("district/quang-ninh/cam-pha")
    assert first is not None
    assert not (tmp_path / "served").exists()  # the server writes no file
    assert service.named("cam-pha") is first  # the earlier name, the same feed
    assert service.named("city:cam-pha") is first
    assert not service.refresh()
    assert service.named("district/quang-ninh/cam-pha") is first
    store.add(make("moi", "2000-03-01", scope="city:cam-pha"), now=datetime(2027, 1, 1, tzinfo=UTC))
    assert service.refresh()
    second = service.named("district/quang-ninh/cam-pha")
    assert second is not None and second.etag != first.etag
    assert b"UID:moi-2026@lich.example.vn" in second.data
    assert service.named("nope") is None


def test_service_never_serves_an_empty_feed(store: AnniversaryRepo, tmp_path: Path) -> None:
    broken = service_for(store, tmp_path, reader=BrokenReader())
    assert not broken.refresh()
    with pytest.raises(FeedUnavailable, match="disk I/O error"):
        broken.named("all")
    with pytest.raises(FeedUnavailable):
        broken.custom("city:cam-pha", (), round_only=False)
    assert not broken.status().ok
    assert not (tmp_path / "served" / "all.ics").exists()


def test_service_keeps_the_last_complete_build_when_a_refresh_fails(
    store: AnniversaryRepo, tmp_path: Path
) -> None:
    reader = BrokenReader(store)
    reader.broken = False
    service = service_for(store, tmp_path, reader=reader)
    assert service.refresh()
    good = service.named("all")
    reader.broken = True
    assert not service.refresh()
    assert service.named("all") is good
    status = service.status()
    assert not status.ok and "disk I/O error" in (status.error or "")
    reader.broken = False
    assert not service.refresh()  # same revision as the good build: nothing to do
    assert service.status().ok


def test_assembled_feeds_equal_render_calendar(store: AnniversaryRepo) -> None:
    snapshot = load_snapshot(store, WINDOW)
    rendered = render_snapshot(snapshot, OPTIONS)
    for spec in sample_definitions():
        built = build_feed(spec, rendered)
        assert built.data == render_calendar(
            spec.select(snapshot.occurrences),
            name=spec.title,
            description=feed_description(spec, WINDOW),
            revision=snapshot.revision,
            uid_domain=OPTIONS.uid_domain,
        ), spec.name


def test_rendering_in_several_processes_gives_the_same_bytes() -> None:
    anns = [
        make(f"s{i}", f"{1900 + i % 100}-{1 + i % 12:02d}-{1 + i % 28:02d}") for i in range(800)
    ]
    found = occurrences(anns, WINDOW.start, WINDOW.end)
    assert len(found) >= PARALLEL_MIN_EVENTS
    snapshot = Snapshot(DATASET_REVISION, WINDOW, tuple(found))
    assert render_snapshot(snapshot, OPTIONS, workers=3) == render_snapshot(snapshot, OPTIONS)
