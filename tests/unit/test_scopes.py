"""The scope tree: names, resolution, lineage, heritage and the checks a tree must pass."""

from __future__ import annotations

from datetime import date

import pytest

from calendar_svc.core.scopes import (
    Scope,
    ScopeError,
    ScopeTree,
    fold,
    heritage,
    is_user_id,
    level_key,
    listed_scopes,
    normalize,
    party_above,
    resolve,
    slug_of,
    split_type,
)
from calendar_svc.directive.draft import levels_phrase

ENDED = date(2025, 6, 30)


def unit(
    scope_id: str,
    parent: str | None,
    name: str,
    kind: str,
    *,
    code: str = "",
    ended: bool = False,
    successors: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
) -> Scope:
    return Scope(
        scope_id,
        parent,
        name,
        "",
        kind=kind,
        type_vi=split_type(name)[0],
        code=code,
        valid_to=ENDED if ended else None,
        successors=successors,
        aliases=aliases,
    )


TREE = ScopeTree(
    [
        unit("national", None, "Toàn quốc", "national"),
        unit("province:quang-ninh", "national", "Tỉnh Quảng Ninh", "province", code="22"),
        unit("province:quang-tri", "national", "Tỉnh Quảng Trị", "province", code="44"),
        unit("province:thanh-hoa", "national", "Tỉnh Thanh Hóa", "province", code="38"),
        unit(
            "province:quang-binh",
            "national",
            "Tỉnh Quảng Bình",
            "province",
            code="44",
            ended=True,
            successors=("province:quang-tri",),
        ),
        unit(
            "commune:quang-ninh/cua-ong",
            "province:quang-ninh",
            "Phường Cửa Ông",
            "commune",
            code="06781",
        ),
        unit(
            "commune:quang-ninh/cam-pha",
            "province:quang-ninh",
            "Phường Cẩm Phả",
            "commune",
            code="06778",
        ),
        unit("commune:quang-ninh/co-to", "province:quang-ninh", "Đặc khu Cô Tô", "commune"),
        unit("commune:thanh-hoa/quang-ninh", "province:thanh-hoa", "Xã Quảng Ninh", "commune"),
        unit("commune:thanh-hoa/thanh-hoa", "province:thanh-hoa", "Phường Thanh Hòa", "commune"),
        unit("commune:quang-tri/dong-hoi", "province:quang-tri", "Phường Đồng Hới", "commune"),
        unit(
            "district:quang-ninh/cam-pha",
            "province:quang-ninh",
            "Thành phố Cẩm Phả",
            "district",
            code="195",
            ended=True,
            successors=("commune:quang-ninh/cam-pha", "commune:quang-ninh/cua-ong"),
            aliases=("city:cam-pha",),
        ),
        unit(
            "district:quang-binh/dong-hoi",
            "province:quang-binh",
            "Thành phố Đồng Hới",
            "district",
            ended=True,
            successors=("commune:quang-tri/dong-hoi",),
        ),
        Scope("dang-uy-khoi-qn", "province:quang-ninh", "Đảng ủy Khối", "", kind="bloc", user=True),
    ]
)


def test_names_fold_and_split() -> None:
    assert fold("Phường Cửa Ông") == "phuong-cua-ong"
    assert fold("Đặc khu Cô Tô") == "dac-khu-co-to"
    assert slug_of("Thành phố Hồ Chí Minh") == "ho-chi-minh"
    assert slug_of("Tỉnh Bà Rịa - Vũng Tàu") == "ba-ria-vung-tau"
    assert split_type("Thị xã Quảng Yên") == ("thị xã", "Quảng Yên")
    assert normalize("Tỉnh  Hoà Bình") == normalize("tỉnh hòa bình")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("commune:quang-ninh/cua-ong", "commune:quang-ninh/cua-ong"),
        ("  Commune:Quang-Ninh/Cua-Ong ", "commune:quang-ninh/cua-ong"),
        ("city:cam-pha", "district:quang-ninh/cam-pha"),
        ("22", "province:quang-ninh"),
        ("06781", "commune:quang-ninh/cua-ong"),
        ("6781", "commune:quang-ninh/cua-ong"),
        ("phường Cửa Ông", "commune:quang-ninh/cua-ong"),
        ("Cửa Ông", "commune:quang-ninh/cua-ong"),
        ("cua ong", "commune:quang-ninh/cua-ong"),
        ("Cửa Ông, Quảng Ninh", "commune:quang-ninh/cua-ong"),
        ("Quảng Ninh", "province:quang-ninh"),
        ("xã Quảng Ninh", "commune:thanh-hoa/quang-ninh"),
        ("Quảng Ninh, Thanh Hóa", "commune:thanh-hoa/quang-ninh"),
        ("Thanh Hóa", "province:thanh-hoa"),
        ("Cẩm Phả", "commune:quang-ninh/cam-pha"),
        ("thành phố Cẩm Phả", "district:quang-ninh/cam-pha"),
        ("Quảng Bình", "province:quang-binh"),
        ("đặc khu Cô Tô", "commune:quang-ninh/co-to"),
    ],
)
def test_resolve(text: str, expected: str) -> None:
    assert resolve(TREE, text) == expected


def test_a_current_unit_wins_a_shared_code() -> None:
    assert resolve(TREE, "44") == "province:quang-tri"


