"""Directive settings on the organisation record (migration 0003), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from store_support import store_on

from calendar_svc.core.directive_settings import DirectiveSettings
from calendar_svc.core.recipients import Organisation
from calendar_svc.store import migrate
from calendar_svc.store.engine import begin_write, create_store_engine
from calendar_svc.store.errors import StoredRowError
from calendar_svc.store.organisations import OrganisationRepo
from calendar_svc.store.schema import HEAD_REVISION

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]
CAM_PHA = Organisation("cam-pha", "Ban Tuyên giáo Thành ủy Cẩm Phả", "city:cam-pha")
SETTINGS = DirectiveSettings(
    recipients=("Các chi, đảng bộ trực thuộc Thành ủy", "Các đồng chí báo cáo viên Thành phố"),
    signer_name="Trịnh Thị Huệ",
    round_first=True,
    lookahead_months=0,
    attach_docx=True,
)


@pytest.fixture(params=STORES)
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrganisationRepo]:
    with store_on(request.param, tmp_path) as store:
        yield store.organisations


def test_settings_round_trip_with_the_organisation(repo: OrganisationRepo) -> None:
    repo.add_organisation(replace(CAM_PHA, directive=SETTINGS))
    assert repo.get_organisation("cam-pha").directive == SETTINGS
    repo.replace_organisation(replace(CAM_PHA, directive=DirectiveSettings(place="Cẩm Phả")))
    assert repo.get_organisation("cam-pha").directive == DirectiveSettings(place="Cẩm Phả")


def test_an_organisation_without_settings_stores_an_empty_object(repo: OrganisationRepo) -> None:
    repo.add_organisation(CAM_PHA)
    with repo.engine.connect() as conn:
        stored = conn.execute(text("SELECT directive FROM organisations")).scalar_one()
    assert stored == "{}"
    assert repo.get_organisation("cam-pha").directive == DirectiveSettings()


def test_a_corrupt_stored_setting_names_the_row(repo: OrganisationRepo) -> None:
    repo.add_organisation(CAM_PHA)
    with repo.engine.begin() as conn:
        conn.execute(text("""UPDATE organisations SET directive = '{"colour": 1}'"""))
    with pytest.raises(StoredRowError, match=r"cam-pha.*unknown directive setting 'colour'"):
        repo.get_organisation("cam-pha")


def test_upgrading_from_0002_keeps_organisations_with_no_settings(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = migrate.alembic_config
    with begin_write(engine) as conn:
        command.upgrade(config(conn), "0002")
        conn.execute(
            text(
                "INSERT INTO organisations (id, name, scope, due_kind, due_n, leads, created_at) "
                "VALUES ('cam-pha', 'Ban Tuyên giáo Thành ủy Cẩm Phả', 'city:cam-pha', 'day', 2, "
                "'10,3', '2023-01-01T00:00:00.000000+00:00')"
            )
        )
    with begin_write(engine) as conn:
        migrate.upgrade(conn)
        assert migrate.current_revision(conn) == HEAD_REVISION
    assert OrganisationRepo(engine).get_organisation("cam-pha").directive == DirectiveSettings()
    with begin_write(engine) as conn:
        command.downgrade(config(conn), "0002")
        columns = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(organisations)")]
    assert "directive" not in columns
    engine.dispose()
