"""Each row's own revision, and the installation's UID domain (migration 0005)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert
from store_support import SAMPLES, pg_schema_url

from calendar_svc.store import migrate
from calendar_svc.store.bootstrap import Seed
from calendar_svc.store.engine import begin_write, create_store_engine
from calendar_svc.store.open import open_reader, open_store
from calendar_svc.store.rows import row_from_anniversary
from calendar_svc.store.tables import anniversaries, meta

SEEDED_AT = datetime(2026, 3, 1, tzinfo=UTC)
EDITED_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]


@pytest.fixture(params=DATABASES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of a database that does not exist yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
    else:
        with pg_schema_url() as pg:
            yield pg


def _seed() -> Seed:
    return Seed(SAMPLES, SEEDED_AT)


def test_seeded_rows_carry_the_seed_revision_and_an_edit_moves_only_its_row(url: str) -> None:
    store = open_store(url, seed=_seed)
    try:
        assert {a.revised_at for a in store.anniversaries.anniversaries()} == {SEEDED_AT}
        target = store.anniversaries.get("quoc-khanh")
        store.anniversaries.replace(
            replace(target, name_vi="Quốc khánh nước CHXHCN Việt Nam"), now=EDITED_AT
        )
        stamps = {a.id: a.revised_at for a in store.anniversaries.anniversaries()}
        assert stamps.pop("quoc-khanh") == EDITED_AT
        assert set(stamps.values()) == {SEEDED_AT}
        assert store.anniversaries.revision() == EDITED_AT
        # The stdlib reader reads the same stamps.
        reader = open_reader(url)
        assert {a.id: a.revised_at for a in reader.anniversaries()}["quoc-khanh"] == EDITED_AT
    finally:
        store.close()


def test_replace_with_the_same_values_changes_no_revision(url: str) -> None:
    store = open_store(url, seed=_seed)
    try:
        store.anniversaries.replace(store.anniversaries.get("quoc-khanh"), now=EDITED_AT)
        assert store.anniversaries.get("quoc-khanh").revised_at == SEEDED_AT
        assert store.anniversaries.revision() == SEEDED_AT
    finally:
        store.close()


def test_upsert_stamps_only_inserted_and_changed_rows(url: str) -> None:
    store = open_store(url, seed=_seed)
    try:
        samples = {a.id: a for a in SAMPLES}
        changed = replace(samples["nam-only"], source="Sách trắng")
        store.anniversaries.upsert([changed, samples["quoc-khanh"]], now=EDITED_AT)
        stamps = {a.id: a.revised_at for a in store.anniversaries.anniversaries()}
        assert stamps.pop("nam-only") == EDITED_AT
        assert set(stamps.values()) == {SEEDED_AT}
    finally:
        store.close()


def test_a_new_database_gets_a_generated_domain_kept_whatever_the_base_url(url: str) -> None:
    store = open_store(url, seed=_seed)
    try:
        first = store.meta.uid_domain("https://lich.example.vn")
        assert first.endswith(".calendar-svc") and first != "lich.example.vn"
        assert store.meta.uid_domain("https://other.example.org") == first
        assert store.meta.uid_domain() == first
    finally:
        store.close()


def _database_at_0003(url: str, revised_at: datetime) -> None:
    """Create the schema of revision 0003 holding the samples, as an older version left it."""
    engine = create_store_engine(url)
    try:
        with begin_write(engine) as conn:
            command.upgrade(migrate.alembic_config(conn), "0003")
            # Revision 0003 has no home and note columns (0010 adds them).
            rows = [row_from_anniversary(a) for a in SAMPLES]
            old = [{k: v for k, v in r.items() if k not in ("home", "note")} for r in rows]
            conn.execute(insert(anniversaries), old)
            conn.execute(insert(meta).values(key="revised_at", value=revised_at.isoformat()))
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("base_url", "domain"),
    [("https://lich.example.vn/", "lich.example.vn"), ("", "127.0.0.1")],
)
def test_an_upgraded_database_keeps_the_domain_its_feeds_used(
    url: str, base_url: str, domain: str
) -> None:
    _database_at_0003(url, SEEDED_AT)
    store = open_store(url, seed=_seed)
    try:
        assert store.meta.uid_domain(base_url) == domain
        # Fixed from then on: a new base URL changes no UID.
        assert store.meta.uid_domain("https://lich.tuyengiao.example.vn") == domain
        # Existing rows carry the data's old revision: the upgrade changes no DTSTAMP.
        assert {a.revised_at for a in store.anniversaries.anniversaries()} == {SEEDED_AT}
    finally:
        store.close()
