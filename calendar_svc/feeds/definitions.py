"""Which feeds exist, what each contains, their names and the window of dates they cover.

Feeds, by name (the part of the URL between ``/feeds/`` and ``.ics``, and the path of the
file ``feeds build`` writes):

* ``all``: every anniversary;
* one per scope of the registry, whatever it holds (national, provinces, communes, user
  scopes), named after the scope's id with its first ``:`` written ``/``:
  ``national``, ``province/quang-ninh``, ``commune/quang-ninh/cua-ong``. The id itself,
  percent-encoded (``/feeds/province%3Aquang-ninh.ics``), names the same feed. A scope's
  feed holds what concerns the unit: the rows of the scope and its lineage (as
  ``--scope`` lists them) and the rows of the units inside it, so Quảng Ninh's feed shows
  Cẩm Phả's days too. The national feed is the exception: it holds the nationwide rows
  only (``all`` is every row), so a local edit leaves it as it was;
* one per category, named after its slug (``ngay-le-lon``, ``le-hoi`` …);
* ``round``: năm tròn and năm lẻ 5 only (Nghị định 145/2013, Điều 3 khoản 1).

Feeds of earlier versions were named after the last part of a scope's id
(``cam-pha.ics``); those names still resolve, to the same feed, where only one scope
ends that way (:func:`legacy_names`).

Names and descriptions hold no comma, semicolon or backslash: those must be escaped in
iCalendar TEXT, and several parsers (ical.js, icalendar) show the escapes of calendar
names as they are. :func:`plain_label` keeps them out of labels built from data.

A feed is a pure filter over the occurrences of the window, so building every feed reads
the data once and expands it once. A feed that keeps scopes and filters by nothing else
holds its events scope after scope (:attr:`FeedFilter.by_blocks`): its bytes are shared
blocks, one per scope, which every feed keeping that scope reuses.
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

    @property
    def by_blocks(self) -> bool:
        """Whether the feed is made of whole scope blocks: it keeps scopes (or every
        scope) and filters by nothing else. Such a feed holds its events scope after
        scope, in the order of the scopes' ids, each scope's in date order."""
        return self.categories is None and not self.round_only


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
        """Return the occurrences this feed contains, in the feed's order: the given
        order, grouped by scope (in the order of the ids) for a feed by blocks."""
        keeps: Callable[[Occurrence], bool] = self.filter.keeps
        kept = [occ for occ in occurrences if keeps(occ)]
        if self.filter.by_blocks:
            kept.sort(key=lambda occ: occ.anniversary.scope)  # stable: date order stays
        return kept


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
    """Return the feed name of a scope: ``province:quang-ninh`` → ``province/quang-ninh``."""
    return scope_id.replace(":", "/", 1)


def scope_of_feed_name(name: str) -> str:
    """Return the scope id a feed name stands for (not checked against a tree).

    ``province/quang-ninh`` and ``province:quang-ninh`` both give ``province:quang-ninh``;
    a name without ``/`` or ``:`` is returned as it is (``national``).
    """
    if ":" in name:
        return name
    return name.replace("/", ":", 1)


def plain_label(text: str) -> str:
    """Return ``text`` with no comma, semicolon or backslash (see the module docstring).

    ``A, B`` and ``A; B`` become ``A · B``; a backslash becomes ``/``.
    """
    out = text.replace("\\", "/")
    for mark in (";", ","):
        out = out.replace(f"{mark} ", " · ").replace(mark, " · ")
    return out


def _lineage_names(scopes: ScopeTree, scope_id: str) -> str:
    return " · ".join(plain_label(scopes[s].name_vi) for s in scopes.lineage(scope_id)[1:])


def children_of(scopes: ScopeTree) -> dict[str, list[str]]:
    """Return each scope's direct children, in definition order."""
    children: dict[str, list[str]] = {}
    for scope_id in scopes.ids():
        parent = scopes[scope_id].parent
        if parent is not None:
            children.setdefault(parent, []).append(scope_id)
    return children


def inside(children: dict[str, list[str]], scope_id: str) -> list[str]:
    """Return the scopes below ``scope_id`` (children, their children …)."""
    found: list[str] = []
    stack = list(reversed(children.get(scope_id, [])))
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(children.get(current, [])))
    return found


def scope_spec(
    scopes: ScopeTree, scope_id: str, children: dict[str, list[str]] | None = None
) -> FeedSpec:
    """Return the feed of one scope: its rows, its lineage's, those of the units it
    succeeded (its heritage, :meth:`ScopeTree.listed`) and (except for the root, the
    national scope) those of the units inside it.

    Args:
        scopes: the scope tree.
        scope_id: the scope.
        children: :func:`children_of` the tree, when the caller keeps it.

    Raises:
        KeyError: the scope is not in the tree.
    """
    scope = scopes[scope_id]
    kept = set(scopes.listed(scope_id))
    if scope.parent is not None:
        below = inside(children if children is not None else children_of(scopes), scope_id)
        kept.update(below)
        kept.update(alias for unit in below for alias in scopes[unit].aliases)
    parents = _lineage_names(scopes, scope_id)
    name = plain_label(scope.name_vi)
    description = f"Ngày kỷ niệm của {name}"
    if scope.parent is None:
        description = f"Ngày kỷ niệm {name.lower()} (không gồm ngày riêng của các địa phương)"
    if parents:
        description += f" và các cấp trên ({parents})"
    return FeedSpec(
        scope_feed_name(scope_id),
        f"{TITLE_PREFIX}: {name}",
        description,
        FeedFilter(scopes=frozenset(kept)),
        kind="scope",
    )


