"""What calendar clients read from the feeds: names without stray escapes and events no
longer than their anniversary, with icalendar, ical.js (Thunderbird, Nextcloud) and libical
(Evolution and many servers)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
from js_support import parse_with_ical_js
from libical_support import read_with_libical

from calendar_svc.catalog import load_scopes
from calendar_svc.core.scopes import Scope, ScopeTree
from calendar_svc.feeds.definitions import (
    FeedSpec,
    custom_spec,
    feed_definitions,
    feed_window,
    scope_feed_name,
)
from calendar_svc.feeds.publish import (
    FeedOptions,
    build_feed,
    feed_description,
    load_snapshot,
    render_snapshot,
)
from calendar_svc.feeds.render import calendar_frame
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


#: A user's scope whose name holds every character a TEXT value escapes.
USER_SCOPE = Scope(
    "dang-uy-khoi-co-quan",
    "province:quang-ninh",
    "Đảng ủy Khối các cơ quan; tỉnh Quảng Ninh, khóa \\ thử",
    "Party committee of the agencies",
    kind="agency",
    user=True,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> AnniversaryRepo:
    path = tmp_path_factory.mktemp("clients") / "calendar.sqlite3"
    return open_store(f"sqlite:///{path}").anniversaries


@pytest.fixture(scope="module")
def tree() -> ScopeTree:
    registry = load_scopes()
    return ScopeTree([*(registry[s] for s in registry.ids()), USER_SCOPE])


@pytest.fixture(scope="module")
def specs(tree: ScopeTree) -> list[FeedSpec]:
    """Every feed of the registry and a user's scope, and two custom feeds."""
    return [
        *feed_definitions(tree),
        custom_spec(tree, "city:cam-pha", ("dia-phuong", "le-hoi"), round_only=True),
        custom_spec(tree, "province:quang-ninh", ("ngay-le-lon",)),
    ]


def _sample(specs: list[FeedSpec], tree: ScopeTree) -> list[FeedSpec]:
    """Return full feeds of every kind: all, round, each category, the custom feeds, the
    national feed, Quảng Ninh and a province drawn at random, a former district, Cửa Ông
    and two communes drawn at random, and the user's scope."""
    by_name = {spec.name: spec for spec in specs}
    chosen = [spec for spec in specs if spec.kind in ("all", "round", "category", "custom")]
    rng = random.Random(12)
    communes = [s for s in tree.ids() if tree[s].kind == "commune" and tree[s].current()]
    provinces = [s for s in tree.ids() if tree[s].kind == "province" and tree[s].current()]
    picked = [
        "national",
        "province:quang-ninh",
        *rng.sample(provinces, 1),
        "district:quang-ninh/cam-pha",
        "commune:quang-ninh/cua-ong",
        *rng.sample(communes, 2),
        USER_SCOPE.id,
    ]
    chosen += [by_name[scope_feed_name(s)] for s in picked]
    return chosen


@dataclass
class Built:
    """What the clients are given to read.

    * ``frames``: every feed's frame (its calendar properties, no event), as served: the
      frame of a feed is the same bytes in every copy of it;
    * ``blocks``: each scope's block of events in a calendar of its own: every event of
      every scope feed is in exactly one of them;
    * ``full``: whole feeds of every kind (:func:`_sample`), as served and built.
    """

    frames: list[tuple[FeedSpec, Path]]
    blocks: list[Path]
    full: list[tuple[FeedSpec, Path]]


@pytest.fixture(scope="module")
def built(
    store: AnniversaryRepo,
    tree: ScopeTree,
    specs: list[FeedSpec],
    tmp_path_factory: pytest.TempPathFactory,
) -> Built:
    out = tmp_path_factory.mktemp("feeds")
    rendered = render_snapshot(load_snapshot(store, WINDOW), OPTIONS)
    frames = []
    for n, spec in enumerate(specs):
        head, tail = calendar_frame(spec.title, feed_description(spec, WINDOW))
        path = out / "frames" / f"{n}.ics"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(head + tail)
        frames.append((spec, path))
    blocks = []
    head, tail = calendar_frame("Khối sự kiện", "Các sự kiện của một phạm vi")
    for n, (scope, block) in enumerate(sorted(rendered.blocks.items())):
        assert block.events == len(rendered.by_scope[scope])
        path = out / "blocks" / f"{n}.ics"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(head + block.data + tail)
        blocks.append(path)
    full = []
    for n, spec in enumerate(_sample(specs, tree)):
        feed = build_feed(spec, rendered)
        path = out / "full" / f"{n}.ics"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(feed.data)
        frame = next(p for s, p in frames if s == spec).read_bytes()
        assert feed.data.startswith(frame[: -len(tail)]) and feed.data.endswith(tail)
        full.append((spec, path))
    return Built(frames, blocks, full)


