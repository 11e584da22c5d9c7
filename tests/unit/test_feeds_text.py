"""Any text a store may hold reaches the ICS feeds safely and reads back exactly.

Names, English names and sources are rendered, then read by icalendar and by ``ical``
(strict); the raw bytes are checked too: CRLF line ends only, at most 75 octets a line,
and every physical line valid UTF-8 on its own (folding never splits a character). The
third parser, ical.js, reads the same kind of names in tests/integration/test_feeds_stored_text.py.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from text_samples import HOSTILE, LONG_VI

from calendar_svc.core.model import Occurrence
from calendar_svc.core.occurrences import occurrences
from calendar_svc.feeds import render_calendar
from calendar_svc.feeds.check import check_bytes
from calendar_svc.feeds.render import event_description, event_summary
from calendar_svc.feeds.text import REPLACEMENT, escape_text, ics_text
from helpers import make

REVISION = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


def occurrence_named(name: str, *, name_en: str = "Event", source: str = "test") -> Occurrence:
    ann = dataclasses.replace(
        make("ten-la", "1930-02-03", name_vi=name), name_en=name_en, source=source
    )
    (occ,) = occurrences([ann], date(2023, 2, 1), date(2023, 2, 28))
    return occ


def assert_raw_lines_are_sound(data: bytes) -> None:
    """CRLF only, at most 75 octets a line, no character split between two lines."""
    assert data.endswith(b"\r\n")
    for number, line in enumerate(data[:-2].split(b"\r\n"), start=1):
        assert b"\r" not in line and b"\n" not in line, number
        assert len(line) <= 75, (number, len(line))
        line.decode("utf-8")  # raises if a fold cut a UTF-8 sequence


def unfolded_property(data: bytes, name: bytes) -> bytes:
    """Return the raw value of the first property ``name`` after unfolding."""
    for line in data.replace(b"\r\n ", b"").split(b"\r\n"):
        if line.startswith(name + b":"):
            return line[len(name) + 1 :]
    raise AssertionError(f"{name!r} not found")


def read_back(data: bytes) -> list[tuple[str, str, str]]:
    """Return (summary, description, summary by ical) of the one event, by both parsers."""
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    (strict,) = IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events
    return [(str(event["summary"]), str(event["description"]), str(strict.summary))]


@pytest.mark.parametrize(
    ("given", "text", "escaped"),
    [
        ("a;b,c\\d", "a;b,c\\d", "a\\;b\\,c\\\\d"),
        ("C:\\Nguyen", "C:\\Nguyen", "C:\\\\Nguyen"),
        ("x\r\ny\rz\nw", "x\ny\nz\nw", "x\\ny\\nz\\nw"),
        ("nul\x00vt\x0bdel\x7f", f"nul{REPLACEMENT}vt{REPLACEMENT}del{REPLACEMENT}", None),
        ("tab\tok", "tab\tok", "tab\tok"),
        ("lone \ud800 surrogate", f"lone {REPLACEMENT} surrogate", None),
        ("Cộng 🇻🇳 e\u0301", "Cộng 🇻🇳 e\u0301", "Cộng 🇻🇳 e\u0301"),
    ],
)
def test_text_rules(given: str, text: str, escaped: str | None) -> None:
    assert ics_text(given) == text
    assert escape_text(given) == (escaped if escaped is not None else text)


@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_names_give_valid_feeds_that_read_back_exactly(name: str) -> None:
    occ = occurrence_named(name, name_en=name, source=name)
    for lang in ("vi", "en"):
        data = render_calendar([occ], name=name, description=name, revision=REVISION, lang=lang)
        assert_raw_lines_are_sound(data)
        assert check_bytes(data, "test.ics").ok
        summary = ics_text(event_summary(occ, lang))
        description = ics_text(event_description(occ, lang))
        assert read_back(data) == [(summary, description, summary)]
        assert unfolded_property(data, b"SUMMARY") == escape_text(summary).encode("utf-8")
        # NAME is TEXT (RFC 7986); icalendar leaves it raw (vUnknown), ical reads it.
        strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
        assert strict.name == [ics_text(name)]
        content_lines = data.replace(b"\r\n ", b"").split(b"\r\n")
        assert content_lines.count(b"BEGIN:VEVENT") == 1  # nothing injected a component
        assert not any(line.startswith(b"UID:injected") for line in content_lines)


def test_text_without_controls_is_kept_exactly() -> None:
    for name in ("a;b,c\\d", "C:\\Nguyen", LONG_VI, "Ngày 🇻🇳 👨‍👩‍👧‍👦", "e\u0301\u0323"):
        occ = occurrence_named(name, source=name)
        data = render_calendar([occ], name="t", description="d", revision=REVISION)
        (summary, _, strict), *_ = read_back(data)
        assert summary == strict == f"Kỷ niệm 93 năm {name} (03/02/1930 - 03/02/2023)"


def test_folding_a_long_vietnamese_name_cuts_between_characters() -> None:
    occ = occurrence_named(LONG_VI, source=LONG_VI)
    data = render_calendar([occ], name="t", description="d", revision=REVISION)
    assert_raw_lines_are_sound(data)
    lines = data.split(b"\r\n")
    first = next(i for i, line in enumerate(lines) if line.startswith(b"SUMMARY:"))
    end = next(i for i in range(first + 1, len(lines)) if not lines[i].startswith(b" "))
    summary_lines = [lines[first][len(b"SUMMARY:") :]] + [
        line[1:] for line in lines[first + 1 : end]
    ]
    assert len(summary_lines) >= 20
    # Lines shorter than 75 octets before the last: the cut fell before a multi-octet
    # character that would not fit, not inside it.
    assert any(len(line) < 74 for line in lines[first : end - 1])
    whole = b"".join(summary_lines).decode("utf-8")
    assert whole == escape_text(f"Kỷ niệm 93 năm {LONG_VI} (03/02/1930 - 03/02/2023)")


#: Text from all of Unicode (no surrogates), weighted towards what breaks ICS.
_TRICKY = st.sampled_from(
    ["\r\n", "\r", "\n", ";", ",", "\\", "\\N", "\\n", ":", '"', "\x00", "\x7f", "\t", " "]
)
_VIETNAMESE = st.sampled_from([*"ĐđảăâêôơưẠạỹỸ", "e\u0301", "🇻🇳", "👨‍👩‍👧", "\u200d"])
TEXT = st.lists(st.one_of(st.text(max_size=8), _TRICKY, _VIETNAMESE), max_size=60).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=TEXT.filter(lambda s: s.strip()),
    name_en=TEXT,
    source=TEXT,
    lang=st.sampled_from(["vi", "en"]),
)
def test_any_text_renders_a_sound_feed_that_reads_back(
    name: str, name_en: str, source: str, lang: str
) -> None:
    occ = occurrence_named(name, name_en=name_en, source=source)
    data = render_calendar([occ], name=name, description=source, revision=REVISION, lang=lang)
    assert_raw_lines_are_sound(data)
    summary = ics_text(event_summary(occ, lang))
    description = ics_text(event_description(occ, lang))
    assert read_back(data) == [(summary, description, summary)]
    assert unfolded_property(data, b"SUMMARY") == escape_text(summary).encode("utf-8")
