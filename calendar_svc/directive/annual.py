"""Compose the annual guide ("Hướng dẫn tuyên truyền kỷ niệm các ngày lễ lớn, sự kiện lịch
sử quan trọng … năm YYYY") from computed occurrences.

The layout follows the central guides (126-HD/BTGTW for 2024, 179-HD/BTGTW for 2025,
45-HD/BTGDVTW for 2026): I. Mục đích, yêu cầu; II. the year's commemorations in groups;
III. Tổ chức thực hiện. Rules (tested in ``tests/unit/test_annual.py``):

* **Five groups**, each in date order (:func:`group_of`):

  1. the ngày lễ lớn of Nghị định 145/2013/NĐ-CP, Điều 4 (category ``ngay-le-lon``);
  2. the historical events (``su-kien-lich-su``) and the founding days of the national
     bodies (``ngay-truyen-thong`` cited with both dates): the central guides list
     "80 năm Ngày thành lập Quân đội nhân dân Việt Nam" among "sự kiện lịch sử";
  3. the leaders' birth anniversaries (``ngay-sinh-lanh-dao``; Kết luận 88-KL/TW lists
     them from 100 years, every 5 years), whatever their scope;
  4. the international days (``ngay-quoc-te``) and the other days, those cited by their
     day only ("Ngày Thầy thuốc Việt Nam (27/02)") and any category without a group;
  5. the anniversaries of the organisation's own province or commune: every row whose
     scope is not national (leaders' birthdays aside). Left out for a national guide.

* **Every listed occurrence** of the year is in its group, round or not, as in the
  monthly directive: roundness decides the scale, not the listing. Round entries (năm
  tròn, năm lẻ 5) are marked in date order, or put first with ``round_first``.
* **Festivals** (``le-hoi``) are not commemorations and are left out, as in the monthly
  commemoration item.
* **Trọng tâm** (the year's focus, listed first in II): the năm tròn entries whose
  category implies a ceremony (a national ceremony under Nghị định 145/2013, a ceremony
  under Nghị định 111/2018, a large-scale commemoration under Kết luận 88-KL/TW).
* **Scale**: every round entry carries its category's basis and scale
  (:func:`calendar_svc.directive.draft.make_entry`).
* **Year-only origins** ("Đề cương về văn hóa Việt Nam", 1943) occur on 1 January
  (:mod:`calendar_svc.core.occurrences`), so they open their group.
* **Tết** is named with its lunar year, as the guides write it ("Tết Nguyên đán Đinh
  Mùi"), with its lunar and solar dates.
* **Look-ahead**: the năm tròn of the next year that need early preparation (the
  central guides ask for them a year ahead): leaders' birth anniversaries (100 years
  and more, by the listing rule) and the other năm tròn of the scope and its parents.

Pure: no I/O, no clock (the issue date is an argument).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from calendar_svc.core.lunar import can_chi
from calendar_svc.core.model import Calendar, DateForm, Occurrence, RoundClass
from calendar_svc.core.occurrences import year_range
from calendar_svc.core.policy import CATEGORIES, CategoryPolicy, commemorated
from calendar_svc.directive.draft import Entry, levels_phrase, make_entry
from calendar_svc.directive.profile import DirectiveProfile

NATIONAL = "national"

#: Group numbers.
LE_LON, LICH_SU, LANH_DAO, QUOC_TE, DIA_PHUONG = 1, 2, 3, 4, 5

#: Titles of the groups, as the central guides head them.
GROUP_TITLES: Mapping[int, str] = {
    LE_LON: "Kỷ niệm các ngày lễ lớn của đất nước",
    LICH_SU: "Kỷ niệm các sự kiện lịch sử quan trọng",
    LANH_DAO: (
        "Kỷ niệm ngày sinh các đồng chí lãnh đạo chủ chốt của Đảng, Nhà nước "
        "và lãnh đạo tiền bối tiêu biểu"
    ),
    QUOC_TE: "Các ngày quốc tế và các ngày kỷ niệm khác",
    DIA_PHUONG: "Kỷ niệm các ngày truyền thống, sự kiện lịch sử của địa phương",
}

_CATEGORY_GROUPS: Mapping[str, int] = {
    "ngay-le-lon": LE_LON,
    "su-kien-lich-su": LICH_SU,
    "ngay-truyen-thong": LICH_SU,
    "ngay-sinh-lanh-dao": LANH_DAO,
    "ngay-quoc-te": QUOC_TE,
}


def group_of(occ: Occurrence) -> int | None:
    """Return the group (1-5) of an occurrence in the annual guide, None for a festival."""
    ann = occ.anniversary
    if not commemorated(ann.category):
        return None
    if ann.category == "ngay-sinh-lanh-dao":
        return LANH_DAO
    if ann.scope != NATIONAL:
        return DIA_PHUONG
    if ann.date_form is DateForm.DAY:
        return QUOC_TE
    return _CATEGORY_GROUPS.get(ann.category, QUOC_TE)


@dataclass(frozen=True, slots=True)
class Group:
    """One group of section II: its number, title and entries in the profile's order."""

    number: int
    title: str
    entries: tuple[Entry, ...]

    @property
    def round_entries(self) -> tuple[Entry, ...]:
        """Return the group's năm tròn and năm lẻ 5 entries in date order."""
        return tuple(sorted((e for e in self.entries if e.big), key=_date_key))


