"""Rate limits in the store: fixed windows, atomic on SQLite and shared on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_support import migrated_store, pg_schema_url, store_on

from calendar_svc.store.engine import create_store_engine
from calendar_svc.store.ratelimits import RateLimitRepo, window_start
from calendar_svc.store.store import Store

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]
NOW = datetime(2026, 12, 1, 8, 0, 30, tzinfo=UTC)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with store_on(request.param, tmp_path) as opened:
        yield opened


def test_the_limit_holds_within_a_window_and_reopens_in_the_next(store: Store) -> None:
    limits = store.rate_limits
    answers = [limits.hit("client:203.0.113.7", limit=3, window=60, now=NOW) for _ in range(5)]
    assert answers == [True, True, True, False, False]
    assert limits.hit("client:203.0.113.8", limit=3, window=60, now=NOW)  # another key
    later = NOW + timedelta(seconds=30)  # 08:01:00, the next window
    assert limits.hit("client:203.0.113.7", limit=3, window=60, now=later)
    # A request stamped in an older window (another process's clock) does not reset it.
    assert limits.hit("client:203.0.113.7", limit=2, window=60, now=NOW)
    assert not limits.hit("client:203.0.113.7", limit=2, window=60, now=later)


def test_windows_are_aligned_to_the_epoch() -> None:
    assert window_start(NOW, 60) == int(datetime(2026, 12, 1, 8, 0, tzinfo=UTC).timestamp())
    assert window_start(NOW, 3600) == int(datetime(2026, 12, 1, 8, 0, tzinfo=UTC).timestamp())


def test_bad_arguments_are_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        store.rate_limits.hit("k", limit=0, window=60, now=NOW)
    with pytest.raises(ValueError):
        store.rate_limits.hit("", limit=1, window=60, now=NOW)
    with pytest.raises(ValueError):
        store.rate_limits.hit("k" * 201, limit=1, window=60, now=NOW)


def test_purge_keeps_current_windows(store: Store) -> None:
    store.rate_limits.hit("old", limit=1, window=60, now=NOW - timedelta(hours=2))
    store.rate_limits.hit("new", limit=1, window=60, now=NOW)
    assert store.rate_limits.purge(before=NOW - timedelta(hours=1)) == 1
    assert not store.rate_limits.hit("new", limit=1, window=60, now=NOW)


def _hammer(repos: list[RateLimitRepo], per_thread: int) -> list[bool]:
    answers: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(len(repos))

    def run(repo: RateLimitRepo) -> None:
        start.wait()
        mine = [repo.hit("shared", limit=25, window=3600, now=NOW) for _ in range(per_thread)]
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=run, args=(repo,)) for repo in repos]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_concurrent_hits_on_sqlite_count_every_request(tmp_path: Path) -> None:
    with store_on("sqlite", tmp_path) as opened:
        url = opened.engine.url.render_as_string(hide_password=False)
        repos = [RateLimitRepo(create_store_engine(url)) for _ in range(4)]
        answers = _hammer(repos, 20)
    assert len(answers) == 80 and answers.count(True) == 25


@pytest.mark.external_service
def test_separate_engines_on_postgresql_share_one_count() -> None:
    """Two engines are two processes' pools: together they allow exactly the limit."""
    with pg_schema_url() as url:
        migrated_store(url).close()
        repos = [RateLimitRepo(create_store_engine(url)) for _ in range(4)]
        try:
            answers = _hammer(repos, 20)
        finally:
            for repo in repos:
                repo.engine.dispose()
    assert len(answers) == 80 and answers.count(True) == 25
