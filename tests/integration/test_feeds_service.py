"""The server's feeds: one edit changes only the feeds that hold the row, and in them only
its events; UIDs do not follow web.base_url; the cache stays within its bound."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from calendar_svc.catalog import load_scopes
from calendar_svc.config import Settings
from calendar_svc.core.scopes import Scope, ScopeTree
from calendar_svc.store.anniversaries import AnniversaryRepo
from calendar_svc.store.open import open_store
from calendar_svc.web.feedservice import FeedService, Rendered

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
EDITED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
#: The service's clock: moved on by the tests (an edit happens after the first read).
CLOCK = [NOW]
ROW = "bac-ho-tham-mo-deo-nai"  # a Cẩm Phả row


@pytest.fixture
def store(tmp_path: Path) -> AnniversaryRepo:
    return open_store(f"sqlite:///{tmp_path / 'calendar.sqlite3'}").anniversaries


def service(
    store: AnniversaryRepo, scopes: ScopeTree | None = None, **settings: object
) -> FeedService:
    values: dict[str, object] = {"web_base_url": "https://lich.example.vn", **settings}
    svc = FeedService(
        Settings(**values),  # type: ignore[arg-type]
        scopes or load_scopes(),
        open_reader=lambda: store,
        now=lambda: CLOCK[0],
    )
    assert svc.refresh()
    return svc


def feed(svc: FeedService, name: str) -> Rendered:
    found = svc.named(name)
    assert found is not None, name
    return found


def without_events_of(data: bytes, anniversary_id: str) -> bytes:
    """Return the feed with the VEVENT blocks of one anniversary cut out."""
    pattern = (
        rb"BEGIN:VEVENT\r\n(?:(?!END:VEVENT).*\r\n)*?UID:"
        + re.escape(anniversary_id.encode())
        + rb"-\d+@.*\r\n(?:(?!BEGIN:VEVENT).*\r\n)*?END:VEVENT\r\n"
    )
    return re.sub(pattern, b"", data)


def test_an_edit_changes_only_the_feeds_that_hold_the_row_and_only_its_events(
    store: AnniversaryRepo,
) -> None:
    CLOCK[0] = NOW
    svc = service(store)
    names = ("national", "province/quang-ninh", "commune/quang-ninh/ha-long", "all")
    before = {n: feed(svc, n) for n in names}
    row = store.get(ROW)
    store.replace(replace(row, name_vi=row.name_vi + " (sửa)"), now=EDITED)
    CLOCK[0] = EDITED + timedelta(minutes=1)
    assert svc.refresh()
    after = {n: feed(svc, n) for n in before}
    for name in ("national", "commune/quang-ninh/ha-long"):  # they do not hold the row
        assert after[name].etag == before[name].etag
        assert after[name].last_modified == before[name].last_modified
        assert after[name].data == before[name].data
    for name in ("province/quang-ninh", "all"):
        old, new = before[name], after[name]
        assert new.etag != old.etag
        assert new.last_modified > old.last_modified
        assert without_events_of(new.data, ROW) != new.data  # the cut finds the events
        assert without_events_of(new.data, ROW) == without_events_of(old.data, ROW)
        changed = icalendar.Calendar.from_ical(new.data).walk("VEVENT")
        edited = [e for e in changed if str(e["uid"]).startswith(f"{ROW}-")]
        assert edited and all("(sửa)" in str(e["summary"]) for e in edited)
        assert {e.decoded("dtstamp") for e in edited} == {EDITED}
        others = {e.decoded("dtstamp") for e in changed if e not in edited}
        assert EDITED not in others


def test_uids_do_not_follow_the_base_url(store: AnniversaryRepo) -> None:
    first = feed(service(store, web_base_url="https://lich.example.vn"), "all").data
    second = feed(service(store, web_base_url="https://other.example.org:8443"), "all").data
    third = feed(service(store, web_base_url=""), "all").data
    unfolded = [data.replace(b"\r\n ", b"") for data in (first, second, third)]
    uids = [re.findall(rb"UID:(\S+)\r\n", data) for data in unfolded]
    assert uids[0] == uids[1] == uids[2] and uids[0]
    domains = {uid.split(b"@", 1)[1] for uid in uids[0]}
    assert len(domains) == 1 and domains.pop().endswith(b".calendar-svc")


def test_every_scope_has_a_feed_and_the_cache_keeps_its_bound(store: AnniversaryRepo) -> None:
    scopes = [Scope("national", None, "Toàn quốc", "Nationwide")]
    scopes.append(Scope("province:quang-ninh", "national", "Tỉnh Quảng Ninh", "Quảng Ninh"))
    scopes.append(Scope("city:cam-pha", "province:quang-ninh", "Thành phố Cẩm Phả", "Cẩm Phả"))
    scopes.append(Scope("city:ha-long", "province:quang-ninh", "Thành phố Hạ Long", "Hạ Long"))
    scopes += [
        Scope(f"commune:quang-ninh/xa-{n}", "province:quang-ninh", f"Xã {n}", f"Commune {n}")
        for n in range(300)
    ]

    def make(cache_bytes: int) -> FeedService:
        svc = FeedService(
            Settings(web_base_url="https://lich.example.vn"),
            ScopeTree(scopes),
            open_reader=lambda: store,
            now=lambda: NOW,
            cache_bytes=cache_bytes,
        )
        assert svc.refresh()
        return svc

    svc = make(4 * 1024 * 1024)
    sizes = []
    for n in range(300):
        one = feed(svc, f"commune/quang-ninh/xa-{n}")
        assert b"BEGIN:VEVENT" in one.data and "Xã" in one.data.decode()
        assert len(one.parts) > 2  # its frame around the shared blocks
        sizes.append(len(one.data))
        _count, used = svc.cache_usage()
        assert used <= 4 * 1024 * 1024
    # Every commune's feed stays cached: each costs its frame, not the blocks it shares.
    count, used = svc.cache_usage()
    assert count == 300 and used <= 300 * 4096 < sum(sizes) // 4
    assert feed(svc, "commune/quang-ninh/xa-0") is feed(svc, "commune/quang-ninh/xa-0")
    small = make(64 * 1024)
    for n in range(300):
        feed(small, f"commune/quang-ninh/xa-{n}")
        assert small.cache_usage()[1] <= 64 * 1024
    assert small.cache_usage()[0] < 300
    again = feed(small, "commune/quang-ninh/xa-0")  # evicted long ago: assembled again
    assert again.data == feed(svc, "commune/quang-ninh/xa-0").data
    assert svc.named("commune/quang-ninh/xa-300") is None
