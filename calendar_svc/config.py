"""One typed configuration schema, read from a TOML file, CALENDAR_SVC_* variables and flags.

Each option is declared once in :data:`OPTIONS` with its type, default and help; that
declaration drives the TOML keys (``[database] url = …``), the environment variables
(``CALENDAR_SVC_DATABASE_URL``; options of the ``general`` section drop the section:
``CALENDAR_SVC_TIMEZONE``) and the generated reference. Later sources win: defaults, then
the file, then the environment, then command-line flags. All problems are collected before
:class:`~calendar_svc.errors.ConfigError` is raised; unknown keys give warnings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from calendar_svc.errors import ConfigError

ENV_PREFIX = "CALENDAR_SVC_"
CONFIG_ENV = "CALENDAR_SVC_CONFIG"


def _parse_str(text: str) -> str:
    return text


def _parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{text!r} is not a boolean (use true or false)")


def _check_timezone(value: Any) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a known time zone (e.g. Asia/Ho_Chi_Minh)") from None


def _non_negative(value: Any) -> None:
    if value < 0:
        raise ValueError(f"{value!r} is negative")


#: Most years a feed window reaches back or ahead.
MAX_FEED_YEARS = 50


def _feed_years(value: Any) -> None:
    if not 0 <= value <= MAX_FEED_YEARS:
        raise ValueError(f"{value!r} is not a number of years from 0 to {MAX_FEED_YEARS}")


def _positive(value: Any) -> None:
    if value < 1:
        raise ValueError(f"{value!r} is not positive")


def _port(value: Any) -> None:
    if not 1 <= value <= 65535:
        raise ValueError(f"{value!r} is not a port (1-65535)")


def _hh_mm(value: Any) -> None:
    import re

    m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value))
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        raise ValueError(f"{value!r} is not a time of day (use HH:MM)")


@dataclass(frozen=True, slots=True)
class Option:
    """One configuration option."""

    key: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    check: Callable[[Any], None] | None = None
    secret: bool = False

    @property
    def section(self) -> str:
        """Return the TOML section of the option."""
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        """Return the option's name inside its section."""
        return self.key.split(".", 1)[1]

    @property
    def attr(self) -> str:
        """Return the :class:`Settings` attribute the option fills."""
        return self.name if self.section == "general" else self.key.replace(".", "_")

    @property
    def env(self) -> str:
        """Return the environment variable of the option."""
        return ENV_PREFIX + self.attr.upper()

    def parse_text(self, text: str) -> Any:
        """Convert text from the environment or a flag to the option's type."""
        parser = {int: _parse_int, bool: _parse_bool}.get(self.type, _parse_str)
        return parser(text)

    def validate(self, value: Any) -> Any:
        """Check a typed value; return it, or raise ValueError with the reason.

        The reason of a secret option never holds its value.
        """
        shown = "the value (hidden)" if self.secret else repr(value)
        if self.type is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{shown} is not a whole number")
        if self.type is bool and not isinstance(value, bool):
            raise ValueError(f"{shown} is not a boolean (use true or false)")
        if self.type is str and not isinstance(value, str):
            raise ValueError(f"{shown} is not a string")
        if self.choices and value not in self.choices:
            raise ValueError(f"{shown} is not one of {', '.join(self.choices)}")
        if self.check is not None:
            try:
                self.check(value)
            except ValueError:
                if self.secret:
                    raise ValueError(f"{shown} is not valid") from None
                raise
        return value


