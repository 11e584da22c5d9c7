"""The web's safety layer: CSRF tokens, security headers on every page, body limits.

* **CSRF.** Every form carries :data:`CSRF_FIELD`, an HMAC-SHA256 under the installation's
  web secret (``meta.web_secret``, made once per installation) of what the browser holds:
  the session cookie when signed in, else an anonymous random cookie
  (:data:`ANON_COOKIE`, set by :class:`SecurityMiddleware` on the answer that first
  needed it). :func:`read_form` checks it with a constant-time compare before the route
  does anything; a missing or wrong token raises :class:`CsrfRejected` (403 page).
* **Headers.** :class:`SecurityMiddleware` adds :data:`CONTENT_SECURITY_POLICY` (no inline
  script or style), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` and
  ``X-Frame-Options`` to every HTML answer, whatever route or handler made it.
* **Size.** :func:`read_form` reads at most ``limit`` bytes (:data:`FORM_MAX_BYTES` for
  forms, :data:`UPLOAD_MAX_BYTES` for uploads) and refuses a larger body unread
  (:class:`PayloadTooLarge`, 413 page).

Routes use it as::

    form = await read_form(request)            # 403 / 413 raised for the error handler
    ... form.value("email") ...
    context["csrf"] = csrf_token(request)      # the hidden field of the page's forms
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

import jinja2
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from calendar_svc.errors import CalendarSvcError

#: The session cookie of a signed-in user (its value is the session's random token).
SESSION_COOKIE = "calsvc_session"
#: The random cookie that CSRF tokens are bound to while nobody is signed in.
ANON_COOKIE = "calsvc_anon"
#: The hidden field of every form.
CSRF_FIELD = "csrf_token"
#: Largest body of an ordinary form.
FORM_MAX_BYTES = 64 * 1024
#: Largest body of a form with a file (a CSV import).
UPLOAD_MAX_BYTES = 2 * 1024 * 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
#: Added to every HTML answer (unless the answer set the header itself).
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)

_STATE_NEW_ANON = "calsvc_new_anon_cookie"

#: Titles of the two error pages this module causes: (Vietnamese, English).
FORBIDDEN_TITLE = ("Không được phép", "Forbidden")
TOO_LARGE_TITLE = ("Nội dung gửi lên quá lớn", "Request too large")


class Forbidden(CalendarSvcError):
    """The request may not do this; the answer is a 403 page and nothing changes."""

    def __init__(
        self,
        message: str = "bạn không có quyền làm việc này / you may not do this",
    ) -> None:
        super().__init__(message)


class CsrfRejected(Forbidden):
    """A form came without this site's token for this browser."""

    def __init__(self) -> None:
        super().__init__(
            "biểu mẫu đã hết hạn hoặc không do trang này gửi; hãy tải lại trang rồi gửi lại / "
            "the form has expired or was not sent by this site; reload the page and send it again"
        )


class PayloadTooLarge(CalendarSvcError):
    """A request body exceeds its limit; the answer is a 413 page, the rest left unread."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        size = f"{limit // 1024} KiB" if limit < 1024 * 1024 else f"{limit // 1024 // 1024} MiB"
        super().__init__(f"tối đa {size} / at most {size}")


class FormError(CalendarSvcError):
    """A body that is not a form this site sends (400)."""


# --- secret ------------------------------------------------------------------------------


class SecretSource:
    """The web secret, fetched once from ``load`` (the store) and then kept in memory."""

    def __init__(self, load: Callable[[], str]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._value = ""

    def __call__(self) -> str:
        """Return the secret."""
        with self._lock:
            if not self._value:
                self._value = self._load()
            return self._value


def store_secret(database_url: str) -> SecretSource:
    """Return the secret kept in the database at ``database_url`` (opened on first use)."""

    def load() -> str:
        from calendar_svc.store.open import open_store
        from calendar_svc.store.schema import WEB_SECRET_KEY

        store = open_store(database_url or None)
        try:
            return store.meta.secret(WEB_SECRET_KEY)
        finally:
            store.close()

    return SecretSource(load)


def _secret(request: Request) -> str:
    source: Callable[[], str] = request.app.state.web_secret
    return source()


# --- CSRF --------------------------------------------------------------------------------


def _binding(request: Request, *, mint: bool) -> str:
    """Return what this browser's tokens are bound to: its session, else its anon cookie."""
    session = request.cookies.get(SESSION_COOKIE, "")
    if session:
        return f"session:{session}"
    anon = request.cookies.get(ANON_COOKIE, "") or request.scope.get("state", {}).get(
        _STATE_NEW_ANON, ""
    )
    if not anon and mint:
        anon = secrets.token_urlsafe(24)
        request.scope.setdefault("state", {})[_STATE_NEW_ANON] = anon
    return f"anon:{anon}" if anon else ""


