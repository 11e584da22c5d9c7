"""HTTP plumbing: feed responses with validators, and the one error-to-response mapping.

Error texts are named constants (like ``radicale/httputils.py``); the exception handler
below is the only place that turns an exception into a status code. Under ``/api/`` an
error is JSON; everywhere else it is an HTML page with its language (``/en/…`` or
``?lang=en`` give English, else Vietnamese with the English below), a title and a link
back to the month page.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Match

from calendar_svc.errors import CalendarSvcError, NotFoundError, UnknownNameError
from calendar_svc.store.errors import StoreError
from calendar_svc.web.feedservice import REFRESH_SECONDS, FeedUnavailable, Rendered
from calendar_svc.web.texts import page_texts
from calendar_svc.web.validators import RawHeaders, is_not_modified

log = logging.getLogger(__name__)

RETRY_AFTER = str(REFRESH_SECONDS)

NOT_FOUND_BODY = "Không tìm thấy / Not found\n"
METHOD_NOT_ALLOWED_BODY = "Phương thức không được phép / Method not allowed\n"
UNAVAILABLE_BODY = (
    "Lịch tạm thời chưa sẵn sàng, vui lòng thử lại sau / "
    "The service is temporarily unavailable, please retry later\n"
)
INTERNAL_ERROR_BODY = "Lỗi máy chủ / Internal server error\n"
BAD_REQUEST_PREFIX = "Yêu cầu không hợp lệ / Bad request: "

#: The title of each error page, by status: (Vietnamese, English).
ERROR_TITLES: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Bad request"),
    404: ("Không tìm thấy", "Not found"),
    405: ("Phương thức không được phép", "Method not allowed"),
    500: ("Lỗi máy chủ", "Internal server error"),
    503: ("Tạm thời chưa sẵn sàng, vui lòng thử lại sau", "Temporarily unavailable, retry later"),
}


_NOSNIFF = {"X-Content-Type-Options": "nosniff"}


class BadRequest(CalendarSvcError):
    """A query parameter is wrong; the message says which and why."""


class RawResponse(Response):
    """A response whose raw headers are prepared (the calendar headers of a feed)."""

    def __init__(self, status_code: int, raw_headers: RawHeaders, body: bytes = b"") -> None:
        self.status_code = status_code
        self.body = body
        self.background = None
        self.raw_headers = list(raw_headers)


def feed_response(request: Request, feed: Rendered) -> Response:
    """Return 200 with the calendar, or 304 when the client's copy is current."""
    if is_not_modified(
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
        feed.etag,
        feed.last_modified,
    ):
        return RawResponse(304, feed.headers_304)
    return RawResponse(200, feed.headers_200, feed.data)


def _lang(request: Request) -> str:
    path = request.url.path
    if path == "/en" or path.startswith("/en/") or request.query_params.get("lang") == "en":
        return "en"
    return "vi"


def _body(request: Request, status: int, message: str) -> Response:
    """Return an error body: JSON under /api/, an HTML page elsewhere."""
    if request.url.path.startswith("/api/"):
        text = json.dumps({"error": message.strip()}, ensure_ascii=False)
        return Response(text, status, headers=_NOSNIFF, media_type="application/json")
    env: jinja2.Environment = request.app.state.templates
    lang = _lang(request)
    vi, en = ERROR_TITLES.get(status, (message.strip(), message.strip()))
    title = en if lang == "en" else f"{vi} / {en}"
    detail = message.strip()
    if detail.startswith(BAD_REQUEST_PREFIX):
        detail = detail[len(BAD_REQUEST_PREFIX) :]
    elif status in ERROR_TITLES:
        detail = ""
    html = error_page(env, status, lang, title, detail)
    headers = {**_NOSNIFF, "Content-Language": lang}
    return HTMLResponse(html, status, headers=headers)


def error_page(
    env: jinja2.Environment, status: int, lang: str, message: str, detail: str = ""
) -> str:
    """Return the HTML of an error page: ``lang``, a title, the message, a link back."""
    return env.get_template("error.html").render(
        lang=lang,
        t=page_texts(lang),
        status=status,
        title=message,
        detail=detail,
        home_href="/en/" if lang == "en" else "/",
    )


def _slash_redirect(request: Request) -> Response | None:
    """Return a 307 to the path without its trailing slash when that path is a route.

    The Location is relative (path and query only), so nothing from the request's Host
    header is echoed; Starlette's own redirect (turned off in :func:`create_app`) built an
    absolute URL from it.
    """
    path = request.url.path
    if path == "/" or not path.endswith("/"):
        return None
    scope = {**request.scope, "path": path.rstrip("/") or "/"}
    if not any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
        return None
    query = request.url.query
    location = quote(scope["path"], safe="/%:@!$&'()*+,;=") + (f"?{query}" if query else "")
    return Response(status_code=307, headers={"Location": location, **_NOSNIFF})


def error_response(request: Request, exc: Exception) -> Response:
    """Map an exception to its response: the one place that chooses a status code."""
    if isinstance(exc, ClientDisconnect):
        log.info("client disconnected before its request body ended: %s", request.url.path)
        return Response(status_code=400)  # nobody reads it
    if isinstance(exc, BadRequest | UnknownNameError):
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
            return _slash_redirect(request) or _body(request, 404, NOT_FOUND_BODY)
        if exc.status_code == 405:
            response = _body(request, 405, METHOD_NOT_ALLOWED_BODY)
            for key, value in (exc.headers or {}).items():
                response.headers[key] = value
            return response
        return _body(request, exc.status_code, f"{exc.detail}\n")
    log.error("error on %s", request.url.path, exc_info=exc)
    return _body(request, 500, INTERNAL_ERROR_BODY)
