"""Find the anniversary mentions of a directive's text.

A mention is what a directive writes for one anniversary. The forms found:

* ``N năm <tên> (dd/mm/yyyy - dd/mm/yyyy)`` with any dash (``-``, ``–``, ``—``) or ``/``
  between the dates, any spacing, one-digit days or months, and ``/``, ``.`` or ``-``
  inside a date (``7.5.1954``, ``1-8-1930``);
* ``(mm/yyyy - mm/yyyy)``, year-only ``(1943 - 2023)``, and ``dd/mm (1963 - 2023)``;
* the day only, ``(dd/mm)``, and a single date ``(dd/mm/yyyy)`` or ``(mm/yyyy)``;
* lunar dates: ``(10/3 âm lịch, 26/04/2026)`` and ``(10/3/1930 âm lịch - ...)``;
* ``kỷ niệm lần thứ N <tên>`` for the count;
* a count and a name without dates (``77 năm Ngày thành lập Quân đội nhân dân Việt Nam``):
  kept as a candidate, which the checker keeps only when the name matches an
  anniversary.

Text is handled as a whole: a line break is a space unless the line ends a sentence or
a clause (``.``, ``;``, ``:``) or the next line starts a list item or a numbered item,
so a mention split over two lines (as text copied from a PDF often is) is still one
mention. Its place is the line (or paragraph) where it starts.

A mention is *ahead* when it follows "hướng tới" or "hướng đến" in its paragraph, or
in the paragraph that the list items it belongs to ("-", "+") follow.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

DASHES = "-–—‐‑−"
_SPAN_SEP = rf"\s*(?:[{DASHES}]|/(?=\s))\s*"
_INNER = r"[/.\-]"
_DMY = rf"(?P<{{p}}d>\d{{{{1,2}}}}){_INNER}(?P<{{p}}m>\d{{{{1,2}}}}){_INNER}(?P<{{p}}y>\d{{{{4}}}})"


def _dmy(prefix: str) -> str:
    return _DMY.format(p=prefix)


def _my(prefix: str) -> str:
    return rf"(?P<{prefix}m>\d{{1,2}}){_INNER}(?P<{prefix}y>\d{{4}})"


def _y(prefix: str) -> str:
    return rf"(?P<{prefix}y>\d{{4}})"


_LUNAR = (
    r"(?P<ld>\d{1,2})/(?P<lm>\d{1,2})(?:/(?P<ly>\d{4}))?(?P<leap>\s+nhuận)?\s+âm\s+lịch"
    rf"\s*(?:,|[{DASHES}])\s*" + _dmy("e")
)

#: Forms of the text inside the brackets, tried in order (fullmatch).
BODY_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dmy-dmy", re.compile(_dmy("s") + _SPAN_SEP + _dmy("e"))),
    ("my-my", re.compile(_my("s") + _SPAN_SEP + _my("e"))),
    ("y-y", re.compile(_y("s") + _SPAN_SEP + _y("e"))),
    ("lunar", re.compile(_LUNAR)),
    ("dmy", re.compile(_dmy("e"))),
    ("my", re.compile(_my("e"))),
    ("dm", re.compile(r"(?P<ed>\d{1,2})[/.\-](?P<em>\d{1,2})")),
)

# No lazy quantifiers: a bracket that never closes costs one scan to the next bracket.
_GROUP_RE = re.compile(r"\(([^()]*)\)")
_DM_BEFORE_RE = re.compile(r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})\s*$")
_COUNT_RE = re.compile(
    r"(?<![\w/.\-])(?<!tháng )(?P<n>\d{1,4})\s+năm\s+(?=[^\W\d_]|[“\"'‘])", re.IGNORECASE
)
_ORDINAL_RE = re.compile(r"(?<=kỷ niệm )lần\s+thứ\s+(?P<n>\d{1,4})\s+", re.IGNORECASE)
# Where a mention cannot reach back past: clause ends, list markers, numbered items.
_HARD_RE = re.compile(
    r"[;:•\u2022]|(?<![\s.]\w)[.!?](?=\s)|\n(?=\s*(?:[-–+•*]|\d+[.)])\s)|(?<=[.;:!?])[ \t]*\n"
)
_AHEAD_RE = re.compile(r"hướng\s+(?:tới|đến)", re.IGNORECASE)
_LIST_RE = re.compile(r"^\s*[-–+•*]\s")
_NAME_END_RE = re.compile(r"[,;.()\n:]|\s+và\s+|\s+-\s+(?=\d)")
_TRIM = " \t\n,;.–-—*_"
_QUOTES = (("“", "”"), ('"', '"'), ("‘", "’"))


def _trim(text: str) -> str:
    """Strip spaces, punctuation and unbalanced quotes from both ends of a name."""
    while True:
        before = text
        text = text.strip(_TRIM)
        for left, right in _QUOTES:
            if text.startswith(left) and right not in text[1:]:
                text = text[1:]
            if text.endswith(right) and left not in text[:-1]:
                text = text[:-1]
        if text == before:
            return text


@dataclass(frozen=True, slots=True)
class WrittenDate:
    """A date as written: any of day, month and year may be missing; lunar when marked."""

    day: int | None
    month: int | None
    year: int | None
    lunar: bool = False

    def solar_date(self) -> date | None:
        """Return the date when day, month and year are all written and valid (solar)."""
        if self.lunar or self.day is None or self.month is None or self.year is None:
            return None
        try:
            return date(self.year, self.month, self.day)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Mention:
    """One anniversary as a text writes it.

    Attributes:
        line: the 1-based line (or paragraph) where the mention starts.
        start: offset of the mention in the whole text.
        end: offset just after the mention.
        text: the mention as written (line breaks as spaces).
        count: the count written ("93 năm", "lần thứ 93"), or None.
        name: the name as written.
        names: the ways to read the name (whole, up to a comma, after a comma), widest first.
        form: the date form ("dmy-dmy", "my-my", "y-y", "dm(y-y)", "dm", "dmy", "my",
            "lunar"; "invalid" for digits that are no date; "none" without dates).
        start_date: the first date written (the origin), or None.
        end_date: the last date written (the occurrence), or None.
        ahead: written under "hướng tới".
        dates_start: offset of the dates in the text (None without dates).
    """

    line: int
    start: int
    end: int
    text: str
    count: int | None
    name: str
    names: tuple[str, ...]
    form: str
    start_date: WrittenDate | None
    end_date: WrittenDate | None
    ahead: bool
    dates_start: int | None = None

    @property
    def dated(self) -> bool:
        """Return whether the mention writes dates."""
        return self.form != "none"


@dataclass(frozen=True, slots=True)
class Document:
    """A text split into lines (or paragraphs), with their offsets in the joined text."""

    lines: tuple[str, ...]
    text: str
    offsets: tuple[int, ...]

    @classmethod
    def of(cls, lines: Sequence[str]) -> Document:
        """Return the document of ``lines`` (joined with line breaks)."""
        clean = tuple(line.replace("\r", "").replace("\n", " ") for line in lines)
        offsets: list[int] = []
        pos = 0
        for line in clean:
            offsets.append(pos)
            pos += len(line) + 1
        return cls(clean, "\n".join(clean), tuple(offsets))

    def line_of(self, offset: int) -> int:
        """Return the 1-based line holding ``offset``."""
        lo, hi = 0, len(self.offsets) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.offsets[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def column_of(self, offset: int) -> int:
        """Return the 0-based column of ``offset`` in its line."""
        return offset - self.offsets[self.line_of(offset) - 1]


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


_DATE_LIKE_RE = re.compile(rf"\d+(?:\s*[/.{re.escape(DASHES)}]+\s*\d+)+")


def _parse_body(body: str) -> tuple[str, WrittenDate | None, WrittenDate | None] | None:
    """Return the form and the dates of a bracket's text; None when it holds no dates.

    Digits and date separators only that fit no form ("19/1972 - 12/2037", a double
    slash) give the form "invalid" and no dates: a slip to report, not a non-date.
    """
    body = " ".join(body.split())
    parsed = _parse_dates(body)
    if parsed is None and _DATE_LIKE_RE.fullmatch(body):
        return "invalid", None, None
    return parsed


def _parse_dates(body: str) -> tuple[str, WrittenDate | None, WrittenDate] | None:
    for form, pattern in BODY_FORMS:
        m = pattern.fullmatch(body)
        if m is None:
            continue
        groups = m.groupdict()
        if form == "lunar":
            lunar = WrittenDate(
                _int(groups["ld"]), _int(groups["lm"]), _int(groups["ly"]), lunar=True
            )
            solar = WrittenDate(_int(groups["ed"]), _int(groups["em"]), _int(groups["ey"]))
            return form, lunar, solar
        end = WrittenDate(_int(groups.get("ed")), _int(groups.get("em")), _int(groups.get("ey")))
        start: WrittenDate | None = None
        if "sy" in groups:
            start = WrittenDate(_int(groups.get("sd")), _int(groups.get("sm")), _int(groups["sy"]))
        if not _plausible(end) or (start is not None and not _plausible(start)):
            return None
        return form, start, end
    return None


def _plausible(d: WrittenDate) -> bool:
    if d.month is not None and not 1 <= d.month <= 12:
        return False
    if d.day is not None and not 1 <= d.day <= 31:
        return False
    return d.year is None or 1 <= d.year <= 2999


def _hard_stops(text: str) -> list[int]:
    return [m.end() for m in _HARD_RE.finditer(text)]


def _last_stop(stops: Sequence[int], before: int, floor: int) -> int:
    """Return the last stop at or before ``before`` (``stops`` sorted), at least ``floor``."""
    index = bisect.bisect_right(stops, before)
    return max(floor, stops[index - 1]) if index else floor


def _name_variants(name: str) -> tuple[str, ...]:
    """Return the name, its parts up to each comma and after each comma or "và"."""
    variants = [name]
    cuts = [m for m in re.finditer(r",\s*|\s+và\s+", name)]
    for cut in cuts:
        head = _trim(name[: cut.start()])
        tail = _trim(name[cut.end() :])
        for part in (head, tail):
            if part and part not in variants:
                variants.append(part)
    return tuple(variants)


class _Ahead:
    """Where "hướng tới" governs, computed once per document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.positions = [m.start() for m in _AHEAD_RE.finditer(doc.text)]
        # For a list line, whether the paragraph the list follows says "hướng tới".
        self.owner: list[bool] = []
        owner = False
        for line in doc.lines:
            if line.strip() and not _LIST_RE.match(line):
                owner = _AHEAD_RE.search(line) is not None
            self.owner.append(owner)

    def __call__(self, offset: int) -> bool:
        line_index = self.doc.line_of(offset) - 1
        start = self.doc.offsets[line_index]
        index = bisect.bisect_left(self.positions, start)
        if index < len(self.positions) and self.positions[index] < offset:
            return True
        return bool(_LIST_RE.match(self.doc.lines[line_index])) and self.owner[line_index]


