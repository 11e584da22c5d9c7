"""The hot path: ``GET``/``HEAD /feeds/<name>.ics`` of a named feed, in plain ASGI.

Calendar clients poll their subscriptions, so nearly every request is this one, mostly
revalidations answered 304. Answering it here, before Starlette's routing, request and
response objects, roughly doubles the requests per second. Everything else (a query
string, an unknown name, no snapshot yet, other methods) falls through to the app,
where the routes and the one error handler decide. The headers are the ones the route
would send: both come from :func:`~calendar_svc.web.validators.calendar_headers`.

Under ``serve`` most of these requests do not even get here: the HTTP protocol answers
them itself (:mod:`calendar_svc.web.protocol`); this path serves the rest (pipelined
requests behind a slow answer, HTTP/1.0, other ASGI servers).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from calendar_svc.web.feedservice import FeedService, FeedUnavailable
from calendar_svc.web.validators import is_not_modified

_PREFIX = "/feeds/"
_SUFFIX = ".ics"


class FeedFastPath:
    """ASGI wrapper serving built feeds directly; anything else goes to ``app``."""

    def __init__(self, app: ASGIApp, service: FeedService) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a plain feed request, or pass the request on."""
        if scope["type"] != "http" or scope["query_string"]:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path: str = scope["path"]
        if (
            method not in ("GET", "HEAD")
            or not path.startswith(_PREFIX)
            or not path.endswith(_SUFFIX)
        ):
            await self.app(scope, receive, send)
            return
        try:
            feed = self.service.named(path[len(_PREFIX) : -len(_SUFFIX)])
        except FeedUnavailable:
            feed = None
        if feed is None:
            await self.app(scope, receive, send)
            return
        if_none_match = if_modified_since = None
        for key, value in scope["headers"]:
            if key == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif key == b"if-modified-since":
                if_modified_since = value.decode("latin-1")
        if is_not_modified(if_none_match, if_modified_since, feed.etag, feed.last_modified):
            await send({"type": "http.response.start", "status": 304, "headers": feed.headers_304})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": feed.headers_200})
        if method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        last = len(feed.parts) - 1
        for n, part in enumerate(feed.parts):  # the shared blocks, never joined
            await send({"type": "http.response.body", "body": part, "more_body": n < last})
