"""One typed configuration schema, read from a TOML file, CALENDAR_SVC_* variables and flags.

Each option is declared once, as a field of :class:`Settings`, with its default (whose type
is the option's TOML type), help and parser; values are stored parsed (the time zone as a
``ZoneInfo``, the send time as a ``time``). :data:`OPTIONS` lists them; that declaration
drives the TOML keys (``[database] url = …``), the environment variables
(``CALENDAR_SVC_DATABASE_URL``; options of the ``general`` section drop the section:
``CALENDAR_SVC_TIMEZONE``) and the generated reference. Later sources win: defaults, then
the file, then the environment, then command-line flags. All problems are collected before
:class:`~calendar_svc.errors.ConfigError` is raised; unknown keys give warnings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from calendar_svc.errors import ConfigError
from calendar_svc.links import parse_hosts

ENV_PREFIX = "CALENDAR_SVC_"
CONFIG_ENV = "CALENDAR_SVC_CONFIG"


def _parse_str(text: str) -> str:
    return text


def _parse_int(text: str) -> int:
    try:
        if not text.strip().isascii():  # int() also reads other scripts' digits
            raise ValueError
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


def _timezone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a known time zone (e.g. Asia/Ho_Chi_Minh)") from None


def parse_time_of_day(value: str) -> time:
    """Return the time of ``HH:MM``; ValueError otherwise."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", value, re.ASCII)
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        raise ValueError(f"{value!r} is not a time of day (use HH:MM)")
    return time(int(m[1]), int(m[2]))


def _non_negative(value: int) -> int:
    if value < 0:
        raise ValueError(f"{value!r} is negative")
    return value


#: Most years a feed window reaches back or ahead.
MAX_FEED_YEARS = 50


def _feed_years(value: int) -> int:
    if not 0 <= value <= MAX_FEED_YEARS:
        raise ValueError(f"{value!r} is not a number of years from 0 to {MAX_FEED_YEARS}")
    return value


def _positive(value: int) -> int:
    if value < 1:
        raise ValueError(f"{value!r} is not positive")
    return value


def _port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError(f"{value!r} is not a port (1-65535)")
    return value