def _flat(text: str) -> str:
    return " ".join(text.split())


def find_mentions(doc: Document) -> list[Mention]:
    """Return the mentions of a document in text order."""
    text = doc.text
    stops = _hard_stops(text)
    is_ahead = _Ahead(doc)
    found: list[Mention] = []
    floor = 0
    groups = [g for g in _GROUP_RE.finditer(text) if any(c.isdigit() for c in g[1])]
    for number, group in enumerate(groups):
        parsed = _parse_body(group[1])
        if parsed is None:
            continue
        following = groups[number + 1] if number + 1 < len(groups) else None
        if (
            parsed[0] in ("dmy", "my", "dm")
            and following is not None
            and not text[group.end() : following.start()].strip()
            and _parse_body(following[1]) is not None
        ):
            continue  # "Ngày ký Tạm ước Việt - Pháp (14/9/1946) (14/09/1946 - ...)": a name's date
        form, start_date, end_date = parsed
        dates_start = group.start()
        if form == "y-y" and end_date is not None:
            before = _DM_BEFORE_RE.search(text, max(floor, dates_start - 8), dates_start)
            if before is not None and start_date is not None:
                day, month = int(before["d"]), int(before["m"])
                start_date = WrittenDate(day, month, start_date.year)
                end_date = WrittenDate(day, month, end_date.year)
                form = "dm(y-y)"
                dates_start = before.start()
        lo = _last_stop(stops, dates_start, floor)
        segment = text[lo:dates_start]
        count: int | None = None
        name_from = lo
        counts = list(_COUNT_RE.finditer(segment)) + list(_ORDINAL_RE.finditer(segment))
        if counts:
            last = max(counts, key=lambda m: m.start())
            count = int(last["n"])
            mention_start = lo + last.start()
            name_from = lo + last.end()
        else:
            mention_start = name_from
        name = _trim(text[name_from:dates_start])
        if not counts:
            # Without a count, the name starts after the last comma-free lead phrase.
            name = re.sub(r"^(?:và|kỷ niệm|chào mừng)\s+", "", name, flags=re.IGNORECASE)
            mention_start = dates_start - len(text[name_from:dates_start].lstrip(_TRIM))
        if not name:
            floor = group.end()
            continue
        end = group.end()
        found.append(
            Mention(
                line=doc.line_of(mention_start),
                start=mention_start,
                end=end,
                text=_flat(text[mention_start:end]),
                count=count,
                name=_flat(name),
                names=tuple(_flat(v) for v in _name_variants(name)),
                form=form,
                start_date=start_date,
                end_date=end_date,
                ahead=is_ahead(mention_start),
                dates_start=dates_start,
            )
        )
        floor = end
    found.extend(_undated(doc, found, is_ahead))
    found.sort(key=lambda m: m.start)
    return found


