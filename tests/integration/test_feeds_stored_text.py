"""Names no catalog would accept, stored directly, published as feeds and read back.

The catalog refuses line breaks and control characters; the feeds must still be valid for
whatever a store holds. Each hostile name goes into a real SQLite store, every feed is
built and written to disk, and three independent parsers (icalendar, ``ical`` strict and
Mozilla's ical.js) must read every summary and description back exactly as
:func:`~calendar_svc.feeds.text.ics_text` gives it: the same text, or for a control
character the documented replacement.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream
from js_support import parse_with_ical_js
from text_samples import HOSTILE

from calendar_svc.catalog import load_scopes
from calendar_svc.feeds.check import check_bytes
from calendar_svc.feeds.definitions import feed_definitions, feed_window
from calendar_svc.feeds.publish import FeedOptions, build_and_publish
from calendar_svc.feeds.render import event_description, event_summary, event_uid
from calendar_svc.feeds.text import ics_text
from calendar_svc.store.anniversaries import AnniversaryRepo
from calendar_svc.store.open import open_store
from helpers import make

WINDOW = feed_window(date(2026, 11, 26), 1, 5)
OPTIONS = FeedOptions(uid_domain="lich.example.vn")


@pytest.fixture
def store(tmp_path: Path) -> AnniversaryRepo:
    store = open_store(f"sqlite:///{tmp_path / 'calendar.sqlite3'}").anniversaries
    for n, name in enumerate(HOSTILE):
        ann = dataclasses.replace(
            make(
                f"ten-{n}",
                f"{1930 + n}-02-03",
                category="dia-phuong",
                scope="district:quang-ninh/cam-pha",
            ),
            name_vi=name,
            name_en=name,
            source=name,
        )
        store.add(ann, now=datetime(2026, 11, 26, tzinfo=UTC))
    return store


def expected(store: AnniversaryRepo, lang: str) -> dict[str, tuple[str, str]]:
    """Return UID → (summary, description) of the hostile occurrences, as parsers see them."""
    from calendar_svc.core.occurrences import occurrences

    anns = [a for a in store.anniversaries() if a.id.startswith("ten-")]
    return {
        event_uid(o, OPTIONS.uid_domain): (
            ics_text(event_summary(o, lang)),
            ics_text(event_description(o, lang)),
        )
        for o in occurrences(anns, WINDOW.start, WINDOW.end)
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_hostile_names_read_back_exactly_with_three_parsers(
    store: AnniversaryRepo, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / "feeds"
    options = dataclasses.replace(OPTIONS, lang=lang)
    build_and_publish(store, feed_definitions(load_scopes()), WINDOW, out, options)
    want = expected(store, lang)
    assert len(want) == len(HOSTILE) * 7  # every name, every year of 2025-2031
    paths = [out / "dia-phuong.ics", out / "city" / "cam-pha.ics", out / "all.ics"]
    by_js = parse_with_ical_js(paths)
    for path in paths:
        data = path.read_bytes()
        assert check_bytes(data, path.name).ok, path.name
        for line in data.split(b"\r\n"):
            assert len(line) <= 75 and b"\r" not in line and b"\n" not in line
            line.decode("utf-8")  # a fold never cuts a character

        events = icalendar.Calendar.from_ical(data).walk("VEVENT")
        got = {str(e["uid"]): (str(e["summary"]), str(e["description"])) for e in events}
        assert {uid: got[uid] for uid in want} == want, path.name

        strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events
        got_strict = {e.uid: (e.summary, e.description) for e in strict}
        assert {uid: got_strict[uid] for uid in want} == want, path.name

        js = by_js[str(path)]["events"]
        got_js = {e["uid"]: (e["summary"], e["description"]) for e in js}
        assert {uid: got_js[uid] for uid in want} == want, path.name
