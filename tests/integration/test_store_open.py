"""Opening the store: first use, reopening, the SQLite fast path, errors, concurrency."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_support import SAMPLES, by_id, pg_schema_url

from calendar_svc.store import migrate
from calendar_svc.store.anniversaries import AnniversaryRepo
from calendar_svc.store.bootstrap import Seed
from calendar_svc.store.errors import StoreError, mask_url
from calendar_svc.store.open import (
    default_sqlite_path,
    open_reader,
    open_store,
    sqlite_file_path,
)
from calendar_svc.store.schema import HEAD_REVISION
from calendar_svc.store.sqlite_reader import SqliteReader

SEEDED_AT = datetime(2026, 3, 1, tzinfo=UTC)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]


def sample_seed() -> Seed:
    """Return the test samples as a seed."""
    return Seed(SAMPLES, SEEDED_AT)


def refuse_seed() -> Seed:
    """Fail: the database must not be seeded again."""
    raise AssertionError("seeded a database that already had data")


@pytest.fixture(params=DATABASES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of a database that does not exist yet (a fresh schema on PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nested' / 'dir' / 'calendar.sqlite3'}"
    else:
        with pg_schema_url() as pg:
            yield pg


def sqlite_url(tmp_path: Path) -> str:
    """Return the URL of a SQLite file under ``tmp_path`` (not created)."""
    return f"sqlite:///{tmp_path / 'calendar.sqlite3'}"


def python_env() -> dict[str, str]:
    """Return the environment of a child interpreter that imports the repository and helpers."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter and wait for it."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=120,
        check=False,
    )


def start_python(code: str) -> subprocess.Popen[str]:
    """Start ``code`` in a fresh interpreter."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=python_env(),
    )


# --- first use and reopening --------------------------------------------------------------


def test_first_open_creates_migrates_and_seeds(url: str) -> None:
    store = open_store(url, seed=sample_seed)
    try:
        assert store.anniversaries.anniversaries() == by_id(SAMPLES)
        assert store.anniversaries.revision() == SEEDED_AT
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == HEAD_REVISION
    finally:
        store.close()


def test_reopen_does_not_reseed(url: str) -> None:
    open_store(url, seed=sample_seed).close()
    store = open_store(url, seed=refuse_seed)
    try:
        assert store.anniversaries.count() == len(SAMPLES)
        assert store.anniversaries.revision() == SEEDED_AT
    finally:
        store.close()


def test_emptied_database_is_not_refilled(url: str) -> None:
    store = open_store(url, seed=sample_seed)
    for anniversary_id in store.anniversaries.all_ids():
        store.anniversaries.remove(anniversary_id)
    store.close()
    store = open_store(url, seed=refuse_seed)
    try:
        assert store.anniversaries.count() == 0
    finally:
        store.close()


def test_default_seed_is_the_bundled_catalog_with_its_fixed_revision(tmp_path: Path) -> None:
    from calendar_svc import catalog

    first = open_store(f"sqlite:///{tmp_path / 'one.sqlite3'}")
    second = open_store(f"sqlite:///{tmp_path / 'two.sqlite3'}")
    try:
        assert first.anniversaries.anniversaries() == by_id(catalog.load_bundled())
        assert first.anniversaries.count() > 0
        assert (
            first.anniversaries.revision()
            == second.anniversaries.revision()
            == catalog.DATASET_REVISION
        )
    finally:
        first.close()
        second.close()


@contextmanager
def fresh_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of a database of ``kind`` that does not exist yet."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'race' / 'calendar.sqlite3'}"
        return
    with pg_schema_url() as pg:
        yield pg


@pytest.mark.parametrize("database", DATABASES)
def test_concurrent_first_open_migrates_and_seeds_once(database: str, tmp_path: Path) -> None:
    marker = tmp_path / "seeded.log"
    start_at = time.time() + 1.5
    with fresh_url(database, tmp_path) as db_url:
        code = f"""
            import time
            from datetime import UTC, datetime
            from store_support import SAMPLES
            from calendar_svc.store.bootstrap import Seed
            from calendar_svc.store.open import open_store

            def seed():
                with open({str(marker)!r}, "a") as fh:
                    fh.write("seeded\\n")
                time.sleep(0.5)  # widen the window in which a second seeding could start
                return Seed(SAMPLES, datetime(2026, 3, 1, tzinfo=UTC))

            time.sleep(max(0.0, {start_at!r} - time.time()))
            print(open_store({db_url!r}, seed=seed).anniversaries.count())
        """
        procs = [start_python(code) for _ in range(2)]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert out.strip() == str(len(SAMPLES))
    assert marker.read_text().splitlines() == ["seeded"]


# --- the fast read path ------------------------------------------------------------------


def test_open_reader_returns_sqlite_reader_on_a_current_file(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    store = open_store(url, seed=sample_seed)
    reader = open_reader(url)
    assert isinstance(reader, SqliteReader)
    assert reader.anniversaries(months=[5]) == store.anniversaries.anniversaries(months=[5])
    assert reader.revision() == store.anniversaries.revision()
    store.close()


def test_open_reader_neither_imports_sqlalchemy_nor_alembic(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    open_store(url, seed=sample_seed).close()
    result = run_python(
        f"""
        import sys
        from calendar_svc.store.open import open_reader
        reader = open_reader({url!r})
        listed = reader.anniversaries(months=[5], scopes=["national"])
        reader.get("quoc-khanh"), reader.revision(), reader.count()
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic"))
        print(type(reader).__name__, len(listed), loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 2) == ["SqliteReader", "8", "[]\n"]


