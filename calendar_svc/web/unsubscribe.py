"""``GET`` and ``POST /unsubscribe?t=…``: the web half of unsubscribing.

``GET`` only shows a confirmation page (link scanners and previews fetch links; they must
not unsubscribe anyone). ``POST`` unsubscribes: the page's button, or a mail client's
one-click request (RFC 8058: ``List-Unsubscribe=One-Click`` posted to the
``List-Unsubscribe`` URL). The token is an HMAC of the address under the reminder secret
(:mod:`calendar_svc.mail.tokens`); a wrong token gets a 400 page and changes nothing. A
POST body over :data:`MAX_BODY_BYTES` gets 413 unread.
"""

from __future__ import annotations

import asyncio
import threading
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from calendar_svc.config import Settings
from calendar_svc.mail.tokens import read_token

if TYPE_CHECKING:
    from calendar_svc.store.organisations import OrganisationRepo

#: Headers of every unsubscribe page: never cached, never indexed.
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
#: The largest POST body read (a token and RFC 8058's one field take under 200 bytes).
MAX_BODY_BYTES = 4096


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("calendar_svc", "templates/unsubscribe"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _page(name: str, status: int = 200, **context: str) -> HTMLResponse:
    html = _templates().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


class Unsubscriber:
    """Check tokens and unsubscribe, on the configured database (opened on first use)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._people: OrganisationRepo | None = None
        self._secret = ""

    def _open(self) -> tuple[OrganisationRepo, str]:
        with self._lock:
            if self._people is None:
                from calendar_svc.store.open import open_store

                store = open_store(self.settings.database_url or None)
                self._secret = store.outbox.secret(self.settings.reminders_secret)
                self._people = store.organisations
            return self._people, self._secret

    def address(self, token: str) -> str | None:
        """Return the address a token names, or None for a bad token."""
        _, secret = self._open()
        return read_token(secret, token)

    def unsubscribe(self, email: str) -> None:
        """Mark the address unsubscribed (a removed or already unsubscribed one is fine)."""
        people, _ = self._open()
        people.unsubscribe(email)


async def _form_fields(request: Request) -> dict[str, list[str]] | None:
    """Return the fields of a small urlencoded body; None when it exceeds MAX_BODY_BYTES.

    Read here, not with ``request.form()`` (which needs python-multipart): the only
    fields are ``t`` (the token, when not in the URL) and RFC 8058's
    ``List-Unsubscribe=One-Click``.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return parse_qs(body.decode("latin-1"), keep_blank_values=True)


def routes(settings: Settings) -> list[Route]:
    """Return the unsubscribe routes for :func:`calendar_svc.web.create_app`."""
    unsubscriber = Unsubscriber(settings)

    async def confirm(request: Request) -> HTMLResponse:
        token = request.query_params.get("t", "")
        email = await asyncio.to_thread(unsubscriber.address, token)
        if email is None:
            return _page("invalid.html", 400)
        return _page("confirm.html", email=email, action=f"?t={token}")

    async def unsubscribe(request: Request) -> HTMLResponse:
        token = request.query_params.get("t", "")
        if not token:
            fields = await _form_fields(request)
            if fields is None:
                return _page("too_large.html", 413)
            token = fields.get("t", [""])[0]
        email = await asyncio.to_thread(unsubscriber.address, token)
        if email is None:
            return _page("invalid.html", 400)
        await asyncio.to_thread(unsubscriber.unsubscribe, email)
        return _page("done.html", email=email)

    return [
        Route("/unsubscribe", confirm, methods=["GET"]),
        Route("/unsubscribe", unsubscribe, methods=["POST"]),
    ]
