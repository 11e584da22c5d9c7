"""Signing in without passwords: ``/signin``, the emailed link, the session, ``/signout``.

* ``GET /signin`` shows a form for an address; ``POST /signin`` always answers the same
  page ("check your mailbox"), whether the address is a user or not, and looks the address
  up only after the answer is sent (a background task), so neither the page nor its
  timing tells who has an account. For a user, that task stores a new link (only its
  SHA-256) and mails it.
* ``GET /signin/link?t=…`` shows a "Đăng nhập / Sign in" button and changes nothing (mail
  scanners fetch links); ``POST /signin/link`` consumes the link (once: a conditional
  UPDATE) and starts a session: an HttpOnly, SameSite=Lax cookie with Max-Age (Secure when
  the request is https), whose token is stored hashed too.
* ``POST /signout`` ends the session.

Links in the mail start with ``web.base_url``, else the address the request came to,
but only if ``web.allowed_hosts`` lists its host (or both the server and the host are
loopback): a forged ``Host`` header never puts a sign-in link under another domain in a
user's mailbox. For any other host the answer is the same and no mail goes out; the log
says which option to set.

Every ``/en/…`` path is the English page. :class:`Accounts` holds the store (opened on
first use), the mail settings and the sign-in rate limiter: per address and per client,
kept in the database (shared by every ``serve`` process) and counted for every address
alike.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

import jinja2
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from calendar_svc.config import Settings
from calendar_svc.links import valid_host, vouched_base_url
from calendar_svc.web.accounts_texts import account_texts
from calendar_svc.web.security import (
    CSRF_FIELD,
    SESSION_COOKIE,
    Forbidden,
    cookie_header,
    csrf_token,
    read_form,
    request_lang,
)
from calendar_svc.web.texts import page_texts

if TYPE_CHECKING:
    from calendar_svc.core.model import Origin
    from calendar_svc.core.scopes import ScopeTree
    from calendar_svc.store.store import Store
    from calendar_svc.store.users import User

log = logging.getLogger(__name__)

#: Headers of every account page: never cached, never indexed.
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
#: Seconds a read of the scope tree is reused by the management pages.
SCOPES_SECONDS = 5.0


class SigninLimiter(Protocol):
    """Decides whether one more sign-in request may go ahead (per address and per client)."""

    def allow(self, email: str, client: str, now: datetime) -> bool:
        """Return whether the request may go ahead, counting it if so."""
        ...


#: Sign-in requests allowed per address, and per client, in one window.
SIGNINS_PER_ADDRESS = 5
SIGNINS_PER_CLIENT = 20
#: The window of the sign-in limits, in seconds.
SIGNIN_WINDOW = 900


class StoreLimiter:
    """Sign-in limits kept in the database (:mod:`calendar_svc.store.ratelimits`), so every
    ``serve`` process of a deployment shares them. The address is keyed by its SHA-256."""

    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store

    def allow(self, email: str, client: str, now: datetime) -> bool:
        """Count the request for the client and the address; both must be within limits."""
        from calendar_svc.store.users import token_hash

        limits = self._store().rate_limits
        client_ok = limits.hit(
            f"signin:client:{client[:100]}",
            limit=SIGNINS_PER_CLIENT,
            window=SIGNIN_WINDOW,
            now=now,
        )
        address_ok = limits.hit(
            f"signin:addr:{token_hash(email)}",
            limit=SIGNINS_PER_ADDRESS,
            window=SIGNIN_WINDOW,
            now=now,
        )
        return client_ok and address_ok


@dataclass(frozen=True, slots=True)
class MailLink:
    """Where sign-in links point (None: to no host anybody vouched for) and the host
    the request named (for the log)."""

    base_url: str | None
    host: str


class Accounts:
    """The store, the clock, the mail settings and the limiter of the account pages."""

    def __init__(
        self,
        settings: Settings,
        *,
        limiter: SigninLimiter | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.limiter: SigninLimiter = limiter or StoreLimiter(self.store)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._scopes: tuple[float, ScopeTree] | None = None

    def store(self) -> Store:
        """Return the store of the configured database (opened once)."""
        with self._lock:
            if self._store is None:
                from calendar_svc.store.open import open_store

                self._store = open_store(self.settings.database_url or None)
            return self._store

    def scopes(self) -> ScopeTree:
        """Return the scope tree (the registry and users' scopes), read at most every 5 s."""
        now = time.monotonic()
        cached = self._scopes
        if cached is not None and now - cached[0] < SCOPES_SECONDS:
            return cached[1]
        tree = self.store().scopes.tree()
        self._scopes = (now, tree)
        return tree

    def now(self) -> datetime:
        """Return the current moment (aware)."""
        return self.clock()

    def user_of(self, token: str) -> User | None:
        """Return the user of a session token, or None."""
        return self.store().users.session_user(token, now=self.now())

    def send_link(self, email: str, link: MailLink, lang: str) -> None:
        """Mail a new sign-in link to ``email`` if it is a user; nothing otherwise.

        Runs after the answer is sent; failures are logged, never shown.
        """
        try:
            self._send_link(email, link, lang)
        except Exception:
            log.exception("sign-in link for a requested address could not be sent")

    def _send_link(self, email: str, link: MailLink, lang: str) -> None:
        from calendar_svc.mail.signin import signin_message
        from calendar_svc.store.users import LINK_LIFETIME

        users = self.store().users
        if users.get_user(email) is None:
            log.info("sign-in requested for an address that is no user")
            return
        if link.base_url is None:
            log.warning(
                "sign-in link not sent: the request's host %s is not in web.allowed_hosts; "
                "set web.base_url or web.allowed_hosts",
                link.host,
            )
            return
        now = self.now()
        token = users.create_link(email, now=now)
        prefix = "/en" if lang == "en" else ""
        url = f"{link.base_url}{prefix}/signin/link?t={quote(token, safe='')}"
        data = signin_message(
            sender=self.settings.smtp_from,
            recipient=email,
            link=url,
            expires=(now + LINK_LIFETIME).astimezone(self.settings.timezone),
            now=now.astimezone(self.settings.timezone),
            minutes=int(LINK_LIFETIME.total_seconds() // 60),
        )
        asyncio.run(self._deliver(email, data))

    async def _deliver(self, email: str, data: bytes) -> None:
        from calendar_svc.mail.content import Outgoing
        from calendar_svc.mail.send import SmtpPool, Verdict
        from calendar_svc.services.reminders import smtp_settings

        sender = parseaddr(self.settings.smtp_from)[1] or self.settings.smtp_from
        async with SmtpPool(smtp_settings(self.settings)) as pool:
            delivery = await pool.send(Outgoing(0, "", sender, email, data))
        if delivery.verdict is not Verdict.SENT:
            log.warning("sign-in link not delivered: %s", delivery.reason)


def accounts_of(request: Request) -> Accounts:
    """Return the app's :class:`Accounts`."""
    accounts: Accounts = request.app.state.accounts
    return accounts


def prefix_of(lang: str) -> str:
    """Return the path prefix of a language: '/en' or ''."""
    return "/en" if lang == "en" else ""


def mail_link(request: Request, settings: Settings) -> MailLink:
    """Return the base of links in mails: ``web.base_url``, else this request's address if
    its host is vouched for (:func:`calendar_svc.links.vouched_base_url`)."""
    header = request.headers.get("host")
    server = request.scope.get("server") or ("", 0)
    base = vouched_base_url(
        settings.web_base_url,
        settings.web_allowed_hosts,
        request.url.scheme,
        header,
        str(server[0]),
    )
    return MailLink(base, valid_host(header) or "(missing or malformed)")


def display_helpers(request: Request, lang: str) -> dict[str, Callable[[Any], str]]:
    """Return the functions pages show stored values with, in ``lang``: a scope's name,
    a category's label and an origin as the month page and the CLI write it."""
    from calendar_svc.core.counting import format_origin
    from calendar_svc.core.labels import localized
    from calendar_svc.core.policy import CATEGORIES

    def scope_name(scope_id: str) -> str:
        scopes = accounts_of(request).scopes()
        if scope_id not in scopes:
            return scope_id
        scope = scopes[scope_id]
        return localized(lang, scope.name_vi, scope.name_en)

    def category_name(slug: str) -> str:
        policy = CATEGORIES.get(slug)
        return localized(lang, policy.name_vi, policy.name_en) if policy else slug

    def origin_text(origin: Origin) -> str:
        return format_origin(origin, lang)

    return {"scope_name": scope_name, "category_name": category_name, "origin_text": origin_text}


def render_page(
    request: Request,
    name: str,
    status: int = 200,
    *,
    user: User | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render an account page with the common context (language, texts, CSRF token)."""
    env: jinja2.Environment = request.app.state.templates
    lang = request_lang(request)
    prefix = prefix_of(lang)
    path = request.url.path
    other = path[3:] or "/" if lang == "en" else f"/en{path}"
    html = env.get_template(name).render(
        lang=lang,
        t=page_texts(lang),
        m=account_texts(lang),
        home_href=f"{prefix}/",
        prefix=prefix,
        other_lang_href=other,
        csrf=csrf_token(request),
        csrf_field=CSRF_FIELD,
        user=user,
        **display_helpers(request, lang),
        **context,
    )
    return HTMLResponse(html, status, headers={**PAGE_HEADERS, "Content-Language": lang})


async def current_user(request: Request) -> User | None:
    """Return the signed-in user of this request, or None (looked up once per request)."""
    if "user" in request.scope.get("state", {}):
        found: User | None = request.state.user
        return found
    token = request.cookies.get(SESSION_COOKIE, "")
    user = await asyncio.to_thread(accounts_of(request).user_of, token) if token else None
    request.state.user = user
    return user


def client_of(request: Request) -> str:
    """Return the client's address (as the server saw it, after trusted proxies)."""
    return request.client.host if request.client else "?"


async def signin_form(request: Request) -> Response:
    """``GET /signin``: the form (or, when signed in already, the management page)."""
    user = await current_user(request)
    if user is not None:
        return RedirectResponse(home_of(user, request_lang(request)), 303)
    return render_page(request, "signin/form.html", email="", error="")


async def signin_request(request: Request) -> Response:
    """``POST /signin``: the same answer for every well-formed address; the mail follows."""
    from calendar_svc.store.users import BadEmailError, check_email

    accounts = accounts_of(request)
    form = await read_form(request)
    text = form.value("email")
    try:
        email = check_email(text)
    except BadEmailError as exc:
        return render_page(request, "signin/form.html", 400, email=text, error=str(exc))
    allowed = await asyncio.to_thread(
        accounts.limiter.allow, email, client_of(request), accounts.now()
    )
    if not allowed:
        response = render_page(request, "signin/limited.html", 429)
        response.headers["Retry-After"] = "900"
        return response
    lang = request_lang(request)
    link = mail_link(request, accounts.settings)
    response = render_page(request, "signin/sent.html", email=email)
    response.background = BackgroundTask(asyncio.to_thread, accounts.send_link, email, link, lang)
    return response


async def link_page(request: Request) -> Response:
    """``GET /signin/link?t=…``: a button that signs in; nothing is used up yet."""
    accounts = accounts_of(request)
    token = request.query_params.get("t", "")
    store = await asyncio.to_thread(accounts.store)
    valid = bool(token) and await asyncio.to_thread(
        store.users.link_is_valid, token, now=accounts.now()
    )
    if not valid:
        return render_page(request, "signin/invalid.html", 400)
    return render_page(request, "signin/link.html", token=token)


async def link_use(request: Request) -> Response:
    """``POST /signin/link``: use the link up and start a session."""
    from calendar_svc.store.users import SESSION_LIFETIME

    accounts = accounts_of(request)
    form = await read_form(request)
    token = form.value("t")
    store = await asyncio.to_thread(accounts.store)
    now = accounts.now()
    user = await asyncio.to_thread(store.users.consume_link, token, now=now) if token else None
    if user is None:
        return render_page(request, "signin/invalid.html", 400)
    session, expires = await asyncio.to_thread(store.users.create_session, user, now=now)
    response = RedirectResponse(home_of(user, request_lang(request)), 303)
    response.headers.append(
        "set-cookie",
        cookie_header(
            SESSION_COOKIE,
            session,
            secure=request.url.scheme == "https",
            max_age=int(SESSION_LIFETIME.total_seconds()),
            expires=expires,
        ),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def signout(request: Request) -> Response:
    """``POST /signout``: end the session and forget the cookie."""
    await read_form(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        store = await asyncio.to_thread(accounts_of(request).store)
        await asyncio.to_thread(store.users.end_session, token)
    response = RedirectResponse(f"{prefix_of(request_lang(request))}/signin", 303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def home_of(user: User, lang: str) -> str:
    """Return where a user lands after signing in: their organisation, or the list."""
    prefix = prefix_of(lang)
    if user.is_operator or user.organisation is None:
        return f"{prefix}/manage"
    return f"{prefix}/manage/{quote(user.organisation, safe='')}"


def may_manage(user: User, org_id: str) -> bool:
    """Return whether ``user`` may act on organisation ``org_id``."""
    return user.is_operator or user.organisation == org_id


def require_manager(user: User | None, org_id: str) -> User:
    """Return the user if they may act on ``org_id``; Forbidden otherwise."""
    if user is None or not may_manage(user, org_id):
        raise Forbidden
    return user


def routes() -> list[Route]:
    """Return the sign-in routes (Vietnamese and ``/en/`` English)."""
    found: list[Route] = []
    for prefix in ("", "/en"):
        found += [
            Route(f"{prefix}/signin", signin_form, methods=["GET"]),
            Route(f"{prefix}/signin", signin_request, methods=["POST"]),
            Route(f"{prefix}/signin/link", link_page, methods=["GET"]),
            Route(f"{prefix}/signin/link", link_use, methods=["POST"]),
            Route(f"{prefix}/signout", signout, methods=["POST"]),
        ]
    return found
