"""Parse and validate the query parameters of feeds, pages and the JSON API."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

from starlette.datastructures import QueryParams

from calendar_svc.core.occurrences import parse_month as core_parse_month
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.services.listing import ListingQuery, validate_filters
from calendar_svc.web.http import BadRequest

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}
#: The longest range ``/api/occurrences`` answers, in days (about ten years).
MAX_API_DAYS = 3660


@dataclass(frozen=True, slots=True)
class Filters:
    """A scope (with its parents), categories and the round-only flag."""

    scope: str | None = None
    categories: tuple[str, ...] = ()
    round_only: bool = False


def check_known(params: QueryParams, known: Collection[str]) -> None:
    """Raise BadRequest for a parameter not in ``known``."""
    for key in params:
        if key not in known:
            raise BadRequest(
                f"tham số không có / unknown parameter '{key}' (known: {', '.join(known)})"
            )


def _single(params: QueryParams, key: str) -> str | None:
    values = params.getlist(key)
    if len(values) > 1:
        raise BadRequest(f"tham số '{key}' lặp lại / parameter '{key}' is given twice")
    return values[0].strip() if values else None


def parse_filters(params: QueryParams, scopes: ScopeTree) -> Filters:
    """Return the filters of ``scope``, ``category`` (repeatable or comma-separated) and
    ``round`` (1/0, true/false); unknown scope or category raise ScopeNotFoundError or
    UnknownNameError.

    The scope may be an id, an old id, an official code or a name; the filters hold its id.
    """
    scope = _single(params, "scope") or None
    categories: list[str] = []
    for value in params.getlist("category"):
        categories.extend(part.strip() for part in value.split(",") if part.strip())
    raw_round = (_single(params, "round") or "").lower()
    if raw_round not in _TRUE | _FALSE:
        raise BadRequest(f"round phải là 1 hoặc 0 / round must be 1 or 0, not '{raw_round}'")
    filters = Filters(scope, tuple(dict.fromkeys(categories)), raw_round in _TRUE)
    probe = ListingQuery(date.min, date.min, filters.scope, filters.categories)
    return replace(filters, scope=validate_filters(probe, scopes))


def parse_month(text: str) -> tuple[int, int]:
    """Return (year, month) of ``YYYY-MM`` (as the CLI reads it); raise BadRequest otherwise."""
    try:
        return core_parse_month(text)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def parse_day(params: QueryParams, key: str, default: date) -> date:
    """Return the ``YYYY-MM-DD`` date of a parameter, or ``default`` when absent."""
    text = _single(params, key)
    if not text:
        return default
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_day(key, text)
    except ValueError:
        return _bad_day(key, text)


def _bad_day(key: str, text: str) -> date:
    raise BadRequest(f"'{key}={text}' không phải ngày / is not a date (use YYYY-MM-DD)")


def parse_range(params: QueryParams, start: date, end: date) -> tuple[date, date]:
    """Return the ``from``/``to`` range of the API (defaults given), checked."""
    first = parse_day(params, "from", start)
    last = parse_day(params, "to", end)
    if last < first:
        raise BadRequest(f"'to' ({last}) trước 'from' ({first}) / 'to' is before 'from'")
    if (last - first).days > MAX_API_DAYS:
        raise BadRequest(f"khoảng quá dài / range longer than {MAX_API_DAYS} days")
    return first, last


def parse_lang(params: QueryParams, default: str) -> str:
    """Return ``vi`` or ``en`` from ``lang``."""
    lang = _single(params, "lang") or default
    if lang not in ("vi", "en"):
        raise BadRequest(f"lang phải là vi hoặc en / lang must be vi or en, not '{lang}'")
    return lang
