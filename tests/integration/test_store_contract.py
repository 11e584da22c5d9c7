"""One repository contract suite, run on every store implementation.

``backend`` runs the read contract on AnniversaryRepo over SQLite (``sqlite``), on
SqliteReader reading what AnniversaryRepo wrote (``sqlite-reader``), on MemoryReader over
what it holds (``memory``) and on PostgreSQL
(``postgresql``, marked ``external_service``). ``store`` runs the write contract on the
two AnniversaryRepo databases.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError
from store_support import SAMPLES, ann, by_id, raw_execute, store_on

from calendar_svc.core.model import Anniversary, Calendar, DateForm, Origin
from calendar_svc.errors import AlreadyExistsError, NotFoundError
from calendar_svc.store.anniversaries import UPSERT_BATCH, AnniversaryRepo, select_anniversaries
from calendar_svc.store.errors import StoredRowError, StoreError
from calendar_svc.store.memory import MemoryReader
from calendar_svc.store.repository import (
    ANNIVERSARY_KIND,
    NEVER_REVISED,
    AnniversaryReader,
    UpsertResult,
)
from calendar_svc.store.sqlite_reader import SqliteReader, anniversaries_query
from calendar_svc.store.tables import AwareDateTime, metadata

T0 = datetime(2026, 1, 1, tzinfo=UTC)

BACKENDS = [
    "sqlite",
    "sqlite-reader",
    "memory",
    pytest.param("postgresql", marks=pytest.mark.external_service),
]
STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]


@dataclass
class Backend:
    """A store to write through and the reader under test (the store itself, or not)."""

    store: AnniversaryRepo
    reader: AnniversaryReader


class MemorySnapshot:
    """A MemoryReader of what the store holds at each call."""

    def __init__(self, store: AnniversaryRepo) -> None:
        self.store = store

    def _reader(self) -> MemoryReader:
        return MemoryReader(self.store.anniversaries(), self.store.revision())

    def anniversaries(self, **filters: Any) -> list[Anniversary]:
        return self._reader().anniversaries(**filters)

    def get(self, anniversary_id: str) -> Anniversary:
        return self._reader().get(anniversary_id)

    def revision(self) -> datetime:
        return self._reader().revision()

    def count(self) -> int:
        return self._reader().count()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Yield an empty backend of each kind."""
    kind = "sqlite" if request.param in ("sqlite-reader", "memory") else request.param
    with store_on(kind, tmp_path) as store:
        if request.param == "sqlite-reader":
            yield Backend(store.anniversaries, SqliteReader(tmp_path / "calendar.sqlite3"))
        elif request.param == "memory":
            yield Backend(store.anniversaries, MemorySnapshot(store.anniversaries))
        else:
            yield Backend(store.anniversaries, store.anniversaries)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AnniversaryRepo]:
    """Yield an empty store on each database."""
    with store_on(request.param, tmp_path) as store:
        yield store.anniversaries


@pytest.fixture
def filled(backend: Backend) -> Backend:
    """Return the backend holding :data:`SAMPLES`, revised at :data:`T0`."""
    backend.store.upsert(SAMPLES, now=T0)
    return backend


def ids(anns: list[Anniversary]) -> list[str]:
    """Return the ids of ``anns`` in order."""
    return [a.id for a in anns]


# --- reading ----------------------------------------------------------------------------


def test_empty_store_has_no_rows_and_never_revised(backend: Backend) -> None:
    assert backend.reader.count() == 0
    assert backend.reader.anniversaries() == []
    assert backend.reader.revision() == NEVER_REVISED


def test_every_origin_shape_round_trips(filled: Backend) -> None:
    for expected in SAMPLES:
        assert filled.reader.get(expected.id) == expected
    assert filled.reader.anniversaries() == by_id(SAMPLES)
    assert filled.reader.count() == len(SAMPLES)


def test_vietnamese_text_is_kept_exactly(filled: Backend) -> None:
    got = filled.reader.get("thanh-lap-dang")
    assert got.name_vi == "Ngày thành lập Đảng Cộng sản Việt Nam"
    assert got.source == "Hướng dẫn 125-HD/BTGTW"


def test_leap_month_and_validity_window_round_trip(filled: Backend) -> None:
    leap = filled.reader.get("nhuan-thang-tu")
    assert leap.origin == Origin(2020, 4, 15, leap=True, calendar=Calendar.LUNAR)
    window = filled.reader.get("giai-phong-cam-pha")
    assert (window.valid_from, window.valid_to) == (date(2000, 1, 1), date(2030, 12, 31))
    tet = filled.reader.get("tet-nguyen-dan")
    assert (tet.date_form, tet.duration_days) == (DateForm.DAY, 3)


