from pathlib import Path

import pytest

from calendar_svc.config import OPTIONS, load_settings
from calendar_svc.errors import ConfigError


def test_defaults() -> None:
    settings = load_settings(env={})
    assert str(settings.timezone) == "Asia/Ho_Chi_Minh"
    assert settings.lang == "vi"
    assert settings.database_url == ""


def test_every_option_has_an_env_variable_and_help() -> None:
    envs = {opt.env for opt in OPTIONS}
    assert {"CALENDAR_SVC_DATABASE_URL", "CALENDAR_SVC_TIMEZONE", "CALENDAR_SVC_LANG"} <= envs
    assert all(opt.help for opt in OPTIONS)


def test_sources_in_order_file_env_flags(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[general]\nlang = "en"\n[database]\nurl = "sqlite:///file.db"\n')
    settings = load_settings(
        config_file=path, env={"CALENDAR_SVC_DATABASE_URL": "sqlite:///env.db"}
    )
    assert settings.lang == "en"
    assert settings.database_url == "sqlite:///env.db"
    settings = load_settings(
        config_file=path,
        env={"CALENDAR_SVC_DATABASE_URL": "sqlite:///env.db"},
        overrides={"database.url": "sqlite:///flag.db"},
    )
    assert settings.database_url == "sqlite:///flag.db"


def test_all_problems_at_once_with_their_place(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[general]\nlang = "fr"\ntimezone = 7\n')
    with pytest.raises(ConfigError) as info:
        load_settings(config_file=path, env={"CALENDAR_SVC_TIMEZONE": "Mars/Base"})
    assert info.value.problems == [
        f"{path}: invalid str for 'general.lang': 'fr' is not one of vi, en",
        f"{path}: invalid str for 'general.timezone': 7 is not a string",
        "environment variable CALENDAR_SVC_TIMEZONE: 'Mars/Base' is not a known time zone "
        "(e.g. Asia/Ho_Chi_Minh)",
    ]


def test_unknown_keys_warn(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[general]\nlnag = "en"\n')
    settings = load_settings(config_file=path, env={})
    assert settings.warnings == (f"{path}: unknown key 'general.lnag' (ignored)",)


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[general\n")
    with pytest.raises(ConfigError, match=r"c\.toml: not valid TOML"):
        load_settings(config_file=path, env={})


def test_config_file_from_env_variable(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[general]\nlang = "en"\n')
    assert load_settings(env={"CALENDAR_SVC_CONFIG": str(path)}).lang == "en"


def test_schema_and_settings_agree() -> None:
    from dataclasses import fields

    from calendar_svc.config import Settings

    attrs = {f.name for f in fields(Settings)} - {"warnings"}
    assert attrs == {opt.attr for opt in OPTIONS}
    defaults = Settings()
    for opt in OPTIONS:
        assert getattr(defaults, opt.attr) == opt.parsed_default, opt.key


def test_smtp_variables_and_types() -> None:
    settings = load_settings(
        env={
            "CALENDAR_SVC_SMTP_HOST": "127.0.0.1",
            "CALENDAR_SVC_SMTP_PORT": "2525",
            "CALENDAR_SVC_SMTP_STARTTLS": "true",
            "CALENDAR_SVC_SMTP_FROM": "nhac-lich@example.org",
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "127.0.0.1",
        2525,
        True,
    )
    assert settings.smtp_from == "nhac-lich@example.org"
    with pytest.raises(ConfigError) as info:
        load_settings(
            env={"CALENDAR_SVC_SMTP_PORT": "x", "CALENDAR_SVC_REMINDERS_SEND_TIME": "25:00"}
        )
    assert info.value.problems == [
        "environment variable CALENDAR_SVC_SMTP_PORT: 'x' is not a whole number",
        "environment variable CALENDAR_SVC_REMINDERS_SEND_TIME: '25:00' is not a time of day (use HH:MM)",
    ]


SECRET_OPTIONS = [opt for opt in OPTIONS if opt.secret]


@pytest.mark.parametrize("opt", SECRET_OPTIONS, ids=lambda o: o.key)
@pytest.mark.parametrize(
    ("toml", "shown"),
    [
        ("123456789", ["123456789"]),
        ('["hunter2-abc", "x"]', ["hunter2-abc"]),
        ('{ inner = "hunter2-abc" }', ["hunter2-abc", "inner"]),
        ("1979-05-27T07:32:00", ["1979", "07:32"]),
    ],
)
def test_errors_about_secret_options_never_show_the_value(
    tmp_path: Path, opt: object, toml: str, shown: list[str]
) -> None:
    from calendar_svc.config import Option

    assert isinstance(opt, Option)
    path = tmp_path / "c.toml"
    path.write_text(f"[{opt.section}]\n{opt.name} = {toml}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config_file=path, env={})
    message = str(caught.value)
    assert opt.key in message and "not a string" in message
    for piece in shown:
        assert piece not in message, (piece, message)


def test_errors_about_other_options_still_show_the_value(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[smtp]\nport = 123456789\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="123456789 is not a port"):
        load_settings(config_file=path, env={})


def test_secret_from_a_file_or_a_systemd_credential(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-0123456789\n", encoding="utf-8")
    by_path = load_settings(env={"CALENDAR_SVC_REMINDERS_SECRET_FILE": str(secret)})
    assert by_path.reminders_secret == "from-a-file-0123456789"
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "reminders-secret").write_text("from-systemd-abcdef", encoding="utf-8")
    env = {
        "CREDENTIALS_DIRECTORY": str(credentials),
        "CALENDAR_SVC_REMINDERS_SECRET_FILE": "reminders-secret",
    }
    assert load_settings(env=env).reminders_secret == "from-systemd-abcdef"
    assert "from-systemd" not in repr(load_settings(env=env))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read"),
        (b"", "one line"),
        (b"line-one-secret\nline-two-secret\n", "one line"),
        (b"\xff\xfe-not-utf8-secret", "one line"),
        (b"x" * 5000, "one line"),
    ],
)
def test_a_bad_secret_file_names_the_file_not_the_content(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "secret"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(env={"CALENDAR_SVC_REMINDERS_SECRET_FILE": str(path)})
    message = str(caught.value)
    assert str(path) in message and reason in message
    assert "secret\n" not in message and "line-two" not in message and "xxxx" not in message


def test_secret_and_secret_file_together_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("file-secret-value", encoding="utf-8")
    env = {
        "CALENDAR_SVC_REMINDERS_SECRET": "inline",
        "CALENDAR_SVC_REMINDERS_SECRET_FILE": str(path),
    }
    with pytest.raises(ConfigError, match="not both"):
        load_settings(env=env)


def test_allowed_hosts_are_a_list_of_plain_hosts(tmp_path: Path) -> None:
    from calendar_svc.links import base_url_for, vouched_base_url

    assert load_settings(env={}).web_allowed_hosts == ()
    env = {"CALENDAR_SVC_WEB_ALLOWED_HOSTS": "Lich.Example.VN, lich.example.vn:8443 [::1]"}
    hosts = load_settings(env=env).web_allowed_hosts
    assert hosts == ("lich.example.vn", "lich.example.vn:8443", "[::1]")
    path = tmp_path / "c.toml"
    path.write_text('[web]\nallowed_hosts = "lich.example.vn/evil, ok.vn"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(config_file=path, env={})
    assert "web.allowed_hosts" in str(info.value) and "'lich.example.vn/evil'" in str(info.value)
    # Mails: base_url, else a listed Host, else loopback on loopback; nothing else.
    assert vouched_base_url("https://lich.gov.vn/", (), "http", "evil.example", "1.2.3.4") == (
        "https://lich.gov.vn"
    )
    assert vouched_base_url("", hosts, "https", "LICH.example.vn", "0.0.0.0") == (
        "https://lich.example.vn"
    )
    assert vouched_base_url("", hosts, "https", "lich.example.vn:9", "0.0.0.0") == (
        "https://lich.example.vn:9"
    )
    for forged in ("evil.example", "lich.example.vn.evil", "a@lich.example.vn", None, ""):
        assert vouched_base_url("", hosts, "https", forged, "0.0.0.0") is None
    assert vouched_base_url("", (), "http", "localhost:8080", "127.0.0.1") == (
        "http://localhost:8080"
    )
    assert vouched_base_url("", (), "http", "[::1]:8080", "::1") == "http://[::1]:8080"
    assert vouched_base_url("", (), "http", "localhost:8080", "10.0.0.5") is None
    # Pages: an unlisted Host gives way to the first listed one.
    assert base_url_for("", "https", "evil.example", "127.0.0.1:8080", hosts) == (
        "https://lich.example.vn"
    )
    assert base_url_for("", "https", "ok.example", "127.0.0.1:8080", ()) == "https://ok.example"
