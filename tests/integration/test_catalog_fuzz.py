"""Hypothesis: whatever bytes or rows arrive, the catalog answers with data or located errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_svc import catalog, rowfields
from calendar_svc.catalog import _decode, iter_csv, load_scopes, parse_csv, write_csv
from calendar_svc.core.model import Anniversary
from calendar_svc.errors import CsvImportError
from calendar_svc.rowfields import COLUMNS

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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes(data: bytes) -> None:
    from calendar_svc.catalog import _decode

    try:
        text = _decode(data, "f.csv")
    except CsvImportError as exc:
        assert all(p.line and p.line >= 1 for p in exc.problems)
        return
    _check(text)


@settings(max_examples=300, deadline=None)
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


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(field, min_size=len(COLUMNS), max_size=len(COLUMNS)), max_size=8))
def test_random_rows(rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    _check(buf.getvalue())


def _outcome(read: Callable[[], list[Anniversary]]) -> tuple[list[Anniversary], list[str]]:
    try:
        return read(), []
    except CsvImportError as exc:
        return [], [str(p) for p in exc.problems]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    head=st.sampled_from([b"", b"\xef\xbb\xbf"]),
    rows=st.lists(st.lists(field, min_size=len(COLUMNS), max_size=len(COLUMNS)), max_size=6),
    noise=st.binary(max_size=40),
    at=st.integers(min_value=0, max_value=4000),
    ending=st.sampled_from(["\n", "\r\n"]),
)
def test_a_file_read_as_a_stream_reads_as_the_file_read_whole(
    tmp_path_factory: pytest.TempPathFactory,
    head: bytes,
    rows: list[list[str]],
    noise: bytes,
    at: int,
    ending: str,
) -> None:
    """Streaming (the import) and whole-file reading give the same rows or problems."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=ending)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    data = head + buf.getvalue().encode("utf-8")
    data = data[:at] + noise.replace(b"\r", b"") + data[at:]  # maybe NUL, not UTF-8, …
    path = tmp_path_factory.mktemp("stream") / "f.csv"
    path.write_bytes(data)
    whole = _outcome(lambda: parse_csv(_decode(data, "f.csv"), SCOPES, "f.csv"))
    streamed = _outcome(lambda: list(iter_csv(path, scopes=SCOPES, display_name="f.csv")))
    assert streamed == whole


@settings(max_examples=500, deadline=None)
@given(st.lists(field, min_size=len(COLUMNS), max_size=len(COLUMNS)))
def test_the_quick_path_of_a_row_agrees_with_the_general_one(values: list[str]) -> None:
    fields = dict(zip(COLUMNS, values, strict=True))
    general = rowfields._parse_general({k: v.strip() for k, v in fields.items()}, SCOPES)
    assert rowfields.parse_fields(fields, SCOPES) == general


def test_the_quick_path_reads_the_bundled_dataset_as_the_general_one() -> None:
    with catalog.bundled_path().open(encoding="utf-8-sig", newline="") as fh:
        records = list(csv.DictReader(fh))
    for record in records:
        general = rowfields._parse_general({k: v.strip() for k, v in record.items()}, SCOPES)
        assert rowfields.parse_fields(record, SCOPES) == general, record["id"]
