"""Normalise anniversary names and score how alike two names are.

Directives write the same name many ways: "Ngày thành lập Quân đội nhân dân Việt Nam",
"ngày thành lập QĐND Việt Nam", "Ngày thành lập Quân đội Nhân dân Việt Nam"; old-style
tone marks ("hoá") beside new ("hóa"); quotes, dashes and "kỷ niệm" around the name.
:func:`normalise` folds these differences away and :func:`similarity` compares two
normalised names on a 0-1 scale, accents first, then without accents (a small
discount), and a name contained in a longer phrase (a window of the phrase's words).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

#: Abbreviations the directives use, in the normalised (lower-case) form.
ABBREVIATIONS: Mapping[str, str] = {
    "qđnd": "quân đội nhân dân",
    "qdnd": "quân đội nhân dân",
    "tncs": "thanh niên cộng sản",
    "hcm": "hồ chí minh",
    "tntp": "thiếu niên tiền phong",
    "chxhcn": "cộng hòa xã hội chủ nghĩa",
    "mttq": "mặt trận tổ quốc",
    "vn": "việt nam",
    "qptd": "quốc phòng toàn dân",
    "lhpn": "liên hiệp phụ nữ",
    "cđ": "công đoàn",
    "đbp": "điện biên phủ",
    "ctxh": "chính trị xã hội",
    "lhtn": "liên hiệp thanh niên",
    "tp": "thành phố",
}

#: Words at the start of a phrase that introduce a name rather than belong to it.
LEAD_WORDS = (
    "kỷ niệm",
    "chào mừng",
    "mừng",
    "hướng tới",
    "hướng đến",
    "nhân dịp",
    "tròn",
    "tuyên truyền",
)

# Old-style tone placement (hoá, thuỷ) → the placement the dataset uses (hóa, thủy).
_OLD_TONES = {
    "oá": "óa",
    "oà": "òa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oé": "óe",
    "oè": "òe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uý": "úy",
    "uỳ": "ùy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_OLD_TONE_RE = re.compile("|".join(_OLD_TONES))
_PUNCT_RE = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w+", re.UNICODE)

#: Discount of a match found only once accents are dropped.
UNACCENTED_FACTOR = 0.97
#: Discount of a match found inside a longer phrase.
PARTIAL_FACTOR = 0.95


def fold(text: str) -> str:
    """Return ``text`` without diacritics ("Đảng" → "dang"); already lower-case text stays so."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Return a name in the form names are compared in.

    NFC, lower case, new-style tone marks, punctuation (quotes, dashes, brackets) as
    spaces, abbreviations spelt out, single spaces, lead words ("kỷ niệm") removed.
    """
    text = unicodedata.normalize("NFC", text).lower()
    text = _OLD_TONE_RE.sub(lambda m: _OLD_TONES[m[0]], text)
    text = _PUNCT_RE.sub(" ", text).replace("_", " ")
    words = [ABBREVIATIONS.get(w, w) for w in text.split()]
    text = " ".join(words)
    changed = True
    while changed:
        changed = False
        for lead in LEAD_WORDS:
            if text.startswith(lead + " "):
                text = text[len(lead) + 1 :]
                changed = True
    return _SPACE_RE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Name:
    """A normalised name, with and without accents, and its words."""

    accented: str
    folded: str
    words: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Name:
        """Return the normalised form of ``text``."""
        accented = normalise(text)
        folded = fold(accented)
        return cls(accented, folded, tuple(folded.split()))


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return 0.0
    return matcher.ratio()


def similarity(written: Name, known: Name) -> float:
    """Return how alike a written name is to a known one, 0 (unlike) to 1 (the same).

    The best of: the accented names' ratio; the unaccented ratio times
    :data:`UNACCENTED_FACTOR`; when the written phrase is longer, the best window of as
    many words as the known name (±1) times :data:`PARTIAL_FACTOR`.
    """
    if written.accented == known.accented:
        return 1.0
    best = _ratio(written.accented, known.accented)
    if best < 1.0:
        best = max(best, _ratio(written.folded, known.folded) * UNACCENTED_FACTOR)
    size = len(known.words)
    if best < 0.99 and len(written.words) > size and size >= 2:
        for width in (size - 1, size, size + 1):
            if width < 2 or width > len(written.words):
                continue
            for start in range(len(written.words) - width + 1):
                window = " ".join(written.words[start : start + width])
                score = _ratio(window, known.folded) * PARTIAL_FACTOR
                best = max(best, score)
    return best
