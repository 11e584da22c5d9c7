"""The web service: ICS feeds, the month page, a JSON API and a health check.

:func:`create_app` is the composition root: it loads nothing at import, and wires the
settings, the scope tree, the store and the feeds into a Starlette app. Other parts of the
service add routes (``extra_routes``) and background work (``lifespan_hooks``) without
editing this package.

Routes:
    ``/`` and ``/month/YYYY-MM``: the month page (HTML); ``/en/…`` in English.
    ``/feeds/{name}.ics``: a feed by name: ``national``, ``province/quang-ninh``,
    ``commune/quang-ninh/cua-ong`` (any scope; the id percent-encoded works too), a
    category, ``round``, ``all``; ``/feeds/custom.ics?scope=&category=&round=``.
    ``/api/occurrences?from=&to=&scope=&category=&round=&lang=``: JSON.
    ``/month/YYYY-MM/check``: the "Kiểm tra văn bản" form and its report (HTML).
    ``/healthz``: JSON, 200 or 503.
    ``/static/…``: the pages' style sheet and script (``calendar_svc/static/``); the pages
    carry no inline script or style, so a Content-Security-Policy needs no 'unsafe-inline'.
    ``/unsubscribe?t=…``: :mod:`calendar_svc.web.unsubscribe`, added by ``serve``.
    ``/subscribe`` and ``/subscriptions`` (and under ``/en``): subscribing yourself and
    managing your subscriptions, :mod:`calendar_svc.web.subscribe` and
    :mod:`calendar_svc.web.subscribe_manage`, added by ``serve``.
    ``/signin``, ``/signout``: :mod:`calendar_svc.web.accounts` (emailed sign-in links).
    ``/manage/<org>/…``: :mod:`calendar_svc.web.manage`, an organisation's pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from calendar_svc.config import Settings
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.errors import CalendarSvcError
from calendar_svc.store.repository import AnniversaryReader
from calendar_svc.web import accounts, manage_routes
from calendar_svc.web.annual import annual_docx
from calendar_svc.web.fastpath import FeedFastPath
from calendar_svc.web.feedservice import (
    FEEDS_STATE,
    REFRESH_SECONDS,
    RETRY_SECONDS,
    FeedService,
)
from calendar_svc.web.http import error_response
from calendar_svc.web.pages import index_page, month_page, template_environment
from calendar_svc.web.proofread import check_form_globals, check_page
from calendar_svc.web.routes import feed, healthz, occurrences_api
from calendar_svc.web.security import SecurityMiddleware, exception_handlers, store_secret

__all__ = ["create_app"]

log = logging.getLogger(__name__)

#: The pages' static files (CSS, JS), served at ``/static/``.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

LifespanHook = Callable[[], AbstractAsyncContextManager[None]]


async def _refresh_forever(service: FeedService, interval: float) -> None:
    """Check the data and the window every ``interval`` seconds; rebuild on change.

    While the last refresh failed, try again every :data:`RETRY_SECONDS` (at most).
    """
    while True:
        healthy = service.status().ok
        await asyncio.sleep(interval if healthy else min(interval, RETRY_SECONDS))
        await asyncio.to_thread(service.refresh)


def _lifespan(
    service: FeedService, hooks: Sequence[LifespanHook], interval: float
) -> Callable[[Starlette], AbstractAsyncContextManager[Mapping[str, Any]]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[Mapping[str, Any]]:
        await asyncio.to_thread(service.refresh)
        task = asyncio.create_task(_refresh_forever(service, interval))
        try:
            async with AsyncExitStack() as stack:
                for hook in hooks:
                    await stack.enter_async_context(hook())
                # The lifespan state: serve's HTTP protocol answers feeds from it.
                yield {FEEDS_STATE: service}
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


def stored_scopes(settings: Settings) -> ScopeTree:
    """Return the database's scopes; the bundled registry if the database cannot be read.

    A database that cannot be opened now still lets the service start: /healthz reports
    it, and the feeds are built once it is back.
    """
    from calendar_svc.catalog import load_scopes
    from calendar_svc.store.errors import StoreError
    from calendar_svc.store.open import open_store

    try:
        store = open_store(settings.database_url or None)
    except StoreError:
        return load_scopes()
    try:
        return store.scopes.tree()
    finally:
        store.close()


def create_app(
    settings: Settings,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    lifespan_hooks: Sequence[LifespanHook] = (),
    scopes: ScopeTree | None = None,
    open_reader: Callable[[], AnniversaryReader] | None = None,
    refresh_seconds: float = REFRESH_SECONDS,
    web_secret: Callable[[], str] | None = None,
    account_service: accounts.Accounts | None = None,
) -> Starlette:
    """Build the Starlette app of the service.

    The feeds are built when the app starts (its lifespan) and rebuilt when the data or
    the window changes; requests never wait for a build.

    Args:
        settings: The effective configuration.
        extra_routes: More routes, matched after the built-in ones (e.g. /unsubscribe).
        lifespan_hooks: Factories of async context managers entered after the feeds are
            first built and exited at shutdown, last first (e.g. the scheduler).
        scopes: The scope tree; the configured database's by default (registry and users').
        open_reader: Opens the store's reader; the configured database by default.
        refresh_seconds: Seconds between checks for changed data or a new year.
        web_secret: Returns the key of the forms' CSRF tokens; by default the one kept in
            the configured database (:mod:`calendar_svc.web.security`).
        account_service: The sign-in and management pages' store, clock, mail and rate
            limiter; the configured ones by default.
    """
    if scopes is None:
        scopes = stored_scopes(settings)
    if open_reader is None:
        from calendar_svc.store.open import open_reader as open_configured

        url = settings.database_url or None

        def open_reader() -> AnniversaryReader:
            return open_configured(url)

    service = FeedService(settings, scopes, open_reader=open_reader)
    routes: list[BaseRoute] = [
        Route("/", index_page, methods=["GET"]),
        Route("/month/{month}", month_page, methods=["GET"]),
        Route("/month/{month}/check", check_page, methods=["GET", "POST"]),
        Route("/en/", index_page, methods=["GET"]),
        Route("/en", index_page, methods=["GET"]),
        Route("/en/month/{month}", month_page, methods=["GET"]),
        Route("/feeds/{name:path}.ics", feed, methods=["GET"]),
        Route("/annual/{year}.docx", annual_docx, methods=["GET"]),
        Route("/api/occurrences", occurrences_api, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        *accounts.routes(),
        *manage_routes.routes(),
        *extra_routes,
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityMiddleware), Middleware(FeedFastPath, service=service)],
        exception_handlers={
            **exception_handlers(),
            CalendarSvcError: error_response,
            HTTPException: error_response,
            ClientDisconnect: error_response,  # else Starlette's 500 path logs a traceback
            Exception: error_response,
        },
        lifespan=_lifespan(service, lifespan_hooks, refresh_seconds),
    )
    app.router.redirect_slashes = False  # http._slash_redirect answers, with a relative URL
    app.state.feeds = service
    app.state.settings = settings
    app.state.web_secret = web_secret or store_secret(settings.database_url)
    app.state.accounts = account_service or accounts.Accounts(settings)
    app.state.templates = template_environment()
    app.state.templates.globals.update(check_form_globals())
    return app
