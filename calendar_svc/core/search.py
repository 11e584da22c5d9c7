"""Search anniversaries by name, with or without Vietnamese diacritics. Pure.

``biên phòng``, ``Bien Phong`` and ``BIÊN PHÒNG`` all find "Ngày Biên phòng toàn dân": both
the query and the names are *folded* (lower case, diacritics removed, đ → d, runs of
spaces made one) and the folded query must appear, as a phrase, in the folded Vietnamese
or English name or the id (so "biên phòng" does not find "Điện Biên … giải phóng").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from calendar_svc.core.model import Anniversary


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, đ as d, spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


def query_words(query: str) -> tuple[str, ...]:
    """Return the folded words of a query (empty for a blank one)."""
    return tuple(fold(query).split())


def matches(ann: Anniversary, words: Iterable[str]) -> bool:
    """Return whether the words, in order, appear in a folded name or the id."""
    phrase = " ".join(words)
    return any(
        phrase in fold(text) for text in (ann.name_vi, ann.name_en, ann.id.replace("-", " "))
    )


def search(anniversaries: Iterable[Anniversary], query: str) -> list[Anniversary]:
    """Return the anniversaries matching ``query``, in the given order (all for a blank one)."""
    words = query_words(query)
    return [ann for ann in anniversaries if matches(ann, words)]
