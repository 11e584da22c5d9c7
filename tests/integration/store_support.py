"""Helpers shared by the store tests: databases to test against and sample anniversaries.

Not a conftest, so it stays the store tests' own; the test modules import it by name
(pytest puts this directory on ``sys.path``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from calendar_svc.core.model import Anniversary, Calendar, DateForm, Origin
from calendar_svc.store import migrate
from calendar_svc.store.engine import begin_write, create_store_engine
from calendar_svc.store.errors import mask_url
from calendar_svc.store.store import Store

PG_URL_ENV = "CALENDAR_SVC_TEST_PG_URL"
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_url() -> str:
    """Return the PostgreSQL test server's URL."""
    return os.environ.get(PG_URL_ENV) or PG_DEFAULT_URL


def require_postgresql() -> None:
    """Skip the test if PostgreSQL is unreachable; fail instead when ``$CI`` is set."""
    engine = create_engine(pg_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        message = f"PostgreSQL at {mask_url(pg_url())} is unreachable ({PG_URL_ENV}): {exc.orig}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """Create a fresh PostgreSQL schema; yield a URL whose search_path is that schema."""
    require_postgresql()
    schema = f"cs_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url())
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in pg_url() else "?"
        yield f"{pg_url()}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def migrated_store(url: str) -> Store:
    """Return a store on ``url`` migrated to head and left empty (no seed)."""
    engine = create_store_engine(url)
    with begin_write(engine) as conn:
        migrate.upgrade(conn)
    return Store(engine)


@contextmanager
def store_on(kind: str, tmp_path: Any) -> Iterator[Store]:
    """Yield an empty migrated store on ``kind`` ('sqlite' or 'postgresql')."""
    if kind == "sqlite":
        store = migrated_store(f"sqlite:///{tmp_path / 'calendar.sqlite3'}")
        try:
            yield store
        finally:
            store.close()
        return
    with pg_schema_url() as url:
        store = migrated_store(url)
        try:
            yield store
        finally:
            store.close()


def raw_execute(engine: Engine, sql: str) -> None:
    """Run one SQL statement in its own transaction."""
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)


def ann(anniversary_id: str, origin: Origin, **fields: Any) -> Anniversary:
    """Return a national anniversary with plain defaults and ``fields`` overriding them."""
    base = Anniversary(
        id=anniversary_id,
        name_vi=f"Ngày kỷ niệm {anniversary_id}",
        name_en=f"Anniversary {anniversary_id}",
        origin=origin,
        category="party",
        scope="national",
        source="test",
    )
    return replace(base, **fields)


#: One anniversary of every origin shape and option the store must keep.
SAMPLES: tuple[Anniversary, ...] = (
    ann(
        "thanh-lap-dang",
        Origin(1930, 2, 3),
        name_vi="Ngày thành lập Đảng Cộng sản Việt Nam",
        name_en="Founding of the Communist Party of Vietnam",
        source="Hướng dẫn 125-HD/BTGTW",
    ),
    ann("quoc-khanh", Origin(1945, 9, 2), category="state", duration_days=2),
    ann("chien-thang-dien-bien-phu", Origin(1954, 5, 7), category="victory"),
    ann("sinh-nhat-bac", Origin(1890, 5, 19), category="leader", scope="national"),
    ann("thang-nam-only", Origin(1975, 5), category="victory", name_en=""),
    ann("nam-only", Origin(1802), category="history"),
    ann(
        "tet-nguyen-dan",
        Origin(None, 1, 1, calendar=Calendar.LUNAR),
        category="festival",
        name_vi="Tết Nguyên Đán",
        date_form=DateForm.DAY,
        duration_days=3,
    ),
    ann(
        "gio-to-hung-vuong",
        Origin(None, 3, 10, calendar=Calendar.LUNAR),
        category="festival",
        name_vi="Giỗ Tổ Hùng Vương",
    ),
    ann(
        "nhuan-thang-tu",
        Origin(2020, 4, 15, leap=True, calendar=Calendar.LUNAR),
        category="festival",
        scope="province:quang-ninh",
    ),
    ann("am-lich-thang", Origin(1968, 1, calendar=Calendar.LUNAR), category="victory"),
    ann(
        "thanh-lap-tinh-quang-ninh",
        Origin(1963, 10, 30),
        category="local",
        scope="province:quang-ninh",
        name_vi="Thành lập tỉnh Quảng Ninh",
    ),
    ann(
        "giai-phong-cam-pha",
        Origin(1955, 4, 25),
        category="local",
        scope="city:cam-pha",
        valid_from=date(2000, 1, 1),
        valid_to=date(2030, 12, 31),
    ),
    ann("ngay-29-thang-2", Origin(1960, 2, 29), category="local", valid_from=date(1990, 3, 1)),
    ann("ngay-khong-nam", Origin(None, 5, 1), category="state", valid_to=date(2099, 12, 31)),
)


def by_id(anns: list[Anniversary] | tuple[Anniversary, ...]) -> list[Anniversary]:
    """Return ``anns`` ordered by id, as the store lists them."""
    return sorted(anns, key=lambda a: a.id)
