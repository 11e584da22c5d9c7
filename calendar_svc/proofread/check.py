"""Check a directive's mentions against their own dates and the dataset.

Findings (each with its place, the text as written and the correction to apply):

* ``arithmetic``: the count is not the end year minus the start year; or, when the
  text writes no years ("68 năm Ngày Thầy thuốc Việt Nam (27/02)", "77 năm Ngày thành
  lập Quân đội nhân dân Việt Nam"), not the matched anniversary's count.
* ``date``: the end date is not in the directive's year (for a mention under "hướng
  tới": not in the directive's month or the :data:`AHEAD_MONTHS` after it); or the two
  dates of a span differ in day or month; or a lunar anniversary's solar date is not the
  computed one.
* ``origin``: the name matches an anniversary (see
  :mod:`~calendar_svc.proofread.matching`) whose origin differs from the start date
  written. Among the candidates within :data:`TIE_MARGIN` of the best score, one whose
  origin agrees with the text is taken first: names alike in the dataset (the army's
  founding and the national defence day, both 22/12) never cause a false slip.
* ``omission``: an anniversary the month lists for the scope that the text neither
  matches nor names.
* ``stray``: a mention outside the month, not under "hướng tới".

Slips (the first three) make the check fail; omissions and strays are advice.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from calendar_svc.core.counting import citation, format_origin, phrase_vi
from calendar_svc.core.model import Anniversary, Calendar, Occurrence, Precision
from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.policy import commemorated
from calendar_svc.errors import CalendarSvcError
from calendar_svc.proofread.matching import MATCH_THRESHOLD, Match, NameIndex
from calendar_svc.proofread.mentions import Document, Mention, WrittenDate, find_mentions
from calendar_svc.proofread.names import Name

#: Months after the directive's month that a "hướng tới" mention may reach.
AHEAD_MONTHS = 12
#: Score a mention without dates needs, and a match needs to claim a slip from the dataset.
SURE_THRESHOLD = 0.9
#: Candidates this close to the best score are alternatives.
TIE_MARGIN = 0.1
_ITEM_RE = re.compile(r"ngày lễ lớn|sự kiện lịch sử", re.IGNORECASE)
#: Most mentions a text may hold (a month's directive has a few dozen).
MAX_MENTIONS = 1000


class TooManyMentionsError(CalendarSvcError):
    """The text holds more mentions than a directive does."""

    def __init__(self, found: int) -> None:
        super().__init__(
            f"văn bản có {found} mục kỷ niệm, quá {MAX_MENTIONS} / the text holds {found} "
            f"anniversary mentions, more than {MAX_MENTIONS}: not a directive"
        )


class Kind(StrEnum):
    """What a finding is."""

    ARITHMETIC = "arithmetic"
    DATE = "date"
    ORIGIN = "origin"
    OMISSION = "omission"
    STRAY = "stray"

    @property
    def is_slip(self) -> bool:
        """Return whether the finding is a slip (it fails the check)."""
        return self in (Kind.ARITHMETIC, Kind.DATE, Kind.ORIGIN)


#: How the report names each kind, Vietnamese / English.
KIND_LABELS: dict[Kind, str] = {
    Kind.ARITHMETIC: "sai số năm / arithmetic slip",
    Kind.DATE: "sai ngày / date slip",
    Kind.ORIGIN: "sai mốc gốc / origin slip",
    Kind.OMISSION: "thiếu / omission",
    Kind.STRAY: "ngoài tháng / stray",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the check reports.

    Attributes:
        kind: what it is.
        line: the 1-based line or paragraph (None for an omission outside any item).
        text: the mention as written ("" for an omission).
        correction: what to write instead (or, for an omission, what to add; for a
            stray, what to do).
        reason: why, Vietnamese / English.
        anniversary_id: the matched anniversary, when there is one.
        match: the matched anniversary's name.
        score: how alike the written name and the match are (0-1).
        start: offset of the mention in the checked text (None for an omission).
        end: offset just after the mention.
    """

    kind: Kind
    line: int | None
    text: str
    correction: str
    reason: str
    anniversary_id: str | None = None
    match: str | None = None
    score: float | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class CheckedMention:
    """A mention with the anniversary it was matched to (None: no match)."""

    mention: Mention
    match: Match | None
    agrees: bool


@dataclass(frozen=True, slots=True)
class Report:
    """The result of checking one text for one month."""

    year: int
    month: int
    mentions: tuple[CheckedMention, ...]
    findings: tuple[Finding, ...]
    document: Document = field(repr=False)

    @property
    def slips(self) -> tuple[Finding, ...]:
        """Return the findings that fail the check."""
        return tuple(f for f in self.findings if f.kind.is_slip)

    @property
    def ok(self) -> bool:
        """Return whether no slip was found."""
        return not self.slips


