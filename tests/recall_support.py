"""Measure what the dataset produces against published directives and guides.

Each file under ``tests/data/directives/`` is one published document (its URL, the month
or year it covers, the issuer's scope) with the anniversaries it lists and their correct
counts. :func:`evaluate` lists the same period for the same scope and reports, per item,
whether ``month``/``year`` produce it with the right date and count. Used by
``tests/integration/test_directive_recall.py`` and ``bench/bench_recall.py``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from calendar_svc.core.model import Occurrence
from calendar_svc.core.occurrences import month_range, year_range
from calendar_svc.core.policy import commemorated
from calendar_svc.core.scopes import ScopeIndex
from calendar_svc.services.listing import ListingQuery, list_occurrences
from calendar_svc.store.repository import AnniversaryReader

DIRECTIVES = Path(__file__).parent / "data" / "directives"


@dataclass(frozen=True, slots=True)
class Item:
    """One anniversary a document lists: its text, date, correct count and dataset id."""

    text: str
    date: str
    count: int | None
    anniversary: str


@dataclass(frozen=True, slots=True)
class Document:
    """A published directive or guide and the items it lists."""

    path: Path
    url: str
    kind: str
    period: str
    scope: str
    complete: bool
    items: tuple[Item, ...]


@dataclass(slots=True)
class Result:
    """What the listing produced for one document."""

    document: Document
    found: list[Item] = field(default_factory=list)
    missed: list[tuple[Item, str]] = field(default_factory=list)
    #: Commemorated occurrences the tool lists that a complete document does not.
    extra: list[Occurrence] = field(default_factory=list)

    @property
    def recall(self) -> float:
        total = len(self.found) + len(self.missed)
        return len(self.found) / total if total else 1.0


def load_documents(folder: Path = DIRECTIVES) -> list[Document]:
    """Read every evaluation file, sorted by name."""
    documents = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        items = tuple(
            Item(
                text=item["text"],
                date=str(item["date"]),
                count=item.get("count"),
                anniversary=item.get("anniversary", ""),
            )
            for item in data.get("items", [])
        )
        documents.append(
            Document(
                path=path,
                url=data["url"],
                kind=data["kind"],
                period=str(data["period"]),
                scope=data["scope"],
                complete=bool(data.get("complete", False)),
                items=items,
            )
        )
    return documents


def _span(text: str, kind: str) -> tuple[date, date]:
    """Return the listing that holds a date written YYYY-MM-DD, YYYY-MM or YYYY."""
    parts = [int(p) for p in text.split("-")]
    if kind == "year" or len(parts) == 1:
        return year_range(parts[0])
    return month_range(parts[0], parts[1])


def _matches(item: Item, occ: Occurrence) -> bool:
    if occ.anniversary.id != item.anniversary:
        return False
    if item.count is not None and occ.count != item.count:
        return False
    return occ.date.isoformat().startswith(item.date) or item.date.startswith(
        occ.date.isoformat()[: len(item.date)]
    )


def evaluate(
    documents: Iterable[Document], reader: AnniversaryReader, scopes: ScopeIndex
) -> list[Result]:
    """List each document's period for its scope and compare with its items."""
    cache: dict[tuple[str, date, date], Sequence[Occurrence]] = {}

    def listing(scope: str, span: tuple[date, date]) -> Sequence[Occurrence]:
        key = (scope, *span)
        if key not in cache:
            cache[key] = list_occurrences(reader, scopes, ListingQuery(*span, scope))
        return cache[key]

    results = []
    for doc in documents:
        result = Result(doc)
        for item in doc.items:
            if not item.anniversary:
                result.missed.append((item, "no dataset row"))
                continue
            occs = listing(doc.scope, _span(item.date, doc.kind))
            if any(_matches(item, occ) for occ in occs):
                result.found.append(item)
                continue
            same = [occ for occ in occs if occ.anniversary.id == item.anniversary]
            why = (
                f"listed as {same[0].date} ({same[0].count} năm)"
                if same
                else "not listed for this period and scope"
            )
            result.missed.append((item, why))
        if doc.complete:
            wanted = {item.anniversary for item in doc.items}
            period = _span(doc.period, doc.kind)
            result.extra = [
                occ
                for occ in listing(doc.scope, period)
                if commemorated(occ.anniversary.category) and occ.anniversary.id not in wanted
            ]
        results.append(result)
    return results
