"""uvicorn's httptools protocol with limits on the request target and the headers.

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
"""

from __future__ import annotations

from http import HTTPStatus

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

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


class RequestTooLarge(Exception):
    """Raised inside a parser callback to stop parsing an oversized request."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` that refuses oversized request targets and headers."""

    _refusal: HTTPStatus | None = None
    _header_bytes = 0
    _dropped = 0

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
