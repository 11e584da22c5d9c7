"""Match a written name to the anniversaries it may mean.

:class:`NameIndex` holds the anniversaries' normalised names and a word index, so a
name is scored only against anniversaries that share a distinctive word with it (a
dataset of thousands of rows stays fast). :meth:`NameIndex.candidates` returns every
anniversary scoring at least :data:`MATCH_THRESHOLD`, best first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from calendar_svc.core.model import Anniversary
from calendar_svc.proofread.names import Name, similarity

#: Lowest score that counts as a match.
MATCH_THRESHOLD = 0.8

#: Words too common in anniversary names to say which one is meant (folded).
COMMON_WORDS = frozenset(
    [
        "ngay",
        "nam",
        "thanh",
        "lap",
        "truyen",
        "thong",
        "viet",
        "cua",
        "va",
        "dong",
        "chi",
        "cu",
        "chu",
        "tich",
        "le",
        "hoi",
        "ky",
        "niem",
        "nganh",
        "to",
        "quoc",
        "nhan",
        "dan",
        "toan",
        "sinh",
        "mien",
        "thang",
    ]
)


@dataclass(frozen=True, slots=True)
class Match:
    """An anniversary a written name may mean, and how alike the names are (0-1)."""

    anniversary: Anniversary
    score: float


#: Most names scored for one written name (those sharing the most distinctive words).
MAX_SCORED = 24
#: Discount of a match on one part of a double name ("A - B").
PART_FACTOR = 0.98
_PART_SEP = re.compile(r"\s+[-–]\s+")


def name_parts(name_vi: str) -> tuple[str, ...]:
    """Return a dataset name and, for a double name ("Ngày thành lập X - Ngày truyền
    thống Y"), each part of three words or more; names in quotes are not split."""
    if any(q in name_vi for q in '“”"'):
        return (name_vi,)
    parts = [p for p in _PART_SEP.split(name_vi) if len(p.split()) >= 3]
    return (name_vi, *parts) if len(parts) > 1 else (name_vi,)


class NameIndex:
    """The anniversaries' names, ready to be matched."""

    def __init__(self, anniversaries: Iterable[Anniversary]) -> None:
        self._entries: list[tuple[Anniversary, tuple[Name, ...]]] = []
        self._by_word: dict[str, set[int]] = {}
        self._cache: dict[tuple[str, str, float], tuple[Match, ...]] = {}
        for ann in anniversaries:
            names = tuple(Name.of(part) for part in name_parts(ann.name_vi))
            index = len(self._entries)
            self._entries.append((ann, names))
            for name in names:
                for word in _distinctive(name.words):
                    self._by_word.setdefault(word, set()).add(index)

    @property
    def anniversaries(self) -> list[Anniversary]:
        """Return the indexed anniversaries."""
        return [ann for ann, _ in self._entries]

    def candidates(self, written: str | Name, threshold: float = MATCH_THRESHOLD) -> list[Match]:
        """Return the anniversaries whose names score ``threshold`` or more, best first.

        Ties keep the index order (the dataset's id order).
        """
        name = written if isinstance(written, Name) else Name.of(written)
        key = (name.folded, name.accented, threshold)
        cached = self._cache.get(key)
        if cached is not None:
            return list(cached)
        found = self._score(name, threshold)
        self._cache[key] = tuple(found)
        return found

    def _score(self, name: Name, threshold: float) -> list[Match]:
        words = _distinctive(name.words)
        if not words:
            return []
        pool: set[int] = set()
        for word in words:
            pool |= self._by_word.get(word, set())
        # Rank by the overlap of distinctive words (shared / either's); a name sharing under
        # a third of a known name's words is not it, and only the best few are scored, after
        # the names that are the same once folded.
        ranked: list[tuple[float, int, int]] = []
        for index in pool:
            for i, part in enumerate(self._entries[index][1]):
                own = _distinctive(part.words)
                shared = len(own & words)
                if not own or shared * 3 < len(own):
                    continue
                exact = part.folded == name.folded
                ranked.append((-2.0 if exact else -shared / len(own | words), index, i))
        ranked.sort()
        best: dict[int, float] = {}
        for _, index, i in ranked[:MAX_SCORED]:
            known = self._entries[index][1]
            factor = 1.0 if i == 0 else PART_FACTOR
            score = similarity(name, known[i]) * factor
            best[index] = max(best.get(index, 0.0), score)
        found = [
            Match(self._entries[index][0], round(score, 3))
            for index, score in sorted(best.items())
            if score >= threshold
        ]
        found.sort(key=lambda m: -m.score)
        return found


def _distinctive(words: Sequence[str]) -> set[str]:
    return {w for w in words if w not in COMMON_WORDS and len(w) > 1}
