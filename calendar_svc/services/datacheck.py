"""Check the anniversaries a database or a CSV file holds: what ``data check`` reports.

Three kinds of problem, each a :class:`Finding`:

* **source**: a row names no source, or cites a file that is not shipped (a path of the
  project's working notes such as ``shared/reference/…``), which no reader can follow;
* **province**: a current province whose listing (its rows and its heritage's, not the
  national ones) holds no anniversary at all;
* **duplicate**: two rows of one scope with the same origin and similar names, the usual
  trace of one anniversary entered twice.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from calendar_svc.core.model import Anniversary
from calendar_svc.core.scopes import ScopeTree, fold, listed_scopes
from calendar_svc.errors import DataError

#: Names this similar (0–1, on folded words) with the same origin and scope are duplicates.
SIMILAR = 0.8
#: Sources that point into files which are not shipped with calendar-svc.
_UNSHIPPED_RE = re.compile(r"(?<![\w/.:-])(?:\.\./)?(?:shared/|reference/)[\w./-]+")
#: Words that open most names and say nothing about which anniversary it is.
_FILLER = {
    *("ngay", "ky", "niem", "le", "cua", "va", "viet", "nam", "truyen", "thong"),
    *("nganh", "dong", "chi", "cach", "mang"),
}


class DataCheckError(DataError):
    """``data check`` found problems (already printed); the message counts them."""

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(f"{count} vấn đề trong dữ liệu / {count} problems in the data")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: its kind, the rows or scope it is about, and what to do."""

    kind: str
    subject: str
    message_vi: str
    message_en: str

    def line(self) -> str:
        """Return the finding as one line, Vietnamese first."""
        return f"{self.subject}: {self.message_vi} / {self.message_en}"


def _source_findings(anniversaries: Iterable[Anniversary]) -> list[Finding]:
    found = []
    for ann in anniversaries:
        if not ann.source.strip():
            found.append(
                Finding(
                    "source",
                    ann.id,
                    "không có nguồn (ghi số văn bản hoặc địa chỉ URL)",
                    "has no source (give a document number or a URL)",
                )
            )
            continue
        cited = _UNSHIPPED_RE.search(ann.source)
        if cited is not None:
            found.append(
                Finding(
                    "source",
                    ann.id,
                    f"dẫn tệp không phát hành kèm '{cited.group()}'",
                    f"cites a file that is not shipped, '{cited.group()}': cite the document",
                )
            )
    return found


def _province_findings(anniversaries: Sequence[Anniversary], tree: ScopeTree) -> list[Finding]:
    used = {ann.scope for ann in anniversaries}
    found = []
    for scope in tree:
        if scope.kind != "province" or scope.valid_to is not None:
            continue
        listed = set(listed_scopes(tree, scope.id)) - {"national"}
        if not listed & used:
            found.append(
                Finding(
                    "province",
                    scope.id,
                    f"{scope.name_vi} không có ngày kỷ niệm nào của địa phương",
                    f"{scope.name_en} lists no anniversary of its own",
                )
            )
    return found


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", fold(name)) if w and w not in _FILLER]


def similarity(a: str, b: str) -> float:
    """Return how alike two names are (0–1), ignoring accents, case and filler words."""
    return SequenceMatcher(None, " ".join(_words(a)), " ".join(_words(b))).ratio()


def _duplicate_findings(anniversaries: Iterable[Anniversary]) -> list[Finding]:
    groups: dict[tuple[str, str, str], list[Anniversary]] = defaultdict(list)
    for ann in anniversaries:
        groups[(ann.scope, ann.calendar.value, ann.origin.iso())].append(ann)
    found = []
    for (scope, _calendar, origin), anns in sorted(groups.items()):
        for i, first in enumerate(anns):
            for second in anns[i + 1 :]:
                score = similarity(first.name_vi, second.name_vi)
                if score >= SIMILAR:
                    found.append(
                        Finding(
                            "duplicate",
                            f"{first.id}, {second.id}",
                            f"có thể trùng nhau ({scope}, {origin}, giống {score:.0%})",
                            f"may be one anniversary entered twice ({scope}, {origin}, "
                            f"{score:.0%} alike)",
                        )
                    )
    return found


def check_data(anniversaries: Sequence[Anniversary], tree: ScopeTree) -> list[Finding]:
    """Return every problem of ``anniversaries`` against the scope ``tree``, by kind."""
    return [
        *_source_findings(anniversaries),
        *_province_findings(anniversaries, tree),
        *_duplicate_findings(anniversaries),
    ]
