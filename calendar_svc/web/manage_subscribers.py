"""``/manage/<org>/subscribers``: the organisation's subscribers (add, remove).

Only the organisation's own subscribers are listed or removed; an address that belongs
to another organisation is answered exactly like an unknown one, so no page tells
whether someone subscribes elsewhere. Addresses and names are checked by
:class:`calendar_svc.core.recipients.Subscriber`, as ``calendar-svc subscribers add``
checks them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from calendar_svc.core.recipients import Subscriber
from calendar_svc.errors import AlreadyExistsError, NotFoundError
from calendar_svc.web.manage import Manage, done_note, org_route
from calendar_svc.web.security import read_form

TAKEN = (
    "địa chỉ này không thêm được (đã đăng ký nhận thư nhắc) / this address cannot be "
    "added (it is subscribed already)"
)
NOT_HERE = "không có người nhận này trong tổ chức / no such subscriber in this organisation"


def sub_record(sub: Subscriber) -> dict[str, Any]:
    """Return a subscriber as the audit log keeps it."""
    return {
        "email": sub.email,
        "name": sub.name,
        "lang": sub.lang,
        "organisation": sub.organisation,
        "active": sub.active,
    }


def _page(ctx: Manage, status: int, values: dict[str, str], problems: dict[str, str]) -> Response:
    subs = ctx.store.organisations.subscribers(organisation=ctx.org.id)
    return ctx.page(
        "manage/subscribers.html",
        "subscribers",
        status,
        subscribers=subs,
        values=values,
        problems=problems,
        done=done_note(ctx.request) if status == 200 else "",
    )


@org_route
async def list_page(ctx: Manage) -> Response:
    """``GET``/``POST /manage/<org>/subscribers``: the list and the form that adds one."""
    empty = {"email": "", "name": "", "lang": "vi"}
    if ctx.request.method == "GET":
        return await asyncio.to_thread(_page, ctx, 200, empty, {})
    form = await read_form(ctx.request)
    values = {key: form.value(key) for key in empty}

    def add() -> dict[str, str]:
        try:
            sub = Subscriber(
                email=values["email"],
                name=values["name"],
                organisation=ctx.org.id,
                lang=values["lang"] or "vi",
            )
        except ValueError as exc:
            text = f"người nhận / subscriber: {exc}"
            field = "name" if "name" in str(exc) and "address" not in str(exc) else "email"
            if "language" in str(exc):
                field = "lang"
            return {field: text}
        try:
            ctx.store.organisations.add_subscriber(sub, now=ctx.accounts.now())
        except AlreadyExistsError:
            return {"email": TAKEN}
        ctx.record("subscriber.add", sub.email, None, sub_record(sub))
        return {}

    problems = await asyncio.to_thread(add)
    if not problems:
        return ctx.back("/subscribers", "added")
    return await asyncio.to_thread(_page, ctx, 400, values, problems)


@org_route
async def remove(ctx: Manage) -> Response:
    """``POST /manage/<org>/subscribers/remove``: remove one of the organisation's."""
    form = await read_form(ctx.request)
    email = form.value("email").strip().lower()

    def run() -> bool:
        try:
            sub = ctx.store.organisations.get_subscriber(email)
        except NotFoundError:
            return False
        if sub.organisation != ctx.org.id:
            return False
        ctx.store.organisations.remove_subscriber(sub.email)
        ctx.record("subscriber.remove", sub.email, sub_record(sub), None)
        return True

    if await asyncio.to_thread(run):
        return ctx.back("/subscribers", "removed")
    values = {"email": "", "name": "", "lang": "vi"}
    return await asyncio.to_thread(_page, ctx, 404, values, {"remove": NOT_HERE})


def routes(base: str) -> list[Route]:
    """Return the subscriber routes under ``base`` (``/manage/{org}``)."""
    return [
        Route(f"{base}/subscribers", list_page, methods=["GET", "POST"]),
        Route(f"{base}/subscribers/remove", remove, methods=["POST"]),
    ]
