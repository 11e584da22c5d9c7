"""Labelled, aligned columns for the administrative lists (org, subscribers, outbox).

Headers are bilingual (``Phạm vi / Scope``); widths count what a terminal shows (combining
marks take no column, wide characters two), so Vietnamese names line up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Return the number of terminal columns ``text`` takes."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def columns(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return a header line, a rule and one aligned line per row (trailing spaces trimmed)."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True)
        )

    out = [line(headers).rstrip(), "  ".join("─" * w for w in widths)]
    out.extend(line(row).rstrip() for row in rows)
    return "\n".join(out) + "\n"
