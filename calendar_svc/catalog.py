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
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import IO, Any

from calendar_svc.core.model import SLUG_RE, Anniversary, Calendar, DateForm, Origin
from calendar_svc.core.policy import require_category
from calendar_svc.core.scopes import Scope, ScopeError, ScopeTree
from calendar_svc.csvcells import FORMULA_START, looks_like_formula, neutralised
from calendar_svc.errors import CsvImportError, RowProblem, UnknownNameError

#: The columns in file order (the header :func:`write_csv` writes); how each is read is
#: :data:`PARSED_COLUMNS`.
COLUMNS = (
    "id",
    "name_vi",
    "name_en",
    "origin",
    "calendar",
    "leap_month",
    "category",
    "scope",
    "valid_from",
    "valid_to",
    "date_form",
    "duration_days",
    "source",
    "home",
    "note",
)
MAX_FIELD_CHARS = 2000
#: Names: at most this many characters (the bundled ones have under 100).
NAME_COLUMNS = ("name_vi", "name_en")
MAX_NAME_CHARS = 200
#: What ends a line somewhere (CR, LF, NEL, LINE and PARAGRAPH SEPARATOR): refused in text.
LINE_BREAKS = "\r\n\x85\u2028\u2029"
#: Any character that is refused in text: line breaks, controls, lone surrogates.
_BAD_CHAR_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: Columns of free text (the others have a strict form: an origin may start with "--").
FREE_TEXT_COLUMNS = ("name_vi", "name_en", "source")
MAX_DURATION_DAYS = 366

#: The revision (DTSTAMP of feeds, ``revised_at`` of a fresh store) of the bundled dataset.
#: Bump it whenever ``data/anniversaries.csv`` changes; a test checks the pairing.
DATASET_REVISION = datetime(2026, 12, 1, tzinfo=UTC)
#: SHA-256 of the bundled ``anniversaries.csv`` that :data:`DATASET_REVISION` dates.
DATASET_SHA256 = "878dea4b7a5ef1e45c1da8d1ec9b7164779f977d3121b86c6f744c80faaebb2a"

_ORIGIN_RE = re.compile(r"^(?:(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?|--(\d{2})-(\d{2}))$", re.ASCII)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_TRUE = {"1", "true", "yes", "x"}
_FALSE = {"", "0", "false", "no"}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A problem with one field, before it is given a place."""

    column: str
    message: str


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


def parse_origin(text: str, calendar: Calendar) -> Origin:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or ``--MM-DD``.

    Raises:
        ValueError: with the message to show (without the place).
    """
    m = _ORIGIN_RE.match(text)
    hint = "(use YYYY-MM-DD, YYYY-MM or YYYY, or --MM-DD for a day without a year)"
    if m is None:
        raise ValueError(f"{text!r} is not a valid date {hint}")
    year_s, month_s, day_s, ymonth_s, yday_s = m.groups()
    try:
        if year_s is None:
            return Origin(None, int(ymonth_s), int(yday_s), calendar=calendar)
        return Origin(
            int(year_s),
            int(month_s) if month_s else None,
            int(day_s) if day_s else None,
            calendar=calendar,
        )
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date {hint}") from None


def parse_date(text: str) -> date:
    """Parse a strict ``YYYY-MM-DD`` date."""
    m = _DATE_RE.match(text)
    try:
        if m is None:
            raise ValueError
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date (use YYYY-MM-DD)") from None


def _check_text(column: str, value: str, problems: list[FieldProblem]) -> None:
    if len(value) > MAX_FIELD_CHARS:
        problems.append(FieldProblem(column, f"is longer than {MAX_FIELD_CHARS} characters"))
    elif column in NAME_COLUMNS and len(value) > MAX_NAME_CHARS:
        problems.append(FieldProblem(column, f"is longer than {MAX_NAME_CHARS} characters"))
    elif _BAD_CHAR_RE.search(value) is not None:
        if any(ch in value for ch in LINE_BREAKS):
            problems.append(FieldProblem(column, "contains a line break"))
        elif any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in value):
            problems.append(FieldProblem(column, "contains a control character"))
        else:
            problems.append(FieldProblem(column, "is not valid Unicode text"))
    elif column in FREE_TEXT_COLUMNS and looks_like_formula(value):
        problems.append(FieldProblem(column, f"{value[:20]!r} starts like a spreadsheet formula"))


def _all_plain_text(fields: Mapping[str, str]) -> bool:
    """Return whether no field can fail :func:`_check_text` (the common case, one test).

    Any doubt returns False, and :func:`_check_text` then finds and words each problem.
    """
    values = fields.values()
    if _BAD_CHAR_RE.search("".join(values)) is not None or max(map(len, values)) > MAX_NAME_CHARS:
        return False
    get = fields.get
    return not (
        get("name_vi", "").startswith(FORMULA_START)
        or get("name_en", "").startswith(FORMULA_START)
        or get("source", "").startswith(FORMULA_START)
    )


