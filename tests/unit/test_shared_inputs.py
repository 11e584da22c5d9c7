"""Shared inputs parsed once: a month, a scope, a category, alike in the CLI and the web."""

from __future__ import annotations

import click
import pytest

from calendar_svc.catalog import load_scopes
from calendar_svc.commands.params import CATEGORY, MONTH, SCOPE
from calendar_svc.core.occurrences import parse_month
from calendar_svc.core.policy import CATEGORIES, require_category
from calendar_svc.errors import UnknownCategoryError, UnknownScopeError
from calendar_svc.web.http import BadRequest
from calendar_svc.web.queries import parse_month as web_parse_month

MONTHS = ["2023-02", "2023-2", " 2023-12 ", "0001-01", "9999-12"]
NOT_MONTHS = ["2023-13", "2023-0", "2023/02", "23-02", "2023-002", "0000-01", "", "feb"]


@pytest.mark.parametrize("text", MONTHS)
def test_cli_and_web_read_a_month_alike(text: str) -> None:
    expected = parse_month(text)
    assert MONTH.convert(text, None, None) == expected
    assert web_parse_month(text) == expected
    assert parse_month("2023-2") == (2023, 2)


@pytest.mark.parametrize("text", NOT_MONTHS)
def test_cli_and_web_refuse_a_non_month_alike(text: str) -> None:
    with pytest.raises(ValueError, match="is not a month") as core:
        parse_month(text)
    with pytest.raises(click.BadParameter) as cli:
        MONTH.convert(text, None, None)
    with pytest.raises(BadRequest) as web:
        web_parse_month(text)
    assert str(core.value) in cli.value.format_message()
    assert str(web.value) == str(core.value)


def test_scope_tree_require_resolves_and_names_the_nearest_scopes() -> None:
    scopes = load_scopes()
    assert scopes.require("city:cam-pha").id == "district:quang-ninh/cam-pha"
    assert scopes.require("phường Cửa Ông").id == "commune:quang-ninh/cua-ong"
    with pytest.raises(UnknownScopeError) as info:
        scopes.require("city:cam-phaa")
    assert str(info.value).startswith("phạm vi không có / unknown scope 'city:cam-phaa' (nearest: ")
    assert info.value.detail.startswith("unknown scope 'city:cam-phaa'")
    assert "\n" not in str(info.value)


def test_require_category_names_the_known_categories() -> None:
    assert require_category("le-hoi") == "le-hoi"
    with pytest.raises(UnknownCategoryError, match="loại không có / unknown category 'nope'"):
        require_category("nope")
    with pytest.raises(click.BadParameter, match=", ".join(CATEGORIES)):
        CATEGORY.convert("nope", None, None)


def test_scope_type_checks_against_the_tree() -> None:
    assert SCOPE.convert("national", None, None) == "national"
    with pytest.raises(click.BadParameter, match="unknown scope 'mars'"):
        SCOPE.convert("mars", None, None)
