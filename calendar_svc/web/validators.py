"""Conditional requests and the headers of a calendar response (RFC 9110), pure.

Shared by the Starlette route and the fast path, so both answer with the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

CALENDAR_TYPE = "text/calendar; charset=utf-8"
#: Calendars are small enough and some clients mishandle compressed ones: never transform.
CALENDAR_CACHE_CONTROL = "public, max-age=300, no-transform"

RawHeaders = list[tuple[bytes, bytes]]

#: Longer than any HTTP date ("Wednesday, 09-Nov-1994 08:49:37 GMT" is 36 characters).
_MAX_DATE_LENGTH = 64


def http_date(moment: datetime) -> str:
    """Return an IMF-fixdate: ``Thu, 26 Nov 2026 00:00:00 GMT``."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def etag_matches(header: str, etag: str) -> bool:
    """Return whether If-None-Match matches (weak comparison, RFC 9110 §13.1.2)."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def is_not_modified(
    if_none_match: str | None, if_modified_since: str | None, etag: str, last_modified: datetime
) -> bool:
    """Return whether the client's copy is current (a 304 is due).

    If-None-Match wins over If-Modified-Since, which is ignored when the former is sent
    (RFC 9110 §13.2.2); a malformed or out-of-range date is ignored.
    """
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    if if_modified_since is None:
        return False
    since = parse_http_date(if_modified_since)
    return since is not None and last_modified <= since


def parse_http_date(value: str) -> datetime | None:
    """Return the moment an HTTP date names, in UTC, or None for anything else.

    Any of the three formats of RFC 9110 §5.6.7 is read; a value that is malformed, out of
    range (a year of twenty digits, hour 99, an offset of days) or that falls outside the
    years 1 to 9999 once moved to UTC is None, so the caller ignores it.
    """
    if len(value) > _MAX_DATE_LENGTH:
        return None
    try:
        since = parsedate_to_datetime(value)
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return since.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def calendar_headers(
    etag: str, last_modified: datetime, filename: str, length: int
) -> tuple[RawHeaders, RawHeaders]:
    """Return the raw headers of a 200 and of a 304 answer for one calendar."""
    common = [
        (b"etag", etag.encode("ascii")),
        (b"last-modified", http_date(last_modified).encode("ascii")),
        (b"cache-control", CALENDAR_CACHE_CONTROL.encode("ascii")),
    ]
    full = [
        *common,
        (b"content-type", CALENDAR_TYPE.encode("ascii")),
        (b"content-length", str(length).encode("ascii")),
        (b"content-disposition", f'inline; filename="{filename}"'.encode("ascii")),
        (b"x-content-type-options", b"nosniff"),
    ]
    return full, common
