"""End-to-end: ``calendar-svc db status`` and ``db upgrade``."""

from __future__ import annotations

import json

from conftest import Cli


def test_upgrade_creates_and_status_reports(cli: Cli) -> None:
    up = cli("db", "upgrade")
    assert up.code == 0, up.err
    assert cli.database.exists()
    status = json.loads(cli("db", "status", "--format", "json").out)
    assert status["schema_revision"] == status["head_revision"]
    assert status["anniversaries"] >= 60
    assert status["outbox"]["sent"] == 0
    table = cli("db", "status").out
    assert "Ngày kỷ niệm / Anniversaries" in table


def test_unreachable_database_is_one_line_with_masked_password(cli: Cli) -> None:
    url = "postgresql+psycopg://calendar:hunter2@127.0.0.1:1/calendar"
    result = cli("--database-url", url, "db", "status")
    assert result.code == 1
    assert "hunter2" not in result.err and "***" in result.err
    assert len(result.err.strip().splitlines()) == 1
