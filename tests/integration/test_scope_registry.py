"""The registry of scopes (data/scopes.csv) against its sources and in the database."""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from store_support import pg_schema_url, require_postgresql

from calendar_svc.catalog import bundled_path, load_scopes, registry_rows
from calendar_svc.core.scopes import Scope, ScopeTree, fold, listed_scopes, resolve, slug_of
from calendar_svc.store.bootstrap import bootstrap
from calendar_svc.store.open import open_reader
from calendar_svc.store.schema import SCOPES_SHA256, SCOPES_SHA256_KEY
from calendar_svc.store.scopes import ScopeStoreError, sync_registry
from calendar_svc.store.sqlite_reader import SqliteReader
from calendar_svc.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_IDS = ROOT / "tests" / "golden" / "scope-ids.txt"
SOURCE_COUNTS = ROOT / "tests" / "data" / "scopes-source-counts.csv"
TREE = load_scopes()
ENDED = date(2025, 6, 30)

#: Nghị quyết 202/2025/QH15 (12/06/2025), Điều 1: each province that merged into another.
MERGED_PROVINCES = {
    "ha-giang": "tuyen-quang",
    "yen-bai": "lao-cai",
    "bac-kan": "thai-nguyen",
    "vinh-phuc": "phu-tho",
    "hoa-binh": "phu-tho",
    "bac-giang": "bac-ninh",
    "thai-binh": "hung-yen",
    "hai-duong": "hai-phong",
    "ha-nam": "ninh-binh",
    "nam-dinh": "ninh-binh",
    "quang-binh": "quang-tri",
    "quang-nam": "da-nang",
    "kon-tum": "quang-ngai",
    "binh-dinh": "gia-lai",
    "ninh-thuan": "khanh-hoa",
    "dak-nong": "lam-dong",
    "binh-thuan": "lam-dong",
    "phu-yen": "dak-lak",
    "binh-duong": "ho-chi-minh",
    "ba-ria-vung-tau": "ho-chi-minh",
    "binh-phuoc": "dong-nai",
    "long-an": "tay-ninh",
    "soc-trang": "can-tho",
    "hau-giang": "can-tho",
    "ben-tre": "vinh-long",
    "tra-vinh": "vinh-long",
    "tien-giang": "dong-thap",
    "bac-lieu": "ca-mau",
    "kien-giang": "an-giang",
}

#: The 13 district-level units of Quảng Ninh until 30/06/2025.
QUANG_NINH_DISTRICTS = (
    "ha-long",
    "cam-pha",
    "uong-bi",
    "mong-cai",
    "dong-trieu",
    "quang-yen",
    "van-don",
    "co-to",
    "tien-yen",
    "dam-ha",
    "hai-ha",
    "binh-lieu",
    "ba-che",
)


def current(kind: str) -> list[Scope]:
    return [s for s in TREE if s.level == kind and s.valid_to is None]


def test_slugs_are_stable_golden_file() -> None:
    ids = [row["id"] for row in registry_rows()]
    assert ids == GOLDEN_IDS.read_text(encoding="utf-8").split()


def test_the_2025_structure_counts_per_province_match_the_source() -> None:
    source = [r for r in csv.DictReader(SOURCE_COUNTS.open(encoding="utf-8"))]
    provinces = {s.code: s for s in current("province")}
    assert len(provinces) == 34
    assert len(current("commune")) == 3321
    assert len([s for s in TREE if s.valid_to is None]) == 3356  # with national
    for row in (r for r in source if r["structure"] == "2025"):
        province = provinces[row["province_code"]]
        below = [TREE[i] for i in TREE.children(province.id) if TREE[i].valid_to is None]
        assert len(below) == int(row["units"]), province.id
        types = Counter(s.type_vi for s in below)
        assert ";".join(f"{k}={v}" for k, v in sorted(types.items())) == row["by_type"]
    assert TREE["province:quang-ninh"].code == "22"
    qn = Counter(
        TREE[i].type_vi for i in TREE.children("province:quang-ninh") if TREE[i].valid_to is None
    )
    assert qn == {"phường": 30, "xã": 22, "đặc khu": 2}


