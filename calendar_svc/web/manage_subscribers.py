"""``/manage/<org>/subscribers``: the organisation's subscribers (add, approve, remove).

Subscribers who signed themselves up to an organisation whose policy needs approval wait
for it here; approving makes them active, rejecting deletes them (they are told nothing).

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

from calendar_svc.core.recipients import Subscriber, SubscriberState
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
        "state": sub.state.value,
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
            with ctx.store.together():
                ctx.store.organisations.add_subscriber(sub, now=ctx.accounts.now())
                ctx.record("subscriber.add", sub.email, None, sub_record(sub))
        except AlreadyExistsError:
            return {"email": TAKEN}
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
        with ctx.store.together():
            ctx.store.organisations.remove_subscriber(sub.email)
            ctx.record("subscriber.remove", sub.email, sub_record(sub), None)
        return True

    if await asyncio.to_thread(run):
        return ctx.back("/subscribers", "removed")
    values = {"email": "", "name": "", "lang": "vi"}
    return await asyncio.to_thread(_page, ctx, 404, values, {"remove": NOT_HERE})


async def _decide(ctx: Manage, *, approve: bool) -> Response:
    form = await read_form(ctx.request)
    email = form.value("email").strip().lower()

    def run() -> bool:
        waiting = {s.email: s for s in ctx.store.subscriptions.pending(ctx.org.id)}
        sub = waiting.get(email)
        if sub is None:
            return False
        after = {**sub_record(sub), "active": True, "state": SubscriberState.ACTIVE.value}
        action = "subscriber.approve" if approve else "subscriber.reject"
        try:
            with ctx.store.together():
                if approve:
                    ctx.store.subscriptions.approve(ctx.org.id, email)
                else:
                    ctx.store.subscriptions.reject(ctx.org.id, email)
                ctx.record(action, email, sub_record(sub), after if approve else None)
        except NotFoundError:
            return False
        return True

    if await asyncio.to_thread(run):
        return ctx.back("/subscribers", "saved" if approve else "removed")
    values = {"email": "", "name": "", "lang": "vi"}
    return await asyncio.to_thread(_page, ctx, 404, values, {"remove": NOT_HERE})


@org_route
async def approve(ctx: Manage) -> Response:
    """``POST /manage/<org>/subscribers/approve``: let a waiting subscriber in."""
    return await _decide(ctx, approve=True)


@org_route
async def reject(ctx: Manage) -> Response:
    """``POST /manage/<org>/subscribers/reject``: turn a waiting subscriber away."""
    return await _decide(ctx, approve=False)


def routes(base: str) -> list[Route]:
    """Return the subscriber routes under ``base`` (``/manage/{org}``)."""
    return [
        Route(f"{base}/subscribers", list_page, methods=["GET", "POST"]),
        Route(f"{base}/subscribers/remove", remove, methods=["POST"]),
        Route(f"{base}/subscribers/approve", approve, methods=["POST"]),
        Route(f"{base}/subscribers/reject", reject, methods=["POST"]),
    ]
