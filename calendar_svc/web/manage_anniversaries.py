"""``/manage/<org>/anniversaries``: the organisation's local anniversaries.

An organisation keeps the anniversaries of its own scope and of the user scopes under it
(:func:`~calendar_svc.web.manage.allowed_scopes`); others are neither listed nor
changed here. Fields are checked by :func:`calendar_svc.rowfields.parse_fields` and files by
:func:`calendar_svc.catalog.load_csv`, exactly as ``calendar-svc add``/``edit``/``import``
check them, and each problem is shown beside its field with the CLI's message. A record
or a file with any problem saves nothing.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from calendar_svc.catalog import anniversary_row, load_csv
from calendar_svc.core.labels import localized
from calendar_svc.core.model import Anniversary
from calendar_svc.core.policy import CATEGORIES
from calendar_svc.errors import AlreadyExistsError, CsvImportError, NotFoundError, RowProblem
from calendar_svc.rowfields import parse_fields
from calendar_svc.web.manage import Manage, allowed_scopes, done_note, org_route
from calendar_svc.web.security import UPLOAD_MAX_BYTES, read_form

#: The fields the form edits (the others keep their defaults or stored values).
FORM_FIELDS = (
    "id",
    "name_vi",
    "name_en",
    "origin",
    "calendar",
    "category",
    "scope",
    "source",
    "note",
)


def outside_message(scope: str, org_id: str) -> str:
    """Return the problem of a scope the organisation does not keep."""
    return (
        f"phạm vi '{scope}' không thuộc tổ chức '{org_id}' / scope '{scope}' is outside "
        f"organisation '{org_id}' (its own scope or a user scope under it)"
    )


def _local(ctx: Manage) -> tuple[list[Anniversary], list[str]]:
    scopes = ctx.accounts.scopes()
    allowed = allowed_scopes(ctx.org, scopes)
    anns = ctx.store.anniversaries.anniversaries(scopes=allowed)
    anns.sort(key=lambda a: (a.origin.iso(), a.id))
    return anns, allowed


def _get_local(ctx: Manage, anniversary_id: str, allowed: list[str]) -> Anniversary:
    """Return a stored anniversary the organisation keeps; 404 for any other id."""
    ann = ctx.store.anniversaries.get(anniversary_id)
    if ann.scope not in allowed:
        raise NotFoundError("ngày kỷ niệm", anniversary_id)
    return ann


def _context(ctx: Manage, anns: list[Anniversary], allowed: list[str]) -> dict[str, Any]:
    scopes = ctx.accounts.scopes()
    return {
        "anniversaries": anns,
        "scope_options": [
            (s, localized(ctx.lang, scopes[s].name_vi, scopes[s].name_en) if s in scopes else s)
            for s in allowed
        ],
        "categories": sorted(CATEGORIES),
    }


def _list(
    ctx: Manage,
    status: int,
    local: tuple[list[Anniversary], list[str]],
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    import_problems: list[str] | None = None,
) -> Response:
    """Render the list page with the add form (``values``) and any problems."""
    anns, allowed = local
    empty = {name: "" for name in FORM_FIELDS} | {"calendar": "solar", "scope": ctx.org.scope}
    return ctx.page(
        "manage/anniversaries.html",
        "anniversaries",
        status,
        values=values or empty,
        problems=problems or {},
        import_problems=import_problems or [],
        done=done_note(ctx.request) if status == 200 else "",
        **_context(ctx, anns, allowed),
    )


def check_record(
    ctx: Manage, fields: dict[str, str], allowed: list[str]
) -> tuple[Anniversary | None, dict[str, str]]:
    """Return the anniversary of the form, or None and the problems by field (CLI texts)."""
    scopes = ctx.accounts.scopes()
    ann, problems = parse_fields(fields, scopes)
    found = {p.column: p.message for p in problems}
    if ann is not None and ann.scope not in allowed:
        found["scope"] = outside_message(ann.scope, ctx.org.id)
        ann = None
    return ann, found


@org_route
async def list_page(ctx: Manage) -> Response:
    """``GET``/``POST /manage/<org>/anniversaries``: the list and the form that adds one."""
    local = await asyncio.to_thread(_local, ctx)
    allowed = local[1]
    if ctx.request.method == "GET":
        return _list(ctx, 200, local)
    form = await read_form(ctx.request)
    fields = {name: form.value(name) for name in FORM_FIELDS}

    def add() -> dict[str, str]:
        ann, problems = check_record(ctx, fields, allowed)
        if ann is None:
            return problems
        try:
            with ctx.store.together():
                ctx.store.anniversaries.add(ann, now=ctx.accounts.now())
                ctx.record("anniversary.add", ann.id, None, anniversary_row(ann))
        except AlreadyExistsError as exc:
            return {"id": str(exc)}
        return {}

    problems = await asyncio.to_thread(add)
    if not problems:
        return ctx.back("/anniversaries", "added")
    return _list(ctx, 400, local, values=fields, problems=problems)


@org_route
async def edit_page(ctx: Manage) -> Response:
    """``GET``/``POST /manage/<org>/anniversaries/<id>``: change one local anniversary."""
    anniversary_id = ctx.request.path_params["id"]

    def current() -> tuple[Anniversary, list[str]]:
        allowed = allowed_scopes(ctx.org, ctx.accounts.scopes())
        return _get_local(ctx, anniversary_id, allowed), allowed

    ann, allowed = await asyncio.to_thread(current)
    stored = anniversary_row(ann)
    scopes_context = _context(ctx, [], allowed)

    def edit_form(status: int, values: dict[str, str], problems: dict[str, str]) -> Response:
        return ctx.page(
            "manage/anniversary.html",
            "anniversaries",
            status,
            ann=ann,
            values=values,
            problems=problems,
            **scopes_context,
        )

    if ctx.request.method == "GET":
        return edit_form(200, stored, {})
    form = await read_form(ctx.request)
    fields = {**stored, **{n: form.value(n) for n in FORM_FIELDS if n != "id"}}

    def save() -> dict[str, str]:
        changed, problems = check_record(ctx, fields, allowed)
        if changed is None:
            return problems
        with ctx.store.together():
            ctx.store.anniversaries.replace(changed, now=ctx.accounts.now())
            ctx.record("anniversary.edit", changed.id, stored, anniversary_row(changed))
        return {}

    problems = await asyncio.to_thread(save)
    if not problems:
        return ctx.back("/anniversaries", "saved")
    return edit_form(400, fields, problems)


@org_route
async def remove(ctx: Manage) -> Response:
    """``POST /manage/<org>/anniversaries/<id>/remove``: remove one local anniversary."""
    await read_form(ctx.request)
    anniversary_id = ctx.request.path_params["id"]

    def run() -> None:
        allowed = allowed_scopes(ctx.org, ctx.accounts.scopes())
        ann = _get_local(ctx, anniversary_id, allowed)
        with ctx.store.together():
            ctx.store.anniversaries.remove(ann.id, now=ctx.accounts.now())
            ctx.record("anniversary.remove", ann.id, anniversary_row(ann), None)

    await asyncio.to_thread(run)
    return ctx.back("/anniversaries", "removed")


def import_rows(ctx: Manage, filename: str, data: bytes) -> tuple[list[str], dict[str, int]]:
    """Check a CSV file as ``calendar-svc import`` does, then the scopes; save it all or
    nothing. Return the problems (CLI texts) or the counts."""
    scopes = ctx.accounts.scopes()
    allowed = allowed_scopes(ctx.org, scopes)
    display = Path(filename or "upload.csv").name
    with tempfile.TemporaryDirectory(prefix="calendar-svc-import-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        try:
            anns = load_csv(path, scopes=scopes, display_name=display)
        except CsvImportError as exc:
            return str(exc).splitlines(), {}
    problems: list[RowProblem] = []
    before: dict[str, dict[str, str]] = {}
    for ann in anns:
        if ann.scope not in allowed:
            problems.append(
                RowProblem(
                    display, None, "scope", f"{ann.id}: {outside_message(ann.scope, ctx.org.id)}"
                )
            )
            continue
        try:
            stored = ctx.store.anniversaries.get(ann.id)
        except NotFoundError:
            continue
        if stored.scope not in allowed:
            problems.append(
                RowProblem(
                    display,
                    None,
                    "id",
                    f"'{ann.id}' là ngày kỷ niệm của phạm vi khác / belongs to another scope",
                )
            )
            continue
        before[ann.id] = anniversary_row(stored)
    if problems:
        return str(CsvImportError(problems)).splitlines(), {}
    with ctx.store.together():
        result = ctx.store.anniversaries.upsert(anns, now=ctx.accounts.now())
        for ann in anns:
            row = anniversary_row(ann)
            if before.get(ann.id) == row:
                continue
            action = "anniversary.edit" if ann.id in before else "anniversary.add"
            ctx.record(action, ann.id, before.get(ann.id), row)
    counts = {
        "count": len(anns),
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    return [], counts


@org_route
async def import_csv(ctx: Manage) -> Response:
    """``POST /manage/<org>/anniversaries/import``: a CSV file, all or nothing."""
    form = await read_form(ctx.request, limit=UPLOAD_MAX_BYTES)
    upload = form.files.get("file")
    if upload is None or not upload.data:
        problems = ["chọn một tệp CSV / choose a CSV file"]
        counts: dict[str, int] = {}
    else:
        problems, counts = await asyncio.to_thread(import_rows, ctx, upload.filename, upload.data)
    if not problems:
        return ctx.back(
            "/anniversaries",
            "imported:{count}:{inserted}:{updated}:{unchanged}".format(**counts),
        )
    local = await asyncio.to_thread(_local, ctx)
    return _list(ctx, 400, local, import_problems=problems)


def routes(base: str) -> list[Route]:
    """Return the anniversary routes under ``base`` (``/manage/{org}``)."""
    return [
        Route(f"{base}/anniversaries", list_page, methods=["GET", "POST"]),
        Route(f"{base}/anniversaries/import", import_csv, methods=["POST"]),
        Route(f"{base}/anniversaries/{{id}}", edit_page, methods=["GET", "POST"]),
        Route(f"{base}/anniversaries/{{id}}/remove", remove, methods=["POST"]),
    ]
