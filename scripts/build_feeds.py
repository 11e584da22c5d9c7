"""Rebuild the published feeds in ``feeds/`` from the bundled dataset (see feeds/README.md).

Usage: python scripts/build_feeds.py
"""

from __future__ import annotations

from pathlib import Path

from calendar_svc.feeds.published import build_published

FEEDS = Path(__file__).resolve().parents[1] / "feeds"


def main() -> None:
    """Build the feeds and say which files changed."""
    report = build_published(FEEDS)
    for feed in report.feeds:
        state = "written" if feed.written else "unchanged"
        print(f"{feed.path.relative_to(FEEDS.parent)}: {feed.events} events, {state}")


if __name__ == "__main__":
    main()