@dataclass(frozen=True, slots=True)
class Option:
    """One configuration option: its key, default as written in TOML, help and parser.

    The option's TOML type is its default's (str, int or bool); ``parse`` turns a value of
    that type into the stored one (a ``ZoneInfo``, a ``time``) or raises ValueError.
    """

    key: str
    default: str | int | bool
    help: str
    choices: tuple[str, ...] = ()
    parse: Callable[[Any], Any] | None = None
    secret: bool = False

    @property
    def type(self) -> type:
        """Return the option's TOML type."""
        return type(self.default)

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
        """Convert text from the environment or a flag to the option's TOML type."""
        parser = {int: _parse_int, bool: _parse_bool}.get(self.type, _parse_str)
        return parser(text)

    def validate(self, value: Any) -> Any:
        """Check a value of the TOML type; return it parsed, or raise ValueError.

        The reason given for a secret option never holds its value.
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
        if self.parse is None:
            return value
        try:
            return self.parse(value)
        except ValueError:
            if self.secret:
                raise ValueError(f"{shown} is not valid") from None
            raise

    @property
    def parsed_default(self) -> Any:
        """Return the default as :class:`Settings` stores it."""
        return self.validate(self.default)


def _option(
    key: str,
    help: str,
    *,
    default: str | int | bool,
    choices: tuple[str, ...] = (),
    parse: Callable[[Any], Any] | None = None,
    secret: bool = False,
) -> Any:
    """Declare a :class:`Settings` field from its option (the only place options are listed)."""
    opt = Option(key, default, help, choices, parse, secret)
    return field(default=opt.parsed_default, repr=not secret, metadata={"option": opt})


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective configuration: one field per option, stored parsed."""

    database_url: str = _option(
        "database.url",
        "SQLAlchemy URL of the database; empty means a SQLite file in the user's data "
        "directory (e.g. postgresql+psycopg://user@host/calendar).",
        default="",
        secret=True,
    )
    timezone: ZoneInfo = _option(
        "general.timezone",
        "Time zone that decides 'today' and the current month.",
        default="Asia/Ho_Chi_Minh",
        parse=_timezone,
    )
    lang: str = _option(
        "general.lang", "Language of output: vi or en.", default="vi", choices=("vi", "en")
    )
    feeds_dir: str = _option(
        "feeds.dir",
        "Directory of the published .ics files; empty means 'feeds' in the data directory.",
        default="",
    )
    feeds_years_back: int = _option(
        "feeds.years_back",
        "Years before today that feeds cover (0-50).",
        default=1,
        parse=_feed_years,
    )
    feeds_years_ahead: int = _option(
        "feeds.years_ahead",
        "Years after today that feeds cover (0-50).",
        default=5,
        parse=_feed_years,
    )
    feeds_alarm_days: int = _option(
        "feeds.alarm_days",
        "Add a VALARM this many days before each event, at 08:00 local; 0 leaves alarms out.",
        default=0,
        parse=_non_negative,
    )
    web_base_url: str = _option(
        "web.base_url",
        "Public address of the web service (https://lich.example.vn), used in links; empty "
        "means pages and feeds link to the address each request came to, and reminders "
        "are not sent.",
        default="",
    )
    web_allowed_hosts: tuple[str, ...] = _option(
        "web.allowed_hosts",
        "Host names this service answers to (lich.example.vn, lich.example.vn:8443; "
        "separated by commas), used when web.base_url is empty: a mailed sign-in link "
        "follows the request's Host only if listed here (or if both the server and the "
        "Host are loopback), and pages link to the first one when the Host is not listed.",
        default="",
        parse=parse_hosts,
    )
    web_host: str = _option(
        "web.host", "Address 'calendar-svc serve' listens on.", default="127.0.0.1"
    )
    web_port: int = _option(
        "web.port", "Port 'calendar-svc serve' listens on.", default=8080, parse=_port
    )
    smtp_host: str = _option("smtp.host", "SMTP server that sends reminders.", default="localhost")
    smtp_port: int = _option("smtp.port", "SMTP server port.", default=25, parse=_port)
    smtp_username: str = _option(
        "smtp.username", "SMTP user name; empty sends without logging in.", default=""
    )
    smtp_password: str = _option("smtp.password", "SMTP password.", default="", secret=True)
    smtp_starttls: bool = _option(
        "smtp.starttls", "Upgrade the connection with STARTTLS.", default=False
    )
    smtp_tls: bool = _option(
        "smtp.tls", "Connect with implicit TLS (usually port 465).", default=False
    )
    smtp_from: str = _option(
        "smtp.from", "Sender address of reminders.", default="calendar-svc@localhost"
    )
    smtp_timeout: int = _option(
        "smtp.timeout",
        "Seconds before one message's delivery is abandoned.",
        default=30,
        parse=_positive,
    )
    smtp_concurrency: int = _option(
        "smtp.concurrency", "Messages sent at once.", default=4, parse=_positive
    )
    reminders_send_time: time = _option(
        "reminders.send_time",
        "Local time (HH:MM) at which a day's reminders go out.",
        default="08:00",
        parse=parse_time_of_day,
    )
    reminders_secret: str = _option(
        "reminders.secret",
        "Secret that signs unsubscribe links (HMAC); empty means one generated once and kept "
        "in the database.",
        default="",
        secret=True,
    )
    reminders_secret_file: str = _option(
        "reminders.secret_file",
        "File holding reminders.secret (e.g. a systemd credential: a relative name is looked "
        "up in $CREDENTIALS_DIRECTORY), so the secret need not be in the database.",
        default="",
    )
    reminders_max_attempts: int = _option(
        "reminders.max_attempts",
        "Delivery attempts before a reminder fails.",
        default=8,
        parse=_positive,
    )
    reminders_tick_seconds: int = _option(
        "reminders.tick_seconds", "Seconds between scheduler ticks.", default=60, parse=_positive
    )
    reminders_unsubscribe_mailto: str = _option(
        "reminders.unsubscribe_mailto",
        "Address for List-Unsubscribe mailto: links; empty uses smtp.from.",
        default="",
    )
    warnings: tuple[str, ...] = field(default=(), compare=False)


#: Every option, in the order of :class:`Settings`.
OPTIONS: tuple[Option, ...] = tuple(
    f.metadata["option"] for f in fields(Settings) if "option" in f.metadata
)


def default_config_path(env: Mapping[str, str]) -> Path:
    """Return where the configuration file is looked for when none is named."""
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "calendar-svc" / "config.toml"


#: A configuration file larger than this is refused.
MAX_CONFIG_BYTES = 1024 * 1024
#: A secret file larger than this is not a secret file.
MAX_SECRET_FILE_BYTES = 4096


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
    values: dict[str, Any] = {}
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

    if values.get("reminders_secret_file"):
        values["reminders_secret"] = _read_secret_file(
            values["reminders_secret_file"], values.get("reminders_secret", ""), env, problems
        )
    if problems:
        raise ConfigError(problems)
    return Settings(**values, warnings=tuple(warnings))
