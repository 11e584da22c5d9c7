"""The annual reminder on the organisation record and in the outbox (migration 0006),
on SQLite and PostgreSQL, and the upgrade from 0003 keeping the outbox's rows and checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from store_support import pg_schema_url, store_on

from calendar_svc.core.recipients import AnnualRule, Organisation
from calendar_svc.store import migrate
from calendar_svc.store.engine import begin_write, create_store_engine
from calendar_svc.store.errors import StoredRowError
from calendar_svc.store.organisations import OrganisationRepo
from calendar_svc.store.schema import HEAD_REVISION

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]
QN = Organisation("qn", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "province:quang-ninh")

OUTBOX_ROW = (
    "INSERT INTO outbox (kind, subject, occurrence, lead_days, recipient, message_id, status, "
    "send_at, deadline, next_attempt_at, attempts, reason, created_at, updated_at) VALUES "
    "('{kind}', 'qn', '{day}', {lead}, 'a@example.org', '<{kind}{lead}@x.vn>', '{status}', "
    "'2026-11-01T01:00:00.000000+00:00', '2026-11-30T17:00:00.000000+00:00', "
    "'2026-11-01T01:00:00.000000+00:00', 0, '', '2026-11-01T01:00:00.000000+00:00', "
    "'2026-11-01T01:00:00.000000+00:00')"
)


def _row(kind: str = "annual", *, lead: int = 30, status: str = "pending") -> str:
    day = "2027-01-01" if kind == "annual" else "2026-12-01"
    return OUTBOX_ROW.format(kind=kind, day=day, lead=lead, status=status)


@pytest.fixture(params=STORES)
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrganisationRepo]:
    with store_on(request.param, tmp_path) as store:
        yield OrganisationRepo(store.engine)


def test_annual_rule_round_trips_with_the_organisation(repo: OrganisationRepo) -> None:
    repo.add_organisation(QN)
    assert repo.get_organisation("qn").annual is None
    rule = AnnualRule(12, 15, (30, 7))
    repo.replace_organisation(replace(QN, annual=rule))
    assert repo.get_organisation("qn").annual == rule
    with repo.engine.connect() as conn:
        stored = conn.execute(text("SELECT annual_due, annual_leads FROM organisations")).one()
    assert tuple(stored) == ("12-15", "30,7")


def test_a_corrupt_annual_rule_names_the_row(repo: OrganisationRepo) -> None:
    repo.add_organisation(replace(QN, annual=AnnualRule()))
    with repo.engine.begin() as conn:
        conn.execute(text("UPDATE organisations SET annual_due = '02-30'"))
    with pytest.raises(StoredRowError, match=r"qn.*annual due day 30"):
        repo.get_organisation("qn")


def test_the_outbox_takes_annual_rows_and_keeps_its_checks(repo: OrganisationRepo) -> None:
    with repo.engine.begin() as conn:
        conn.exec_driver_sql(_row())
    for bad in (_row("weekly"), _row(lead=0), _row(status="lost")):
        with pytest.raises(IntegrityError), repo.engine.begin() as conn:
            conn.exec_driver_sql(bad)


def _upgrade_from_0003(url: str) -> None:
    engine = create_store_engine(url)
    config = migrate.alembic_config
    with begin_write(engine) as conn:
        command.upgrade(config(conn), "0003")
        conn.exec_driver_sql(
            "INSERT INTO organisations (id, name, scope, due_kind, due_n, leads, created_at) "
            "VALUES ('qn', 'Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh', "
            "'province:quang-ninh', 'day', 2, '10,3', '2023-01-01T00:00:00.000000+00:00')"
        )
        conn.exec_driver_sql(_row("digest", lead=10))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(_row())
    with begin_write(engine) as conn:
        migrate.upgrade(conn)
        assert migrate.current_revision(conn) == HEAD_REVISION
    assert OrganisationRepo(engine).get_organisation("qn").annual is None
    with engine.begin() as conn:
        conn.exec_driver_sql(_row())
        kinds = conn.exec_driver_sql("SELECT kind FROM outbox ORDER BY kind").scalars().all()
    assert kinds == ["annual", "digest"]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(_row(status="lost", lead=3))
    with begin_write(engine) as conn:
        command.downgrade(config(conn), "0003")
        kinds = conn.exec_driver_sql("SELECT kind FROM outbox").scalars().all()
    assert kinds == ["digest"]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(_row())
    engine.dispose()


def test_upgrade_from_0003_on_sqlite(tmp_path: Path) -> None:
    _upgrade_from_0003(f"sqlite:///{tmp_path / 'old.sqlite3'}")


@pytest.mark.external_service
def test_upgrade_from_0003_on_postgresql() -> None:
    with pg_schema_url() as url:
        _upgrade_from_0003(url)
