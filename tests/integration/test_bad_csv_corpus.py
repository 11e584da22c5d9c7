"""The malformed-CSV corpus: every file is rejected whole with its exact expected message."""

from __future__ import annotations

from pathlib import Path

import pytest

from calendar_svc.catalog import load_csv, load_scopes
from calendar_svc.errors import CsvImportError

CORPUS = Path(__file__).parents[1] / "data" / "bad_csv"
CASES = sorted(p.stem for p in CORPUS.glob("*.csv"))


def test_corpus_is_large_and_paired() -> None:
    assert len(CASES) >= 50
    for name in CASES:
        assert (CORPUS / f"{name}.expected").is_file(), name


@pytest.mark.parametrize("name", CASES)
def test_rejected_with_expected_message(name: str) -> None:
    expected = (CORPUS / f"{name}.expected").read_text(encoding="utf-8")
    with pytest.raises(CsvImportError) as info:
        load_csv(CORPUS / f"{name}.csv", scopes=load_scopes(), display_name=f"{name}.csv")
    assert str(info.value) + "\n" == expected
