"""Which feeds exist, what each contains, and the window of dates they cover.

Feeds (names are file names without ``.ics``):

* ``all``: every anniversary;
* one per scope, named after the scope's slug (``national``, ``quang-ninh``, ``cam-pha``,
  ``ha-long``), including the rows of the scope's parents, as ``--scope`` does;
* one per category, named after its slug (``ngay-le-lon``, ``le-hoi`` …);
* ``round``: năm tròn and năm lẻ 5 only (Nghị định 145/2013, Điều 3 khoản 1).

A feed is a pure filter over the occurrences of the window, so building every feed reads
the data once and expands it once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from calendar_svc.core.counting import is_big
from calendar_svc.core.model import Occurrence
from calendar_svc.core.policy import CATEGORIES
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.errors import CalendarSvcError

#: Names no definition may take: the on-the-fly feed of the web service.
RESERVED_NAMES = frozenset({"custom"})
TITLE_PREFIX = "Lịch kỷ niệm"


class FeedDefinitionError(CalendarSvcError):
    """Two feeds would share a file name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"hai lịch trùng tên tệp / two feeds share the file name '{name}.ics'")


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """What a feed keeps: scopes (exact ids, None for any), categories, round only."""

    scopes: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    round_only: bool = False

    def keeps(self, occ: Occurrence) -> bool:
        """Return whether the feed contains this occurrence."""
        ann = occ.anniversary
        if self.scopes is not None and ann.scope not in self.scopes:
            return False
        if self.categories is not None and ann.category not in self.categories:
            return False
        return not self.round_only or is_big(occ.round_class)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One published feed: file name (without ``.ics``), title, description and filter."""

    name: str
    title: str
    description: str
    filter: FeedFilter = field(default_factory=FeedFilter)
    kind: str = "all"

    @property
    def filename(self) -> str:
        """Return the file name: ``<name>.ics``."""
        return f"{self.name}.ics"

    def select(self, occurrences: Sequence[Occurrence]) -> list[Occurrence]:
        """Return the occurrences this feed contains, in the given order."""
        keeps: Callable[[Occurrence], bool] = self.filter.keeps
        return [occ for occ in occurrences if keeps(occ)]


@dataclass(frozen=True, slots=True)
class Window:
    """The dates a feed covers, both ends inclusive, in whole calendar years."""

    start: date
    end: date

    def label(self) -> str:
        """Return ``01/01/2025 - 31/12/2031``."""
        return f"{self.start:%d/%m/%Y} - {self.end:%d/%m/%Y}"


def feed_window(today: date, years_back: int, years_ahead: int) -> Window:
    """Return the window of the feeds on ``today``.

    The window runs from 1 January of ``today.year - years_back`` to 31 December of
    ``today.year + years_ahead``: whole years, so a feed's bytes change when the data
    changes or the year turns, not every day, and year-long occurrences fit whole.

    Raises:
        ValueError: a number of years is negative.
    """
    if years_back < 0 or years_ahead < 0:
        raise ValueError("years_back and years_ahead must not be negative")
    return Window(date(today.year - years_back, 1, 1), date(today.year + years_ahead, 12, 31))


def scope_feed_name(scope_id: str) -> str:
    """Return the feed name of a scope: the slug after the kind (``city:cam-pha`` → ``cam-pha``)."""
    return scope_id.rsplit(":", 1)[-1].replace("/", "-")


def published_scopes(scopes: ScopeTree) -> list[tuple[str, str]]:
    """Return (scope id, feed name) of the scopes with a published feed.

    The whole country, each current province, each user scope, and the units whose old
    ids feeds were published under (``city:cam-pha`` → ``cam-pha.ics``, so subscriptions
    keep working). Any other unit's feed is served on request (``custom.ics?scope=``).
    """
    result: list[tuple[str, str]] = []
    for scope in scopes:
        if scope.aliases:
            result.append((scope.id, scope_feed_name(scope.aliases[0])))
        elif scope.level not in ("district", "commune") and scope.valid_to is None:
            result.append((scope.id, scope_feed_name(scope.id)))
    return result


def _lineage_names(scopes: ScopeTree, scope_id: str) -> str:
    return ", ".join(scopes[s].name_vi for s in scopes.lineage(scope_id)[1:])


def feed_definitions(scopes: ScopeTree) -> list[FeedSpec]:
    """Return every published feed: all, one per scope, one per category, round.

    Raises:
        FeedDefinitionError: two feeds would share a file name.
    """
    specs = [
        FeedSpec(
            "all",
            f"{TITLE_PREFIX}: tất cả",
            "Tất cả ngày kỷ niệm: toàn quốc và các địa phương",
        )
    ]
    for scope_id, feed_name in published_scopes(scopes):
        scope = scopes[scope_id]
        parents = _lineage_names(scopes, scope_id)
        description = f"Ngày kỷ niệm của {scope.name_vi}"
        if parents:
            description += f", gồm cả cấp trên ({parents})"
        specs.append(
            FeedSpec(
                feed_name,
                f"{TITLE_PREFIX}: {scope.name_vi}",
                description,
                FeedFilter(scopes=frozenset(scopes.listed(scope_id))),
                kind="scope",
            )
        )
    for policy in CATEGORIES.values():
        specs.append(
            FeedSpec(
                policy.slug,
                f"{TITLE_PREFIX}: {policy.name_vi}",
                f"Loại ngày kỷ niệm: {policy.name_vi} ({policy.name_en})",
                FeedFilter(categories=frozenset({policy.slug})),
                kind="category",
            )
        )
    specs.append(
        FeedSpec(
            "round",
            f"{TITLE_PREFIX}: năm tròn, năm lẻ 5",
            "Chỉ năm tròn và năm lẻ 5 (Nghị định 145/2013/NĐ-CP, Điều 3)",
            FeedFilter(round_only=True),
            kind="round",
        )
    )
    seen: set[str] = set(RESERVED_NAMES)
    for spec in specs:
        if spec.name in seen:
            raise FeedDefinitionError(spec.name)
        seen.add(spec.name)
    return specs


def custom_spec(
    scopes: ScopeTree,
    scope: str | None,
    categories: Sequence[str] = (),
    *,
    round_only: bool = False,
) -> FeedSpec:
    """Return the on-the-fly feed of a query (validated by the caller).

    Args:
        scopes: the scope tree.
        scope: a scope id, listed with its parents; None for every scope.
        categories: category slugs to keep; empty keeps every category.
        round_only: keep năm tròn and năm lẻ 5 only.
    """
    parts = []
    if scope is not None:
        parts.append(scopes[scope].name_vi)
    if categories:
        parts.append(", ".join(CATEGORIES[c].name_vi for c in categories))
    if round_only:
        parts.append("năm tròn, năm lẻ 5")
    label = "; ".join(parts) or "tất cả"
    return FeedSpec(
        "custom",
        f"{TITLE_PREFIX}: {label}",
        f"Lịch theo lựa chọn: {label}",
        FeedFilter(
            scopes=frozenset(scopes.listed(scopes.resolve(scope))) if scope is not None else None,
            categories=frozenset(categories) if categories else None,
            round_only=round_only,
        ),
        kind="custom",
    )