def _text(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> str:
    return text


def _slug(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> str:
    if not SLUG_RE.match(text):
        raise ValueError(f"{text!r} is not a slug (use a-z, 0-9 and '-')")
    return text


_CALENDARS = {c.value: c for c in Calendar}
_DATE_FORMS = {f.value: f for f in DateForm}


def _calendar(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> Calendar:
    calendar = _CALENDARS.get(text)
    if calendar is None:
        raise ValueError(f"{text!r} is not 'solar' or 'lunar'")
    return calendar


def _leap(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> bool:
    flag = text.lower()
    if flag not in _TRUE | _FALSE:
        raise ValueError(f"{flag!r} is not 0 or 1")
    if flag in _TRUE and row["calendar"] is not Calendar.LUNAR:
        raise ValueError("only a lunar origin can be in a leap month")
    return flag in _TRUE


def _origin(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> Origin:
    calendar: Calendar = row["calendar"]
    origin = parse_origin(text, calendar)
    if row["leap_month"]:
        origin = Origin(origin.year, origin.month, origin.day, leap=True, calendar=calendar)
    if calendar is Calendar.LUNAR and origin.day is None:
        raise ValueError("a lunar origin needs a month and a day")
    if calendar is Calendar.LUNAR and origin.year is not None and origin.day is not None:
        # The same check as ``lunar --to-solar``: the leap month and day 30 must exist.
        # Years outside the lunar table (Quang Trung's victory, Tết Kỷ Dậu 1789) cannot
        # be checked; their count needs only the year, and every later year converts.
        from calendar_svc.core import lunar
        from calendar_svc.errors import LunarDateError

        if not lunar.MIN_YEAR <= origin.year <= lunar.MAX_YEAR:
            return origin
        try:
            lunar.to_solar(origin.year, origin.month or 1, origin.day, leap=origin.leap)
        except LunarDateError as exc:
            raise ValueError(str(exc)) from None
    return origin


def _category(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> str:
    try:
        return require_category(text)
    except UnknownNameError as exc:
        raise ValueError(exc.detail) from None


def _scope(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> str:
    try:
        return scopes.resolve(text)
    except ScopeError as exc:
        raise ValueError(str(exc)) from None


def _home(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> tuple[str, ...]:
    """Read ``province:ha-tinh;province:nghe-an``: scopes by id, code or name, ';'-joined."""
    home: list[str] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        try:
            scope = scopes.require(part.strip()).id
        except UnknownNameError as exc:
            raise ValueError(exc.detail) from None
        if scope not in home:
            home.append(scope)
    return tuple(home)


def _optional_date(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> date | None:
    return parse_date(text) if text else None


def _date_form(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> DateForm:
    form = _DATE_FORMS.get(text)
    if form is None:
        raise ValueError(f"{text!r} is not 'range' or 'day'")
    return form


def _duration(text: str, row: Mapping[str, Any], scopes: ScopeTree) -> int:
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_DURATION_DAYS):
        raise ValueError(f"{text!r} is not a whole number from 1 to {MAX_DURATION_DAYS}")
    return int(text)


@dataclass(frozen=True, slots=True)
class Column:
    """How one CSV column is read: required or not, its default text, its parser.

    A parser gets the stripped text, the values of the columns parsed before it and the
    scope tree; it returns the value or raises ValueError with the message to show.
    ``fallback`` stands in for a value that failed, so later columns can still be checked.
    """

    name: str
    parse: Callable[[str, Mapping[str, Any], ScopeTree], Any]
    required: bool = False
    default: str = ""
    fallback: Any = None


#: The columns in the order they are checked (problems come out in this order).
PARSED_COLUMNS: tuple[Column, ...] = (
    Column("id", _slug, required=True),
    Column("name_vi", _text, required=True),
    Column("name_en", _text),
    Column("calendar", _calendar, default="solar", fallback=Calendar.SOLAR),
    Column("leap_month", _leap, fallback=False),
    Column("origin", _origin, required=True),
    Column("category", _category, required=True),
    Column("scope", _scope, required=True),
    Column("valid_from", _optional_date),
    Column("valid_to", _optional_date),
    Column("date_form", _date_form, default="range", fallback=DateForm.RANGE),
    Column("duration_days", _duration, default="1", fallback=1),
    Column("source", _text, required=True),
    Column("home", _home, fallback=()),
    Column("note", _text),
)
REQUIRED_COLUMNS = tuple(c.name for c in PARSED_COLUMNS if c.required)


def _cross_field_problems(row: Mapping[str, Any]) -> list[FieldProblem]:
    """Return what no single column shows: the validity range against itself and the origin."""
    valid_from, valid_to, origin = row["valid_from"], row["valid_to"], row["origin"]
    problems = []
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(
            FieldProblem("valid_to", f"'{valid_to}' is before valid_from '{valid_from}'")
        )
    if valid_to and origin is not None and origin.year is not None and valid_to.year < origin.year:
        problems.append(
            FieldProblem("valid_to", f"'{valid_to}' is before the origin '{origin.iso()}'")
        )
    return problems


#: Parsed values of the columns whose value depends on their text alone, kept per file
#: (``(column, text)`` → value) up to this many, then forgotten.
MEMO_LIMIT = 10_000
_NO_ROW: Mapping[str, Any] = {}


def _remembered(
    memo: dict[tuple[str, str], Any],
    column: str,
    text: str,
    parse: Callable[[str, Mapping[str, Any], ScopeTree], Any],
    scopes: ScopeTree,
) -> Any:
    """Return ``parse(text)``, from ``memo`` when this column had this text before."""
    key = (column, text)
    try:
        return memo[key]
    except KeyError:
        pass
    value = parse(text, _NO_ROW, scopes)
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


def _plain_row(
    get: Mapping[str, str], scopes: ScopeTree, memo: dict[tuple[str, str], Any]
) -> Anniversary | None:
    """Build the anniversary of a record whose text passed :func:`_all_plain_text`.

    The same parsers as :data:`PARSED_COLUMNS`, called straight (most rows of a big file
    are valid); None at the first problem, and :func:`parse_fields` then finds and words
    every problem the general way.
    """
    g = get.get
    ident, name_vi, source = g("id", ""), g("name_vi", ""), g("source", "")
    if not (ident and name_vi and source and SLUG_RE.match(ident)):
        return None
    date_form = _DATE_FORMS.get(g("date_form") or "range")
    if date_form is None:
        return None
    try:
        calendar = _calendar(g("calendar") or "solar", _NO_ROW, scopes)
        row: dict[str, Any] = {"calendar": calendar, "leap_month": False}
        if g("leap_month"):
            row["leap_month"] = _leap(get["leap_month"], row, scopes)
        origin = _origin(g("origin") or "", row, scopes) if g("origin") else None
        category = _remembered(memo, "category", g("category") or "", _category, scopes)
        scope = _remembered(memo, "scope", g("scope") or "", _scope, scopes)
        valid_from = _remembered(memo, "valid_from", g("valid_from") or "", _optional_date, scopes)
        valid_to = _remembered(memo, "valid_to", g("valid_to") or "", _optional_date, scopes)
        duration = _remembered(memo, "duration", g("duration_days") or "1", _duration, scopes)
        home = _remembered(memo, "home", g("home") or "", _home, scopes)
    except ValueError:
        return None
    if origin is None or not category or not scope:
        return None
    if valid_from and valid_to and valid_to < valid_from:
        return None
    if valid_to and origin.year is not None and valid_to.year < origin.year:
        return None
    return Anniversary(
        id=ident,
        name_vi=name_vi,
        name_en=g("name_en") or "",
        origin=origin,
        category=category,
        scope=scope,
        valid_from=valid_from,
        valid_to=valid_to,
        date_form=date_form,
        duration_days=duration,
        source=source,
        home=home,
        note=g("note") or "",
    )


def parse_fields(
    fields: Mapping[str, str | None], scopes: ScopeTree
) -> tuple[Anniversary | None, list[FieldProblem]]:
    """Validate one record's fields and build its anniversary.

    Returns the anniversary (None when any field is wrong) and every problem found.
    """
    return _parse_stripped({k: (v or "").strip() for k, v in fields.items()}, scopes, {})


def _parse_stripped(
    get: Mapping[str, str], scopes: ScopeTree, memo: dict[tuple[str, str], Any]
) -> tuple[Anniversary | None, list[FieldProblem]]:
    """:func:`parse_fields` of stripped fields; ``memo`` lasts one file (:data:`MEMO_LIMIT`)."""
    if _all_plain_text(get):
        ann = _plain_row(get, scopes, memo)
        if ann is not None:
            return ann, []
    return _parse_general(get, scopes)


def _parse_general(
    get: Mapping[str, str], scopes: ScopeTree
) -> tuple[Anniversary | None, list[FieldProblem]]:
    """Check every column of stripped fields in :data:`PARSED_COLUMNS` order; word each problem."""
    problems: list[FieldProblem] = []
    for name in COLUMNS:
        if name in get:
            _check_text(name, get[name], problems)
    for name in REQUIRED_COLUMNS:
        if not get.get(name):
            problems.append(FieldProblem(name, "is empty"))
    if problems:
        return None, problems
    row: dict[str, Any] = {}
    for column in PARSED_COLUMNS:
        try:
            row[column.name] = column.parse(get.get(column.name) or column.default, row, scopes)
        except ValueError as exc:
            problems.append(FieldProblem(column.name, str(exc)))
            row[column.name] = column.fallback
    problems.extend(_cross_field_problems(row))
    if problems:
        return None, problems
    del row["calendar"], row["leap_month"]  # already part of the origin
    return Anniversary(**row), []


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
    """Return an anniversary as CSV fields, the inverse of :func:`parse_fields`."""
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