def fixed_definitions() -> list[FeedSpec]:
    """Return the feeds that do not depend on the scope registry: all, categories, round."""
    specs = [
        FeedSpec(
            "all",
            f"{TITLE_PREFIX}: tất cả",
            "Tất cả ngày kỷ niệm: toàn quốc và các địa phương",
        )
    ]
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
            f"{TITLE_PREFIX}: năm tròn và năm lẻ 5",
            "Chỉ năm tròn và năm lẻ 5 (Nghị định 145/2013/NĐ-CP Điều 3)",
            FeedFilter(round_only=True),
            kind="round",
        )
    )
    return specs


def feed_definitions(scopes: ScopeTree) -> list[FeedSpec]:
    """Return every feed: all, one per scope, one per category, round.

    Raises:
        FeedDefinitionError: two feeds would share a file name.
    """
    fixed = fixed_definitions()
    children = children_of(scopes)
    specs = [fixed[0], *(scope_spec(scopes, s, children) for s in scopes.ids()), *fixed[1:]]
    seen: set[str] = set(RESERVED_NAMES)
    for spec in specs:
        if spec.name in seen:
            raise FeedDefinitionError(spec.name)
        seen.add(spec.name)
    return specs


def legacy_names(scopes: ScopeTree) -> dict[str, str]:
    """Return the feed names of earlier versions that still resolve: name → scope id.

    Earlier versions named a scope's feed after the last part of its id
    (``city:cam-pha`` → ``cam-pha``). A name is kept where exactly one scope ends that way
    and it is not the name of another feed.
    """
    taken = {spec.name for spec in fixed_definitions()} | set(RESERVED_NAMES)
    by_short: dict[str, list[str]] = {}
    for scope in scopes:
        for old in (scope.id, *scope.aliases):  # city:cam-pha is now district:quang-ninh/…
            if ":" in old:
                by_short.setdefault(old.rsplit(":", 1)[-1], []).append(scope.id)
    return {
        short: ids[0]
        for short, ids in by_short.items()
        if len(ids) == 1 and short not in taken and "/" not in short
    }


class FeedCatalog:
    """Resolve feed names against the fixed feeds and a scope tree, without listing every
    scope's feed up front."""

    def __init__(self, scopes: ScopeTree) -> None:
        self.scopes = scopes
        self.fixed: dict[str, FeedSpec] = {spec.name: spec for spec in fixed_definitions()}
        for spec in self.fixed.values():
            if spec.name in scopes or spec.name in RESERVED_NAMES:
                raise FeedDefinitionError(spec.name)
        self.legacy = legacy_names(scopes)
        self.children = children_of(scopes)

    def resolve(self, name: str) -> FeedSpec | None:
        """Return the feed a name stands for, or None when there is none."""
        spec = self.fixed.get(name)
        if spec is not None:
            return spec
        scope_id = scope_of_feed_name(name)
        if scope_id in self.scopes:
            scope_id = self.scopes.canonical(scope_id)  # an old id names the unit's feed
        else:
            scope_id = self.legacy.get(name, "")
            if not scope_id:
                return None
        # An old id (city:cam-pha) names its unit's feed, under the unit's own name.
        return scope_spec(self.scopes, self.scopes.canonical(scope_id), self.children)

    def canonical(self, name: str) -> str | None:
        """Return the canonical name of the feed ``name`` stands for (None if none)."""
        spec = self.resolve(name)
        return None if spec is None else spec.name


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
        scope: a scope id (or old id), listed with its heritage; None for every scope.
        categories: category slugs to keep; empty keeps every category.
        round_only: keep năm tròn and năm lẻ 5 only.
    """
    parts = []
    if scope is not None:
        parts.append(plain_label(scopes[scope].name_vi))
    if categories:
        parts.append(" và ".join(CATEGORIES[c].name_vi for c in categories))
    if round_only:
        parts.append("năm tròn và năm lẻ 5")
    label = " · ".join(parts) or "tất cả"
    return FeedSpec(
        "custom",
        f"{TITLE_PREFIX}: {label}",
        f"Lịch theo lựa chọn: {label}",
        FeedFilter(
            scopes=frozenset(scopes.listed(scope)) if scope is not None else None,
            categories=frozenset(categories) if categories else None,
            round_only=round_only,
        ),
        kind="custom",
    )
