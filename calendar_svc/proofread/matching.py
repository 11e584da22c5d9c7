"""Match a written name to the anniversaries it may mean.

:class:`NameIndex` holds the anniversaries' normalised names and a word index, so a
name is scored only against anniversaries that share a distinctive word with it (a
dataset of thousands of rows stays fast). :meth:`NameIndex.candidates` returns every
anniversary scoring at least :data:`MATCH_THRESHOLD`, best first.
"""

from __future__ import annotations

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


class NameIndex:
    """The anniversaries' names, ready to be matched."""

    def __init__(self, anniversaries: Iterable[Anniversary]) -> None:
        self._entries: list[tuple[Anniversary, Name]] = []
        self._by_word: dict[str, set[int]] = {}
        for ann in anniversaries:
            name = Name.of(ann.name_vi)
            index = len(self._entries)
            self._entries.append((ann, name))
            for word in _distinctive(name.words):
                self._by_word.setdefault(word, set()).add(index)

    @property
    def anniversaries(self) -> list[Anniversary]:
        """Return the indexed anniversaries."""
        return [ann for ann, _ in self._entries]

    def name_of(self, anniversary_id: str) -> Name | None:
        """Return the normalised name of an indexed anniversary."""
        for ann, name in self._entries:
            if ann.id == anniversary_id:
                return name
        return None

    def candidates(self, written: str | Name, threshold: float = MATCH_THRESHOLD) -> list[Match]:
        """Return the anniversaries whose names score ``threshold`` or more, best first.

        Ties keep the index order (the dataset's id order).
        """
        name = written if isinstance(written, Name) else Name.of(written)
        if not name.words:
            return []
        pool: set[int] = set()
        for word in _distinctive(name.words):
            pool |= self._by_word.get(word, set())
        found: list[Match] = []
        for index in sorted(pool):
            ann, known = self._entries[index]
            score = similarity(name, known)
            if score >= threshold:
                found.append(Match(ann, round(score, 3)))
        found.sort(key=lambda m: -m.score)
        return found


def _distinctive(words: Sequence[str]) -> set[str]:
    return {w for w in words if w not in COMMON_WORDS and len(w) > 1}