def test_the_pre_2025_structure_counts_match_the_source() -> None:
    source = [r for r in csv.DictReader(SOURCE_COUNTS.open(encoding="utf-8"))]
    old = [r for r in source if r["structure"] == "2024"]
    assert len(old) == 63
    districts = [s for s in TREE if s.level == "district"]
    assert len(districts) == sum(int(r["units"]) for r in old) == 696
    by_province: dict[str, int] = defaultdict(int)
    for scope in districts:
        by_province[scope.parent or ""] += 1
    assert by_province["province:quang-ninh"] == 13
    assert all(s.valid_to == ENDED for s in districts)


def test_former_provinces_and_their_successors_follow_the_resolution() -> None:
    former = {
        s.id.removeprefix("province:"): s for s in TREE if s.level == "province" and s.valid_to
    }
    assert {k: v.successors for k, v in former.items()} == {
        k: (f"province:{v}",) for k, v in MERGED_PROVINCES.items()
    }
    for scope in former.values():
        assert scope.valid_to == ENDED
        assert "202/2025/QH15" in scope.source
    assert TREE.heritage("province:quang-tri")[-1] == "province:quang-binh"
    assert set(TREE.heritage("province:ho-chi-minh")) >= {
        "province:binh-duong",
        "province:ba-ria-vung-tau",
    }


def test_quang_ninh_district_units_end_and_name_their_successors() -> None:
    for slug in QUANG_NINH_DISTRICTS:
        scope = TREE[f"district:quang-ninh/{slug}"]
        assert scope.valid_to == ENDED and scope.parent == "province:quang-ninh"
        assert scope.successors, slug
        assert all(s.startswith("commune:quang-ninh/") for s in scope.successors)
        assert "1679/NQ-UBTVQH15" in scope.source
    cam_pha = TREE["district:quang-ninh/cam-pha"].successors
    assert {
        "commune:quang-ninh/cam-pha",
        "commune:quang-ninh/cua-ong",
        "commune:quang-ninh/quang-hanh",
        "commune:quang-ninh/mong-duong",
    } <= set(cam_pha)
    assert TREE["district:quang-ninh/van-don"].successors == ("commune:quang-ninh/van-don",)
    assert TREE["commune:quang-ninh/van-don"].type_vi == "đặc khu"
    assert TREE.canonical("city:cam-pha") == "district:quang-ninh/cam-pha"
    assert TREE.canonical("city:ha-long") == "district:quang-ninh/ha-long"


def test_slug_rule() -> None:
    """The name without its type word, folded; the type in front, then the code, on a clash."""
    for scope in TREE:
        if scope.level not in ("province", "commune", "district"):
            continue
        tail = scope.id.split(":", 1)[1].rsplit("/", 1)[-1]
        base, typed = slug_of(scope.name_vi), fold(scope.type_vi)
        assert tail in (base, f"{typed}-{base}", f"{typed}-{base}-{scope.code}"), scope.id
        if scope.level != "province":
            assert scope.id.split(":", 1)[1].split("/")[0] == scope.parent.split(":")[1]  # type: ignore[union-attr]
    assert TREE["province:hue"].name_vi == "Thành phố Huế"
    assert TREE["province:ho-chi-minh"].code == "79"
    assert TREE.resolve("Xã Văn Lăng, Thái Nguyên").endswith("xa-van-lang-05665")


def test_each_registry_row_names_its_source_package() -> None:
    for row in registry_rows():
        assert row["source"].startswith("vietnam-provinces "), row["id"]


def test_registry_hash_is_recorded() -> None:
    digest = hashlib.sha256(bundled_path("scopes.csv").read_bytes()).hexdigest()
    assert digest == SCOPES_SHA256, "data/scopes.csv changed: set SCOPES_SHA256 to " + digest