UNTOLD_MONTH = [
    "am-lich-thang",
    "gio-to-hung-vuong",
    "nam-only",
    "nhuan-thang-tu",
    "tet-nguyen-dan",
]


def test_month_filter_returns_the_months_solar_rows_plus_lunar_and_year_only(
    filled: Backend,
) -> None:
    may = filled.reader.anniversaries(months=[5])
    assert ids(may) == sorted(
        [
            "chien-thang-dien-bien-phu",
            "sinh-nhat-bac",
            "thang-nam-only",
            "ngay-khong-nam",
            *UNTOLD_MONTH,
        ]
    )


def test_month_filter_takes_several_months(filled: Backend) -> None:
    got = ids(filled.reader.anniversaries(months={2, 9}))
    assert got == sorted(["thanh-lap-dang", "ngay-29-thang-2", "quoc-khanh", *UNTOLD_MONTH])


def test_month_filter_excludes_other_months(filled: Backend) -> None:
    got = ids(filled.reader.anniversaries(months=[6]))
    assert got == UNTOLD_MONTH


def test_empty_month_list_returns_only_rows_without_a_solar_month(filled: Backend) -> None:
    assert ids(filled.reader.anniversaries(months=[])) == UNTOLD_MONTH


def test_scope_filter_matches_exactly(filled: Backend) -> None:
    got = filled.reader.anniversaries(scopes=["province:quang-ninh", "city:cam-pha"])
    assert ids(got) == ["giai-phong-cam-pha", "nhuan-thang-tu", "thanh-lap-tinh-quang-ninh"]
    assert filled.reader.anniversaries(scopes=["city:ha-long"]) == []
    assert filled.reader.anniversaries(scopes=[]) == []


def test_category_filter_matches_exactly(filled: Backend) -> None:
    got = filled.reader.anniversaries(categories=["festival"])
    assert ids(got) == ["gio-to-hung-vuong", "nhuan-thang-tu", "tet-nguyen-dan"]
    assert filled.reader.anniversaries(categories=[]) == []


def test_filters_combine(filled: Backend) -> None:
    got = filled.reader.anniversaries(
        months=[4], scopes=["city:cam-pha", "province:quang-ninh"], categories=["local"]
    )
    assert ids(got) == ["giai-phong-cam-pha"]


def test_get_missing_raises_not_found(filled: Backend) -> None:
    with pytest.raises(NotFoundError) as caught:
        filled.reader.get("khong-co")
    assert (caught.value.kind, caught.value.key) == (ANNIVERSARY_KIND, "khong-co")


def test_reader_sees_the_writers_revision(filled: Backend) -> None:
    assert filled.reader.revision() == T0
    filled.store.remove("nam-only", now=T0 + timedelta(hours=1))
    assert filled.reader.revision() == T0 + timedelta(hours=1)
    assert filled.reader.count() == len(SAMPLES) - 1


def test_inconsistent_stored_row_raises_stored_row_error(filled: Backend) -> None:
    raw_execute(
        filled.store.engine, "UPDATE anniversaries SET origin = '1931' WHERE id = 'nam-only'"
    )
    with pytest.raises(StoredRowError, match="nam-only"):
        filled.reader.get("nam-only")


# --- writing ----------------------------------------------------------------------------


def test_add_then_get(store: AnniversaryRepo) -> None:
    new = ann("moi", Origin(2000, 1, 1))
    store.add(new, now=T0)
    assert store.get("moi") == new
    assert store.all_ids() == {"moi"}
    assert store.revision() == T0


def test_add_duplicate_raises_already_exists_and_changes_nothing(store: AnniversaryRepo) -> None:
    store.upsert(SAMPLES, now=T0)
    clash = replace(SAMPLES[0], name_vi="Khác")
    with pytest.raises(AlreadyExistsError) as caught:
        store.add(clash, now=T0 + timedelta(days=1))
    assert caught.value.key == clash.id
    assert store.get(clash.id) == SAMPLES[0]
    assert store.revision() == T0


def test_replace_changes_the_row(store: AnniversaryRepo) -> None:
    store.upsert(SAMPLES, now=T0)
    changed = replace(SAMPLES[0], name_en="Changed", origin=Origin(1930, 2))
    store.replace(changed, now=T0 + timedelta(days=1))
    assert store.get(changed.id) == changed
    assert store.revision() == T0 + timedelta(days=1)


