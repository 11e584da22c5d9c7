"""Compose the commemoration parts of a monthly directive from computed occurrences.

Rules (tested in ``tests/unit/test_directive.py``):

* **The commemoration item** lists every counted or uncounted occurrence of the month
  for the organisation's scope and its parents, round or not: roundness decides the
  scale of the activities, not whether an anniversary is listed (reference directive
  581-CV/BTGTU, item 9). Entries follow date order; an organisation may instead put
  năm tròn, then năm lẻ 5, first (``round_first``), each group in date order. In date
  order the round entries are *marked* (the templates decide how).
* **Festivals** (category ``le-hoi``) are not commemorations: the reference directive
  cites the Cửa Ông festival under cultural activities (item 1), not in item 9. They are
  kept apart (:attr:`Draft.festivals`). Tết and Giỗ Tổ Hùng Vương are ngày lễ lớn
  (Nghị định 145/2013/NĐ-CP, Điều 4) and stay in the commemoration item.
* **The look-ahead** ("hướng tới") lists the năm tròn and năm lẻ 5 occurrences of the
  ``lookahead_months`` whole months after the directive's month.
* **Basis and scale.** Every round entry (tròn or lẻ 5) of the month and of the
  look-ahead carries its category's basis (Nghị định 145/2013/NĐ-CP, Nghị định
  111/2018/NĐ-CP, Kết luận 88-KL/TW) and the scale its round class implies.
* **Dates** in the date line follow Nghị định 30/2020/NĐ-CP, Phụ lục I: a day below 10
  and the months 1 and 2 take a leading zero ("ngày 02 tháng 02 năm 2023", "ngày 15
  tháng 3 năm 2023").

Pure: no I/O, no clock (the issue date is an argument).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from calendar_svc.core.counting import is_big, phrase_vi, round_class_label
from calendar_svc.core.model import Occurrence, RoundClass
from calendar_svc.core.occurrences import month_range
from calendar_svc.core.policy import CATEGORIES, CategoryPolicy, in_directive_line
from calendar_svc.directive.profile import DirectiveProfile

#: Categories that are festivals rather than commemorations.

#: How the directive names each level of scope ("của đất nước, của Tỉnh và Thành phố").
LEVEL_WORDS: Mapping[str, str] = {
    "national": "đất nước",
    "province": "Tỉnh",
    "city": "Thành phố",
    "district": "Huyện",
    "urban-district": "Quận",
    "town": "Thị xã",
    "ward": "phường",
    "commune": "xã",
    "township": "thị trấn",
    "special-zone": "đặc khu",
    "bloc": "Khối",
    "agency": "cơ quan",
    "sector": "Ngành",
    "school": "nhà trường",
    "other": "đơn vị",
}

#: Levels that the reference directive names without a second "của" ("… và Thành phố").
_BARE_LAST = frozenset({"Thành phố", "Huyện", "Quận", "Thị xã"})

_ROUND_ORDER = {RoundClass.TRON: 0, RoundClass.LE_5: 1}


@dataclass(frozen=True, slots=True)
class Entry:
    """One anniversary as the directive cites it.

    Attributes:
        occurrence: the computed occurrence.
        text: the directive's entry: "93 năm Ngày thành lập Đảng Cộng sản Việt Nam
            (03/02/1930 - 03/02/2023)".
        round_label: "năm tròn", "năm lẻ 5", "năm khác" or "" for an uncounted day.
        big: whether the count is năm tròn or năm lẻ 5.
        basis: the rule the category rests on, when it has one.
        scale: the scale the round class implies under that rule, when stated.
    """

    occurrence: Occurrence
    text: str
    round_label: str
    big: bool
    basis: str | None
    scale: str | None

    @property
    def date(self) -> date:
        """Return the occurrence's date."""
        return self.occurrence.date

    @property
    def count(self) -> int | None:
        """Return the occurrence's count."""
        return self.occurrence.count


@dataclass(frozen=True, slots=True)
class Draft:
    """The commemoration parts of one month's directive, ready for the templates.

    Attributes:
        profile: the issuing organisation.
        year: the directive's year.
        month: the directive's month.
        issued: the date in the date line.
        levels: the levels the item names: "của đất nước, của Tỉnh và Thành phố".
        entries: the commemoration item's entries, in the profile's order.
        festivals: the month's festivals, in date order.
        lookahead: round entries of the following months, in date order.
        lookahead_start: first day the look-ahead covers (None without look-ahead).
        lookahead_end: last day the look-ahead covers (None without look-ahead).
    """

    profile: DirectiveProfile
    year: int
    month: int
    issued: date
    levels: str
    entries: tuple[Entry, ...]
    festivals: tuple[Entry, ...]
    lookahead: tuple[Entry, ...]
    lookahead_start: date | None
    lookahead_end: date | None

    @property
    def mark_round(self) -> bool:
        """Return whether round entries are marked in place (date order)."""
        return not self.profile.round_first

    @property
    def round_entries(self) -> tuple[Entry, ...]:
        """Return the month's round entries in date order."""
        return tuple(sorted((e for e in self.entries if e.big), key=_date_key))

    @property
    def round_events(self) -> tuple[Entry, ...]:
        """Return every round entry, the month's then the look-ahead's, for basis and scale."""
        return self.round_entries + self.lookahead


