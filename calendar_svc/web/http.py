"""HTTP plumbing: feed responses with validators, and the one error-to-response mapping.

Error bodies are named constants (like ``radicale/httputils.py``); the exception handler
below is the only place that turns an exception into a status code.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from calendar_svc.errors import CalendarSvcError, NotFoundError
from calendar_svc.services.listing import FilterError
from calendar_svc.store.errors import StoreError
from calendar_svc.web.feedservice import REFRESH_SECONDS, FeedUnavailable, Rendered

log = logging.getLogger(__name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
#: Calendars are small enough and some clients mishandle compressed ones: never transform.
CALENDAR_CACHE_CONTROL = "public, max-age=300, no-transform"
RETRY_AFTER = str(REFRESH_SECONDS)

NOT_FOUND_BODY = "Không tìm thấy / Not found\n"
METHOD_NOT_ALLOWED_BODY = "Phương thức không được phép / Method not allowed\n"
UNAVAILABLE_BODY = (
    "Lịch tạm thời chưa sẵn sàng, vui lòng thử lại sau / "
    "The service is temporarily unavailable, please retry later\n"
)
INTERNAL_ERROR_BODY = "Lỗi máy chủ / Internal server error\n"
BAD_REQUEST_PREFIX = "Yêu cầu không hợp lệ / Bad request: "


_NOSNIFF = {"X-Content-Type-Options": "nosniff"}


class BadRequest(CalendarSvcError):
    """A query parameter is wrong; the message says which and why."""


def http_date(moment: datetime) -> str:
    """Return an IMF-fixdate: ``Sun, 26 Nov 2026 00:00:00 GMT``."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """Return whether If-None-Match matches (weak comparison, RFC 9110 §13.1.2)."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    """Return whether the request's validators show the client's copy is current.

    If-None-Match wins over If-Modified-Since, which is ignored when the former is sent.
    """
    inm = request.headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, etag)
    ims = request.headers.get("if-modified-since")
    if ims is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified <= since


def feed_response(request: Request, feed: Rendered, filename: str) -> Response:
    """Return 200 with the calendar, or 304 when the client's copy is current."""
    headers = {
        "ETag": feed.etag,
        "Last-Modified": http_date(feed.last_modified),
        "Cache-Control": CALENDAR_CACHE_CONTROL,
    }
    if not_modified(request, feed.etag, feed.last_modified):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{filename}"'
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(feed.data, headers={**headers, "Content-Type": CALENDAR_TYPE})


def _body(request: Request, status: int, message: str) -> Response:
    """Return an error body: JSON under /api/, plain text elsewhere."""
    if request.url.path.startswith("/api/"):
        text = json.dumps({"error": message.strip()}, ensure_ascii=False)
        return Response(text, status, headers=_NOSNIFF, media_type="application/json")
    return Response(message, status, headers=_NOSNIFF, media_type="text/plain")


def error_response(request: Request, exc: Exception) -> Response:
    """Map an exception to its response: the one place that chooses a status code."""
    if isinstance(exc, BadRequest | FilterError):
        return _body(request, 400, f"{BAD_REQUEST_PREFIX}{exc}\n")
    if isinstance(exc, NotFoundError):
        return _body(request, 404, NOT_FOUND_BODY)
    if isinstance(exc, FeedUnavailable | StoreError):
        log.warning("503 for %s: %s", request.url.path, exc)
        response = _body(request, 503, UNAVAILABLE_BODY)
        response.headers["Retry-After"] = RETRY_AFTER
        return response
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return _body(request, 404, NOT_FOUND_BODY)
        if exc.status_code == 405:
            response = _body(request, 405, METHOD_NOT_ALLOWED_BODY)
            for key, value in (exc.headers or {}).items():
                response.headers[key] = value
            return response
        return _body(request, exc.status_code, f"{exc.detail}\n")
    log.error("error on %s", request.url.path, exc_info=exc)
    return _body(request, 500, INTERNAL_ERROR_BODY)
