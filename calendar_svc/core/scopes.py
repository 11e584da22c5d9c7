"""Scopes: the country's units and the users' own, their parents, predecessors and names.

A scope lists the rows of its *heritage*: itself, its ancestors (``commune:quang-ninh/
cua-ong`` → ``province:quang-ninh`` → ``national``), and the units it succeeded, with
their ancestors (phường Cửa Ông succeeded Thành phố Cẩm Phả, ``district:quang-ninh/
cam-pha``). The same rules serve an in-memory :class:`ScopeTree` and the database's
indexed look-ups: both implement :class:`ScopeIndex`, and :func:`resolve` and
:func:`heritage` need nothing else.

A scope is named by its id, an old id (alias: ``city:cam-pha``), its official code
(``22``, ``07033``) or an unambiguous Vietnamese name ("phường Cửa Ông", "Cửa Ông,
Quảng Ninh"). Pure: stdlib only.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from calendar_svc.errors import UnknownScopeError

#: Kinds of the registry's units; users' scopes take one of USER_KINDS.
REGISTRY_KINDS = ("national", "province", "district", "commune")
#: Kinds of the scopes users add: a bloc's or agency's party committee, a sector, a school.
USER_KINDS = ("bloc", "agency", "sector", "school", "other")
#: Id prefixes that only the registry uses.
REGISTRY_PREFIXES = ("national", "province:", "district:", "commune:")

#: Type words that open a unit's name, longest first.
TYPE_WORDS = (
    "thành phố",
    "đặc khu",
    "thị trấn",
    "thị xã",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
)

_TONE_PLACEMENT = {
    # The old placement of the tone on "oa", "oe", "uy" (Hoà) and the usual one (Hòa).
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_TONE_RE = re.compile("|".join(_TONE_PLACEMENT))
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CANDIDATES = 6


class ScopeError(ValueError):
    """A scope text names no scope, several, or a tree is not valid; one line to show."""


class ScopeNotFoundError(UnknownScopeError):
    """A scope text that names no scope, or several (the user's error, one line)."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.known = ()
        self.detail = message.split(" / ", 1)[-1]
        Exception.__init__(self, message)


@dataclass(frozen=True, slots=True)
class Scope:
    """One scope: a unit of the registry or a user's scope.

    Attributes:
        id: the stable id (``commune:quang-ninh/cua-ong``, ``dang-uy-khoi-qn``).
        parent: the parent's id; None for ``national`` only.
        name_vi: the Vietnamese name with its type word ("Phường Cửa Ông").
        name_en: the English name.
        kind: ``national``, ``province``, ``district``, ``commune`` or a user kind.
        type_vi: the unit's type word ("phường", "tỉnh", "thành phố"); empty if none.
        code: the official code (``22``, ``07033``); empty if none.
        valid_to: the last day of a unit that no longer exists.
        successors: the units that took its place.
        aliases: old ids that still name it.
        user: made by a user rather than by the registry.
        source: where the unit and its successors come from.
    """

    id: str
    parent: str | None
    name_vi: str
    name_en: str
    kind: str = ""
    type_vi: str = ""
    code: str = ""
    valid_to: date | None = None
    successors: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    user: bool = False
    source: str = ""

    @property
    def level(self) -> str:
        """Return the kind, or the id's prefix when none is recorded (``city``)."""
        return self.kind or self.id.partition(":")[0]

    @property
    def bare_name(self) -> str:
        """Return the name without its type word: "Cửa Ông"."""
        return split_type(self.name_vi)[1]

    def current(self, today: date | None = None) -> bool:
        """Return whether the unit still exists (on ``today``, else ever after its end)."""
        return self.valid_to is None or (today is not None and today <= self.valid_to)


def normalize(text: str) -> str:
    """Return ``text`` in NFC, lowercase, one space between words, tones placed as today."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _TONE_RE.sub(lambda m: _TONE_PLACEMENT[m[0]], text)
    return " ".join(text.replace("\u00a0", " ").split())


def fold(text: str) -> str:
    """Return lowercase ASCII words joined by hyphens: "Cửa Ông" → "cua-ong" (đ → d)."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def split_type(name: str) -> tuple[str, str]:
    """Return (type word, bare name): "Phường Cửa Ông" → ("phường", "Cửa Ông")."""
    lowered = normalize(name)
    for word in TYPE_WORDS:
        if lowered.startswith(word + " "):
            return word, name.strip()[len(word) + 1 :].strip()
    return "", name.strip()


def name_keys(name: str) -> tuple[str, str, str, str]:
    """Return the keys a name is found by: full and bare, exact and folded."""
    _type_vi, bare = split_type(name)
    return normalize(name), normalize(bare), fold(name), fold(bare)


def slug_of(name: str) -> str:
    """Return the slug of a unit's name: the name without its type word, folded."""
    return fold(split_type(name)[1])


#: (kind, type word) → the level key the directive names a unit by.
_LEVEL_KEYS = {
    ("province", "tỉnh"): "province",
    ("province", "thành phố"): "city",
    ("district", "thành phố"): "city",
    ("district", "thị xã"): "town",
    ("district", "huyện"): "district",
    ("district", "quận"): "urban-district",
    ("commune", "phường"): "ward",
    ("commune", "xã"): "commune",
    ("commune", "thị trấn"): "township",
    ("commune", "đặc khu"): "special-zone",
}


def level_key(scope: Scope) -> str:
    """Return how the directive names a scope's level: "ward" for a phường, "bloc" …."""
    return _LEVEL_KEYS.get((scope.level, scope.type_vi), scope.level)


def party_above(tree: ScopeTree, scope_id: str) -> str:
    """Return the party organisation of a scope's province: "Đảng bộ tỉnh Quảng Ninh".

    Empty for a province itself, the whole country, or a scope outside any province.
    """
    if scope_id not in tree:
        return ""
    chain = tree.lineage(scope_id)
    for ancestor in chain[1:]:
        scope = tree[ancestor]
        if scope.level == "province":
            type_vi, bare = split_type(scope.name_vi)
            return f"Đảng bộ {type_vi} {bare}".replace("  ", " ")
    return ""


def is_user_id(scope_id: str) -> bool:
    """Return whether an id may name a user's scope (a slug outside the registry's prefixes)."""
    if scope_id.startswith(REGISTRY_PREFIXES) or scope_id == "national":
        return False
    kind, sep, rest = scope_id.partition(":")
    parts = [rest] if sep else [kind]
    if sep and not _ID_RE.match(kind):
        return False
    return all(_ID_RE.match(p) for p in parts)


class ScopeIndex(Protocol):
    """Look-ups that resolving a scope and listing its heritage need."""

    def get(self, scope_id: str) -> Scope | None:
        """Return the scope with this id, or None."""
        ...

    def alias(self, alias: str) -> str | None:
        """Return the id an old id names, or None."""
        ...

    def by_code(self, code: str) -> list[Scope]:
        """Return the scopes with this official code."""
        ...

    def by_name(self, key: str) -> list[Scope]:
        """Return the scopes whose full or bare name, normalized or folded, is ``key``."""
        ...

    def predecessors(self, scope_id: str) -> list[str]:
        """Return the ids of the units that ``scope_id`` succeeded."""
        ...

    def labels(self) -> Iterable[tuple[str, str]]:
        """Return (id, name_vi) of every scope, for suggestions; may read everything."""
        ...


def describe(scope: Scope) -> str:
    """Return one candidate as a line shows it: ``commune:quang-ninh/cua-ong (Phường Cửa Ông)``."""
    return f"{scope.id} ({scope.name_vi})"


def _prefer_current(found: Sequence[Scope]) -> list[Scope]:
    current = [s for s in found if s.valid_to is None]
    return current or list(found)


def _first_tier(found: Sequence[Scope]) -> list[Scope]:
    """Return the candidates a name most likely means.

    Provinces first (people name them without "tỉnh"), current before former, then the
    other units, current before former.
    """
    provinces = [s for s in found if s.level in ("national", "province")]
    others = [s for s in found if s.level not in ("national", "province")]
    for tier in (provinces, others):
        if tier:
            return _prefer_current(tier)
    return []


def _unique(found: Iterable[Scope]) -> list[Scope]:
    seen: dict[str, Scope] = {}
    for scope in found:
        seen.setdefault(scope.id, scope)
    return list(seen.values())


def _within(index: ScopeIndex, scope: Scope, ancestor: str) -> bool:
    return ancestor in lineage(index, scope.id)


def _ambiguous(text: str, found: Sequence[Scope]) -> ScopeError:
    shown = ", ".join(describe(s) for s in found[:MAX_CANDIDATES])
    more = f" and {len(found) - MAX_CANDIDATES} more" if len(found) > MAX_CANDIDATES else ""
    return ScopeError(
        f"phạm vi chưa rõ / ambiguous scope '{text}': {shown}{more}"
        " (give the id, the code or the name with its type word and province)"
    )


def nearest(index: ScopeIndex, text: str, limit: int = 3) -> list[str]:
    """Return up to ``limit`` ids whose id or name is nearest ``text``."""
    import difflib  # only on the error path

    wanted = fold(text)
    keys: dict[str, str] = {}
    for scope_id, name in index.labels():
        keys.setdefault(fold(scope_id), scope_id)
        keys.setdefault(fold(name), scope_id)
        keys.setdefault(slug_of(name), scope_id)
    close = difflib.get_close_matches(wanted, list(keys), n=limit * 3, cutoff=0.6)
    result: list[str] = []
    for key in close:
        if keys[key] not in result:
            result.append(keys[key])
    return result[:limit]


def resolve(index: ScopeIndex, text: str) -> str:
    """Return the id of the scope ``text`` names.

    Tried in order: an id, an old id, an official code, a Vietnamese name (with or
    without its type word, diacritics optional, optionally followed by ", <province>").
    Names with their diacritics are tried before names without. Among the units a name
    fits, a province comes before other units and a current unit before a former one;
    several left is ambiguous.

    Raises:
        ScopeError: no scope or several scopes; the message lists the candidates.
    """
    given = text.strip()
    if not given:
        raise ScopeError("phạm vi trống / empty scope")
    lowered = given.lower()
    if index.get(lowered) is not None:
        return lowered
    target = index.alias(lowered)
    if target is not None:
        return target
    if given.isdigit():
        found = _unique([*index.by_code(given), *index.by_code(given.zfill(2))])
        found += [s for s in index.by_code(given.zfill(5)) if s.id not in {f.id for f in found}]
        found = _prefer_current(found)
        if len(found) == 1:
            return found[0].id
        if found:
            raise _ambiguous(given, found)
        raise ScopeError(f"phạm vi không có / no scope has the code '{given}'")
    name, _, within = given.partition(",")
    found = _unique(index.by_name(normalize(name))) or _unique(index.by_name(fold(name)))
    if within.strip() and found:
        try:
            ancestor = resolve(index, within)
        except ScopeError:
            ancestor = ""
        found = [s for s in found if _within(index, s, ancestor)] if ancestor else []
    found = _first_tier(found)
    if len(found) == 1:
        return found[0].id
    if found:
        raise _ambiguous(given, found)
    suggestions = nearest(index, given)
    hint = f" (nearest: {', '.join(suggestions)})" if suggestions else ""
    raise ScopeError(f"phạm vi không có / unknown scope '{given}'{hint}")


def lineage(index: ScopeIndex, scope_id: str) -> tuple[str, ...]:
    """Return the scope and its ancestors, nearest first; ScopeError if one is missing."""
    chain: list[str] = []
    current: str | None = scope_id
    while current is not None:
        if current in chain:
            raise ScopeError(f"scope '{scope_id}' is its own ancestor")
        scope = index.get(current)
        if scope is None:
            raise ScopeError(f"phạm vi không có / unknown scope '{current}'")
        chain.append(current)
        current = scope.parent
    return tuple(chain)


def heritage(index: ScopeIndex, scope_id: str) -> tuple[str, ...]:
    """Return the scopes whose rows ``scope_id`` lists, its own lineage first.

    Its lineage, then each unit it succeeded, recursively, with that unit's lineage:
    phường Cửa Ông lists Phường Cửa Ông, Quảng Ninh, national, and Thành phố Cẩm Phả;
    Quảng Trị lists Quảng Bình. Each id appears once.
    """
    result: list[str] = list(lineage(index, scope_id))
    seen = set(result)
    queue = list(result)
    while queue:
        current = queue.pop(0)
        for previous in index.predecessors(current):
            for ancestor in lineage(index, previous):
                if ancestor not in seen:
                    seen.add(ancestor)
                    result.append(ancestor)
                    queue.append(ancestor)
    return tuple(result)


def listed_scopes(index: ScopeIndex, scope_id: str) -> tuple[str, ...]:
    """Return the scope ids whose rows ``scope_id`` lists: its heritage and their old ids.

    Rows written under an old id (``city:cam-pha``) by an older program are listed too.
    """
    ids = heritage(index, scope_id)
    extra = [alias for i in ids for alias in (index.get(i) or _NONE).aliases]
    return ids + tuple(a for a in extra if a not in ids)


_NONE = Scope("", None, "", "")


class ScopeTree:
    """A validated set of scopes in memory: every parent exists, no cycles, unique ids.

    Implements :class:`ScopeIndex`; ``tree[id]`` and ``id in tree`` accept old ids too.
    """

    def __init__(self, scopes: Iterable[Scope]) -> None:
        self._scopes: dict[str, Scope] = {}
        for scope in scopes:
            if scope.id in self._scopes:
                raise ScopeError(f"scope {scope.id!r} is defined twice")
            self._scopes[scope.id] = scope
        self._aliases: dict[str, str] = {}
        self._codes: dict[str, list[Scope]] = defaultdict(list)
        self._names: dict[str, list[Scope]] = defaultdict(list)
        self._predecessors: dict[str, list[str]] = defaultdict(list)
        self._children: dict[str, list[str]] = defaultdict(list)
        for scope in self._scopes.values():
            for alias in scope.aliases:
                if alias in self._scopes or alias in self._aliases:
                    raise ScopeError(f"alias {alias!r} of {scope.id!r} is taken")
                self._aliases[alias] = scope.id
            if scope.code:
                self._codes[scope.code].append(scope)
            for key in set(name_keys(scope.name_vi)):
                self._names[key].append(scope)
            for successor in scope.successors:
                if successor not in self._scopes:
                    raise ScopeError(f"scope {scope.id!r} has an unknown successor {successor!r}")
                self._predecessors[successor].append(scope.id)
            if scope.parent is not None:
                self._children[scope.parent].append(scope.id)
        for scope in self._scopes.values():
            seen = {scope.id}
            parent = scope.parent
            while parent is not None:
                if parent not in self._scopes:
                    raise ScopeError(f"scope {scope.id!r} has an unknown parent {parent!r}")
                if parent in seen:
                    raise ScopeError(f"scope {scope.id!r} is its own ancestor")
                seen.add(parent)
                parent = self._scopes[parent].parent

    # --- ScopeIndex ---------------------------------------------------------------

    def get(self, scope_id: str) -> Scope | None:
        """Return the scope with this id, or None."""
        return self._scopes.get(scope_id)

    def alias(self, alias: str) -> str | None:
        """Return the id an old id names, or None."""
        return self._aliases.get(alias)

    def by_code(self, code: str) -> list[Scope]:
        """Return the scopes with this official code."""
        return list(self._codes.get(code, ()))

    def by_name(self, key: str) -> list[Scope]:
        """Return the scopes one of whose :func:`name_keys` is ``key``."""
        return list(self._names.get(key, ()))

    def predecessors(self, scope_id: str) -> list[str]:
        """Return the ids of the units that ``scope_id`` succeeded."""
        return list(self._predecessors.get(scope_id, ()))

    def labels(self) -> Iterator[tuple[str, str]]:
        """Return (id, name_vi) of every scope."""
        return ((s.id, s.name_vi) for s in self._scopes.values())

    # --- In memory ---------------------------------------------------------------

    def __contains__(self, scope_id: object) -> bool:
        return scope_id in self._scopes or scope_id in self._aliases

    def __getitem__(self, scope_id: str) -> Scope:
        return self._scopes[self._aliases.get(scope_id, scope_id)]

    def __iter__(self) -> Iterator[Scope]:
        return iter(self._scopes.values())

    def __len__(self) -> int:
        return len(self._scopes)

    def require(self, text: str) -> Scope:
        """Return the scope ``text`` names (see :func:`resolve`).

        Raises:
            ScopeNotFoundError: no scope or several; its one line lists the candidates.
        """
        try:
            return self[resolve(self, text)]
        except ScopeError as exc:
            raise ScopeNotFoundError(text, str(exc)) from None

    def ids(self) -> list[str]:
        """Return every scope id, in definition order."""
        return list(self._scopes)

    def canonical(self, scope_id: str) -> str:
        """Return the id an id or old id names; KeyError if neither."""
        if scope_id in self._scopes:
            return scope_id
        return self._aliases[scope_id]

    def resolve(self, text: str) -> str:
        """Return the id ``text`` names (see :func:`resolve`)."""
        return resolve(self, text)

    def lineage(self, scope_id: str) -> tuple[str, ...]:
        """Return the scope and its ancestors, nearest first; KeyError if unknown."""
        scope_id = self.canonical(scope_id)
        return lineage(self, scope_id)

    def heritage(self, scope_id: str) -> tuple[str, ...]:
        """Return the scopes whose rows ``scope_id`` lists (see :func:`heritage`)."""
        return heritage(self, self.canonical(scope_id))

    def listed(self, scope_id: str) -> tuple[str, ...]:
        """Return the scope ids whose rows ``scope_id`` lists (see :func:`listed_scopes`)."""
        return listed_scopes(self, self.canonical(scope_id))

    def children(self, scope_id: str) -> list[str]:
        """Return the ids whose parent is ``scope_id``, in definition order."""
        return list(self._children.get(scope_id, ()))

    def descendants(self, scope_id: str) -> list[str]:
        """Return every scope below ``scope_id``, depth first, in definition order."""
        result: list[str] = []
        stack = list(reversed(self.children(scope_id)))
        while stack:
            current = stack.pop()
            result.append(current)
            stack.extend(reversed(self.children(current)))
        return result

    def search(self, text: str) -> list[Scope]:
        """Return the scopes whose id or name contains ``text`` (diacritics optional)."""
        wanted_exact, wanted_fold = normalize(text), fold(text)
        return [
            s
            for s in self._scopes.values()
            if wanted_exact in normalize(s.name_vi)
            or (wanted_fold and (wanted_fold in fold(s.name_vi) or wanted_fold in s.id))
        ]

    def with_scope(self, scope: Scope) -> ScopeTree:
        """Return a tree with ``scope`` added or replaced (validated anew)."""
        scopes = dict(self._scopes)
        scopes[scope.id] = scope
        return ScopeTree(scopes.values())

    def without(self, scope_id: str) -> ScopeTree:
        """Return a tree without ``scope_id`` (validated anew: no child may be left)."""
        return ScopeTree(s for s in self._scopes.values() if s.id != scope_id)