OPTIONS: tuple[Option, ...] = (
    Option(
        "database.url",
        str,
        "",
        "SQLAlchemy URL of the database; empty means a SQLite file in the user's data "
        "directory (e.g. postgresql+psycopg://user@host/calendar).",
        secret=True,
    ),
    Option(
        "general.timezone",
        str,
        "Asia/Ho_Chi_Minh",
        "Time zone that decides 'today' and the current month.",
        check=_check_timezone,
    ),
    Option("general.lang", str, "vi", "Language of output: vi or en.", choices=("vi", "en")),
    Option(
        "feeds.dir",
        str,
        "",
        "Directory of the published .ics files; empty means 'feeds' in the data directory.",
    ),
    Option(
        "feeds.years_back", int, 1, "Years before today that feeds cover (0-50).", check=_feed_years
    ),
    Option(
        "feeds.years_ahead", int, 5, "Years after today that feeds cover (0-50).", check=_feed_years
    ),
    Option(
        "feeds.alarm_days",
        int,
        0,
        "Add a VALARM this many days before each event; 0 leaves alarms out.",
        check=_non_negative,
    ),
    Option(
        "web.base_url",
        str,
        "http://127.0.0.1:8080",
        "Public address of the web service, used in subscribe and unsubscribe links.",
    ),
    Option("web.host", str, "127.0.0.1", "Address 'calendar-svc serve' listens on."),
    Option("web.port", int, 8080, "Port 'calendar-svc serve' listens on.", check=_port),
    Option("smtp.host", str, "localhost", "SMTP server that sends reminders."),
    Option("smtp.port", int, 25, "SMTP server port.", check=_port),
    Option("smtp.username", str, "", "SMTP user name; empty sends without logging in."),
    Option("smtp.password", str, "", "SMTP password.", secret=True),
    Option("smtp.starttls", bool, default=False, help="Upgrade the connection with STARTTLS."),
    Option("smtp.tls", bool, default=False, help="Connect with implicit TLS (usually port 465)."),
    Option("smtp.from", str, "calendar-svc@localhost", "Sender address of reminders."),
    Option(
        "smtp.timeout",
        int,
        30,
        "Seconds before one message's delivery is abandoned.",
        check=_positive,
    ),
    Option("smtp.concurrency", int, 4, "Messages sent at once.", check=_positive),
    Option(
        "reminders.send_time",
        str,
        "08:00",
        "Local time (HH:MM) at which a day's reminders go out.",
        check=_hh_mm,
    ),
    Option(
        "reminders.secret",
        str,
        "",
        "Secret that signs unsubscribe links (HMAC); empty means one generated once and kept "
        "in the database.",
        secret=True,
    ),
    Option(
        "reminders.secret_file",
        str,
        "",
        "File holding reminders.secret (e.g. a systemd credential: a relative name is looked "
        "up in $CREDENTIALS_DIRECTORY), so the secret need not be in the database.",
    ),
    Option(
        "reminders.max_attempts",
        int,
        8,
        "Delivery attempts before a reminder fails.",
        check=_positive,
    ),
    Option("reminders.tick_seconds", int, 60, "Seconds between scheduler ticks.", check=_positive),
    Option(
        "reminders.unsubscribe_mailto",
        str,
        "",
        "Address for List-Unsubscribe mailto: links; empty uses smtp.from.",
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective configuration."""

    database_url: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    lang: str = "vi"
    feeds_dir: str = ""
    feeds_years_back: int = 1
    feeds_years_ahead: int = 5
    feeds_alarm_days: int = 0
    web_base_url: str = "http://127.0.0.1:8080"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_from: str = "calendar-svc@localhost"
    smtp_timeout: int = 30
    smtp_concurrency: int = 4
    reminders_send_time: str = "08:00"
    reminders_secret: str = field(default="", repr=False)
    reminders_secret_file: str = ""
    reminders_max_attempts: int = 8
    reminders_tick_seconds: int = 60
    reminders_unsubscribe_mailto: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)


def default_config_path(env: Mapping[str, str]) -> Path:
    """Return where the configuration file is looked for when none is named."""
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "calendar-svc" / "config.toml"


#: A configuration file larger than this is refused.
MAX_CONFIG_BYTES = 1024 * 1024


def _read_config_bytes(path: Path) -> bytes:
    """Return a regular file's content, at most :data:`MAX_CONFIG_BYTES`.

    Opened without blocking (a FIFO does not wait for a writer) and checked to be a
    regular file before anything is read (``/dev/zero`` never ends).

    Raises:
        OSError: it cannot be opened or read.
        ValueError: it is not a regular file, or too large.
    """
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        data = fh.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError(f"larger than {MAX_CONFIG_BYTES // 1024 // 1024} MB")
    return data


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any]:
    import tomllib

    where = f"{path}: cannot read the configuration file"
    try:
        data = _read_config_bytes(path)
    except OSError as exc:
        problems.append(f"{where}: {exc.strerror or exc}")
        return {}
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text (byte {exc.start + 1})")
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: not valid TOML: {exc}")
    return {}


#: A secret file larger than this is not a secret file.
MAX_SECRET_FILE_BYTES = 4096


def _read_secret_file(name: str, inline: str, env: Mapping[str, str], problems: list[str]) -> str:
    """Return the secret held in ``name`` (one line; a final newline is dropped).

    A relative name is looked up in ``$CREDENTIALS_DIRECTORY`` when systemd set it. The
    problems appended name the file, never its content.
    """
    where = "reminders.secret_file"
    if inline:
        problems.append(f"{where}: set reminders.secret or reminders.secret_file, not both")
        return ""
    path = Path(name)
    credentials = env.get("CREDENTIALS_DIRECTORY")
    if not path.is_absolute() and credentials:
        path = Path(credentials) / path
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SECRET_FILE_BYTES + 1)
    except OSError as exc:
        problems.append(f"{where}: cannot read {path}: {exc.strerror or exc}")
        return ""
    try:
        secret = data.decode("utf-8").removesuffix("\n").removesuffix("\r")
    except UnicodeDecodeError:
        secret = ""
    if len(data) > MAX_SECRET_FILE_BYTES or not secret or any(c in secret for c in "\r\n\0"):
        problems.append(
            f"{where}: {path} must hold the secret on one line (at most "
            f"{MAX_SECRET_FILE_BYTES} bytes of UTF-8)"
        )
        return ""
    return secret


def load_settings(
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings from defaults, a TOML file, the environment and flag overrides.

    Args:
        config_file: a file named by the user (it must exist); otherwise ``$CALENDAR_SVC_CONFIG``
            or the default path, read when present.
        env: the environment (``os.environ`` by default).
        overrides: values from command-line flags by option key (``database.url``); None
            values are ignored.

    Raises:
        ConfigError: listing every wrong value with the file or variable and the key.
    """
    env = os.environ if env is None else env
    problems: list[str] = []
    warnings: list[str] = []
    values: dict[str, Any] = {opt.attr: opt.default for opt in OPTIONS}
    by_key = {opt.key: opt for opt in OPTIONS}

    path = config_file or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    if path is None and default_config_path(env).is_file():
        path = default_config_path(env)
    if path is not None:
        data = _read_toml(path, problems)
        for section, table in data.items():
            if not isinstance(table, dict):
                warnings.append(f"{path}: unknown key '{section}' (ignored)")
                continue
            for name, raw in table.items():
                opt = by_key.get(f"{section}.{name}")
                if opt is None:
                    warnings.append(f"{path}: unknown key '{section}.{name}' (ignored)")
                    continue
                try:
                    values[opt.attr] = opt.validate(raw)
                except ValueError as exc:
                    problems.append(f"{path}: invalid {opt.type.__name__} for '{opt.key}': {exc}")

    for opt in OPTIONS:
        if opt.env in env:
            try:
                values[opt.attr] = opt.validate(opt.parse_text(env[opt.env]))
            except ValueError as exc:
                problems.append(f"environment variable {opt.env}: {exc}")

    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        opt = by_key[key]
        try:
            values[opt.attr] = opt.validate(
                raw if not isinstance(raw, str) else opt.parse_text(raw)
            )
        except ValueError as exc:
            problems.append(f"option --{opt.name.replace('_', '-')}: {exc}")

    if values["reminders_secret_file"]:
        values["reminders_secret"] = _read_secret_file(
            values["reminders_secret_file"], values["reminders_secret"], env, problems
        )
    if problems:
        raise ConfigError(problems)
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in values.items() if k in known}, warnings=tuple(warnings))
