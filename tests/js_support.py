"""Read iCalendar files with Mozilla's ical.js (tests/js/parse_feeds.mjs) through Node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parent / "js"


def parse_with_ical_js(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """Return what ical.js finds in each file, by path (needs `npm ci` in tests/js)."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the ical.js check (apt-get install nodejs)"
    assert (JS_DIR / "node_modules" / "ical.js").is_dir(), "run `npm ci` in tests/js"
    proc = subprocess.run(
        [node, str(JS_DIR / "parse_feeds.mjs"), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    parsed: dict[str, dict[str, Any]] = json.loads(proc.stdout)
    return parsed
