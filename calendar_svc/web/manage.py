"""``/manage/<org>/…``: an organisation's pages for its signed-in managers and operators.

Every route here goes through :func:`org_route`: no session → the sign-in page (a GET) or
403 (anything else); a manager of another organisation → 403, before the organisation
is even looked up, so nothing about it shows. Each change is written to the audit log
(:class:`calendar_svc.store.audit.AuditRepo`) with who, when, what, before and after.

This module has the overview, the directive settings, the digest preview, the .docx
drafts and the audit page; :mod:`calendar_svc.web.manage_anniversaries` and
:mod:`calendar_svc.web.manage_subscribers` have the rest.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from calendar_svc.core.directive_settings import ProfileError
from calendar_svc.core.recipients import DueKind, DueRule, Organisation
from calendar_svc.core.scopes import ScopeTree, party_above
from calendar_svc.directive.profile import DirectiveProfile, build_profile
from calendar_svc.store.store import Store
from calendar_svc.store.users import User
from calendar_svc.web.accounts import (
    Accounts,
    accounts_of,
    current_user,
    prefix_of,
    render_page,
    require_manager,
)
from calendar_svc.web.security import Forbidden, read_form, request_lang

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Manage:
    """One request on an organisation's pages: who, which organisation, the store."""

    request: Request
    user: User
    org: Organisation
    accounts: Accounts
    store: Store

    @property
    def lang(self) -> str:
        """Return the page's language."""
        return request_lang(self.request)

    @property
    def base(self) -> str:
        """Return the path of the organisation's pages: ``/manage/quang-ninh``."""
        return f"{prefix_of(self.lang)}/manage/{quote(self.org.id, safe='')}"

    def page(self, name: str, section: str, status: int = 200, **context: Any) -> HTMLResponse:
        """Render a page of the organisation."""
        return render_page(
            self.request,
            name,
            status,
            user=self.user,
            org=self.org,
            base=self.base,
            section=section,
            **context,
        )

    def record(self, action: str, target: str, before: Any, after: Any) -> None:
        """Write one change to the audit log (call in a worker thread, inside
        ``self.store.together()`` with the change, so that both commit or neither)."""
        self.store.audit.record(
            actor=self.user.email,
            organisation=self.org.id,
            action=action,
            target=target,
            before=before,
            after=after,
            now=self.accounts.now(),
        )

    def today(self) -> date:
        """Return today's date in the configured zone."""
        return self.accounts.now().astimezone(self.accounts.settings.timezone).date()

    def back(self, path: str, note: str = "") -> RedirectResponse:
        """Return a 303 to a page of the organisation, with a note to show there."""
        query = f"?done={quote(note)}" if note else ""
        return RedirectResponse(f"{self.base}{path}{query}", 303)


Handler = Callable[[Manage], Awaitable[Response]]


