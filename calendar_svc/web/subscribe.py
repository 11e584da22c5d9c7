"""``/subscribe``: subscribe yourself to an organisation's reminders, with double opt-in.

* ``GET /subscribe?scope=``: the form. It offers the organisations of the scope and of its
  parents that take subscriptions (``open`` or ``approval``; ``closed`` ones are not
  offered), an address and an optional name.
* ``POST /subscribe``: one answer for every valid request, whether the address is known,
  subscribed already or its organisation needs approval: "if the address is valid, we
  have sent a confirmation mail". The link is issued and mailed after the answer is sent.
  Too many requests from one client or for one address get 429 (Vietnamese and English).
* ``GET /subscribe/confirm?t=``: shows what the link confirms, with a button; mail
  scanners that fetch links confirm nothing.
* ``POST /subscribe/confirm``: confirms (once): the address is subscribed, or awaits the
  organisation's approval (``calendar-svc subscribers approve``).

``/en/…`` gives the same pages in English. Every form carries the CSRF token of
:mod:`calendar_svc.web.security`; a post without it is refused (403) before anything is
done. The "my subscriptions" pages are :mod:`calendar_svc.web.subscribe_manage`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from calendar_svc.config import Settings
from calendar_svc.core.recipients import (
    EMAIL_RE,
    MAX_EMAIL_CHARS,
    Organisation,
    SubscribePolicy,
    check_text,
)
from calendar_svc.core.scopes import ScopeError, ScopeTree
from calendar_svc.store.subscriptions import Outcome, Purpose
from calendar_svc.web.accounts import mail_link
from calendar_svc.web.pages import page_lang
from calendar_svc.web.security import CSRF_FIELD, csrf_token, read_form
from calendar_svc.web.subscribe_desk import SubscribeDesk, client_key
from calendar_svc.web.subscribe_texts import subscribe_texts
from calendar_svc.web.texts import page_texts

#: Headers of every subscription page: never cached, never indexed, no referrer (the
#: confirmation and manage pages carry a token in their URL).
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
#: The largest form body read (an address, a name, an id and a token take under 1 KiB).
MAX_BODY_BYTES = 8192
#: The pages that hold a form, and so the CSRF token (no other page mints the cookie).
FORM_PAGES = frozenset({"form.html", "confirm.html", "manage_form.html", "manage.html"})


async def read_fields(request: Request) -> dict[str, str]:
    """Return the first value of each field of a posted form, its CSRF token checked.

    Raises (for the app's one error handler):
        PayloadTooLarge: the body exceeds :data:`MAX_BODY_BYTES` (413, left unread).
        FormError: the body is not a form (400).
        CsrfRejected: the form's token is missing or wrong (403); nothing is done.
    """
    form = await read_form(request, limit=MAX_BODY_BYTES)
    return {name: form.value(name) for name in form.fields}


def prefix(lang: str) -> str:
    """Return the path prefix of a language: ``/en`` or ''."""
    return "/en" if lang == "en" else ""


def render(
    request: Request, name: str, lang: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page of ``templates/web/subscribe/`` with the words of ``lang``."""
    env: jinja2.Environment = request.app.state.templates
    html = env.get_template(f"subscribe/{name}").render(
        lang=lang,
        t=page_texts(lang),
        s=subscribe_texts(lang),
        home_href="/en/" if lang == "en" else "/",
        prefix=prefix(lang),
        csrf=csrf_token(request) if name in FORM_PAGES else "",
        csrf_field=CSRF_FIELD,
        **context,
    )
    headers = {**PAGE_HEADERS, "Content-Language": lang}
    return HTMLResponse(html, status_code=status, headers=headers)


def message(
    request: Request,
    lang: str,
    title: str,
    body: str,
    status: int = 200,
    *,
    again: str = "",
    again_label: str = "",
    back: str = "",
) -> HTMLResponse:
    """Render a page that says one thing (an outcome, an error), with links on."""
    return render(
        request,
        "message.html",
        lang,
        status,
        title=title,
        body=body,
        again=again,
        again_label=again_label,
        back=back,
    )


def too_many(request: Request, desk: SubscribeDesk) -> HTMLResponse:
    """Return the 429 page, in Vietnamese and English, with Retry-After."""
    response = render(request, "too_many.html", "vi", 429, en=subscribe_texts("en"))
    response.headers["Retry-After"] = str(desk.retry_after())
    return response


def check_address(raw: str) -> str | None:
    """Return the address lower-cased if it is a plain one (as subscribers need), else None."""
    email = raw.strip().lower()
    if not email or len(email) > MAX_EMAIL_CHARS or not EMAIL_RE.match(email):
        return None
    return email if "." in email.rsplit("@", 1)[1] else None


def check_name(raw: str) -> str | None:
    """Return the name stripped ('' when none was given), or None if it is not acceptable."""
    name = raw.strip()
    if not name:
        return ""
    try:
        check_text(name, "name")
    except ValueError:
        return None
    return name


def lineage_of(scopes: ScopeTree, raw: str) -> tuple[str | None, tuple[str, ...] | None]:
    """Return the scope a request names (resolved) and its lineage; (None, None) for none."""
    if not raw.strip():
        return None, None
    try:
        scope = scopes.resolve(raw)
    except ScopeError:
        return None, None
    return scope, tuple(scopes.lineage(scope))


def routes(settings: Settings, desk: SubscribeDesk | None = None) -> list[Route]:
    """Return the /subscribe routes for :func:`calendar_svc.web.create_app`."""
    desk = desk or SubscribeDesk(settings)

    async def form_page(
        request: Request,
        lang: str,
        *,
        scope_raw: str,
        values: Mapping[str, str],
        errors: Mapping[str, str],
        status: int = 200,
    ) -> HTMLResponse:
        scopes: ScopeTree = request.app.state.feeds.scopes
        scope, lineage = lineage_of(scopes, scope_raw)
        orgs = await asyncio.to_thread(desk.offered, lineage)
        scope_name = ""
        if scope is not None:
            found = scopes[scope]
            scope_name = found.name_en if lang == "en" and found.name_en else found.name_vi
        return render(
            request,
            "form.html",
            lang,
            status,
            orgs=orgs,
            approval=SubscribePolicy.APPROVAL,
            scope=scope or "",
            scope_name=scope_name,
            values=values,
            errors=errors,
            month_href=f"{prefix(lang)}/" + (f"?scope={quote(scope, safe='')}" if scope else ""),
        )

    async def show_form(request: Request) -> HTMLResponse:
        lang = page_lang(request, "vi")
        return await form_page(
            request,
            lang,
            scope_raw=request.query_params.get("scope", ""),
            values={"organisation": request.query_params.get("org", "")},
            errors={},
        )

    async def submit(request: Request) -> Response:
        lang = page_lang(request, "vi")
        fields = await read_fields(request)
        s = subscribe_texts(lang)
        email = check_address(fields.get("email", ""))
        name = check_name(fields.get("name", ""))
        org: Organisation | None = None
        org_id = fields.get("organisation", "")
        if org_id:
            org = await asyncio.to_thread(desk.organisation, org_id)
        errors: dict[str, str] = {}
        if email is None:
            errors["email"] = s["bad_email"]
        if name is None:
            errors["name"] = s["bad_name"]
        if org is None or org.subscribe is SubscribePolicy.CLOSED:
            errors["organisation"] = s["bad_org"]
        if errors or email is None or org is None or name is None:
            return await form_page(
                request,
                lang,
                scope_raw=fields.get("scope", ""),
                values=fields,
                errors=errors,
                status=400,
            )
        allowed = await asyncio.to_thread(
            desk.allow, Purpose.CONFIRM, email, client_key(request.client and request.client.host)
        )
        if not allowed:
            return too_many(request, desk)
        response = message(request, lang, s["sent_title"], s["sent"], back=f"{prefix(lang)}/")
        response.background = BackgroundTask(
            desk.mail_confirmation,
            email,
            org,
            name,
            lang,
            f"{prefix(lang)}/subscribe/confirm",
            mail_link(request, desk.settings),
        )
        return response

    async def show_confirm(request: Request) -> HTMLResponse:
        lang = page_lang(request, "vi")
        s = subscribe_texts(lang)
        token = request.query_params.get("t", "")
        pending = await asyncio.to_thread(
            desk.store().subscriptions.peek, Purpose.CONFIRM, token, now=desk.now()
        )
        org = None
        if pending is not None and pending.organisation is not None:
            org = await asyncio.to_thread(desk.organisation, pending.organisation)
        if pending is None:
            return message(request, lang, s["invalid_title"], s["invalid"], 400, **_again(lang))
        return render(
            request,
            "confirm.html",
            lang,
            token=token,
            email=pending.email,
            org_name=org.name if org is not None else pending.organisation or "",
        )

    async def confirm(request: Request) -> HTMLResponse:
        lang = page_lang(request, "vi")
        s = subscribe_texts(lang)
        fields = await read_fields(request)
        outcome, pending = await asyncio.to_thread(
            desk.store().subscriptions.confirm, fields.get("t", ""), now=desk.now()
        )
        if outcome is Outcome.INVALID or pending is None:
            return message(request, lang, s["invalid_title"], s["invalid"], 400, **_again(lang))
        org = await asyncio.to_thread(desk.organisation, pending.organisation or "")
        org_name = org.name if org is not None else pending.organisation or ""
        key = {
            Outcome.SUBSCRIBED: "subscribed",
            Outcome.AWAITING_APPROVAL: "awaiting",
            Outcome.ALREADY: "already",
            Outcome.CLOSED: "closed",
        }[outcome]
        return render(
            request,
            "outcome.html",
            lang,
            title=s[f"{key}_title"],
            body=s[key],
            org_name=org_name,
            manage_href=f"{prefix(lang)}/subscriptions",
        )

    return in_both_languages(
        [
            ("/subscribe", show_form, "GET"),
            ("/subscribe", submit, "POST"),
            ("/subscribe/confirm", show_confirm, "GET"),
            ("/subscribe/confirm", confirm, "POST"),
        ]
    )


def in_both_languages(
    endpoints: Sequence[tuple[str, Callable[[Request], Awaitable[Response]], str]],
) -> list[Route]:
    """Return a route for each (path, endpoint, method), and the same under ``/en``."""
    return [
        Route(f"{lead}{path}", endpoint, methods=[method])
        for lead in ("", "/en")
        for path, endpoint, method in endpoints
    ]


def _again(lang: str) -> dict[str, str]:
    return {
        "again": f"{prefix(lang)}/subscribe",
        "again_label": subscribe_texts(lang)["title"],
        "back": f"{prefix(lang)}/",
    }
