"""``calendar-svc db status|upgrade``: the database behind the service."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import click

from calendar_svc.cli import App, pass_app


@click.group("db")
def db_group() -> None:
    """Cơ sở dữ liệu / The database: schema revision, counts, migrations."""


@dataclass(frozen=True)
class DbStatus:
    """What ``db status`` reports."""

    url: str
    schema_revision: str | None
    head_revision: str
    anniversaries: int
    data_revised_at: str
    organisations: int
    subscribers: int
    outbox: dict[str, int]


def _status(app: App) -> DbStatus:
    from calendar_svc.store.schema import HEAD_REVISION

    store = app.store()
    return DbStatus(
        url=store.url,
        schema_revision=store.meta.schema_revision(),
        head_revision=HEAD_REVISION,
        anniversaries=store.anniversaries.count(),
        data_revised_at=store.anniversaries.revision().isoformat(),
        organisations=len(store.organisations.organisations()),
        subscribers=len(store.organisations.subscribers()),
        outbox={status.value: n for status, n in sorted(store.outbox.counts().items())},
    )


@db_group.command("status")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def status_command(app: App, fmt: str) -> None:
    """Tình trạng / Show the URL (password hidden), schema revision and row counts."""
    status = _status(app)
    if fmt == "json":
        click.echo(json.dumps(asdict(status), ensure_ascii=False, indent=2))
        return
    outbox = ", ".join(f"{k} {v}" for k, v in status.outbox.items()) or "0"
    labels = [
        ("Cơ sở dữ liệu / Database", status.url),
        (
            "Phiên bản lược đồ / Schema revision",
            f"{status.schema_revision} (mới nhất / head {status.head_revision})",
        ),
        ("Ngày kỷ niệm / Anniversaries", str(status.anniversaries)),
        ("Dữ liệu sửa lúc / Data revised at", status.data_revised_at),
        ("Tổ chức / Organisations", str(status.organisations)),
        ("Người nhận / Subscribers", str(status.subscribers)),
        ("Hàng đợi thư / Outbox", outbox),
    ]
    width = max(len(label) for label, _ in labels)
    for label, value in labels:
        click.echo(f"{label:<{width}}  {value}")


@db_group.command("upgrade")
@pass_app
def upgrade_command(app: App) -> None:
    """Nâng cấp lược đồ / Create or migrate the database to this version's schema.

    Migrations also run on first use; run this after installing a new version, before
    restarting the services, to see the result. A fresh database is seeded from the
    bundled dataset.
    """
    status = _status(app)
    click.echo(
        f"Cơ sở dữ liệu ở phiên bản {status.schema_revision} / "
        f"Database at schema revision {status.schema_revision}: {status.url}"
    )
