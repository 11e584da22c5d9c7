"""The CLI reference (docs/cli.md) is generated and current; every command is documented."""

import subprocess
import sys
from pathlib import Path

import click

from calendar_svc.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_cli_reference.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_command_is_documented() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"### `calendar-svc {name}`" in reference
        assert COMMANDS[name].help


def test_the_command_table_agrees_with_each_commands_docstring() -> None:
    ctx = click.Context(cli, terminal_width=200, max_content_width=200)
    for name, entry in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None, name
        assert (command.help or "").splitlines()[0] == entry.help, name
        assert entry.help in cli.get_help(ctx)


def test_the_readme_links_the_cli_reference() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/cli.md)" in readme
    assert "cli-reference:start" not in readme


def test_configuration_reference_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_config_reference.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_example_configuration_gives_the_defaults(tmp_path: Path) -> None:
    from calendar_svc.config import OPTIONS, Settings, load_settings

    example = (ROOT / "deploy" / "calendar-svc.example.toml").read_text(encoding="utf-8")
    uncommented = "\n".join(
        line[2:] if line.startswith("# ") and " = " in line else line
        for line in example.splitlines()
    )
    path = tmp_path / "config.toml"
    path.write_text(uncommented, encoding="utf-8")
    settings = load_settings(config_file=path, env={})
    assert settings == Settings()
    assert settings.warnings == ()
    assert all(f"{opt.name} = " in example for opt in OPTIONS)
