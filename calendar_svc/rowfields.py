"""How one row of an anniversary file is read and checked, field by field.

:func:`parse_fields` turns a row's fields into an :class:`~calendar_svc.core.model.Anniversary`
or the problems of its fields (:class:`FieldProblem`, placed in the file by
:mod:`calendar_svc.catalog`). A common valid row takes a quick path through the same parsers,
with the look-ups that depend on a field's text alone remembered per file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from calendar_svc.core.model import SLUG_RE, Anniversary, Calendar, DateForm, Origin
from calendar_svc.core.policy import require_category
from calendar_svc.core.scopes import ScopeError, ScopeTree
from calendar_svc.csvcells import FORMULA_START, looks_like_formula
from calendar_svc.errors import UnknownNameError

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

_ORIGIN_RE = re.compile(r"^(?:(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?|--(\d{2})-(\d{2}))$", re.ASCII)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_TRUE = {"1", "true", "yes", "x"}
_FALSE = {"", "0", "false", "no"}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A problem with one field, before it is given a place."""

    column: str
    message: str


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
