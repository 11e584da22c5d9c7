"""Run the installed ``calendar-svc`` for the reminder tests, and read what it stored.

Not a conftest: the reminder test modules import it by name (pytest puts this directory
on ``sys.path``).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

from conftest import Cli, Result

#: The console script the package installs (``pip install``), beside this interpreter.
SCRIPT = Path(sys.executable).with_name("calendar-svc")

QUANG_NINH = "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh"


class InstalledCli(Cli):
    """Runs the installed ``calendar-svc`` script in a subprocess with an isolated home."""

    def argv(self, *args: str) -> list[str]:
        return [str(SCRIPT), *args]

    def __call__(self, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> Result:
        proc = subprocess.run(
            self.argv(*args),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**self.env, **(env or {})},
            timeout=120,
            check=False,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def ok(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run and require exit code 0."""
        result = self(*args, env=env)
        assert result.code == 0, f"{args}: {result.err}{result.out}"
        return result

    def smtp_env(self, port: int, **more: str) -> dict[str, str]:
        """Return the environment that points the command at a local SMTP server, with a
        public web address for the links in mails (reminders refuse loopback links)."""
        return {
            "CALENDAR_SVC_SMTP_HOST": "127.0.0.1",
            "CALENDAR_SVC_SMTP_PORT": str(port),
            "CALENDAR_SVC_WEB_BASE_URL": "https://lich.example.org",
            **more,
        }

    def run_once(self, port: int, now: str, **more: str) -> Result:
        """Run ``remind run-once --now NOW`` against the server on ``port``."""
        return self("remind", "run-once", "--now", now, env=self.smtp_env(port, **more))

    def outbox(self) -> list[dict[str, Any]]:
        """Return every outbox row, as ``outbox list --format json`` gives them."""
        rows = json.loads(self.ok("outbox", "list", "--limit", "100000", "--format", "json").out)
        assert isinstance(rows, list)
        return rows

    def statuses(self) -> dict[str, int]:
        """Return the number of outbox rows in each status, read straight from the file."""
        with closing(sqlite3.connect(f"{self.database.as_uri()}?mode=ro", uri=True)) as conn:
            return dict(
                conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
            )

    def setup_quang_ninh(self, *emails: str, lang: str = "vi") -> None:
        """Add the Quảng Ninh department and its members (the issue's first two commands)."""
        self.ok("org", "add", "quang-ninh", "--name", QUANG_NINH, "--scope", "province:quang-ninh")
        for email in emails:
            self.ok(
                "subscribers",
                "add",
                email,
                "--name",
                "Cán bộ",
                "--org",
                "quang-ninh",
                "--lang",
                lang,
            )