def test_replace_missing_raises_not_found(store: AnniversaryRepo) -> None:
    with pytest.raises(NotFoundError):
        store.replace(ann("khong-co", Origin(2000)), now=T0)
    assert store.count() == 0
    assert store.revision() == NEVER_REVISED


def test_remove_deletes_the_row(store: AnniversaryRepo) -> None:
    store.upsert(SAMPLES, now=T0)
    store.remove("quoc-khanh", now=T0 + timedelta(days=1))
    assert "quoc-khanh" not in store.all_ids()
    with pytest.raises(NotFoundError):
        store.get("quoc-khanh")


def test_remove_missing_raises_not_found(store: AnniversaryRepo) -> None:
    store.upsert(SAMPLES, now=T0)
    with pytest.raises(NotFoundError):
        store.remove("khong-co", now=T0 + timedelta(days=1))
    assert store.count() == len(SAMPLES)
    assert store.revision() == T0


def test_upsert_counts_inserted_updated_unchanged(store: AnniversaryRepo) -> None:
    assert store.upsert(SAMPLES[:5], now=T0) == UpsertResult(inserted=5, updated=0, unchanged=0)
    batch = [replace(SAMPLES[0], name_en="Changed"), *SAMPLES[1:5], *SAMPLES[5:8]]
    result = store.upsert(batch, now=T0 + timedelta(days=1))
    assert result == UpsertResult(inserted=3, updated=1, unchanged=4)
    assert store.anniversaries() == by_id(batch)
    assert store.revision() == T0 + timedelta(days=1)


def test_noop_upsert_keeps_the_revision(store: AnniversaryRepo) -> None:
    store.upsert(SAMPLES, now=T0)
    result = store.upsert(SAMPLES, now=T0 + timedelta(days=1))
    assert result == UpsertResult(inserted=0, updated=0, unchanged=len(SAMPLES))
    assert not result.changed
    assert store.upsert([], now=T0 + timedelta(days=2)) == UpsertResult(0, 0, 0)
    assert store.revision() == T0


def test_upsert_with_a_repeated_id_writes_nothing(store: AnniversaryRepo) -> None:
    with pytest.raises(ValueError, match="twice"):
        store.upsert([SAMPLES[0], SAMPLES[1], SAMPLES[0]], now=T0)
    assert store.count() == 0


def _install_poison_trigger(store: AnniversaryRepo) -> None:
    """Make the database refuse any row whose name_en is 'poison' (a real DB error)."""
    if store.engine.dialect.name == "sqlite":
        for event in ("INSERT", "UPDATE"):
            raw_execute(
                store.engine,
                f"CREATE TRIGGER poison_{event.lower()} BEFORE {event} ON anniversaries "
                "WHEN NEW.name_en = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END",
            )
        return
    raw_execute(
        store.engine,
        "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.name_en = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; "
        "RETURN NEW; END $$",
    )
    raw_execute(
        store.engine,
        "CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON anniversaries "
        "FOR EACH ROW EXECUTE FUNCTION poison()",
    )


@pytest.mark.parametrize("poisoned", ["insert", "update"])
def test_upsert_is_all_or_nothing(store: AnniversaryRepo, poisoned: str) -> None:
    store.upsert(SAMPLES[:4], now=T0)
    before = store.anniversaries()
    _install_poison_trigger(store)
    batch = [
        ann("moi-truoc", Origin(2001)),
        replace(SAMPLES[0], name_en="poison" if poisoned == "update" else "Updated"),
        ann("moi-giua", Origin(2002), name_en="poison" if poisoned == "insert" else "New"),
        replace(SAMPLES[1], name_en="Updated too"),
        ann("moi-sau", Origin(2003)),
    ]
    with pytest.raises(StoreError, match="poisoned row") as caught:
        store.upsert(batch, now=T0 + timedelta(days=1))
    assert caught.value.action == "write"
    assert store.anniversaries() == before
    assert store.revision() == T0


class _FileProblem(Exception):
    """Stands for a problem found late in a streamed file (a CsvImportError)."""


def _many(count: int, suffix: str = "") -> Iterator[Anniversary]:
    for n in range(count):
        yield ann(
            f"dong-{n}", Origin(1900 + n % 100, 1 + n % 12, 1 + n % 28), name_en=f"{n}{suffix}"
        )


