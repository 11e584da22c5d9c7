"""``calendar-svc serve``: the web service on uvicorn."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any, TypedDict

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.params import AsciiIntRange
from calendar_svc.config import CONFIG_ENV
from calendar_svc.logs import configure_logging

if TYPE_CHECKING:
    from calendar_svc.config import Settings
    from calendar_svc.core.scopes import ScopeTree

#: The import string uvicorn's worker processes build the app from.
WORKER_APP = "calendar_svc.commands.serve:worker_app"


class UvicornOptions(TypedDict):
    """The keyword arguments ``serve`` passes to :func:`uvicorn.run`."""

    host: str
    port: int
    server_header: bool
    log_level: str
    access_log: bool
    http: type[asyncio.Protocol]


def reminder_parts(settings: Settings, scopes: ScopeTree) -> dict[str, Any]:
    """Return what reminders add to the app: /unsubscribe, /subscribe and /subscriptions
    routes, and the tick scheduler."""
    from calendar_svc.scheduler import lifespan_hook
    from calendar_svc.web import subscribe, subscribe_manage
    from calendar_svc.web.subscribe_desk import SubscribeDesk
    from calendar_svc.web.unsubscribe import routes

    desk = SubscribeDesk(settings)
    extra = [
        *routes(settings),
        *subscribe.routes(settings, desk),
        *subscribe_manage.routes(settings, desk),
    ]
    return {"extra_routes": extra, "lifespan_hooks": [lifespan_hook(settings, scopes)]}


def worker_app() -> object:
    """Build the app in a worker process, from the configuration in the environment."""
    from calendar_svc.config import load_settings
    from calendar_svc.web import create_app, stored_scopes

    configure_logging()
    settings = load_settings()
    scopes = stored_scopes(settings)
    return create_app(settings, scopes=scopes, **reminder_parts(settings, scopes))


@click.command("serve")
@click.option("--host", default=None, help="Địa chỉ lắng nghe / Address to listen on (web.host).")
@click.option("--port", type=AsciiIntRange(1, 65535), default=None, help="Cổng / Port (web.port).")
@click.option(
    "--workers",
    type=AsciiIntRange(1, 64),
    default=1,
    show_default=True,
    help="Số tiến trình / Worker processes.",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Ghi nhật ký từng yêu cầu / Log every request.",
)
@pass_app
def serve_command(
    app: App,
    host: str | None,
    port: int | None,
    workers: int,
    access_log: bool,  # noqa: FBT001 - click passes flags positionally
) -> None:
    """Chạy dịch vụ web / Serve the feeds, the month page and the JSON API.

    Routes: / and /month/YYYY-MM (the month page), /feeds/NAME.ics and
    /feeds/custom.ics?scope=&category=&round=1 (ICS), /api/occurrences?from=&to=&scope=
    (JSON), /healthz. NAME is any scope (national, province/quang-ninh,
    commune/quang-ninh/cua-ong), a category, round or all; feeds are assembled on request
    from the data read on start and again when it changes ('feeds build' writes static
    copies). Without web.base_url, links follow the address each request came to. Each
    process also runs the reminder scheduler (as 'calendar-svc worker' does; the outbox's
    claims keep several from sending twice) and serves /unsubscribe for the links in
    reminders, /subscribe (subscribing yourself, confirmed by a mailed link) and
    /subscriptions (managing your subscriptions).
    """
    import uvicorn

    from calendar_svc.links import is_loopback_host
    from calendar_svc.web import create_app, stored_scopes
    from calendar_svc.web.protocol import LimitedHttpToolsProtocol

    settings = app.settings
    configure_logging()
    bind = host or settings.web_host
    if not settings.web_base_url and not is_loopback_host(bind):
        click.echo(
            f"Cảnh báo / Warning: serving on {bind} without web.base_url: pages and feeds "
            "link to the address each request came to, reminders are not sent, and sign-in "
            "and subscription links are mailed only for a Host in web.allowed_hosts; set "
            "web.base_url to the public address",
            err=True,
        )
    options: UvicornOptions = {
        "host": bind,
        "port": port or settings.web_port,
        "server_header": False,
        "log_level": "info",
        "access_log": access_log,
        "http": LimitedHttpToolsProtocol,
    }
    if workers == 1:
        scopes = stored_scopes(settings)
        web = create_app(settings, scopes=scopes, **reminder_parts(settings, scopes))
        uvicorn.run(web, **options)
        return
    # Worker processes load the configuration again: hand them what the flags chose.
    if app.config_file is not None:
        os.environ[CONFIG_ENV] = str(app.config_file.resolve())
    if app.overrides.get("database.url"):
        os.environ["CALENDAR_SVC_DATABASE_URL"] = str(app.overrides["database.url"])
    uvicorn.run(WORKER_APP, factory=True, workers=workers, **options)
