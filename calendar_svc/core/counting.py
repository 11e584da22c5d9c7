"""Counts, round classes and the phrasing of anniversary entries.

The count of an occurrence is the occurrence's year minus the origin's year: it comes
from the occurrence, never from today, so a December reminder for a January
anniversary states next year's count.

References:
    Nghị định 145/2013/NĐ-CP, Điều 3 khoản 1: "năm tròn" is a count whose last digit is 0,
    "năm lẻ 5" one whose last digit is 5; every other count is "năm khác".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from calendar_svc.core.labels import label
from calendar_svc.core.model import (
    Calendar,
    DateForm,
    Occurrence,
    Origin,
    Precision,
    RoundClass,
)
from calendar_svc.core.policy import directive_entries

_ROUND_CLASS_KEYS = {
    RoundClass.TRON: "round.tron",
    RoundClass.LE_5: "round.le_5",
    RoundClass.KHAC: "round.khac",
}


def round_class(count: int) -> RoundClass:
    """Return the round class of a count (Nghị định 145/2013, Điều 3 khoản 1).

    Raises:
        ValueError: if the count is below 1.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    last_digit = count % 10
    if last_digit == 0:
        return RoundClass.TRON
    if last_digit == 5:
        return RoundClass.LE_5
    return RoundClass.KHAC


def is_big(rc: RoundClass | None) -> bool:
    """Return whether a round class is năm tròn or năm lẻ 5."""
    return rc is RoundClass.TRON or rc is RoundClass.LE_5


def round_class_label(rc: RoundClass | None, lang: str = "vi") -> str:
    """Return the display label of a round class ('' for an uncounted occurrence)."""
    if rc is None:
        return ""
    return label(_ROUND_CLASS_KEYS[rc], lang)


def ordinal_en(n: int) -> str:
    """Return the English ordinal of ``n``: 1st, 2nd, 3rd, 11th, 12th, 13th, 21st, 111th."""
    if n < 0:
        raise ValueError("ordinals are for non-negative numbers")
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_day(d: date) -> str:
    """Return a date as the directives write it: 03/02/2023."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_origin(origin: Origin, lang: str = "vi") -> str:
    """Return an origin as the directives write it, by precision: 03/02/1930, 12/1972, 1943.

    A lunar origin is followed by ``âm lịch`` (English: ``lunar``); a yearless one gives
    day and month only.
    """
    en = lang == "en"
    lunar = (" lunar" if en else " âm lịch") if origin.calendar is Calendar.LUNAR else ""
    leap = (" leap" if en else " nhuận") if origin.leap else ""
    if origin.year is None:
        return f"{origin.day}/{origin.month}{leap}{lunar}"
    if origin.precision is Precision.YEAR:
        return f"{origin.year:04d}{lunar}"
    if origin.precision is Precision.MONTH:
        return f"{origin.month:02d}/{origin.year:04d}{leap}{lunar}"
    if origin.calendar is Calendar.LUNAR:
        return f"{origin.day}/{origin.month}{leap}/{origin.year:04d}{lunar}"
    return f"{origin.day:02d}/{origin.month:02d}/{origin.year:04d}"


def format_occurrence_date(occ: Occurrence) -> str:
    """Return an occurrence's period as cited: 03/02/2023, 12/2022 or 2023."""
    precision = occ.precision
    if precision is Precision.YEAR:
        return f"{occ.date.year:04d}"
    if precision is Precision.MONTH:
        return f"{occ.date.month:02d}/{occ.date.year:04d}"
    return format_day(occ.date)


def citation(occ: Occurrence, lang: str = "vi") -> str:
    """Return the parenthesised dates of a directive entry, without the parentheses.

    ``03/02/1930 - 03/02/2023`` for a range, ``27/02`` for the day form, and for an
    uncounted lunar day its lunar date then its solar date: ``10/3 âm lịch, 26/04/2026``.
    """
    ann = occ.anniversary
    origin = ann.origin
    if ann.date_form is DateForm.DAY and origin.calendar is Calendar.SOLAR:
        if occ.precision is Precision.DAY:
            return f"{occ.date.day:02d}/{occ.date.month:02d}"
        return format_occurrence_date(occ)
    if origin.year is None:
        return f"{format_origin(origin, lang)}, {format_day(occ.date)}"
    return f"{format_origin(origin, lang)} - {format_occurrence_date(occ)}"


def phrase_vi(occ: Occurrence) -> str:
    """Return the Vietnamese directive entry for an occurrence.

    Example: ``93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)``.
    An uncounted occurrence gives the name and its dates only.
    """
    name = occ.anniversary.name_vi
    prefix = f"{occ.count} năm " if occ.count is not None else ""
    return f"{prefix}{name} ({citation(occ)})"


def phrase_en(occ: Occurrence) -> str:
    """Return the English entry: ``93rd anniversary of <name> (03/02/1930 - 03/02/2023)``."""
    ann = occ.anniversary
    name = ann.name_en or ann.name_vi
    if occ.count is None:
        return f"{name} ({citation(occ, 'en')})"
    return f"{ordinal_en(occ.count)} anniversary of {name} ({citation(occ, 'en')})"


def phrase(occ: Occurrence, lang: str = "vi") -> str:
    """Return the entry in the given language ('vi' or 'en')."""
    return phrase_en(occ) if lang == "en" else phrase_vi(occ)


def directive_line(occurrences: Iterable[Occurrence], lang: str = "vi") -> str:
    """Return the directive's line: the entries that belong in it, joined by '; '.

    Which occurrences belong is decided by
    :func:`calendar_svc.core.policy.directive_entries` (festivals do not).
    """
    return "; ".join(phrase(occ, lang) for occ in directive_entries(occurrences))
