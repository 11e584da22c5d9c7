"""What calendar clients read from the feeds: names without stray escapes and events no
longer than their anniversary, with icalendar, ical.js (Thunderbird, Nextcloud) and libical
(Evolution and many servers)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
from js_support import parse_with_ical_js
from libical_support import read_with_libical

from calendar_svc.catalog import load_scopes
from calendar_svc.feeds.definitions import FeedSpec, custom_spec, feed_definitions, feed_window
from calendar_svc.feeds.publish import (
    FeedOptions,
    build_feed,
    feed_description,
    feed_path,
    load_snapshot,
    render_snapshot,
)
from calendar_svc.store.anniversaries import AnniversaryRepo
from calendar_svc.store.open import open_store

WINDOW = feed_window(date(2026, 11, 26), 1, 5)
OPTIONS = FeedOptions(uid_domain="3f9c0a1b2d4e.calendar-svc")
NAME_PROPERTIES = {
    "NAME": "title",
    "X-WR-CALNAME": "title",
    "DESCRIPTION": "description",
    "X-WR-CALDESC": "description",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> AnniversaryRepo:
    path = tmp_path_factory.mktemp("clients") / "calendar.sqlite3"
    return open_store(f"sqlite:///{path}").anniversaries


def specs() -> list[FeedSpec]:
    scopes = load_scopes()
    return [
        *feed_definitions(scopes),
        custom_spec(scopes, "city:cam-pha", ("dia-phuong", "le-hoi"), round_only=True),
        custom_spec(scopes, "province:quang-ninh", ("ngay-le-lon",)),
    ]


@pytest.fixture(scope="module")
def built(
    store: AnniversaryRepo, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[FeedSpec, Path]]:
    out = tmp_path_factory.mktemp("feeds")
    rendered = render_snapshot(load_snapshot(store, WINDOW), OPTIONS)
    files = []
    for n, spec in enumerate(specs()):
        path = feed_path(out, spec.name if spec.kind != "custom" else f"custom-{n}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(build_feed(spec, rendered).data)
        files.append((spec, path))
    return files


@pytest.mark.xfail(
    reason="known defect: with every scope a feed, ical.js reads 4,090 files past the 120 s limit; open in issue 12",
    strict=False,
)
def test_calendar_names_read_back_without_escapes(built: list[tuple[FeedSpec, Path]]) -> None:
    by_js = parse_with_ical_js([path for _, path in built])
    for spec, path in built:
        want = {"title": spec.title, "description": feed_description(spec, WINDOW)}
        assert not set(want["title"] + want["description"]) & set(",;\\\\"), spec.name
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        libical = read_with_libical(path).properties
        js = by_js[str(path)]["calendar"]
        for prop, key in NAME_PROPERTIES.items():
            assert str(cal[prop]) == want[key], (spec.name, prop, "icalendar")
            assert js[prop.lower()] == want[key], (spec.name, prop, "ical.js")
            assert libical[prop] == [want[key]], (spec.name, prop, "libical")


def _durations(store: AnniversaryRepo) -> dict[str, int]:
    return {ann.id: ann.duration_days for ann in store.anniversaries()}


def _anniversary(uid: str) -> str:
    """Return the anniversary id of a UID: ``<id>-<year>@<domain>``."""
    return uid.split("@", 1)[0].rsplit("-", 1)[0]


@pytest.mark.xfail(
    reason="known defect: with every scope a feed, the three parsers read 4,090 files past the time limit; open in issue 12",
    strict=False,
)
def test_no_event_lasts_longer_than_its_anniversary(
    store: AnniversaryRepo, built: list[tuple[FeedSpec, Path]]
) -> None:
    durations = _durations(store)
    by_js = parse_with_ical_js([path for _, path in built])
    periods: set[str] = set()
    for spec, path in built:
        for uid, _, start, end in read_with_libical(path).events:
            assert end - start == timedelta(days=durations[_anniversary(uid)]), (spec.name, uid)
        for event in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
            uid = str(event["uid"])
            length = event.decoded("dtend") - event.decoded("dtstart")
            assert length == timedelta(days=durations[_anniversary(uid)]), (spec.name, uid)
            if _anniversary(uid) in ("de-cuong-van-hoa", "ha-noi-dien-bien-phu-tren-khong"):
                # A year-only or month-only origin: one day, its period in the title.
                assert length == timedelta(days=1)
                year = event.decoded("dtstart").year
                assert str(event["summary"]).endswith(
                    (f"(1943 - {year})", f"(12/1972 - 12/{year})")
                )
                periods.add(_anniversary(uid))
        for event in by_js[str(path)]["events"]:
            start, end = date.fromisoformat(event["start"]), date.fromisoformat(event["end"])
            assert end - start == timedelta(days=durations[_anniversary(event["uid"])])
    assert periods == {"de-cuong-van-hoa", "ha-noi-dien-bien-phu-tren-khong"}
