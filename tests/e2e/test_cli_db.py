"""End-to-end: ``calendar-svc db status`` and ``db upgrade``."""

from __future__ import annotations

import json
import os

import pytest

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


def test_an_empty_database_file_is_an_error_not_a_rebuild(cli: Cli) -> None:
    cli.database.parent.mkdir(parents=True)
    cli.database.write_bytes(b"")
    for args in (("month", "2023-02"), ("db", "status"), ("year", "2023"), ("export",)):
        result = cli(*args)
        assert result.code == 1, (args, result.out)
        assert str(cli.database) in result.err and "empty" in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err
    assert cli.database.read_bytes() == b""  # left as it was, nothing seeded


def test_an_unreadable_database_file_is_an_error_that_names_it(cli: Cli) -> None:
    assert cli("month", "2023-02").code == 0
    cli.database.chmod(0)
    try:
        if os.access(cli.database, os.R_OK):
            pytest.skip("running as root: permissions do not stop reading")
        result = cli("month", "2023-02")
        assert result.code == 1
        assert str(cli.database) in result.err
        assert len(result.err.strip().splitlines()) == 1, result.err
    finally:
        cli.database.chmod(0o600)


def test_an_existing_database_without_data_is_not_seeded(cli: Cli) -> None:
    import sqlite3

    cli.database.parent.mkdir(parents=True)
    with sqlite3.connect(cli.database) as conn:
        conn.execute("CREATE TABLE mine (x)")
    result = cli("db", "status", "--format", "json")
    assert result.code == 0, result.err
    assert '"anniversaries": 0' in result.out


def test_a_directory_in_place_of_the_database_is_an_error_that_names_it(cli: Cli) -> None:
    cli.database.mkdir(parents=True)
    result = cli("month", "2023-02")
    assert result.code == 1
    assert str(cli.database) in result.err and "cannot read" in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