def _undated(doc: Document, dated: Sequence[Mention], is_ahead: _Ahead) -> list[Mention]:
    """Return the count-and-name candidates outside the dated mentions."""
    text = doc.text
    starts = [m.start for m in dated]  # in text order, not overlapping
    ends = [m.end for m in dated]
    out: list[Mention] = []
    for pattern in (_COUNT_RE, _ORDINAL_RE):
        for m in pattern.finditer(text):
            index = bisect.bisect_right(starts, m.start()) - 1
            if index >= 0 and m.start() < ends[index]:
                continue
            rest = text[m.end() : m.end() + 200]
            first = _NAME_END_RE.search(rest)
            cut = first.start() if first else len(rest)
            name = _trim(rest[:cut])
            if not name:
                continue
            # A name may hold commas ("Ngày Giải phóng miền Nam, thống nhất đất nước").
            variants = [name]
            if first is not None and first[0].strip() == ",":
                more = _NAME_END_RE.search(rest, first.end())
                wider = rest[: more.start() if more else len(rest)]
                next_count = _COUNT_RE.search(wider) or _ORDINAL_RE.search(wider)
                wider = _trim(wider[: next_count.start()] if next_count else wider)
                if wider and wider != name:
                    variants.append(wider)
            end = m.end() + len(rest[:cut].rstrip(_TRIM))
            out.append(
                Mention(
                    line=doc.line_of(m.start()),
                    start=m.start(),
                    end=end,
                    text=_flat(text[m.start() : end]),
                    count=int(m["n"]),
                    name=_flat(name),
                    names=tuple(_flat(v) for v in variants),
                    form="none",
                    start_date=None,
                    end_date=None,
                    ahead=is_ahead(m.start()),
                )
            )
    return out