def test_upsert_streams_batches_and_revises_only_the_changed_rows(store: AnniversaryRepo) -> None:
    count = 2 * UPSERT_BATCH + 7
    assert store.upsert(_many(count), now=T0) == UpsertResult(count, 0, 0)
    edited = {5, UPSERT_BATCH + 1, count - 1}
    again = (
        replace(a, name_vi=a.name_vi + " (sửa)") if n in edited else a
        for n, a in enumerate(_many(count))
    )
    later = T0 + timedelta(days=1)
    assert store.upsert(again, now=later) == UpsertResult(0, 3, count - 3)
    stored = {a.id: a for a in store.anniversaries()}
    assert len(stored) == count and store.revision() == later
    revised = {i for i, a in stored.items() if a.revised_at == later}
    assert revised == {f"dong-{n}" for n in edited}
    assert all(a.revised_at == T0 for i, a in stored.items() if i not in revised)
    assert stored["dong-5"].name_vi.endswith(" (sửa)")


def test_upsert_of_a_stream_that_fails_late_writes_nothing(store: AnniversaryRepo) -> None:
    store.upsert(SAMPLES, now=T0)
    before = store.anniversaries()

    def failing() -> Iterator[Anniversary]:
        yield replace(SAMPLES[0], name_en="Changed")
        yield from _many(2 * UPSERT_BATCH + 1)
        raise _FileProblem("line 10,003: column 'origin': not a date")

    with pytest.raises(_FileProblem):
        store.upsert(failing(), now=T0 + timedelta(days=1))
    assert store.anniversaries() == before
    assert store.revision() == T0
    # The staging table went with the failure: the next upsert (same pool) works.
    assert store.upsert(_many(3), now=T0 + timedelta(days=2)) == UpsertResult(3, 0, 0)


def test_revision_follows_each_write(store: AnniversaryRepo) -> None:
    t1, t2, t3 = (T0 + timedelta(minutes=n) for n in (1, 2, 3))
    store.add(SAMPLES[0], now=t1)
    assert store.revision() == t1
    store.replace(replace(SAMPLES[0], name_en="x"), now=t2)
    assert store.revision() == t2
    store.remove(SAMPLES[0].id, now=t3)
    assert store.revision() == t3


def test_revision_never_moves_back(store: AnniversaryRepo) -> None:
    store.add(SAMPLES[0], now=T0)
    store.add(SAMPLES[1], now=T0 - timedelta(days=1))
    assert store.revision() == T0 + timedelta(microseconds=1)


def test_revision_is_stored_in_utc(store: AnniversaryRepo) -> None:
    hanoi = timezone(timedelta(hours=7))
    store.add(SAMPLES[0], now=datetime(2026, 5, 12, 9, 30, tzinfo=hanoi))
    revision = store.revision()
    assert revision == datetime(2026, 5, 12, 2, 30, tzinfo=UTC)
    assert revision.utcoffset() == timedelta(0)


def test_naive_now_is_refused(store: AnniversaryRepo) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add(SAMPLES[0], now=datetime(2026, 1, 1))
    assert store.count() == 0


def test_clock_is_used_when_now_is_none(store: AnniversaryRepo) -> None:
    before = datetime.now(UTC)
    store.add(SAMPLES[0])
    assert before <= store.revision() <= datetime.now(UTC)


# --- schema -----------------------------------------------------------------------------


def test_migrations_match_the_table_definitions(store: AnniversaryRepo) -> None:
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_aware_datetime_round_trips_in_utc(store: AnniversaryRepo) -> None:
    scratch = Table(
        "scratch_times",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", AwareDateTime()),
    )
    scratch.create(store.engine)
    hanoi = timezone(timedelta(hours=7))
    when = datetime(2026, 2, 3, 7, 0, 0, 123456, tzinfo=hanoi)
    with store.engine.begin() as conn:
        conn.execute(insert(scratch), [{"id": 1, "at": when}, {"id": 2, "at": None}])
        got = conn.execute(select(scratch.c.at).order_by(scratch.c.id)).scalars().all()
    assert got == [when, None]
    assert got[0] is not None and got[0].tzinfo == UTC
    with pytest.raises(StatementError, match="naive"), store.engine.begin() as conn:
        conn.execute(insert(scratch), {"id": 3, "at": datetime(2026, 1, 1)})


