"""The committed feeds in feeds/ are what the bundled data gives over the declared window."""

from __future__ import annotations

from pathlib import Path

import icalendar

from calendar_svc.feeds.published import build_published, read_declaration

FEEDS = Path(__file__).resolve().parents[2] / "feeds"


def _files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*.ics"))}


def test_committed_feeds_equal_a_rebuild(tmp_path: Path) -> None:
    report = build_published(FEEDS, tmp_path)
    rebuilt = _files(tmp_path)
    assert sorted(rebuilt) == ["national.ics", "province/quang-ninh.ics", "round.ics"]
    committed = _files(FEEDS)
    assert sorted(committed) == sorted(rebuilt), "run python scripts/build_feeds.py"
    for name, data in rebuilt.items():
        assert committed[name] == data, f"feeds/{name} is stale: run python scripts/build_feeds.py"
    assert all(feed.events > 0 for feed in report.feeds)


def test_the_declared_window_bounds_every_event() -> None:
    declaration = read_declaration(FEEDS / "feeds.toml")
    for path in FEEDS.rglob("*.ics"):
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        for event in cal.walk("VEVENT"):
            assert declaration.window.start <= event.decoded("dtstart") <= declaration.window.end
            assert str(event["uid"]).endswith(f"@{declaration.uid_domain}")
