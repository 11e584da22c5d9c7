"""The ``calendar-svc`` command line: the group, its lazy subcommands and error mapping.

Each subcommand lives in ``calendar_svc.commands.<module>`` and is imported only when it
runs, so ``calendar-svc month`` loads neither SQLAlchemy nor the web stack. User errors
(:class:`~calendar_svc.errors.CalendarSvcError`) become one clear message and exit code 1
here, in one place.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from calendar_svc.errors import CalendarSvcError

if TYPE_CHECKING:
    from calendar_svc.config import Settings
    from calendar_svc.core.scopes import ScopeIndex, ScopeTree
    from calendar_svc.store.repository import AnniversaryReader
    from calendar_svc.store.store import Store


class Entry(NamedTuple):
    """A subcommand: the module under ``calendar_svc.commands`` and the object it names,
    and its one-line help (the first line of its docstring; a test checks they agree)."""

    module: str
    attr: str
    help: str


#: Every subcommand, listed without importing its module.
COMMANDS: dict[str, Entry] = {
    "month": Entry(
        "listing",
        "month_command",
        "Liệt kê ngày kỷ niệm trong tháng / List a month's anniversaries.",
    ),
    "year": Entry(
        "listing",
        "year_command",
        "Liệt kê cả năm theo tháng / List a whole year, grouped by month.",
    ),
    "import": Entry(
        "data", "import_command", "Nhập tệp CSV / Import a CSV file: upsert by id, all or nothing."
    ),
    "export": Entry(
        "data",
        "export_command",
        "Xuất dữ liệu ra CSV / Export every anniversary as CSV (the import format).",
    ),
    "add": Entry("data", "add_command", "Thêm một ngày kỷ niệm / Add an anniversary with id ID."),
    "edit": Entry(
        "data", "edit_command", "Sửa một ngày kỷ niệm / Change the given fields of anniversary ID."
    ),
    "remove": Entry("data", "remove_command", "Xóa một ngày kỷ niệm / Remove anniversary ID."),
    "data": Entry(
        "datacheck",
        "data_group",
        "Dữ liệu / Check the anniversaries: sources, provinces without any, duplicates.",
    ),
    "lunar": Entry(
        "lunar", "command", "Đổi ngày âm lịch ↔ dương lịch / Convert between solar and lunar dates."
    ),
    "feeds": Entry(
        "feeds", "feeds_group", "Lịch ICS / ICS feeds: build them as files, check a feed."
    ),
    "serve": Entry(
        "serve",
        "serve_command",
        "Chạy dịch vụ web / Serve the feeds, the month page and the JSON API.",
    ),
    "org": Entry(
        "org",
        "org_group",
        "Tổ chức / Organisations that issue a monthly directive, and when it is due.",
    ),
    "subscribers": Entry(
        "subscribers",
        "subscribers_group",
        "Người nhận / Subscribers: who gets digests and anniversary reminders.",
    ),
    "remind": Entry(
        "remind",
        "remind_group",
        "Nhắc việc / Reminders: preview a digest or an event reminder, plan and send what is due.",
    ),
    "outbox": Entry(
        "outbox",
        "outbox_group",
        "Hàng đợi thư / The reminder outbox: what was sent, what waits, what failed.",
    ),
    "worker": Entry(
        "worker",
        "worker_command",
        "Chạy bộ nhắc việc / Run the reminder scheduler alone (no web app).",
    ),
    "directive": Entry(
        "directive",
        "directive_command",
        "Soạn dự thảo định hướng tháng / Draft an organisation's monthly directive.",
    ),
    "db": Entry(
        "db", "db_group", "Cơ sở dữ liệu / The database: schema revision, counts, migrations."
    ),
    "check": Entry(
        "check", "check_command", "Kiểm tra văn bản / Proofread a directive's anniversary mentions."
    ),
    "search": Entry(
        "lookup",
        "search_command",
        "Tìm theo tên / Find anniversaries by name, with or without diacritics.",
    ),
    "show": Entry(
        "lookup",
        "show_command",
        "Xem một ngày kỷ niệm / Show every field of anniversary ID, its source and next dates.",
    ),
    "categories": Entry(
        "lookup",
        "categories_command",
        "Các loại ngày kỷ niệm / List the categories, how many anniversaries each has.",
    ),
    "users": Entry(
        "users",
        "users_group",
        "Người dùng trang quản lý / Who signs in to manage organisations in the browser.",
    ),
    "audit": Entry(
        "audit",
        "audit_command",
        "Nhật ký thay đổi / The audit log: who changed what on the web pages, and when.",
    ),
    "scopes": Entry(
        "scopes",
        "scopes_group",
        "Phạm vi: đơn vị hành chính và phạm vi riêng / Scopes: the country's units and yours.",
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module = importlib.import_module(f"calendar_svc.commands.{spec.module}")
        cmd = getattr(module, spec.attr)
        if not isinstance(cmd, click.Command):
            raise TypeError(f"calendar_svc.commands.{spec.module}.{spec.attr} is not a command")
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing help must not import every command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name].help) for name in sorted(COMMANDS)])


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
        """Return every scope of the database (the registry and the users'), read once."""
        if self._scopes is None:
            self._scopes = self.store().scopes.tree()
        return self._scopes

    def scope_index(self, reader: AnniversaryReader) -> ScopeIndex:
        """Return indexed scope look-ups on the reader's database (no whole-registry read)."""
        index = getattr(reader, "scope_index", None)
        return index() if callable(index) else self.scopes

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
        return datetime.now(self.settings.timezone).date()


pass_app = click.make_pass_decorator(App)


#: The ``--yes`` flag of the commands that remove something.
yes_option = click.option(
    "--yes", is_flag=True, help="Không hỏi lại / Do not ask for confirmation."
)


def confirm_removal(what: str, *, yes: bool) -> None:
    """Ask before removing ``what``; without a terminal, require ``--yes`` instead."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise click.UsageError("thêm --yes để xóa / add --yes to remove without a prompt")
    click.confirm(f"Xóa / Remove {what}?", abort=True)


def remove_confirmed(ident: str, what: str, remove: Callable[[str], None], *, yes: bool) -> None:
    """Confirm (see :func:`confirm_removal`), remove ``ident`` and say so."""
    confirm_removal(what, yes=yes)
    remove(ident)
    click.echo(f"Đã xóa / Removed: {ident}")


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