def _month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True, slots=True)
class _Period:
    year: int
    month: int
    ahead_end: date

    @classmethod
    def of(cls, year: int, month: int) -> _Period:
        return cls(year, month, _month_end(*_add_months(year, month, AHEAD_MONTHS)))

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    def in_window(self, when: date) -> bool:
        return self.start <= when <= self.ahead_end


def occurrence_for(ann: Anniversary, year: int, near: date | None = None) -> Occurrence | None:
    """Return the anniversary's occurrence in a solar year (the one nearest ``near``)."""
    found = occurrences([ann], date(year, 1, 1), date(year, 12, 31), apply_listing=False)
    if not found:
        return None
    if near is not None and len(found) > 1:
        return min(found, key=lambda o: abs((o.date - near).days))
    return found[0]


def _target(ann: Anniversary, m: Mention, period: _Period) -> Occurrence | None:
    """Return the occurrence the mention should cite."""
    if not m.ahead:
        return occurrence_for(ann, period.year, _end_day(m.end_date))
    found: list[Occurrence] = []
    for year in (period.year, period.year + 1):
        occ = occurrence_for(ann, year)
        if occ is not None and period.in_window(occ.date):
            found.append(occ)
    if m.end_date is not None and m.end_date.year is not None:
        found = [o for o in found if o.year == m.end_date.year] or found
    elif m.count is not None:
        found = [o for o in found if o.count == m.count] or found
    # The look-ahead is about the months after the directive's month.
    later = [o for o in found if (o.date.year, o.date.month) != (period.year, period.month)]
    chosen = later or found
    return chosen[0] if chosen else None


def _end_day(d: WrittenDate | None) -> date | None:
    return d.solar_date() if d is not None else None


def _same(written: int | None, known: int | None) -> bool:
    return written is None or known is None or written == known


def agrees(ann: Anniversary, m: Mention, period: _Period) -> bool:
    """Return whether the mention's dates and count agree with the anniversary's origin."""
    origin = ann.origin
    start = m.start_date
    if start is not None:
        if start.lunar != (origin.calendar is Calendar.LUNAR):
            return False
        return (
            _same(start.year, origin.year)
            and _same(start.month, origin.month)
            and _same(start.day, origin.day)
        )
    if m.form in ("dm", "dmy", "my") and m.end_date is not None:
        occ = occurrence_for(ann, m.end_date.year or period.year)
        if occ is None:
            return False
        end = m.end_date
        if occ.precision is Precision.YEAR:
            return end.year is None or end.year == occ.year
        return _same(end.day, occ.date.day if occ.precision is Precision.DAY else None) and (
            end.month == occ.date.month
        )
    if m.count is not None:
        occ = _target(ann, m, period)
        return occ is not None and occ.count == m.count
    return True


def _best_match(m: Mention, index: NameIndex, period: _Period) -> tuple[Match | None, bool]:
    """Return the mention's match and whether its dates agree with it (None: no match)."""
    merged: dict[str, Match] = {}
    for variant in m.names:
        for cand in index.candidates(Name.of(variant), MATCH_THRESHOLD):
            known = merged.get(cand.anniversary.id)
            if known is None or cand.score > known.score:
                merged[cand.anniversary.id] = cand
    cands = sorted(merged.values(), key=lambda c: -c.score)
    if not cands:
        return None, False
    best = cands[0]
    for cand in cands:
        if cand.score < best.score - TIE_MARGIN:
            break
        if agrees(cand.anniversary, m, period):
            return cand, True
    return best, False


def _d(d: WrittenDate) -> str:
    parts = [f"{d.day:02d}" if d.day is not None else None, None, None]
    parts[1] = f"{d.month:02d}" if d.month is not None else None
    parts[2] = f"{d.year:04d}" if d.year is not None else None
    return "/".join(p for p in parts if p is not None)


def _count_prefix(m: Mention, count: int | None) -> str:
    if count is None:
        return ""
    if re.match(r"lần\s+thứ", m.text, re.IGNORECASE):
        return f"lần thứ {count} "
    return f"{count} năm "


def _corrected(m: Mention, occ: Occurrence | None) -> str:
    """Return the mention rewritten from the dataset's occurrence, keeping its name."""
    if occ is None:
        return m.text
    count = occ.count if m.count is not None or occ.count is not None else None
    dates = f" ({citation(occ)})" if m.dated else ""
    return f"{_count_prefix(m, count)}{m.name}{dates}"


