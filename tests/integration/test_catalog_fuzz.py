"""Hypothesis: whatever bytes or rows arrive, the catalog answers with data or located errors."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_svc.catalog import COLUMNS, load_scopes, parse_csv, write_csv
from calendar_svc.errors import CsvImportError

SCOPES = load_scopes()
HEADER = ",".join(COLUMNS)


def _check(text: str) -> None:
    try:
        anns = parse_csv(text, SCOPES, "f.csv")
    except CsvImportError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.source == "f.csv"
            assert problem.line is not None and problem.line >= 1
            assert str(problem).startswith(f"f.csv:{problem.line}: ")
        return
    buf = io.StringIO()
    write_csv(anns, buf)
    assert parse_csv(buf.getvalue(), SCOPES, "again.csv") == anns


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes(data: bytes) -> None:
    from calendar_svc.catalog import _decode

    try:
        text = _decode(data, "f.csv")
    except CsvImportError as exc:
        assert all(p.line and p.line >= 1 for p in exc.problems)
        return
    _check(text)


@settings(max_examples=300)
@given(st.text(max_size=2000))
def test_random_text_after_a_header(body: str) -> None:
    _check(HEADER + "\n" + body)


field = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "1930-02-03",
            "--01-01",
            "1972-12",
            "1943",
            "lunar",
            "solar",
            "1",
            "day",
            "national",
            "city:cam-pha",
            "su-kien-lich-su",
            "le-hoi",
            "2025-06-30",
            "=1+1",
        ]
    ),
)


@settings(max_examples=300)
@given(st.lists(st.lists(field, min_size=len(COLUMNS), max_size=len(COLUMNS)), max_size=8))
def test_random_rows(rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    _check(buf.getvalue())