@pytest.mark.parametrize(
    "kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]
)
def test_the_database_holds_the_registry_and_keeps_user_scopes(kind: str, tmp_path: Path) -> None:
    def check(store: Store) -> None:
        tree = store.scopes.tree()
        assert len(tree) == len(TREE)
        assert tree.heritage("commune:quang-ninh/cua-ong") == TREE.heritage(
            "commune:quang-ninh/cua-ong"
        )
        bloc = Scope(
            "dang-uy-khoi-qn", "province:quang-ninh", "Đảng ủy Khối", "", kind="bloc", user=True
        )
        store.scopes.add(bloc)
        with pytest.raises(ScopeStoreError, match="already exists"):
            store.scopes.add(bloc)
        # A new registry (here: the same one under another hash) replaces the registry's
        # rows and leaves the user's.
        with store.engine.begin() as conn:
            assert sync_registry(conn, list(TREE), "another")
            assert not sync_registry(conn, list(TREE), "another")
        assert store.scopes.tree()["dang-uy-khoi-qn"] == bloc
        index = store.scopes.index()
        for text_ in ("phường Cửa Ông", "22", "city:cam-pha", "Đảng ủy Khối"):
            assert resolve(index, text_) == resolve(store.scopes.tree(), text_)

    if kind == "sqlite":
        store = bootstrap(f"sqlite:///{tmp_path / 'calendar.sqlite3'}")
        try:
            check(store)
        finally:
            store.close()
        return
    require_postgresql()
    with pg_schema_url() as url:
        store = bootstrap(url)
        try:
            check(store)
        finally:
            store.close()


def test_the_fast_reader_resolves_by_index_without_a_scan(tmp_path: Path) -> None:
    path = tmp_path / "calendar.sqlite3"
    bootstrap(f"sqlite:///{path}").close()
    reader = open_reader(f"sqlite:///{path}")
    assert isinstance(reader, SqliteReader)
    statements: list[str] = []
    index = reader.scope_index()
    real = index._query

    def recording(sql: str, params):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return real(sql, params)

    index._query = recording  # type: ignore[method-assign]
    assert resolve(index, "phường Cửa Ông") == "commune:quang-ninh/cua-ong"
    assert resolve(index, "06781") == "commune:quang-ninh/cua-ong"
    assert listed_scopes(index, "commune:quang-ninh/cua-ong")[:4] == (
        "commune:quang-ninh/cua-ong",
        "province:quang-ninh",
        "national",
        "district:quang-ninh/cam-pha",
    )
    assert statements
    with sqlite3.connect(path) as conn:
        for sql in set(statements):
            named = sql.replace(":id", "'x'").replace(":a", "'x'").replace(":c", "'x'")
            named = named.replace(":k", "'x'").replace(":s", "'x'")
            plan = " ".join(str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN {named}"))
            assert "SCAN" not in plan.replace("USING INDEX", ""), (sql, plan)


def test_a_database_with_rows_of_the_old_ids_moves_them(tmp_path: Path) -> None:
    from alembic import command

    from calendar_svc.store import migrate
    from calendar_svc.store.engine import begin_write, create_store_engine

    engine = create_store_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with begin_write(engine) as conn:
        command.upgrade(migrate.alembic_config(conn), "0003")
        conn.execute(
            text(
                "INSERT INTO anniversaries (id, name_vi, name_en, origin, origin_year, origin_month,"
                " origin_day, calendar, leap_month, category, scope, date_form, duration_days,"
                " source) VALUES ('x', 'X', '', '2012-02-21', 2012, 2, 21, 'solar', 0,"
                " 'dia-phuong', 'city:cam-pha', 'range', 1, 's')"
            )
        )
    engine.dispose()
    store = bootstrap(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        assert store.anniversaries.get("x").scope == "district:quang-ninh/cam-pha"
        with store.engine.connect() as conn:
            stored = conn.execute(text(f"SELECT value FROM meta WHERE key = '{SCOPES_SHA256_KEY}'"))
            assert stored.scalar() == SCOPES_SHA256
    finally:
        store.close()


def test_tree_of_the_file_equals_the_tree_of_the_database(tmp_path: Path) -> None:
    store = bootstrap(f"sqlite:///{tmp_path / 'calendar.sqlite3'}")
    try:
        stored = store.scopes.tree()
    finally:
        store.close()
    assert isinstance(stored, ScopeTree)
    assert list(stored) == list(TREE)
