import pytest

from calendar_svc.core.model import RoundClass
from calendar_svc.core.policy import BASIS_111, BASIS_145, CATEGORIES, ListingRule, category_policy


def test_every_category_has_a_slug_key_and_names() -> None:
    for slug, policy in CATEGORIES.items():
        assert policy.slug == slug
        assert policy.name_vi and policy.name_en


def test_listing_rule_from_first_every_k() -> None:
    rule = ListingRule(first=100, every=5)
    assert [n for n in range(90, 131) if rule.lists(n)] == [100, 105, 110, 115, 120, 125, 130]
    assert rule.lists(None)


def test_listing_rule_validates() -> None:
    with pytest.raises(ValueError):
        ListingRule(first=0)


def test_scales_follow_the_decrees() -> None:
    major = category_policy("ngay-le-lon")
    assert major.basis == BASIS_145
    assert major.scale(RoundClass.TRON).vi == "Lễ kỷ niệm cấp quốc gia"  # type: ignore[union-attr]
    assert "Không tổ chức lễ cấp quốc gia" in major.scale(RoundClass.LE_5).vi  # type: ignore[union-attr]
    sector = category_policy("ngay-truyen-thong")
    assert sector.basis == BASIS_111
    assert "không tổ chức lễ kỷ niệm" in sector.scale(RoundClass.KHAC).vi  # type: ignore[union-attr]
    assert major.scale(None) is None


def test_festivals_are_not_commemorations() -> None:
    from calendar_svc.core.policy import commemorated

    assert not commemorated("le-hoi")
    assert commemorated("ngay-le-lon")  # Tết and Giỗ Tổ stay in the item
    assert commemorated("unknown-category")