def _date_key(entry: Entry) -> tuple[date, str]:
    return entry.occurrence.date, entry.occurrence.anniversary.id


def _round_first_key(entry: Entry) -> tuple[int, date, str]:
    rc = entry.occurrence.round_class
    rank = _ROUND_ORDER.get(rc, 2) if rc is not None else 2
    return rank, entry.occurrence.date, entry.occurrence.anniversary.id


def make_entry(occ: Occurrence, categories: Mapping[str, CategoryPolicy] = CATEGORIES) -> Entry:
    """Return the directive entry of an occurrence with its basis and scale."""
    policy = categories.get(occ.anniversary.category)
    scale = policy.scale(occ.round_class) if policy is not None else None
    return Entry(
        occurrence=occ,
        text=phrase_vi(occ),
        round_label=round_class_label(occ.round_class, "vi"),
        big=is_big(occ.round_class),
        basis=policy.basis if policy is not None else None,
        scale=scale.vi if scale is not None else None,
    )


def levels_phrase(scope_kinds: Sequence[str]) -> str:
    """Return how the item names the levels of a scope's lineage, widest first.

    ``["national", "province", "city"]`` gives "của đất nước, của Tỉnh và Thành phố" (the
    reference directive's words); ``["national", "province", "ward"]`` gives "của đất
    nước, của Tỉnh và của phường"; ``["national", "province"]`` gives "của đất nước và
    của Tỉnh"; ``["national"]`` gives "của đất nước". An unknown kind is named as it is.
    """
    words = [LEVEL_WORDS.get(kind, kind) for kind in scope_kinds]
    if not words:
        return ""
    if len(words) == 1:
        return f"của {words[0]}"
    if len(words) == 2:
        return f"của {words[0]} và của {words[1]}"
    head = ", ".join(f"của {w}" for w in words[:-1])
    last = words[-1] if words[-1] in _BARE_LAST else f"của {words[-1]}"
    return f"{head} và {last}"


def scope_kind(scope_id: str) -> str:
    """Return the kind of a scope id: "city" for "city:cam-pha", "national" for "national"."""
    return scope_id.partition(":")[0]


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    """Return the (year, month) ``months`` months after ``year``-``month``."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def lookahead_range(year: int, month: int, months: int) -> tuple[date, date] | None:
    """Return the first and last day of the ``months`` whole months after a month.

    None when ``months`` is 0 (no look-ahead).
    """
    if months < 0:
        raise ValueError(f"months must not be negative, not {months}")
    if months == 0:
        return None
    first = month_range(*add_months(year, month, 1))[0]
    last = month_range(*add_months(year, month, months))[1]
    return first, last


def document_date(day: date) -> str:
    """Return the date line's date per Nghị định 30/2020/NĐ-CP: "ngày 02 tháng 02 năm 2023".

    Days below 10 and the months 1 and 2 take a leading zero; other months do not
    ("ngày 15 tháng 3 năm 2023", "ngày 05 tháng 12 năm 2023").
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def compose_draft(
    profile: DirectiveProfile,
    year: int,
    month: int,
    issued: date,
    *,
    month_occurrences: Iterable[Occurrence],
    ahead_occurrences: Iterable[Occurrence] = (),
    scope_kinds: Sequence[str] = ("national",),
    categories: Mapping[str, CategoryPolicy] = CATEGORIES,
) -> Draft:
    """Return the draft of the directive's commemoration parts.

    Args:
        profile: the issuing organisation.
        year: the directive's year.
        month: the directive's month.
        issued: the date the date line states.
        month_occurrences: the listed occurrences of the month for the profile's scope.
        ahead_occurrences: occurrences of the look-ahead range; only those of round
            class năm tròn or năm lẻ 5, outside festivals and inside the range are kept.
        scope_kinds: the kinds of the scope's lineage, widest first.
        categories: category policies (basis and scale).

    Raises:
        ValueError: the month is not 1-12, or an occurrence lies outside its range.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1-12")
    start, end = month_range(year, month)
    entries: list[Entry] = []
    festivals: list[Entry] = []
    for occ in month_occurrences:
        if not start <= occ.date <= end:
            raise ValueError(f"{occ.anniversary.id} on {occ.date} is not in {month:02d}/{year}")
        entry = make_entry(occ, categories)
        (entries if in_directive_line(occ) else festivals).append(entry)
    entries.sort(key=_round_first_key if profile.round_first else _date_key)
    festivals.sort(key=_date_key)

    window = lookahead_range(year, month, profile.lookahead_months)
    ahead: list[Entry] = []
    if window is not None:
        for occ in ahead_occurrences:
            if (
                window[0] <= occ.date <= window[1]
                and is_big(occ.round_class)
                and in_directive_line(occ)
            ):
                ahead.append(make_entry(occ, categories))
        ahead.sort(key=_date_key)
    return Draft(
        profile=profile,
        year=year,
        month=month,
        issued=issued,
        levels=levels_phrase(scope_kinds),
        entries=tuple(entries),
        festivals=tuple(festivals),
        lookahead=tuple(ahead),
        lookahead_start=window[0] if window else None,
        lookahead_end=window[1] if window else None,
    )
