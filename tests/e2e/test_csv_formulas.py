"""Formula injection (OWASP CSV Injection): refused on import, neutralised on export.

The stored names below could only come from before the check (or a hand-edited
database); they are put into the store directly.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_svc.catalog import load_scopes, parse_csv, write_csv
from calendar_svc.csvcells import FORMULA_START
from calendar_svc.errors import CsvImportError
from calendar_svc.rowfields import COLUMNS
from calendar_svc.store.open import open_store
from conftest import Cli
from helpers import make

SCOPES = load_scopes()
STORED = ["-2+3+cmd|' /C calc'!A0", "=1+1", "+1", "@SUM(A1)", "\t=1", "\r=1", "-"]


def _store_names(cli: Cli) -> None:
    store = open_store(f"sqlite:///{cli.database}")
    try:
        for n, name in enumerate(STORED):
            ann = dataclasses.replace(
                make(f"f-{n}", f"19{30 + n}-02-03", scope="city:cam-pha"),
                name_vi=name,
                name_en=name,
                source=name,
            )
            store.anniversaries.add(ann, now=datetime(2026, 11, 26, tzinfo=UTC))
    finally:
        store.close()


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_export_and_month_csv_neutralise_stored_formulas(cli: Cli) -> None:
    assert cli("db", "upgrade").code == 0
    _store_names(cli)
    exported = cli("export")
    assert exported.code == 0, exported.err
    listing = cli("month", "2023-02", "--format", "csv", "--scope", "city:cam-pha")
    assert listing.code == 0, listing.err
    for text in (exported.out, listing.out):
        cells = _cells(text)
        formulas = [c for c in cells if c.startswith(FORMULA_START)]
        origins = [c for c in formulas if c.startswith("--")]
        assert formulas == origins, formulas  # only "--MM-DD" origins, which are not text
        assert any(c == "'-2+3+cmd|' /C calc'!A0" for c in cells)


def test_exported_origins_without_a_year_import_again(cli: Cli) -> None:
    fields = dict.fromkeys(COLUMNS, "")
    fields.update(
        id="x", name_vi="Tên", name_en="Name", origin="--02-03", calendar="solar",
        category="su-kien-lich-su", scope="national", source="s",
    )  # fmt: skip
    text = ",".join(COLUMNS) + "\n" + ",".join(fields[c] for c in COLUMNS) + "\n"
    anns = parse_csv(text, SCOPES, "f.csv")
    buf = io.StringIO()
    write_csv(anns, buf)
    assert parse_csv(buf.getvalue(), SCOPES, "again.csv") == anns


_CELL = st.text(
    alphabet=st.one_of(st.sampled_from(list("=+-@\t\r'\" ,;|!")), st.characters(codec="utf-8")),
    max_size=12,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_CELL, source=_CELL)
def test_no_imported_or_exported_text_cell_starts_a_formula(name: str, source: str) -> None:
    buf = io.StringIO()
    fields = dict.fromkeys(COLUMNS, "")
    fields.update(
        id="x", name_vi=name, name_en="Name", origin="1930-02-03", calendar="solar",
        category="su-kien-lich-su", scope="national", source=source,
    )  # fmt: skip
    csv.writer(buf, lineterminator="\n").writerow([fields[c] for c in COLUMNS])
    try:
        anns = parse_csv(",".join(COLUMNS) + "\n" + buf.getvalue(), SCOPES, "f.csv")
    except CsvImportError:
        return
    for ann in anns:
        assert not ann.name_vi.startswith(FORMULA_START)
        assert not ann.source.startswith(FORMULA_START)
    out = io.StringIO()
    write_csv(anns, out)
    cells = _cells(out.getvalue())
    assert not any(c.startswith(FORMULA_START) for c in cells[len(COLUMNS) :])
