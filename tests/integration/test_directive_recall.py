"""Recall of the bundled dataset against published directives and guides.

Each evaluation file is a document someone published (``tests/data/directives/``, with
its URL); its items carry the counts recomputed from the dates. The bundled dataset must
produce at least 95% of all listed items with the right date and count for the issuer's
scope, and every item that names a dataset row.
"""

from __future__ import annotations

import pytest
from recall_support import Result, evaluate, load_documents

from calendar_svc.catalog import DATASET_REVISION, load_bundled, load_scopes
from calendar_svc.store.memory import MemoryReader

DOCUMENTS = load_documents()


@pytest.fixture(scope="module")
def results() -> list[Result]:
    reader = MemoryReader(load_bundled(), DATASET_REVISION)
    return evaluate(DOCUMENTS, reader, load_scopes())


def test_the_evaluation_set_is_large_and_sourced() -> None:
    assert len(DOCUMENTS) >= 40
    assert sum(len(doc.items) for doc in DOCUMENTS) >= 200
    for doc in DOCUMENTS:
        assert doc.url, doc.path.name
        assert doc.items, doc.path.name


def test_recall_is_at_least_95_percent(results: list[Result]) -> None:
    found = sum(len(r.found) for r in results)
    total = found + sum(len(r.missed) for r in results)
    assert found / total >= 0.95, f"{found}/{total}"


@pytest.mark.parametrize("doc", DOCUMENTS, ids=[doc.path.stem for doc in DOCUMENTS])
def test_every_item_with_a_dataset_row_is_produced(doc, results: list[Result]) -> None:
    (result,) = [r for r in results if r.document is doc]
    wrong = [
        f"{item.text} [{item.anniversary}]: {why}"
        for item, why in result.missed
        if item.anniversary
    ]
    assert wrong == []
