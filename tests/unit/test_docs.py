"""The README's CLI reference is generated and current; every command is documented."""

import subprocess
import sys
from pathlib import Path

from calendar_svc.cli import COMMANDS, HELP_SHORT

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
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"### `calendar-svc {name}`" in readme
        assert HELP_SHORT[name]