def _token_for(secret: str, binding: str) -> str:
    digest = hmac.new(secret.encode(), f"csrf\x00{binding}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def csrf_token(request: Request) -> str:
    """Return the CSRF token of this browser, for the hidden :data:`CSRF_FIELD` of a form.

    A browser with neither a session nor an anonymous cookie gets a new anonymous cookie
    on this answer (:class:`SecurityMiddleware` sets it).
    """
    return _token_for(_secret(request), _binding(request, mint=True))


def check_csrf(request: Request, sent: str) -> None:
    """Raise :class:`CsrfRejected` unless ``sent`` is this browser's token."""
    binding = _binding(request, mint=False)
    if not binding or not sent:
        raise CsrfRejected
    expected = _token_for(_secret(request), binding)
    if not hmac.compare_digest(expected.encode("ascii"), sent.encode("utf-8", "replace")):
        raise CsrfRejected


# --- forms -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent in a form."""

    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Form:
    """The fields of a form: text values and files, by name."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def value(self, name: str) -> str:
        """Return the first value of ``name`` ('' when absent)."""
        values = self.fields.get(name)
        return values[0] if values else ""

    def values(self, name: str) -> list[str]:
        """Return every value of ``name``."""
        return list(self.fields.get(name, []))


async def read_body(request: Request, limit: int) -> bytes:
    """Return the body, refusing (unread) one over ``limit`` bytes with PayloadTooLarge."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(limit)
    return bytes(body)


def parse_form(content_type: str, body: bytes) -> Form:
    """Return the fields of a urlencoded or multipart body.

    Raises:
        FormError: another content type, text that is not UTF-8, or a broken multipart.
    """
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise FormError("biểu mẫu không phải UTF-8 / the form is not UTF-8") from None
        return Form(parse_qs(text, keep_blank_values=True))
    if kind != "multipart/form-data":
        raise FormError(f"kiểu nội dung không hỗ trợ / unsupported content type '{kind}'")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise FormError("biểu mẫu hỏng / malformed form")
    fields: dict[str, list[str]] = {}
    files: dict[str, Upload] = {}
    for part in message.iter_parts():
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = Upload(str(filename), raw)
            continue
        try:
            fields.setdefault(name, []).append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise FormError("biểu mẫu không phải UTF-8 / the form is not UTF-8") from None
    return Form(fields, files)


async def read_form(request: Request, *, limit: int = FORM_MAX_BYTES, csrf: bool = True) -> Form:
    """Read, parse and (unless ``csrf=False``) check the CSRF token of a posted form.

    Raises:
        PayloadTooLarge: the body exceeds ``limit`` (413).
        FormError: the body is not a form (400).
        CsrfRejected: the token is missing or wrong (403).
    """
    body = await read_body(request, limit)
    form = parse_form(request.headers.get("content-type", ""), body)
    if csrf:
        check_csrf(request, form.value(CSRF_FIELD))
    return form


# --- error pages ---------------------------------------------------------------------------


def request_lang(request: Request) -> str:
    """Return 'en' for ``/en/…`` or ``?lang=en``, else 'vi'."""
    path = request.url.path
    if path == "/en" or path.startswith("/en/") or request.query_params.get("lang") == "en":
        return "en"
    return "vi"


def _error(request: Request, status: int, titles: tuple[str, str], detail: str) -> Response:
    from calendar_svc.web.http import error_page

    env: jinja2.Environment = request.app.state.templates
    lang = request_lang(request)
    vi, en = titles
    title = en if lang == "en" else f"{vi} / {en}"
    html = error_page(env, status, lang, title, detail)
    headers = {"Cache-Control": "no-store", "Content-Language": lang}
    return HTMLResponse(html, status, headers=headers)


async def forbidden_response(request: Request, exc: Exception) -> Response:
    """Return the 403 page of a :class:`Forbidden`.

    The body a refused request still carries is read and dropped first (up to an upload's
    size), so a proxy still sending it gets this page rather than a reset (nginx's 502).
    """
    response = _error(request, 403, FORBIDDEN_TITLE, str(exc))
    if not await _drain(request, UPLOAD_MAX_BYTES + FORM_MAX_BYTES):
        response.headers["Connection"] = "close"
    return response


async def _drain(request: Request, limit: int) -> bool:
    """Read and drop what is left of the request's body; False once past ``limit`` bytes."""
    read = 0
    try:
        async for chunk in request.stream():
            read += len(chunk)
            if read > limit:
                return False
    except (RuntimeError, ClientDisconnect):  # read already, or the client went away
        return True
    return True


def too_large_response(request: Request, exc: Exception) -> Response:
    """Return the 413 page of a :class:`PayloadTooLarge`; the connection is closed after it."""
    response = _error(request, 413, TOO_LARGE_TITLE, str(exc))
    response.headers["Connection"] = "close"
    return response


def form_error_response(request: Request, exc: Exception) -> Response:
    """Return the 400 page of a :class:`FormError`."""
    return _error(request, 400, ("Yêu cầu không hợp lệ", "Bad request"), str(exc))


#: An exception handler of Starlette: plain or async.
Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


def exception_handlers() -> dict[type[Exception], Handler]:
    """Return the handlers of this module's errors, for the app's ``exception_handlers``."""
    return {
        Forbidden: forbidden_response,
        PayloadTooLarge: too_large_response,
        FormError: form_error_response,
    }


# --- middleware ----------------------------------------------------------------------------


def cookie_header(
    name: str,
    value: str,
    *,
    secure: bool,
    max_age: int | None = None,
    expires: datetime | None = None,
) -> str:
    """Return a Set-Cookie value: path /, HttpOnly, SameSite=Lax, Secure when asked."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if max_age is not None:
        morsel["max-age"] = max_age
    if expires is not None:
        morsel["expires"] = expires.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    if secure:
        morsel["secure"] = True
    return morsel.OutputString()


class SecurityMiddleware:
    """ASGI wrapper: security headers on every HTML answer, the new anonymous cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; amend the start of its answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def amend(message: AsgiMessage) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {key.lower() for key, _ in headers}
                content_type = next(
                    (value for key, value in headers if key.lower() == b"content-type"), b""
                )
                if content_type.lower().startswith(b"text/html"):
                    headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                anon = scope.get("state", {}).get(_STATE_NEW_ANON)
                if anon:
                    secure = scope.get("scheme") == "https"
                    cookie = cookie_header(ANON_COOKIE, anon, secure=secure)
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, amend)