def test_the_sample_covers_every_kind_of_feed(built: Built) -> None:
    kinds = {spec.kind for spec, _ in built.full}
    assert kinds == {"all", "round", "category", "custom", "scope"}
    names = {spec.name for spec, _ in built.full}
    assert {"national", "province/quang-ninh", "commune/quang-ninh/cua-ong"} <= names
    assert USER_SCOPE.id in names and "district/quang-ninh/cam-pha" in names
    assert len(built.frames) > 4000 and len(built.blocks) > 10


def test_calendar_names_read_back_without_escapes(built: Built) -> None:
    # Every feed's frame with icalendar and ical.js; libical (one process a file) reads
    # the frames of the sample and of the user's scope, whose name had , ; and \\.
    by_js = parse_with_ical_js([path for _, path in built.frames])
    sampled = {spec for spec, _ in built.full}
    read_by_libical = 0
    for spec, path in built.frames:
        want = {"title": spec.title, "description": feed_description(spec, WINDOW)}
        assert not set(want["title"] + want["description"]) & set(",;\\"), spec.name
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        js = by_js[str(path)]["calendar"]
        libical = read_with_libical(path).properties if spec in sampled else None
        for prop, key in NAME_PROPERTIES.items():
            assert str(cal[prop]) == want[key], (spec.name, prop, "icalendar")
            assert js[prop.lower()] == want[key], (spec.name, prop, "ical.js")
            if libical is not None:
                assert libical[prop] == [want[key]], (spec.name, prop, "libical")
        read_by_libical += libical is not None
    assert read_by_libical == len(sampled)
    user = next(spec for spec, _ in built.frames if spec.name == USER_SCOPE.id)
    assert user.title == "Lịch kỷ niệm: Đảng ủy Khối các cơ quan · tỉnh Quảng Ninh · khóa / thử"


def _durations(store: AnniversaryRepo) -> dict[str, int]:
    return {ann.id: ann.duration_days for ann in store.anniversaries()}


def _anniversary(uid: str) -> str:
    """Return the anniversary id of a UID: ``<id>-<year>@<domain>``."""
    return uid.split("@", 1)[0].rsplit("-", 1)[0]


def test_no_event_lasts_longer_than_its_anniversary(store: AnniversaryRepo, built: Built) -> None:
    # The blocks hold every event of every scope feed once; the full feeds add the feeds
    # filtered by category and round class, and whole feeds as clients get them.
    durations = _durations(store)
    paths = [*built.blocks, *(path for _, path in built.full)]
    by_js = parse_with_ical_js(paths)
    periods: set[str] = set()
    events = 0
    for path in paths:
        for uid, _, start, end in read_with_libical(path).events:
            assert end - start == timedelta(days=durations[_anniversary(uid)]), (path, uid)
        for event in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
            uid = str(event["uid"])
            length = event.decoded("dtend") - event.decoded("dtstart")
            assert length == timedelta(days=durations[_anniversary(uid)]), (path, uid)
            if _anniversary(uid) in ("de-cuong-van-hoa", "ha-noi-dien-bien-phu-tren-khong"):
                # A year-only or month-only origin: one day, its period in the title.
                assert length == timedelta(days=1)
                year = event.decoded("dtstart").year
                assert str(event["summary"]).endswith(
                    (f"(1943 - {year})", f"(12/1972 - 12/{year})")
                )
                periods.add(_anniversary(uid))
            events += 1
        for event in by_js[str(path)]["events"]:
            start, end = date.fromisoformat(event["start"]), date.fromisoformat(event["end"])
            assert end - start == timedelta(days=durations[_anniversary(event["uid"])])
    assert periods == {"de-cuong-van-hoa", "ha-noi-dien-bien-phu-tren-khong"}
    assert events > 3000