def test_store_package_import_stays_light() -> None:
    result = run_python(
        """
        import sys
        import calendar_svc.store
        import calendar_svc.store.repository, calendar_svc.store.sqlite_reader
        print("sqlalchemy" in sys.modules, "alembic" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "False False\n"


def test_open_reader_on_a_missing_file_creates_it_through_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'calendar.sqlite3'}"
    reader = open_reader(url)
    assert isinstance(reader, AnniversaryRepo)
    assert reader.count() > 0
    reader.close()
    assert isinstance(open_reader(url), SqliteReader)


def test_open_reader_reads_a_database_open_store_prepared(url: str) -> None:
    open_store(url, seed=sample_seed).close()
    reader = open_reader(url)
    if url.startswith("postgresql"):
        assert isinstance(reader, AnniversaryRepo)
    assert reader.count() == len(SAMPLES)


def test_unknown_schema_revision_is_a_store_error(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    open_store(url, seed=sample_seed).close()
    with sqlite3.connect(tmp_path / "calendar.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match=r"'9999' is unknown .*upgrade calendar-svc"):
        open_reader(url)


# --- errors ------------------------------------------------------------------------------


def test_unreachable_postgresql_names_the_url_with_the_password_masked() -> None:
    url = "postgresql+psycopg://cal:s3cret@127.0.0.1:1/calendar"
    with pytest.raises(StoreError) as caught:
        open_store(url, seed=refuse_seed)
    message = str(caught.value)
    assert "s3cret" not in message
    assert "postgresql+psycopg://cal:***@127.0.0.1:1/calendar" in message
    assert "\n" not in message
    assert message.startswith("không mở được cơ sở dữ liệu / cannot open database ")


@pytest.mark.parametrize(
    "url",
    [
        "nosuchdb://x/y",
        "not a url",
        "postgresql+nosuchdriver://u:pw@localhost/db",
        "post gres://u:pw@x/db",
    ],
)
def test_bad_url_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(url, seed=refuse_seed)
    assert mask_url(url) in str(caught.value)
    assert ":pw@" not in str(caught.value)


def test_sqlite_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "calendar.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a database"):
        open_reader(f"sqlite:///{path}")


def test_sqlite_directory_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StoreError, match="cannot create"):
        open_store(f"sqlite:///{tmp_path / 'a-file' / 'calendar.sqlite3'}", seed=refuse_seed)


def test_sqlite_reader_on_a_missing_file_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot read database") as caught:
        SqliteReader(tmp_path / "missing.sqlite3").count()
    assert caught.value.action == "read"
    assert not (tmp_path / "missing.sqlite3").exists()


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:***@h/db"),
        ("postgresql://u:p%40ss:w@h:5432/db?x=1", "postgresql://u:***@h:5432/db?x=1"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("sqlite:////tmp/a:b@c.db", "sqlite:////tmp/a:b@c.db"),
        ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),
        ("post gres://u:hunter22@x/db", "post gres://u:***@x/db"),
        ("postgresql://u:p?ss@h/db", "postgresql://u:***@h/db"),
        (
            "postgresql://u@h/db?password=pw&sslmode=require",
            "postgresql://u@h/db?password=***&sslmode=require",
        ),
        (
            "postgresql://u:a@h/db?sslpassword=b&passfile=c",
            "postgresql://u:***@h/db?sslpassword=***&passfile=***",
        ),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


# --- paths and revisions -----------------------------------------------------------------


def test_head_revision_is_alembics_head() -> None:
    assert migrate.script_head() == HEAD_REVISION


def test_default_path_follows_xdg_data_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_sqlite_path() == tmp_path / "calendar-svc" / "calendar.sqlite3"


@pytest.mark.parametrize("value", [None, "", "relative/dir"])
def test_default_path_falls_back_to_local_share(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str | None
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    if value is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", value)
    expected = tmp_path / ".local" / "share" / "calendar-svc" / "calendar.sqlite3"
    assert default_sqlite_path() == expected


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:////var/lib/cal.sqlite3", Path("/var/lib/cal.sqlite3")),
        ("sqlite:///relative.sqlite3", Path("relative.sqlite3")),
        ("sqlite+pysqlite:////tmp/x%20y.db", Path("/tmp/x y.db")),
        ("sqlite:///:memory:", None),
        ("sqlite://", None),
        ("sqlite:////tmp/x.db?timeout=30", None),
        ("postgresql+psycopg://u@h/db", None),
    ],
)
def test_sqlite_file_path(url: str, path: Path | None) -> None:
    assert sqlite_file_path(url) == path


def test_no_url_means_the_default_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert sqlite_file_path(None) == tmp_path / "calendar-svc" / "calendar.sqlite3"
    store = open_store(None, seed=sample_seed)
    try:
        assert (tmp_path / "calendar-svc" / "calendar.sqlite3").is_file()
        assert isinstance(open_reader(None), SqliteReader)
    finally:
        store.close()


def _read_elsewhere(path: Path, sql: str) -> list[str]:
    """Return the first column of ``sql`` run in another process (connect, read, close)."""
    code = textwrap.dedent(
        """
        import sqlite3, sys
        conn = sqlite3.connect(sys.argv[1])
        print("\\n".join(str(row[0]) for row in conn.execute(sys.argv[2])))
        conn.close()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), sql], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_writes_stay_visible_after_the_same_process_opens_the_file_again(
    tmp_path: Path,
) -> None:
    """A second open in a process that holds a WAL connection must not drop its locks.

    Else the next connection of another process to close takes the file for unused,
    checkpoints it and deletes the WAL, and the first store's later writes are lost.
    """
    from calendar_svc.core.recipients import Organisation

    path = tmp_path / "calendar.sqlite3"
    url = f"sqlite:///{path}"
    first = open_store(url, seed=sample_seed)
    try:
        people = first.organisations
        people.add_organisation(Organisation("a", "Ban A", "national"))
        second = open_store(url, seed=refuse_seed)  # e.g. another part of the server
        second.close()
        assert _read_elsewhere(path, "SELECT id FROM organisations") == ["a"]
        people.add_organisation(Organisation("b", "Ban B", "national"))
        assert [o.id for o in people.organisations()] == ["a", "b"]
        seen = _read_elsewhere(path, "SELECT id FROM organisations ORDER BY id")
        assert seen == ["a", "b"]
    finally:
        first.close()
    assert _read_elsewhere(path, "SELECT id FROM organisations ORDER BY id") == ["a", "b"]
