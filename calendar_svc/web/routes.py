"""Feed, JSON and health endpoints: plain functions, errors raised for the one handler."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from calendar_svc.core.occurrences import month_range
from calendar_svc.core.search import matches, query_words
from calendar_svc.errors import NotFoundError
from calendar_svc.formatting import Display, occurrence_record
from calendar_svc.services.listing import ListingQuery, list_occurrences
from calendar_svc.web.feedservice import FeedService
from calendar_svc.web.http import feed_response
from calendar_svc.web.queries import check_known, parse_filters, parse_lang, parse_range

CUSTOM_PARAMS = ("scope", "category", "round")
API_PARAMS = ("from", "to", "scope", "category", "round", "lang", "q")


def _service(request: Request) -> FeedService:
    service: FeedService = request.app.state.feeds
    return service


async def feed(request: Request) -> Response:
    """``GET``/``HEAD /feeds/{name}.ics``: a feed by name (``province/quang-ninh``), or
    ``custom`` by query."""
    service = _service(request)
    name = request.path_params["name"]
    if name == "custom":
        check_known(request.query_params, CUSTOM_PARAMS)
        filters = parse_filters(request.query_params, service.scopes)
        rendered = await run_in_threadpool(
            service.custom, filters.scope, filters.categories, round_only=filters.round_only
        )
        return feed_response(request, rendered)
    found = service.named(name)
    if found is None:
        raise NotFoundError("lịch", name)
    return feed_response(request, found)


def occurrences_api(request: Request) -> JSONResponse:
    """``/api/occurrences?from=&to=&scope=&category=&round=&lang=&q=`` (default: this month).

    ``q`` keeps the occurrences whose name holds it as a phrase, diacritics ignored.
    """
    service = _service(request)
    params = request.query_params
    check_known(params, API_PARAMS)
    today = service.today()
    first, last = parse_range(params, *month_range(today.year, today.month))
    filters = parse_filters(params, service.scopes)
    lang = parse_lang(params, service.settings.lang)
    query = ListingQuery(first, last, filters.scope, filters.categories, filters.round_only)
    occs = list_occurrences(service.reader(), service.scopes, query)
    words = query_words(params.get("q", ""))
    if words:
        occs = [o for o in occs if matches(o.anniversary, words)]
    display = Display(lang=lang)
    body: dict[str, Any] = {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "scope": filters.scope,
        "categories": list(filters.categories),
        "round": filters.round_only,
        "q": params.get("q", ""),
        "count": len(occs),
        "occurrences": [occurrence_record(o, display) for o in occs],
    }
    return JSONResponse(body, headers={"Cache-Control": "no-cache"})


async def healthz(request: Request) -> JSONResponse:
    """``/healthz``: 200 when the database answers now and the last refresh of the feeds
    succeeded; else 503 with the error."""
    service = _service(request)
    database_error = await run_in_threadpool(service.probe)
    status = service.status()
    ok = status.ok and database_error is None
    body: dict[str, Any] = {
        "status": "ok" if ok else "error",
        "database": "ok" if database_error is None else "error",
        "revision": status.revision.isoformat() if status.revision else None,
        "window": [status.window.start.isoformat(), status.window.end.isoformat()]
        if status.window
        else None,
        "feeds": status.feeds,
        "events": status.events,
        "refreshed_at": status.refreshed_at.isoformat() if status.refreshed_at else None,
    }
    if database_error or status.error:
        body["error"] = database_error or status.error
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})
