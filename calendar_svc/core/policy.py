"""Which years an anniversary is listed in, and what scale its round class implies.

The rules are data: one :class:`CategoryPolicy` per category slug.

References:
    * Nghị định 145/2013/NĐ-CP, Điều 3 khoản 1 (năm tròn, năm lẻ 5) and Điều 4 (ngày lễ lớn);
      Điều 5: a national ceremony only in năm tròn.
    * Nghị định 111/2018/NĐ-CP: founding and traditional days of ministries, sectors and
      localities hold a ceremony only in năm tròn; other years propaganda only.
    * Kết luận 88-KL/TW (18/02/2014): leaders' birth anniversaries from 100 years on; in
      practice every 5 years (100, 105, 110 …), larger events at multiples of 10.
    * The hometown rule, observed practice: a province lists the birth anniversary of a
      leader from its soil every year. Ban Tuyên giáo Tỉnh ủy An Giang briefs the 133rd
      birthday of Chủ tịch Tôn Đức Thắng (not a 100 + 5k year) in 08/2021, under its annual
      guide 04-HD/BTGTU (tuyengiaoangiang.vn; tests/data/directives/an-giang-2021-08.toml).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from calendar_svc.core.model import Occurrence, RoundClass
from calendar_svc.errors import UnknownCategoryError

BASIS_145 = "Nghị định 145/2013/NĐ-CP"
BASIS_111 = "Nghị định 111/2018/NĐ-CP"
BASIS_88 = "Kết luận 88-KL/TW"


@dataclass(frozen=True, slots=True)
class ListingRule:
    """List an anniversary at count ``first`` and every ``every`` years after it.

    An occurrence without a count (a festival whose first year is unknown) is always
    listed.
    """

    first: int = 1
    every: int = 1

    def __post_init__(self) -> None:
        if self.first < 1 or self.every < 1:
            raise ValueError("first and every must be at least 1")

    def lists(self, count: int | None) -> bool:
        """Return whether an occurrence with this count is listed."""
        if count is None:
            return True
        return count >= self.first and (count - self.first) % self.every == 0


@dataclass(frozen=True, slots=True)
class Scale:
    """The scale of commemoration a round class implies, in Vietnamese and English."""

    vi: str
    en: str


@dataclass(frozen=True, slots=True)
class CategoryPolicy:
    """Everything the product decides per category."""

    slug: str
    name_vi: str
    name_en: str
    listing: ListingRule
    basis: str | None
    scales: Mapping[RoundClass, Scale] = field(default_factory=dict)
    #: Whether occurrences belong in the directive's commemoration item ("kỷ niệm …").
    #: Festivals do not: directives mention them with the month's cultural activities.
    commemorated: bool = True
    #: The listing in an anniversary's home scopes (its ``home``), when it differs there:
    #: a leader's birthday is listed every year in the leader's home province.
    home_listing: ListingRule | None = None

    def listing_for(self, home: Collection[str], local: Collection[str]) -> ListingRule:
        """Return the listing rule for an anniversary with ``home`` listed in ``local``.

        ``local`` holds the scopes the listing is for (the scope, its ancestors and the
        units it succeeded); the home rule applies when one of them is a home scope.
        """
        if self.home_listing is not None and any(scope in local for scope in home):
            return self.home_listing
        return self.listing

    def scale(self, round_class: RoundClass | None) -> Scale | None:
        """Return the scale implied by a round class, if the category defines one."""
        if round_class is None:
            return None
        return self.scales.get(round_class)


EVERY_YEAR = ListingRule()
LEADERS_BIRTHDAYS = ListingRule(first=100, every=5)

_NATIONAL = MappingProxyType(
    {
        RoundClass.TRON: Scale("Lễ kỷ niệm cấp quốc gia", "national ceremony"),
        RoundClass.LE_5: Scale(
            "Không tổ chức lễ cấp quốc gia; dâng hương, tuyên truyền",
            "no national ceremony; incense offering and information work",
        ),
        RoundClass.KHAC: Scale(
            "Không tổ chức lễ cấp quốc gia; dâng hương, tuyên truyền",
            "no national ceremony; incense offering and information work",
        ),
    }
)
_SECTOR = MappingProxyType(
    {
        RoundClass.TRON: Scale("Tổ chức lễ kỷ niệm", "commemorative ceremony"),
        RoundClass.LE_5: Scale(
            "Chỉ tuyên truyền, không tổ chức lễ kỷ niệm", "information work only, no ceremony"
        ),
        RoundClass.KHAC: Scale(
            "Chỉ tuyên truyền, không tổ chức lễ kỷ niệm", "information work only, no ceremony"
        ),
    }
)
_LEADERS = MappingProxyType(
    {
        RoundClass.TRON: Scale("Kỷ niệm quy mô lớn", "large-scale commemoration"),
        RoundClass.LE_5: Scale("Kỷ niệm, tuyên truyền", "commemoration and information work"),
    }
)

CATEGORIES: Mapping[str, CategoryPolicy] = MappingProxyType(
    {
        p.slug: p
        for p in (
            CategoryPolicy(
                "ngay-le-lon", "Ngày lễ lớn", "Major national day", EVERY_YEAR, BASIS_145, _NATIONAL
            ),
            CategoryPolicy(
                "su-kien-lich-su",
                "Sự kiện lịch sử",
                "Historical event",
                EVERY_YEAR,
                BASIS_145,
                _NATIONAL,
            ),
            CategoryPolicy(
                "ngay-sinh-lanh-dao",
                "Ngày sinh lãnh đạo",
                "Leader's birth anniversary",
                LEADERS_BIRTHDAYS,
                BASIS_88,
                _LEADERS,
                home_listing=EVERY_YEAR,
            ),
            CategoryPolicy(
                "ngay-truyen-thong",
                "Ngày truyền thống",
                "Founding or traditional day",
                EVERY_YEAR,
                BASIS_111,
                _SECTOR,
            ),
            CategoryPolicy(
                "ngay-quoc-te", "Ngày quốc tế", "International day", EVERY_YEAR, None, {}
            ),
            CategoryPolicy(
                "dia-phuong", "Sự kiện địa phương", "Local event", EVERY_YEAR, BASIS_111, _SECTOR
            ),
            CategoryPolicy(
                "le-hoi", "Lễ hội", "Festival", EVERY_YEAR, None, {}, commemorated=False
            ),
        )
    }
)


def commemorated(category: str) -> bool:
    """Return whether a category's occurrences go into the directive's commemoration item.

    An unknown category is commemorated.
    """
    policy = CATEGORIES.get(category)
    return policy is None or policy.commemorated


def require_category(slug: str) -> str:
    """Return ``slug`` if it is a category; UnknownCategoryError otherwise."""
    if slug not in CATEGORIES:
        raise UnknownCategoryError(slug, CATEGORIES)
    return slug


def category_policy(slug: str) -> CategoryPolicy:
    """Return the policy of a category; raise KeyError for an unknown slug."""
    return CATEGORIES[slug]


def in_directive_line(occ: Occurrence) -> bool:
    """Return whether an occurrence goes into the directive's line.

    The one rule for every output that shows the line (the month page, the JSON API,
    ``month --format text``, ``year --format text``, the digest and the draft): an
    occurrence of a commemorated category does; a festival does not (directives mention
    festivals with the month's cultural activities).
    """
    return commemorated(occ.anniversary.category)


def directive_entries(occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    """Return the occurrences of the directive's line, in the given order."""
    return [occ for occ in occurrences if in_directive_line(occ)]
