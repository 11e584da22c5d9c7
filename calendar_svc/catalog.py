"""Read, validate and write anniversary CSV files.

Every problem names its place (``data/anniversaries.csv:47: column 'origin': …``). A file
is validated whole: :func:`load_csv` either returns every row or raises one
:class:`~calendar_svc.errors.CsvImportError` listing all problems, so callers never
write half a file. :func:`iter_csv` reads a file of any size the same way, one line at
a time: it yields rows while none is wrong, and raises at the end if any was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import IO, Any

from calendar_svc.core.model import Anniversary, DateForm
from calendar_svc.core.scopes import Scope, ScopeTree
from calendar_svc.csvcells import neutralised
from calendar_svc.errors import CsvImportError, RowProblem
from calendar_svc.rowfields import (
    COLUMNS,
    FREE_TEXT_COLUMNS,
    REQUIRED_COLUMNS,
    _parse_stripped,
    parse_date,
)

#: The revision (DTSTAMP of feeds, ``revised_at`` of a fresh store) of the bundled dataset.
#: Bump it whenever ``data/anniversaries.csv`` changes; a test checks the pairing.
DATASET_REVISION = datetime(2026, 12, 1, tzinfo=UTC)
#: SHA-256 of the bundled ``anniversaries.csv`` that :data:`DATASET_REVISION` dates.
DATASET_SHA256 = "878dea4b7a5ef1e45c1da8d1ec9b7164779f977d3121b86c6f744c80faaebb2a"


def bundled_path(name: str = "anniversaries.csv") -> Path:
    """Return the path of a file of the bundled dataset (``data/`` of the repository).

    The package ``calendar_svc.data`` is that directory, in a wheel and in an editable
    install alike (see setup.py).
    """
    return Path(str(resources.files("calendar_svc.data") / name))


def scope_from_row(row: Mapping[str, str], *, user: bool = False) -> Scope:
    """Return a scope from the fields of a ``scopes.csv`` row."""
    valid_to = row.get("valid_to") or ""
    return Scope(
        id=row["id"],
        parent=row.get("parent") or None,
        name_vi=row["name_vi"],
        name_en=row.get("name_en") or "",
        kind=row.get("kind") or "",
        type_vi=row.get("type_vi") or "",
        code=row.get("code") or "",
        valid_to=parse_date(valid_to) if valid_to else None,
        successors=tuple(s for s in (row.get("successors") or "").split(";") if s),
        aliases=tuple(s for s in (row.get("aliases") or "").split(";") if s),
        user=user,
        source=row.get("source") or "",
    )


def registry_rows(path: Path | None = None) -> list[dict[str, str]]:
    """Return the rows of ``scopes.csv`` (the bundled registry by default)."""
    path = path or bundled_path("scopes.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_scopes(path: Path | None = None) -> ScopeTree:
    """Return the scope tree of ``scopes.csv`` (the bundled registry by default).

    The database holds the registry and the users' scopes; this reads the file alone,
    for the seed and for callers without a database.
    """
    return ScopeTree(scope_from_row(r) for r in registry_rows(path))


def load_bundled() -> list[Anniversary]:
    """Return the bundled dataset, validated."""
    path = bundled_path()
    return load_csv(path, scopes=load_scopes(), display_name="data/anniversaries.csv")


_NUL_PROBLEM = (
    "contains a NUL byte: this is not a CSV text file (save it as UTF-8 CSV from the spreadsheet)"
)


def _decode(data: bytes, display: str) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        problem = RowProblem(display, line, None, _NUL_PROBLEM)
        raise CsvImportError([problem])
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a BOM (Excel's UTF-8 CSV)
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = start + exc.start
        line = data.count(b"\n", 0, at) + 1
        problem = RowProblem(
            display,
            line,
            None,
            f"byte 0x{data[at]:02x} is not UTF-8 (save the file as UTF-8 CSV)",
        )
        raise CsvImportError([problem]) from None


_CSV_REASONS = (
    ("unexpected end of data", "a quote opened here is never closed"),
    ("field larger than field limit", "a field is longer than the limit of {limit} characters"),
    ("expected after", 'text follows a closing quote (double a quote inside a quoted field: "")'),
)


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    for needle, reason in _CSV_REASONS:
        if needle in text:
            return reason.format(limit=csv.field_size_limit())
    return text


def parse_csv(text: str, scopes: ScopeTree, display: str) -> list[Anniversary]:
    """Validate CSV text whole; return its anniversaries or raise CsvImportError."""
    return list(parse_lines(io.StringIO(text, newline=""), scopes, display))


def parse_lines(lines: Iterable[str], scopes: ScopeTree, display: str) -> Iterator[Anniversary]:
    """Validate CSV lines one record at a time; yield the anniversaries.

    Rows are yielded while every row so far is valid. After the first problem none is
    yielded any more, the rest is still checked, and at the end one CsvImportError lists
    every problem: a caller that writes what it gets must write nothing unless the
    iteration ends without an error. Memory stays bounded by the ids seen (for the check
    of duplicates), never by the rows.
    """
    problems: list[RowProblem] = []
    lines = iter(lines)
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    first_line: dict[str, int] = {}
    memo: dict[tuple[str, str], Any] = {}
    next_line = 1
    while True:
        line = next_line
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RowProblem(display, line, None, f"not valid CSV: {_csv_reason(exc)}"))
            break
        next_line = reader.line_num + 1
        record = list(map(str.strip, record))
        if not any(record):
            continue
        if header is None:
            header = record
            problems.extend(_header_problems(header, display, line))
            if problems:
                break
            continue
        if len(record) != len(header):
            problems.append(
                RowProblem(
                    display,
                    line,
                    None,
                    f"has {len(record)} fields but the header has {len(header)}",
                )
            )
            continue
        fields = dict(zip(header, record, strict=True))
        ann, field_problems = _parse_stripped(fields, scopes, memo)
        problems.extend(RowProblem(display, line, p.column, p.message) for p in field_problems)
        ident = fields.get("id", "")
        if ident:
            first = first_line.setdefault(ident, line)
            if first != line:
                problems.append(
                    RowProblem(display, line, "id", f"{ident!r} is already used on line {first}")
                )
                continue
        if ann is not None and not problems:
            yield ann
    for _ in lines:  # what reading stopped before: a NUL byte or non-UTF-8 there comes first
        pass
    if header is None and not problems:
        problems.append(RowProblem(display, 1, None, "the file is empty (it needs a header row)"))
    if problems:
        raise CsvImportError(problems)


def _byte_lines(stream: IO[bytes], display: str) -> Iterator[str]:
    """Decode a binary CSV stream line by line (UTF-8, an optional BOM first).

    Lines end as the csv module's own reading ends them (LF, CR LF or CR). A NUL byte or
    bytes that are not UTF-8 end the reading with one problem, worded and placed as for
    a file read whole (:func:`_decode`): a NUL byte anywhere comes first, and the line
    is counted in LFs.
    """
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if b"\x00" in raw:
            raise CsvImportError([RowProblem(display, number, None, _NUL_PROBLEM)])
        try:
            if b"\r" in raw:
                pieces = [p.decode("utf-8") for p in raw.splitlines(keepends=True)]
            else:
                pieces = [raw.decode("utf-8")]
        except UnicodeDecodeError:
            bad = _first_non_utf8(raw)
            problem, line = f"byte 0x{bad:02x} is not UTF-8 (save the file as UTF-8 CSV)", number
            for later, rest in enumerate(stream, start=number + 1):
                if b"\x00" in rest:
                    problem, line = _NUL_PROBLEM, later
                    break
            raise CsvImportError([RowProblem(display, line, None, problem)]) from None
        yield from pieces


def _first_non_utf8(data: bytes) -> int:
    """Return the first byte of ``data`` that does not decode as UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[exc.start]
    raise ValueError("the bytes decode as UTF-8")


