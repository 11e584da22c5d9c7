"""The HTML digest in headless Chromium (Debian's, through Playwright) at 1280 px wide.

The short columns (date, lunar date, count, class) stay on one line, so "năm khác" never
breaks in two; a screenshot is kept in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from reminders_support import InstalledCli
from web_support import ARTIFACTS

#: For each cell of the digest's table: its text and on how many lines it is laid out.
LINES_PER_CELL = """
() => [...document.querySelectorAll("td")].map((td) => {
  const range = document.createRange();
  range.selectNodeContents(td);
  const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  return [td.textContent, tops.size];
})
"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_short_columns_do_not_wrap_at_1280_px(tmp_path: Path, lang: str, browser: Browser) -> None:
    cli = InstalledCli(tmp_path)
    cli.setup_quang_ninh("can-bo@example.org", lang=lang)
    raw = cli.ok("remind", "preview", "--month", "2023-02", "--to", "can-bo@example.org").out
    msg = email.message_from_string(raw, policy=policy.default)
    part = msg.get_body(("html",))  # type: ignore[attr-defined]
    assert part is not None
    html = str(part.get_content())
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_content(html)
    cells = page.evaluate(LINES_PER_CELL)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"digest-{lang}-1280.png"), full_page=True)
    page.close()
    other = "năm khác" if lang == "vi" else "other"
    assert [text for text, _ in cells].count(other) >= 4
    rows = [cells[i : i + 5] for i in range(0, len(cells), 5)]
    for row in rows:
        short = row[:4] if lang == "vi" else [row[0], *row[2:4]]
        for text, lines in short:
            assert lines <= 1, f"{text!r} wraps onto {lines} lines"
