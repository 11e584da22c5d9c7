"""``calendar-svc worker``: the reminder scheduler without the web app."""

from __future__ import annotations

import asyncio

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.logs import configure_logging


@click.command("worker")
@pass_app
def worker_command(app: App) -> None:
    """Chạy bộ nhắc việc / Run the reminder scheduler alone (no web app).

    Every reminders.tick_seconds (default 60) it plans what is due and sends it, at
    reminders.send_time (default 08:00) local time on each reminder's day. Stops on Ctrl-C
    or SIGTERM. Run it on one machine with SQLite; with PostgreSQL several may run.
    """
    from calendar_svc.scheduler import run_worker
    from calendar_svc.services.reminders import Reminders

    configure_logging()
    settings = app.settings
    asyncio.run(run_worker(Reminders(settings, app.store(), app.scopes), settings))