def _corrected_own(m: Mention, year: int | None = None) -> str:
    """Return the mention rewritten from its own start date (no dataset match)."""
    start, end = m.start_date, m.end_date
    assert start is not None and end is not None
    end_year = year if year is not None else end.year
    day = start.day if start.day is not None else end.day
    month = start.month if start.month is not None else end.month
    head = WrittenDate(day, month, start.year)
    tail = WrittenDate(day, month, end_year)
    count = end_year - start.year if end_year is not None and start.year is not None else None
    return f"{_count_prefix(m, count)}{m.name} ({_d(head)} - {_d(tail)})"


def _finding(kind: Kind, m: Mention, correction: str, reason: str, match: Match | None) -> Finding:
    return Finding(
        kind=kind,
        line=m.line,
        text=m.text,
        correction=correction,
        reason=reason,
        anniversary_id=match.anniversary.id if match else None,
        match=match.anniversary.name_vi if match else None,
        score=match.score if match else None,
        start=m.start,
        end=m.end,
    )


def _check_mention(
    m: Mention, match: Match | None, period: _Period, *, agreed: bool
) -> list[Finding]:
    out: list[Finding] = []
    start, end = m.start_date, m.end_date
    origin_agrees = agreed
    lunar = start is not None and start.lunar
    occ = _target(match.anniversary, m, period) if match is not None else None
    fix = _corrected(m, occ) if match is not None and occ is not None else None
    # With a sure match every slip of the mention gets the dataset's correction.
    if fix is not None and match is not None:
        agreed = agreed or match.score >= SURE_THRESHOLD

    if m.form == "invalid":
        sure = fix is not None and match is not None and match.score >= SURE_THRESHOLD
        return [
            _finding(
                Kind.DATE,
                m,
                fix if sure and fix is not None else m.text,
                "ngày tháng không đọc được / the dates are not valid dates",
                match,
            )
        ]

    # Arithmetic.
    if m.count is not None and start is not None and end is not None and not lunar:
        if start.year is not None and end.year is not None and m.count != end.year - start.year:
            own = end.year - start.year
            out.append(
                _finding(
                    Kind.ARITHMETIC,
                    m,
                    fix if fix is not None and agreed else _corrected_own(m),
                    f"{m.count} năm ≠ {end.year} − {start.year} = {own} / "
                    f"the count is not {end.year} − {start.year} = {own}",
                    match,
                )
            )
    elif (
        m.count is not None
        and match is not None
        and match.score >= SURE_THRESHOLD
        and occ is not None
        and occ.count is not None
        and occ.count != m.count
        and (start is None or start.year is None)
    ):
        origin_year = match.anniversary.origin.year
        out.append(
            _finding(
                Kind.ARITHMETIC,
                m,
                _corrected(m, occ),
                f"{m.count} năm ≠ {occ.year} − {origin_year} = {occ.count} (năm gốc theo dữ "
                f"liệu) / the count is not {occ.year} − {origin_year} = {occ.count} "
                "(the dataset's origin year)",
                match,
            )
        )

    # Dates: the end year, the window, the span.
    if end is not None and end.year is not None:
        if m.ahead:
            when = end.solar_date() or date(end.year, end.month or 12, 1)
            if not period.start <= when <= period.ahead_end:
                out.append(
                    _finding(
                        Kind.DATE,
                        m,
                        fix if fix is not None and agreed else m.text,
                        f"ngày {_d(end)} không thuộc {AHEAD_MONTHS} tháng tới / the end date "
                        f"is not in the {AHEAD_MONTHS} months ahead",
                        match,
                    )
                )
        elif end.year != period.year:
            rewritten = _corrected_own(m, period.year) if start is not None else m.text
            out.append(
                _finding(
                    Kind.DATE,
                    m,
                    fix if fix is not None and agreed else rewritten,
                    f"năm {end.year} không phải năm {period.year} của văn bản / the end "
                    f"year {end.year} is not the directive's year {period.year}",
                    match,
                )
            )
    if (
        start is not None
        and end is not None
        and not lunar
        and start.month is not None
        and end.month is not None
        and (start.month != end.month or not _same(start.day, end.day))
    ):
        out.append(
            _finding(
                Kind.DATE,
                m,
                fix if fix is not None and agreed else _corrected_own(m),
                f"hai đầu khác ngày tháng: {_d(start)} và {_d(end)} / the span's dates differ "
                "in day or month",
                match,
            )
        )
    if lunar and occ is not None and origin_agrees and end is not None:
        written = end.solar_date()
        if written is not None and written != occ.date:
            out.append(
                _finding(
                    Kind.DATE,
                    m,
                    _corrected(m, occ),
                    f"ngày dương lịch là {occ.date:%d/%m/%Y} / the solar date is "
                    f"{occ.date:%d/%m/%Y}",
                    match,
                )
            )

    # Origin.
    dated = start is not None or m.form in ("dm", "dmy", "my")
    if match is not None and not origin_agrees and dated and match.score >= SURE_THRESHOLD:
        origin = match.anniversary.origin
        out.append(
            _finding(
                Kind.ORIGIN,
                m,
                _corrected(m, occ) if occ is not None else m.text,
                f"mốc gốc theo dữ liệu là {format_origin(origin)} "
                f"(khớp “{match.anniversary.name_vi}”, {match.score:.2f}) / the dataset's origin "
                f"is {origin.iso()} (match “{match.anniversary.name_vi}”, score "
                f"{match.score:.2f})",
                match,
            )
        )

    # Stray.
    if not m.ahead:
        month = _mention_month(m, match, period)
        if month is not None and month != period.month:
            out.append(
                _finding(
                    Kind.STRAY,
                    m,
                    "bỏ, hoặc chuyển vào mục “hướng tới” / remove it, or move it under “hướng tới”",
                    f"không thuộc tháng {period.month:02d}/{period.year} (tháng {month:02d}) / "
                    f"not in {period.month:02d}/{period.year}",
                    match,
                )
            )
    return out


