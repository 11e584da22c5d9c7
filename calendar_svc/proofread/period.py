"""The month a directive names: "V/v ... tháng 02/2023", else "tháng MM/YYYY" in the text."""

from __future__ import annotations

import re
from collections.abc import Sequence

_VV_RE = re.compile(r"^\s*V/v\b", re.IGNORECASE)
_SLASH_RE = re.compile(r"tháng\s+(\d{1,2})\s*[/.\-]\s*(\d{4})", re.IGNORECASE)
_WORDS_RE = re.compile(r"(?<!ngày )(?<!\d )tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def _first(text: str) -> tuple[int, int] | None:
    for pattern in (_SLASH_RE, _WORDS_RE):
        for m in pattern.finditer(text):
            year, month = int(m[2]), int(m[1])
            if 1 <= month <= 12 and 1000 <= year <= 2999:
                return year, month
    return None


def named_month(lines: Sequence[str]) -> tuple[int, int] | None:
    """Return the (year, month) the text is about, or None when it names none.

    The "V/v" line and the two after it (the subject often wraps) come first; then the
    first "tháng MM/YYYY" (or "tháng M năm YYYY", not a date line's "ngày 02 tháng 02
    năm 2023") anywhere in the text.
    """
    for index, line in enumerate(lines):
        if _VV_RE.match(line):
            found = _first(" ".join(lines[index : index + 3]))
            if found is not None:
                return found
    return _first("\n".join(lines))
