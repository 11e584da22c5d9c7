from pathlib import Path

import pytest

from calendar_svc.config import OPTIONS, load_settings
from calendar_svc.errors import ConfigError


def test_defaults() -> None:
    settings = load_settings(env={})
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.lang == "vi"
    assert settings.database_url == ""


def test_every_option_has_an_env_variable_and_help() -> None:
    envs = {opt.env for opt in OPTIONS}
    assert {"CALENDAR_SVC_DATABASE_URL", "CALENDAR_SVC_TIMEZONE", "CALENDAR_SVC_LANG"} <= envs
    assert all(opt.help for opt in OPTIONS)


def test_sources_in_order_file_env_flags(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[general]\nlang = "en"\n[database]\nurl = "sqlite:///file.db"\n')
    settings = load_settings(config_file=path, env={"CALENDAR_SVC_DATABASE_URL": "sqlite:///env.db"})
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