@pytest.mark.parametrize("implementation", ["sqlalchemy", "sqlite-reader"])
def test_month_listing_reads_the_month_index_on_sqlite(tmp_path: Path, implementation: str) -> None:
    months, scopes = [5], ["national", "province:quang-ninh"]
    with store_on("sqlite", tmp_path) as store:
        store.anniversaries.upsert(SAMPLES, now=T0)
        if implementation == "sqlalchemy":
            compiled = select_anniversaries(months=months, scopes=scopes).compile(
                dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}
            )
            sql, params = str(compiled), list[object]()
        else:
            query = anniversaries_query(months=months, scopes=scopes)
            assert query is not None
            sql, params = query
    with closing(sqlite3.connect(tmp_path / "calendar.sqlite3")) as conn:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    assert any("ix_anniversaries_calendar_origin_month_origin_day" in step for step in plan), plan
    assert not any(step.startswith("SCAN anniversaries") for step in plan), plan


# --- generated anniversaries ------------------------------------------------------------

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy ĐƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)
TEXT = st.one_of(
    st.text(alphabet=VIETNAMESE, min_size=1, max_size=30),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=30),
).filter(lambda s: s.strip() != "")
SLUG = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)


@st.composite
def origins(draw: st.DrawFn) -> Origin:
    """Draw a valid origin of any shape."""
    calendar = draw(st.sampled_from(Calendar))
    shape = draw(st.sampled_from(["day", "month", "year", "yearless"]))
    year = draw(st.integers(1, 9999))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 30 if calendar is Calendar.LUNAR else 28))
    leap = calendar is Calendar.LUNAR and shape != "year" and draw(st.booleans())
    if shape == "year":
        return Origin(year, calendar=calendar)
    if shape == "month":
        return Origin(year, month, leap=leap, calendar=calendar)
    return Origin(None if shape == "yearless" else year, month, day, leap=leap, calendar=calendar)


@st.composite
def anniversaries(draw: st.DrawFn) -> Anniversary:
    """Draw a valid anniversary."""
    valid_from = draw(st.none() | st.dates(date(1, 1, 1), date(5000, 1, 1)))
    valid_to = draw(st.none() | st.dates(valid_from or date(1, 1, 1), date(9999, 12, 31)))
    return Anniversary(
        id=draw(SLUG),
        name_vi=draw(TEXT),
        name_en=draw(st.just("") | TEXT),
        origin=draw(origins()),
        category=draw(SLUG),
        scope=draw(st.sampled_from(["national", "province:quang-ninh", "city:cam-pha"])),
        source=draw(st.just("") | TEXT),
        valid_from=valid_from,
        valid_to=valid_to,
        date_form=draw(st.sampled_from(DateForm)),
        duration_days=draw(st.integers(1, 366)),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=anniversaries(), month=st.integers(1, 12))
def test_generated_anniversaries_round_trip(
    backend: Backend, generated: Anniversary, month: int
) -> None:
    backend.store.add(generated, now=T0)
    try:
        assert backend.reader.get(generated.id) == generated
        origin = generated.origin
        in_month = origin.calendar is Calendar.LUNAR or origin.month in (None, month)
        listed = backend.reader.anniversaries(months=[month], scopes=[generated.scope])
        assert (generated in listed) == in_month
    finally:
        backend.store.remove(generated.id, now=T0)


def test_a_writer_says_it_waits_for_the_write_lock(store: AnniversaryRepo) -> None:
    """Another connection holds the write lock; a writer warns once, waits, then writes."""
    import logging
    import threading

    from calendar_svc.store.engine import PG_WRITE_LOCK_KEY, WAITING_MESSAGE

    said = threading.Event()

    class Heard(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage() == WAITING_MESSAGE:
                said.set()

    heard = Heard()
    logging.getLogger("calendar_svc.store.engine").addHandler(heard)
    holder = store.engine.raw_connection()  # the driver's own connection
    try:
        if store.dialect == "sqlite":
            holder.cursor().execute("BEGIN IMMEDIATE")
        else:
            holder.cursor().execute(f"SELECT pg_advisory_lock({PG_WRITE_LOCK_KEY})")
            holder.commit()  # a session lock: held until unlocked
        failures: list[BaseException] = []

        def write() -> None:
            try:
                store.add(SAMPLES[0], now=T0)
            except BaseException as exc:  # reported by the test
                failures.append(exc)

        writer = threading.Thread(target=write)
        writer.start()
        assert said.wait(timeout=60), "the writer never said it waits"
        assert writer.is_alive() and store.count() == 0
        if store.dialect == "sqlite":
            holder.cursor().execute("COMMIT")
        else:
            holder.cursor().execute(f"SELECT pg_advisory_unlock({PG_WRITE_LOCK_KEY})")
            holder.commit()
        writer.join(timeout=120)
        assert not failures, failures
        assert store.count() == 1
    finally:
        holder.close()
        logging.getLogger("calendar_svc.store.engine").removeHandler(heard)