def _header_problems(header: list[str], display: str, line: int) -> list[RowProblem]:
    problems = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(RowProblem(display, line, name, "appears twice in the header"))
        seen.add(name)
        if name not in COLUMNS:
            problems.append(
                RowProblem(
                    display,
                    line,
                    None,
                    f"unknown column {name!r} (known: {', '.join(COLUMNS)})",
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(RowProblem(display, line, None, f"missing required column {name!r}"))
    return problems


def load_csv(
    path: Path, *, scopes: ScopeTree, display_name: str | None = None
) -> list[Anniversary]:
    """Read and validate a CSV file whole.

    Raises:
        CsvImportError: listing every problem, each with file:line and column.
    """
    return list(iter_csv(path, scopes=scopes, display_name=display_name))


def iter_csv(
    path: Path, *, scopes: ScopeTree, display_name: str | None = None
) -> Iterator[Anniversary]:
    """Read and validate a CSV file one line at a time; yield its anniversaries.

    The rows come as :func:`parse_lines` gives them: nothing is yielded after the first
    problem, and the iteration ends with one CsvImportError listing every problem.

    Raises:
        CsvImportError: listing every problem, each with file:line and column.
    """
    display = display_name or str(path)
    try:
        with path.open("rb") as stream:
            yield from parse_lines(_byte_lines(stream, display), scopes, display)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CsvImportError(
            [RowProblem(display, None, None, f"cannot read the file: {reason}")]
        ) from None


def anniversary_row(ann: Anniversary) -> dict[str, str]:
    """Return an anniversary as CSV fields, the inverse of :func:`.rowfields.parse_fields`."""
    origin = ann.origin
    return {
        "id": ann.id,
        "name_vi": ann.name_vi,
        "name_en": ann.name_en,
        "origin": origin.iso(),
        "calendar": origin.calendar.value,
        "leap_month": "1" if origin.leap else "",
        "category": ann.category,
        "scope": ann.scope,
        "valid_from": ann.valid_from.isoformat() if ann.valid_from else "",
        "valid_to": ann.valid_to.isoformat() if ann.valid_to else "",
        "date_form": "" if ann.date_form is DateForm.RANGE else ann.date_form.value,
        "duration_days": "" if ann.duration_days == 1 else str(ann.duration_days),
        "source": ann.source,
        "home": ";".join(ann.home),
        "note": ann.note,
    }


def write_csv(anniversaries: Iterable[Anniversary], stream: IO[str]) -> int:
    """Write anniversaries as CSV (header first, LF line ends); return the row count.

    A free-text cell that a spreadsheet would run as a formula gets a leading ``'``.
    """
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for ann in anniversaries:
        row = anniversary_row(ann)
        writer.writerow(
            {k: neutralised(v) if k in FREE_TEXT_COLUMNS else v for k, v in row.items()}
        )
        n += 1
    return n