def test_ambiguous_and_unknown_names_get_one_line_with_candidates() -> None:
    tree = TREE.with_scope(
        unit("commune:quang-tri/cua-ong", "province:quang-tri", "Xã Cửa Ông", "commune")
    )
    with pytest.raises(ScopeError) as info:
        resolve(tree, "Cửa Ông")
    message = str(info.value)
    assert "\n" not in message
    assert "ambiguous scope 'Cửa Ông'" in message
    assert "commune:quang-ninh/cua-ong (Phường Cửa Ông)" in message
    assert "commune:quang-tri/cua-ong (Xã Cửa Ông)" in message
    with pytest.raises(ScopeError, match=r"unknown scope 'cua ongg' \(nearest: commune:quang-ninh"):
        resolve(TREE, "cua ongg")
    with pytest.raises(ScopeError, match="no scope has the code '99'"):
        resolve(TREE, "99")
    with pytest.raises(ScopeError, match="empty scope"):
        resolve(TREE, " ")


def test_heritage_lists_lineage_then_predecessors_with_theirs() -> None:
    assert heritage(TREE, "commune:quang-ninh/cua-ong") == (
        "commune:quang-ninh/cua-ong",
        "province:quang-ninh",
        "national",
        "district:quang-ninh/cam-pha",
    )
    assert TREE.heritage("province:quang-tri") == (
        "province:quang-tri",
        "national",
        "province:quang-binh",
    )
    # Phường Đồng Hới succeeded Thành phố Đồng Hới, which lay in Quảng Bình.
    assert TREE.heritage("commune:quang-tri/dong-hoi") == (
        "commune:quang-tri/dong-hoi",
        "province:quang-tri",
        "national",
        "district:quang-binh/dong-hoi",
        "province:quang-binh",
    )
    assert TREE.heritage("national") == ("national",)
    assert TREE.heritage("dang-uy-khoi-qn") == (
        "dang-uy-khoi-qn",
        "province:quang-ninh",
        "national",
    )


def test_listing_includes_rows_stored_under_an_old_id() -> None:
    assert listed_scopes(TREE, "commune:quang-ninh/cua-ong")[-1] == "city:cam-pha"
    assert TREE.lineage("city:cam-pha") == (
        "district:quang-ninh/cam-pha",
        "province:quang-ninh",
        "national",
    )


def test_tree_refuses_unknown_parent_cycle_duplicate_and_unknown_successor() -> None:
    base = [Scope("national", None, "Toàn quốc", "")]
    with pytest.raises(ScopeError, match="unknown parent 'province:x'"):
        ScopeTree([*base, Scope("a", "province:x", "A", "")])
    with pytest.raises(ScopeError, match="its own ancestor"):
        ScopeTree([*base, Scope("a", "b", "A", ""), Scope("b", "a", "B", "")])
    with pytest.raises(ScopeError, match="defined twice"):
        ScopeTree([*base, Scope("a", "national", "A", ""), Scope("a", "national", "B", "")])
    with pytest.raises(ScopeError, match="unknown successor"):
        ScopeTree([*base, Scope("a", "national", "A", "", successors=("b",))])
    with pytest.raises(ScopeError, match="its own ancestor"):
        TREE.with_scope(Scope("province:quang-ninh", "dang-uy-khoi-qn", "Tỉnh Quảng Ninh", ""))


def test_user_ids_stay_out_of_the_registry_prefixes() -> None:
    assert is_user_id("dang-uy-khoi-qn")
    assert is_user_id("bloc:khoi-co-quan")
    for taken in ("national", "province:x", "commune:a/b", "district:a/b", "Khoi", "a b", ""):
        assert not is_user_id(taken), taken


def test_descendants_and_search() -> None:
    below = TREE.descendants("province:quang-ninh")
    assert "commune:quang-ninh/cua-ong" in below and "dang-uy-khoi-qn" in below
    assert "commune:thanh-hoa/quang-ninh" not in below
    assert [s.id for s in TREE.search("cua ong")] == ["commune:quang-ninh/cua-ong"]
    assert [s.id for s in TREE.search("Cửa Ông")] == ["commune:quang-ninh/cua-ong"]


@pytest.mark.parametrize(
    ("scope_id", "expected"),
    [
        ("province:quang-ninh", "của đất nước và của Tỉnh"),
        ("commune:quang-ninh/cua-ong", "của đất nước, của Tỉnh và của phường"),
        ("commune:thanh-hoa/quang-ninh", "của đất nước, của Tỉnh và của xã"),
        ("commune:quang-ninh/co-to", "của đất nước, của Tỉnh và của đặc khu"),
        ("district:quang-ninh/cam-pha", "của đất nước, của Tỉnh và Thành phố"),
        ("dang-uy-khoi-qn", "của đất nước, của Tỉnh và của Khối"),
    ],
)
def test_directive_levels_follow_the_unit_kind(scope_id: str, expected: str) -> None:
    kinds = [level_key(TREE[s]) for s in reversed(TREE.lineage(scope_id))]
    assert levels_phrase(kinds) == expected


def test_party_above_is_the_province_party_organisation() -> None:
    assert party_above(TREE, "commune:quang-ninh/cua-ong") == "Đảng bộ tỉnh Quảng Ninh"
    assert party_above(TREE, "dang-uy-khoi-qn") == "Đảng bộ tỉnh Quảng Ninh"
    assert party_above(TREE, "province:quang-ninh") == ""
    assert party_above(TREE, "nowhere") == ""
