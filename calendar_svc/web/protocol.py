"""uvicorn's httptools protocol with limits on the request target and the headers, and
the feeds answered without the ASGI app.

httptools (llhttp) puts no bound on header sizes: a client could make the server hold
megabytes of headers per connection before the app sees anything. This protocol counts
while parsing and refuses, before the app is called, a request whose target is longer
than :data:`MAX_TARGET_BYTES` (``414 URI Too Long``) or whose headers exceed
:data:`MAX_HEADER_BYTES` or :data:`MAX_HEADERS` lines (``431 Request Header Fields Too
Large``), then closes the connection, as nginx does with its default
``large_client_header_buffers 4 8k``. Calendar clients send a short path and a few
headers; the limits are far above that.

The connection is closed the way nginx's *lingering close* does it: the answer is sent,
the sending side shut, and what the client still sends is read and dropped for a moment
(at most :data:`LINGER_SECONDS` and :data:`LINGER_BYTES`). Closing at once with unread
data would make the kernel reset the connection, and the client could lose the answer.

Nearly every request a calendar server gets is ``GET /feeds/<name>.ics``. When the app's
lifespan put its :class:`~calendar_svc.web.feedservice.FeedService` in the lifespan state
(:data:`FEEDS_STATE`), such a request, once its headers are parsed, is answered here: the
status line, the headers (uvicorn's ``date`` included) and the feed's parts go out in one
``transport.writelines`` (one ``writev`` of references to the shared blocks: nothing is
copied in Python), with no task, no ASGI message and no Starlette. Anything else, or a
feed request that cannot be answered at once (another answer still being written or
sent on this connection, HTTP/1.0, ``Connection: close``, a query string, an escape in
the path, an unknown name, no snapshot yet), goes to the app as before, where
:mod:`calendar_svc.web.fastpath` or the route answers it with the same headers.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus

from uvicorn.protocols.http.httptools_impl import (
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)

from calendar_svc.web.feedservice import FEEDS_STATE, FeedService, FeedUnavailable
from calendar_svc.web.validators import is_not_modified

#: Longest request target (path and query string), in octets.
MAX_TARGET_BYTES = 8 * 1024
#: Most octets of header names and values in one request.
MAX_HEADER_BYTES = 32 * 1024
#: Most header lines in one request.
MAX_HEADERS = 100
#: How long, and how much, a refused client may go on sending before the connection closes.
LINGER_SECONDS = 2.0
LINGER_BYTES = 16 * 1024 * 1024

_BODIES = {
    HTTPStatus.REQUEST_URI_TOO_LONG: "Địa chỉ quá dài / URI too long\n",
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: (
        "Tiêu đề yêu cầu quá lớn / Request header fields too large\n"
    ),
}


_PREFIX = b"/feeds/"
_SUFFIX = b".ics"
_METHODS = (b"GET", b"HEAD")


class RequestTooLarge(Exception):
    """Raised inside a parser callback to stop parsing an oversized request."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` that refuses oversized request targets and headers."""

    _refusal: HTTPStatus | None = None
    _header_bytes = 0
    _dropped = 0
    #: The completed cycle that stands for the requests answered here (one a connection).
    _answered: RequestResponseCycle | None = None
    #: uvicorn's default headers (a new list each second: ``date``) as header lines.
    _defaults: tuple[object, bytes] = (None, b"")

    def data_received(self, data: bytes) -> None:
        """Parse, or after a refusal drop what the client still sends."""
        if self._refusal is None:
            super().data_received(data)
            return
        self._dropped += len(data)
        if self._dropped > LINGER_BYTES:
            self.transport.close()

    def on_message_begin(self) -> None:
        """Start counting a new request."""
        super().on_message_begin()
        self._header_bytes = 0

    def on_url(self, url: bytes) -> None:
        """Collect the target (it may come in pieces); refuse it past the limit."""
        super().on_url(url)
        if len(self.url) > MAX_TARGET_BYTES:
            self._refuse(HTTPStatus.REQUEST_URI_TOO_LONG)

    def on_header(self, name: bytes, value: bytes) -> None:
        """Collect one header; refuse the request past the limits."""
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > MAX_HEADER_BYTES or len(self.headers) >= MAX_HEADERS:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """Answer a plain feed request at once; hand anything else to uvicorn."""
        if not self._answer_feed():
            super().on_headers_complete()

    def _answer_feed(self) -> bool:
        service = self.app_state.get(FEEDS_STATE)
        url = self.url
        if (
            not isinstance(service, FeedService)
            or not url.startswith(_PREFIX)
            or not url.endswith(_SUFFIX)
            or b"?" in url
            or b"%" in url
            or (self.cycle is not None and not self.cycle.response_complete)
            or self.flow.write_paused
            or self.transport.is_closing()
        ):
            return False
        parser = self.parser
        method = parser.get_method()
        if (
            method not in _METHODS
            or parser.get_http_version() != "1.1"
            or not parser.should_keep_alive()
            or parser.should_upgrade()
        ):
            return False
        try:
            feed = service.named(url[len(_PREFIX) : -len(_SUFFIX)].decode("ascii"))
        except (FeedUnavailable, UnicodeDecodeError):
            return False
        if feed is None:
            return False
        if_none_match = if_modified_since = None
        for key, value in self.headers:
            if key == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif key == b"if-modified-since":
                if_modified_since = value.decode("latin-1")
        defaults = self.server_state.default_headers
        if self._defaults[0] is not defaults:
            self._defaults = (defaults, b"".join([b"%s: %s\r\n" % pair for pair in defaults]))
        if is_not_modified(if_none_match, if_modified_since, feed.etag, feed.last_modified):
            status = 304
            head = b"".join((STATUS_LINE[304], self._defaults[1], feed.lines_304, b"\r\n"))
            self.transport.write(head)
        else:
            status = 200
            head = b"".join((STATUS_LINE[200], self._defaults[1], feed.lines_200, b"\r\n"))
            if method == b"HEAD":
                self.transport.write(head)
            else:
                self.transport.writelines((head, *feed.parts))
        if self.access_log:
            self.access_logger.info(  # the five arguments uvicorn's access formatter reads
                '%s - "%s %s HTTP/%s" %d',
                f"{self.client[0]}:{self.client[1]}" if self.client else "-",
                method.decode("ascii"),
                url.decode("ascii"),
                "1.1",
                status,
            )
        self.cycle = self._answered_cycle()
        self.on_response_complete()  # keep-alive timer, request count, max requests
        return True

    def _answered_cycle(self) -> RequestResponseCycle:
        """Return this connection's stand-in cycle: complete, so that the parser's later
        callbacks (body, message complete) and a shutdown see no request in progress."""
        if self._answered is None:
            cycle = RequestResponseCycle(
                scope=self.scope,
                transport=self.transport,
                flow=self.flow,
                logger=self.logger,
                access_logger=self.access_logger,
                access_log=False,
                default_headers=[],
                message_event=asyncio.Event(),
                expect_100_continue=False,
                keep_alive=True,
                on_response=lambda: None,
            )
            cycle.response_complete = True
            self._answered = cycle
        return self._answered

    def _refuse(self, status: HTTPStatus) -> None:
        self._refusal = status
        raise RequestTooLarge(status.phrase)

    def send_400_response(self, msg: str) -> None:
        """Answer a request the parser stopped: 414 or 431 if a limit did, else 400."""
        status = self._refusal
        if status is None:
            super().send_400_response(msg)
            return
        self.logger.warning("refused a request: %d %s", status.value, status.phrase)
        body = _BODIES[status].encode("utf-8")
        head = (
            f"HTTP/1.1 {status.value} {status.phrase}\r\n"
            "content-type: text/plain; charset=utf-8\r\n"
            "x-content-type-options: nosniff\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        )
        self.transport.write(head.encode("ascii") + body)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
