"""``/subscriptions``: "manage my subscriptions", by a link mailed to the address.

* ``GET /subscriptions``: a form asking for an address.
* ``POST /subscriptions``: one answer whatever the address ("if this address receives
  reminders, we have sent it a link"); the link (2 hours) is mailed after the answer is
  sent, and only to an address that has a subscription. Rate limits as for /subscribe.
* ``GET /subscriptions/manage?t=``: the address's subscriptions, each with an
  "Unsubscribe" button.
* ``POST /subscriptions/manage``: ends one subscription (a link does it once; a replayed
  one changes nothing). One awaiting approval is withdrawn.

The unsubscribe link of every reminder (:mod:`calendar_svc.web.unsubscribe`) keeps
working beside these pages.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from calendar_svc.config import Settings
from calendar_svc.core.recipients import SubscriberState
from calendar_svc.store.subscriptions import Purpose
from calendar_svc.web.accounts import mail_link
from calendar_svc.web.pages import page_lang
from calendar_svc.web.subscribe import (
    check_address,
    in_both_languages,
    message,
    prefix,
    read_fields,
    render,
    too_many,
)
from calendar_svc.web.subscribe_desk import SubscribeDesk, client_key
from calendar_svc.web.subscribe_texts import subscribe_texts


@dataclass(frozen=True, slots=True)
class Entry:
    """One subscription as the page lists it."""

    organisation: str
    name: str
    awaiting: bool


def routes(settings: Settings, desk: SubscribeDesk | None = None) -> list[Route]:
    """Return the /subscriptions routes for :func:`calendar_svc.web.create_app`."""
    desk = desk or SubscribeDesk(settings)

    def invalid(request: Request, lang: str) -> HTMLResponse:
        s = subscribe_texts(lang)
        return message(
            request,
            lang,
            s["invalid_title"],
            s["invalid"],
            400,
            again=f"{prefix(lang)}/subscriptions",
            again_label=s["manage_title"],
            back=f"{prefix(lang)}/",
        )

    async def show_form(request: Request) -> HTMLResponse:
        lang = page_lang(request, "vi")
        return render(request, "manage_form.html", lang, values={}, errors={})

    async def submit(request: Request) -> Response:
        lang = page_lang(request, "vi")
        s = subscribe_texts(lang)
        fields = await read_fields(request)
        email = check_address(fields.get("email", ""))
        if email is None:
            return render(
                request,
                "manage_form.html",
                lang,
                400,
                values=fields,
                errors={"email": s["bad_email"]},
            )
        allowed = await asyncio.to_thread(
            desk.allow, Purpose.MANAGE, email, client_key(request.client and request.client.host)
        )
        if not allowed:
            return too_many(request, desk)
        response = message(
            request, lang, s["sent_title"], s["manage_sent"], back=f"{prefix(lang)}/"
        )
        response.background = BackgroundTask(
            desk.mail_manage_link,
            email,
            lang,
            f"{prefix(lang)}/subscriptions/manage",
            mail_link(request, desk.settings),
        )
        return response

    def entries(email: str) -> list[Entry]:
        store = desk.store()
        found = []
        for sub in store.subscriptions.subscriptions_of(email):
            org = desk.organisation(sub.organisation) if sub.organisation else None
            name = org.name if org is not None else (sub.organisation or sub.scope or "")
            awaiting = sub.state is SubscriberState.AWAITING_APPROVAL
            found.append(Entry(sub.organisation or "", name, awaiting))
        return found

    async def show_list(request: Request) -> HTMLResponse:
        lang = page_lang(request, "vi")
        token = request.query_params.get("t", "")
        pending = await asyncio.to_thread(
            desk.store().subscriptions.peek, Purpose.MANAGE, token, now=desk.now()
        )
        if pending is None:
            return invalid(request, lang)
        found = await asyncio.to_thread(entries, pending.email)
        return render(request, "manage.html", lang, token=token, email=pending.email, entries=found)

    async def leave(request: Request) -> HTMLResponse:
        lang = page_lang(request, "vi")
        s = subscribe_texts(lang)
        fields = await read_fields(request)
        token = fields.get("t", "")
        subscriptions = desk.store().subscriptions
        pending = await asyncio.to_thread(subscriptions.peek, Purpose.MANAGE, token, now=desk.now())
        if pending is None:
            return invalid(request, lang)
        org = fields.get("organisation") or None
        done = await asyncio.to_thread(
            subscriptions.leave, token, pending.email, org, now=desk.now()
        )
        if not done:
            return invalid(request, lang)
        return message(
            request,
            lang,
            s["left_title"],
            s["left"],
            again=f"{prefix(lang)}/subscriptions",
            again_label=s["manage_title"],
            back=f"{prefix(lang)}/",
        )

    return in_both_languages(
        [
            ("/subscriptions", show_form, "GET"),
            ("/subscriptions", submit, "POST"),
            ("/subscriptions/manage", show_list, "GET"),
            ("/subscriptions/manage", leave, "POST"),
        ]
    )