def _mention_month(m: Mention, match: Match | None, period: _Period) -> int | None:
    end = m.end_date
    if end is not None and end.month is not None and not (m.start_date and m.start_date.lunar):
        return end.month
    if end is not None and m.start_date is not None and m.start_date.lunar and end.month:
        return end.month
    if match is not None:
        occ = occurrence_for(match.anniversary, period.year)
        if occ is not None and occ.precision is not Precision.YEAR:
            return occ.date.month
    return None


def check_document(
    doc: Document,
    *,
    year: int,
    month: int,
    anniversaries: Iterable[Anniversary],
    expected: Sequence[Occurrence],
) -> Report:
    """Check a document's mentions for ``month``/``year``.

    Args:
        doc: the text.
        year: the directive's year.
        month: the directive's month.
        anniversaries: what names may match (the scope's lineage, or every row).
        expected: the month's listed occurrences for the scope; the commemorated ones
            the text leaves out are omissions.

    Raises:
        TooManyMentionsError: more than :data:`MAX_MENTIONS` mentions.
    """
    period = _Period.of(year, month)
    index = NameIndex(anniversaries)
    checked: list[CheckedMention] = []
    findings: list[Finding] = []
    found = find_mentions(doc)
    if len(found) > MAX_MENTIONS:
        raise TooManyMentionsError(len(found))
    for m in found:
        match, agreed = _best_match(m, index, period)
        if not m.dated and (match is None or match.score < SURE_THRESHOLD):
            continue  # "60 năm xây dựng và phát triển" is not a mention.
        if match is None and m.count is None:
            continue  # "Sáng nay (01.8)": a date, not an anniversary.
        checked.append(CheckedMention(m, match, agreed))
        findings.extend(_check_mention(m, match, period, agreed=agreed))
    findings.extend(_omissions(doc, checked, expected))
    return Report(year, month, tuple(checked), tuple(findings), doc)


def _omissions(
    doc: Document, checked: Sequence[CheckedMention], expected: Sequence[Occurrence]
) -> list[Finding]:
    named = {c.match.anniversary.id for c in checked if c.match is not None}
    folded_text = " ".join(Name.of(line).folded for line in doc.lines)
    item_line = next((i + 1 for i, line in enumerate(doc.lines) if _ITEM_RE.search(line)), None)
    out: list[Finding] = []
    for occ in expected:
        ann = occ.anniversary
        if not commemorated(ann.category) or ann.id in named:
            continue
        if Name.of(ann.name_vi).folded in folded_text:
            continue
        out.append(
            Finding(
                kind=Kind.OMISSION,
                line=item_line,
                text="",
                correction=phrase_vi(occ),
                reason=f"dữ liệu có ngày này trong tháng / the dataset lists it this month "
                f"({occ.date:%d/%m/%Y})",
                anniversary_id=ann.id,
                match=ann.name_vi,
            )
        )
    return out


def check_lines(
    lines: Sequence[str],
    *,
    year: int,
    month: int,
    anniversaries: Iterable[Anniversary],
    expected: Sequence[Occurrence],
) -> Report:
    """Check text given as lines (or .docx paragraphs); see :func:`check_document`."""
    return check_document(
        Document.of(lines), year=year, month=month, anniversaries=anniversaries, expected=expected
    )
