"""Recall and precision of the bundled dataset against published directives and guides.

Lists, for each evaluation document under ``tests/data/directives/``, the same period for
the issuer's scope and counts the listed items produced with the right date and count.
Precision is measured on the documents whose whole list was read (``complete = true``)
and that list at least five items: an extra is a commemorated occurrence the tool lists
and the issuer did not.

Usage: .venv/bin/python bench/bench_recall.py [--verbose]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from recall_support import evaluate, load_documents

from calendar_svc.catalog import DATASET_REVISION, load_bundled, load_scopes
from calendar_svc.store.memory import MemoryReader


def main() -> None:
    verbose = "--verbose" in sys.argv
    documents = load_documents()
    results = evaluate(documents, MemoryReader(load_bundled(), DATASET_REVISION), load_scopes())
    found = sum(len(r.found) for r in results)
    total = found + sum(len(r.missed) for r in results)
    print(f"{'document':<34} {'kind':<5} {'scope':<34} {'items':>5} {'recall':>7}")
    for r in results:
        doc = r.document
        items = len(r.found) + len(r.missed)
        print(f"{doc.path.stem:<34} {doc.kind:<5} {doc.scope:<34} {items:>5} {r.recall:>7.0%}")
        if verbose:
            for item, why in r.missed:
                print(f"    missed: {item.text} ({why})")
    print(f"\nrecall: {found}/{total} = {found / total:.1%} over {len(results)} documents")
    full = [r for r in results if r.document.complete and len(r.document.items) >= 5]
    hits = sum(len(r.found) for r in full)
    extra = sum(len(r.extra) for r in full)
    if full:
        print(
            f"precision on {len(full)} complete lists: {hits}/{hits + extra} = "
            f"{hits / (hits + extra):.1%}"
        )
        for r in full:
            names = "; ".join(f"{o.anniversary.name_vi} ({o.date:%d/%m})" for o in r.extra)
            print(f"    {r.document.path.stem} extra: {names or '-'}")


if __name__ == "__main__":
    main()
