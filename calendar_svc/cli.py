"""The ``calendar-svc`` command line: the group, its lazy subcommands and error mapping.

Each subcommand lives in ``calendar_svc.commands.<module>`` and is imported only when it
runs, so ``calendar-svc month`` loads neither SQLAlchemy nor the web stack. User errors
(:class:`~calendar_svc.errors.CalendarSvcError`) become one clear message and exit code 1
here, in one place.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from calendar_svc.errors import CalendarSvcError

if TYPE_CHECKING:
    from calendar_svc.config import Settings
    from calendar_svc.core.scopes import ScopeTree
    from calendar_svc.store.repository import AnniversaryReader
    from calendar_svc.store.store import Store

#: Subcommand name → module under calendar_svc.commands holding ``command`` (or a named object).
COMMANDS: dict[str, tuple[str, str]] = {
    "month": ("listing", "month_command"),
    "year": ("listing", "year_command"),
    "import": ("data", "import_command"),
    "export": ("data", "export_command"),
    "add": ("data", "add_command"),
    "edit": ("data", "edit_command"),
    "remove": ("data", "remove_command"),
    "lunar": ("lunar", "command"),
    "feeds": ("feeds", "feeds_group"),
    "serve": ("serve", "serve_command"),
    "org": ("org", "org_group"),
    "subscribers": ("subscribers", "subscribers_group"),
    "remind": ("remind", "remind_group"),
    "outbox": ("outbox", "outbox_group"),
    "worker": ("worker", "worker_command"),
    "directive": ("directive", "directive_command"),
    "db": ("db", "db_group"),
}

HELP_SHORT: dict[str, str] = {
    "month": "Liệt kê ngày kỷ niệm trong tháng / List a month's anniversaries.",
    "year": "Liệt kê cả năm theo tháng / List a whole year by month.",
    "import": "Nhập tệp CSV (tất cả hoặc không) / Import a CSV file, all or nothing.",
    "export": "Xuất dữ liệu ra CSV / Export the anniversaries as CSV.",
    "add": "Thêm một ngày kỷ niệm / Add an anniversary.",
    "edit": "Sửa một ngày kỷ niệm / Edit an anniversary.",
    "remove": "Xóa một ngày kỷ niệm / Remove an anniversary.",
    "lunar": "Đổi ngày âm lịch ↔ dương lịch / Convert lunar ↔ solar dates.",
    "feeds": "Lịch ICS: xuất, kiểm tra / Build and check the ICS feeds.",
    "serve": "Chạy dịch vụ web / Serve feeds, the month page and the API over HTTP.",
    "org": "Tổ chức ban hành định hướng / Organisations and their directive due dates.",
    "subscribers": "Người nhận thư nhắc / Who gets reminders.",
    "remind": "Nhắc việc: xem trước, gửi / Preview a digest; plan and send reminders.",
    "outbox": "Hàng đợi thư nhắc / List and requeue the reminder outbox.",
    "worker": "Chạy bộ nhắc việc / Run the reminder scheduler alone.",
    "directive": "Soạn dự thảo định hướng tháng / Draft the monthly directive (text, md, docx).",
    "db": "Cơ sở dữ liệu: phiên bản, số dòng, nâng cấp / Database status and upgrade.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module_name, attr = spec
        module = importlib.import_module(f"calendar_svc.commands.{module_name}")
        cmd = getattr(module, attr)
        if not isinstance(cmd, click.Command):
            raise TypeError(f"calendar_svc.commands.{module_name}.{attr} is not a command")
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing help must not import every command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, HELP_SHORT.get(name, "")) for name in sorted(COMMANDS)])


@dataclass
class App:
    """What the commands share: settings and the store, opened on first use."""

    config_file: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    _settings: Settings | None = None
    _scopes: ScopeTree | None = None
    _store: Store | None = None

    @property
    def settings(self) -> Settings:
        """Return the settings, loaded once."""
        if self._settings is None:
            from calendar_svc.config import load_settings

            self._settings = load_settings(config_file=self.config_file, overrides=self.overrides)
            for warning in self._settings.warnings:
                click.echo(f"Cảnh báo / Warning: {warning}", err=True)
        return self._settings

    @property
    def scopes(self) -> ScopeTree:
        """Return the scope tree."""
        if self._scopes is None:
            from calendar_svc.catalog import load_scopes

            self._scopes = load_scopes()
        return self._scopes

    def reader(self) -> AnniversaryReader:
        """Return the fastest reader of the configured database."""
        from calendar_svc.store.open import open_reader

        return open_reader(self.settings.database_url or None)

    def store(self) -> Store:
        """Return the store of the configured database, opened once (created on first use)."""
        if self._store is None:
            from calendar_svc.store.open import open_store

            self._store = open_store(self.settings.database_url or None)
        return self._store

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def today(self) -> date:
        """Return today's date in the configured time zone."""
        import zoneinfo

        return datetime.now(zoneinfo.ZoneInfo(self.settings.timezone)).date()


pass_app = click.make_pass_decorator(App)


def confirm_removal(what: str, *, yes: bool) -> None:
    """Ask before removing ``what``; without a terminal, require ``--yes`` instead."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise click.UsageError("thêm --yes để xóa / add --yes to remove without a prompt")
    click.confirm(f"Xóa / Remove {what}?", abort=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp cấu hình TOML / TOML configuration file (default: $CALENDAR_SVC_CONFIG or "
    "~/.config/calendar-svc/config.toml).",
)
@click.option(
    "--database-url",
    metavar="URL",
    help="Cơ sở dữ liệu / Database URL (overrides CALENDAR_SVC_DATABASE_URL).",
)
@click.version_option(package_name="calendar_svc", prog_name="calendar-svc")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, database_url: str | None) -> None:
    """Lịch kỷ niệm và nhắc việc / Commemoration calendar and reminders.

    Tính số năm, loại năm (năm tròn, năm lẻ 5) của các ngày kỷ niệm, xuất lịch ICS và gửi
    nhắc việc. Computes anniversary counts and round classes, publishes ICS feeds and
    sends reminders.
    """
    app = App(config_file=config_file, overrides={"database.url": database_url})
    ctx.obj = app
    ctx.call_on_close(app.close)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map user errors to one line on stderr and exit code 1."""
    for n, arg in enumerate(sys.argv[1:] if argv is None else argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")
            click.echo(
                f"Lỗi / Error: đối số {n} không phải UTF-8 / argument {n} is not UTF-8 text: "
                f"{str(raw)[2:-1]}",
                err=True,
            )
            sys.exit(1)
    try:
        cli.main(args=argv, prog_name="calendar-svc", standalone_mode=False)
    except CalendarSvcError as exc:
        click.echo(f"Lỗi / Error: {exc}", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        hint = f" ({exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        click.echo(f"Lỗi / Error: {exc.format_message()}{hint}", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"Lỗi / Error: {exc.format_message()}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Đã hủy / Aborted.", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
