"""``calendar-svc serve``: the web service on uvicorn."""

from __future__ import annotations

import logging

import click

from calendar_svc.cli import App, pass_app


@click.command("serve")
@click.option("--host", default=None, help="Địa chỉ lắng nghe / Address to listen on (web.host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Cổng / Port (web.port).")
@pass_app
def serve_command(app: App, host: str | None, port: int | None) -> None:
    """Chạy dịch vụ web / Serve the feeds, the month page and the JSON API.

    Routes: / and /month/YYYY-MM (the month page), /feeds/NAME.ics and
    /feeds/custom.ics?scope=&category=&round=1 (ICS), /api/occurrences?from=&to=&scope=
    (JSON), /healthz. Feeds are built on start and rebuilt when the data changes, and are
    published to feeds.dir as well.
    """
    import uvicorn

    from calendar_svc.web import create_app

    settings = app.settings
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(name)s: %(message)s")
    web = create_app(settings, scopes=app.scopes)
    uvicorn.run(
        web,
        host=host or settings.web_host,
        port=port or settings.web_port,
        server_header=False,
        log_level="info",
    )
