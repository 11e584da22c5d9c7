"""Read iCalendar files with libical (the C library of Evolution and many servers).

``tests/libical/read_feed.c`` is compiled once per session against Debian's libical-dev
(``apt-get install libical-dev``) and run on each file.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "libical" / "read_feed.c"


@dataclass
class LibicalCalendar:
    """What libical reads: calendar properties (name → values) and the events."""

    properties: dict[str, list[str]] = field(default_factory=dict)
    events: list[tuple[str, str, date, date]] = field(default_factory=list)


@cache
def reader() -> Path:
    """Return the compiled reader (built in a temporary directory on first use)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "a C compiler is needed for the libical check (apt-get install gcc)"
    assert Path("/usr/include/libical/ical.h").exists(), "apt-get install libical-dev"
    out = Path(tempfile.mkdtemp(prefix="libical-reader-")) / "read_feed"
    subprocess.run([cc, "-O1", "-o", str(out), str(SOURCE), "-lical"], check=True, timeout=120)
    return out


def _text(hexed: str) -> str:
    return "" if hexed == "-" else bytes.fromhex(hexed).decode("utf-8")


def _day(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def read_with_libical(path: Path) -> LibicalCalendar:
    """Return what libical reads from ``path``."""
    proc = subprocess.run(
        [str(reader()), str(path)], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, f"libical cannot parse {path}: {proc.returncode} {proc.stderr}"
    cal = LibicalCalendar()
    for line in proc.stdout.splitlines():
        kind, *rest = line.split(" ")
        if kind == "CAL":
            cal.properties.setdefault(rest[0], []).append(_text(rest[1]))
        else:
            cal.events.append((_text(rest[0]), _text(rest[1]), _day(rest[2]), _day(rest[3])))
    return cal