@dataclass(frozen=True, slots=True)
class AnnualDraft:
    """The annual guide of one organisation, ready for the templates.

    Attributes:
        profile: the issuing organisation.
        year: the guide's year.
        issued: the date in the date line.
        levels: the levels the guide names: "của đất nước và của Tỉnh".
        groups: the groups of section II that have entries (group 5 only below national).
        focus: the year's trọng tâm entries, in date order.
        lookahead: the next year's năm tròn needing early preparation, in date order.
    """

    profile: DirectiveProfile
    year: int
    issued: date
    levels: str
    groups: tuple[Group, ...]
    focus: tuple[Entry, ...]
    lookahead: tuple[Entry, ...]

    @property
    def mark_round(self) -> bool:
        """Return whether round entries are marked in place (date order)."""
        return not self.profile.round_first

    @property
    def next_year(self) -> int:
        """Return the year the look-ahead covers."""
        return self.year + 1

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Return every entry of section II, group by group."""
        return tuple(e for g in self.groups for e in g.entries)

    @property
    def doc_code(self) -> str:
        """Return the guide's number code: the profile's with "HD/" ("HD/BTGTU")."""
        code = self.profile.doc_code
        kind, sep, rest = code.partition("/")
        return f"HD/{rest}" if sep and kind.isalpha() and kind.isupper() else f"HD/{code}"


_ROUND_RANK = {RoundClass.TRON: 0, RoundClass.LE_5: 1}


def _date_key(entry: Entry) -> tuple[date, str]:
    return entry.occurrence.date, entry.occurrence.anniversary.id


def _round_first_key(entry: Entry) -> tuple[int, date, str]:
    rc = entry.occurrence.round_class
    rank = _ROUND_RANK.get(rc, 2) if rc is not None else 2
    return rank, entry.occurrence.date, entry.occurrence.anniversary.id


def is_tet(occ: Occurrence) -> bool:
    """Return whether an occurrence is the lunar new year (1 tháng Giêng âm lịch)."""
    origin = occ.anniversary.origin
    return (
        origin.calendar is Calendar.LUNAR
        and origin.month == 1
        and origin.day == 1
        and not origin.leap
        and occ.count is None
    )


def annual_entry(occ: Occurrence, categories: Mapping[str, CategoryPolicy] = CATEGORIES) -> Entry:
    """Return the guide's entry of an occurrence: the monthly entry, Tết with its year's name.

    "Tết Nguyên đán Đinh Mùi (1/1 âm lịch, 06/02/2027)": the solar date of 1 tháng Giêng
    lies in the solar year of the lunar year it opens, so the year's name is that year's.
    """
    entry = make_entry(occ, categories)
    if is_tet(occ):
        name = occ.anniversary.name_vi
        text = entry.text.replace(name, f"{name} {can_chi(occ.date.year)}", 1)
        entry = replace(entry, text=text)
    return entry


def group_title(number: int, scope_kinds: Sequence[str]) -> str:
    """Return a group's title; group 5 names the levels below the country ("của Tỉnh",
    "của Tỉnh và của phường"), like the monthly item."""
    title = GROUP_TITLES[number]
    local = [kind for kind in scope_kinds if kind != NATIONAL]
    if number == DIA_PHUONG and local:
        return title.replace("của địa phương", levels_phrase(local))
    return title


def is_focus(entry: Entry) -> bool:
    """Return whether an entry is one of the year's trọng tâm: năm tròn with a ceremony."""
    return entry.occurrence.round_class is RoundClass.TRON and entry.scale is not None


def compose_annual(
    profile: DirectiveProfile,
    year: int,
    issued: date,
    *,
    year_occurrences: Iterable[Occurrence],
    next_year_occurrences: Iterable[Occurrence] = (),
    scope_kinds: Sequence[str] = ("national",),
    categories: Mapping[str, CategoryPolicy] = CATEGORIES,
) -> AnnualDraft:
    """Return the annual guide of ``year`` for ``profile``.

    Args:
        profile: the issuing organisation.
        year: the guide's year.
        issued: the date the date line states.
        year_occurrences: the listed occurrences of the year for the profile's scope.
        next_year_occurrences: occurrences of the next year; only the commemorated năm
            tròn ones are kept, for the look-ahead.
        scope_kinds: the kinds of the scope's lineage, widest first.
        categories: category policies (basis and scale).

    Raises:
        ValueError: an occurrence lies outside its year.
    """
    start, end = year_range(year)
    grouped: dict[int, list[Entry]] = {}
    for occ in year_occurrences:
        if not start <= occ.date <= end:
            raise ValueError(f"{occ.anniversary.id} on {occ.date} is not in {year}")
        number = group_of(occ)
        if number is not None:
            grouped.setdefault(number, []).append(annual_entry(occ, categories))
    order = _round_first_key if profile.round_first else _date_key
    groups = tuple(
        Group(number, group_title(number, scope_kinds), tuple(sorted(grouped[number], key=order)))
        for number in sorted(grouped)
    )
    focus = tuple(sorted((e for g in groups for e in g.entries if is_focus(e)), key=_date_key))
    next_start, next_end = year_range(year + 1)
    ahead = [
        annual_entry(occ, categories)
        for occ in next_year_occurrences
        if next_start <= occ.date <= next_end
        and occ.round_class is RoundClass.TRON
        and group_of(occ) is not None
    ]
    ahead.sort(key=_date_key)
    return AnnualDraft(
        profile=profile,
        year=year,
        issued=issued,
        levels=levels_phrase(scope_kinds),
        groups=groups,
        focus=focus,
        lookahead=tuple(ahead),
    )