def org_route(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler: require a session allowed on the organisation of the path."""

    async def endpoint(request: Request) -> Response:
        user = await current_user(request)
        if user is None:
            if request.method in ("GET", "HEAD"):
                return RedirectResponse(f"{prefix_of(request_lang(request))}/signin", 303)
            raise Forbidden
        require_manager(user, request.path_params["org"])
        accounts = accounts_of(request)
        store = await asyncio.to_thread(accounts.store)
        org = await asyncio.to_thread(
            store.organisations.get_organisation, request.path_params["org"]
        )
        return await handler(Manage(request, user, org, accounts, store))

    endpoint.__doc__ = handler.__doc__
    return endpoint


def org_record(org: Organisation) -> dict[str, Any]:
    """Return what the settings page changes of an organisation, as JSON-ready data."""
    return {
        "due": {"kind": org.due.kind.value, "n": org.due.n},
        "leads": list(org.leads),
        "directive": json.loads(org.directive.to_json()),
    }


def done_note(request: Request) -> str:
    """Return the sentence a redirect after a change asks for (``?done=saved``), or ''."""
    from calendar_svc.web.accounts_texts import account_texts

    m = account_texts(request_lang(request))
    key, _, rest = request.query_params.get("done", "").partition(":")
    if key == "imported":
        counts = rest.split(":")
        if len(counts) == 4 and all(c.isascii() and c.isdigit() for c in counts):
            names = ("count", "inserted", "updated", "unchanged")
            return m["imported"].format(**dict(zip(names, counts, strict=True)))
        return ""
    return m[key] if key in ("saved", "added", "removed") else ""


def allowed_scopes(org: Organisation, scopes: ScopeTree) -> list[str]:
    """Return the scopes whose anniversaries the organisation keeps: its own, then the
    user scopes under it."""
    found = [org.scope]
    if org.scope in scopes:
        found += [s for s in scopes.descendants(org.scope) if scopes[s].user]
    return found


def organisation_profile(org: Organisation, scopes: ScopeTree) -> DirectiveProfile:
    """Return the directive profile of an organisation (as ``calendar-svc directive``)."""
    scope_name = scopes[org.scope].name_vi if org.scope in scopes else ""
    return build_profile(
        org.id,
        org.name,
        org.scope,
        org.directive,
        scope_name=scope_name,
        party_above=party_above(scopes, org.scope),
    )


# --- pages -----------------------------------------------------------------------------


async def organisations_page(request: Request) -> Response:
    """``GET /manage``: an operator's list of organisations; a manager goes to theirs."""
    user = await current_user(request)
    lang = request_lang(request)
    if user is None:
        return RedirectResponse(f"{prefix_of(lang)}/signin", 303)
    if not user.is_operator and user.organisation:
        return RedirectResponse(f"{prefix_of(lang)}/manage/{quote(user.organisation)}", 303)
    store = await asyncio.to_thread(accounts_of(request).store)
    orgs = await asyncio.to_thread(store.organisations.organisations)
    return render_page(request, "manage/organisations.html", user=user, orgs=orgs)


@org_route
async def overview(ctx: Manage) -> Response:
    """``GET /manage/<org>``: the organisation, its sections and its drafts."""
    today = ctx.today()
    next_month = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return ctx.page(
        "manage/overview.html",
        "overview",
        month=f"{next_month.year:04d}-{next_month.month:02d}",
        year=today.year + 1,
        due_label=ctx.org.due.label(ctx.lang),
    )


def _lines(text: str) -> tuple[str, ...] | None:
    lines = tuple(line.strip() for line in text.splitlines() if line.strip())
    return lines or None


def _leads(text: str) -> tuple[int, ...]:
    value = text.strip().lower()
    if value in ("", "none"):
        return ()
    try:
        return tuple(int(part) for part in value.split(","))
    except ValueError:
        raise ValueError(
            f"'{text}' không phải danh sách số ngày / is not a list of day counts (e.g. 10,3)"
        ) from None


def _whole(text: str, field: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"{field}: '{value}' không phải số / is not a whole number")
    return int(value)


def settings_from_form(
    org: Organisation, fields: dict[str, str]
) -> tuple[Organisation | None, dict[str, str]]:
    """Return the organisation with the form's settings, or None and the problems by field.

    The checks are the organisation's own (due rule, lead times, directive settings), with
    the messages ``calendar-svc org edit`` gives.
    """
    problems: dict[str, str] = {}
    due = org.due
    try:
        day = _whole(fields.get("due_day", ""), "due_day")
        before = _whole(fields.get("due_days_before", ""), "due_days_before")
        if day is not None and before is not None:
            problems["due_day"] = "chọn một / give the due day or the days before, not both"
        elif day is not None:
            due = DueRule(DueKind.DAY_OF_MONTH, day)
        elif before is not None:
            due = DueRule(DueKind.DAYS_BEFORE, before)
    except ValueError as exc:
        problems["due_day"] = f"hạn văn bản / due date: {exc}"
    leads = org.leads
    try:
        leads = _leads(fields.get("leads", ""))
    except ValueError as exc:
        problems["leads"] = f"option --leads: {exc}"
    directive = org.directive
    try:
        directive = replace(
            org.directive,
            recipients=_lines(fields.get("recipients", "")),
            signer_lines=_lines(fields.get("signer_lines", "")),
            signer_name=fields.get("signer_name", "").strip() or None,
            attach_docx=fields.get("attach_docx") == "1" or None,
        )
    except ProfileError as exc:
        problems["directive"] = str(exc)
    if problems:
        return None, problems
    try:
        return replace(org, due=due, leads=leads, directive=directive), {}
    except ValueError as exc:
        return None, {"leads": f"tổ chức / organisation: {exc}"}


def _settings_values(org: Organisation) -> dict[str, str]:
    d = org.directive
    return {
        "due_day": str(org.due.n) if org.due.kind is DueKind.DAY_OF_MONTH else "",
        "due_days_before": str(org.due.n) if org.due.kind is DueKind.DAYS_BEFORE else "",
        "leads": ",".join(str(n) for n in org.leads),
        "recipients": "\n".join(d.recipients or ()),
        "signer_lines": "\n".join(d.signer_lines or ()),
        "signer_name": d.signer_name or "",
        "attach_docx": "1" if d.attach_docx else "",
    }


@org_route
async def settings_page(ctx: Manage) -> Response:
    """``GET``/``POST /manage/<org>/settings``: due day, lead times, recipients, signer."""
    if ctx.request.method == "GET":
        values = _settings_values(ctx.org)
        return ctx.page(
            "manage/settings.html",
            "settings",
            values=values,
            problems={},
            done=done_note(ctx.request),
        )
    form = await read_form(ctx.request)
    names = ("due_day", "due_days_before", "leads", "recipients", "signer_lines", "signer_name")
    fields = {name: form.value(name) for name in (*names, "attach_docx")}
    changed, problems = settings_from_form(ctx.org, fields)
    if changed is None:
        return ctx.page(
            "manage/settings.html", "settings", 400, values=fields, problems=problems, done=""
        )

    def save(org: Organisation) -> None:
        with ctx.store.together():
            ctx.store.organisations.replace_organisation(org)
            ctx.record("organisation.settings", ctx.org.id, org_record(ctx.org), org_record(org))

    await asyncio.to_thread(save, changed)
    return ctx.back("/settings", "saved")


def next_digest(org: Organisation, today: date) -> tuple[int, int]:
    """Return the month of the next digest: the first whose due date is today or later."""
    year, month = today.year, today.month
    for _ in range(3):
        if org.due.due_date(year, month) >= today:
            return year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return year, month


@org_route
async def digest_page(ctx: Manage) -> Response:
    """``GET /manage/<org>/digest``: the next digest as the organisation's members get it."""
    from calendar_svc.core.occurrences import occurrences
    from calendar_svc.core.schedule import build_digest, digest_ranges
    from calendar_svc.mail.render import digest_context, render

    def build() -> tuple[Any, int]:
        today = ctx.today()
        year, month = next_digest(ctx.org, today)
        scopes = ctx.accounts.scopes()
        (start, _), (_, ahead_end) = digest_ranges(year, month)
        anns = ctx.store.anniversaries.anniversaries()
        digest = build_digest(
            ctx.org,
            year,
            month,
            occurrences(anns, start, ahead_end),
            lineage=scopes.lineage(ctx.org.scope) if ctx.org.scope in scopes else (ctx.org.scope,),
        )
        left = max((digest.due - today).days, 0)
        base = (ctx.accounts.settings.web_base_url or "").rstrip("/")
        shared = digest_context(
            digest,
            days_left=left,
            lang=ctx.lang,
            month_url=f"{base}/month/{year:04d}-{month:02d}?scope={quote(ctx.org.scope)}",
            sender_name="Lịch kỷ niệm",
        )
        return render(shared, name=ctx.user.email, unsubscribe_url=f"{base}/unsubscribe"), left

    rendered, _ = await asyncio.to_thread(build)
    return ctx.page("manage/digest.html", "digest", rendered=rendered)


def _month(text: str) -> tuple[int, int]:
    parts = text.split("-")
    if (
        len(parts) == 2
        and all(p.isascii() and p.isdigit() for p in parts)
        and len(parts[0]) == 4
        and 1 <= int(parts[1]) <= 12
        and 1900 <= int(parts[0]) <= 2200
    ):
        return int(parts[0]), int(parts[1])
    raise HTTPException(404, f"'{text}' không phải tháng / is not a month (YYYY-MM)")


def _docx(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type=DOCX_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@org_route
async def directive_docx(ctx: Manage) -> Response:
    """``GET /manage/<org>/directive/YYYY-MM.docx``: the month's directive draft."""
    from calendar_svc.directive.word import default_filename, document_bytes
    from calendar_svc.services.directive import draft_directive

    year, month = _month(ctx.request.path_params["month"])

    def build() -> tuple[bytes, str]:
        scopes = ctx.accounts.scopes()
        profile = organisation_profile(ctx.org, scopes)
        draft = draft_directive(ctx.store.anniversaries, scopes, profile, year, month, ctx.today())
        return document_bytes(draft), default_filename(draft)

    data, name = await asyncio.to_thread(build)
    return _docx(data, name)


@org_route
async def annual_docx(ctx: Manage) -> Response:
    """``GET /manage/<org>/annual/YYYY.docx``: the year's annual guide draft."""
    from calendar_svc.directive.annual_word import annual_document_bytes
    from calendar_svc.services.annual import draft_annual

    text = ctx.request.path_params["year"]
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2200):
        raise HTTPException(404, f"'{text}' không phải năm / is not a year")
    year = int(text)

    def build() -> bytes:
        scopes = ctx.accounts.scopes()
        profile = organisation_profile(ctx.org, scopes)
        draft = draft_annual(ctx.store.anniversaries, scopes, profile, year, ctx.today())
        return annual_document_bytes(draft)

    data = await asyncio.to_thread(build)
    return _docx(data, f"huong-dan-{year:04d}-{ctx.org.id}.docx")


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)


@org_route
async def audit_page(ctx: Manage) -> Response:
    """``GET /manage/<org>/audit``: the organisation's changes, newest first."""
    entries = await asyncio.to_thread(ctx.store.audit.entries, organisation=ctx.org.id, limit=200)
    zone = ctx.accounts.settings.timezone
    rows = [
        {
            "at": e.at.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S"),
            "iso": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "target": e.target,
            "before": _shown(e.before),
            "after": _shown(e.after),
        }
        for e in entries
    ]
    return ctx.page("manage/audit.html", "audit", rows=rows)
