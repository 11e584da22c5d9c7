"""Click parameter types for the inputs commands share: a month, a scope, a category, a
number in ASCII digits.

Each parses and checks its value once, where click reads it; a wrong value is a usage
error naming the option, with the message the shared parser builds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from calendar_svc.core.occurrences import parse_month
from calendar_svc.core.policy import require_category
from calendar_svc.errors import UnknownNameError

if TYPE_CHECKING:  # ParamType is generic in the click the project is checked with
    _ParamType = click.ParamType[Any, Any]
else:
    _ParamType = click.ParamType


def _check_ascii(
    kind: _ParamType, value: Any, param: click.Parameter | None, ctx: click.Context | None
) -> None:
    if isinstance(value, str) and not value.strip().isascii():
        kind.fail(f"{value!r} is not a whole number in ASCII digits", param, ctx)


class AsciiInt(click.types.IntParamType):
    """A whole number written in ASCII digits (``int()`` alone also reads ``٢٥`` or ``２５``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        _check_ascii(self, value, param, ctx)
        return super().convert(value, param, ctx)


#: The click type of a whole number in ASCII digits.
ASCII_INT = AsciiInt()


class AsciiIntRange(click.IntRange):
    """A whole number written in ASCII digits (``int()`` alone also reads ``٢٥`` or ``２５``),
    optionally within a range."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        _check_ascii(self, value, param, ctx)
        return super().convert(value, param, ctx)


class MonthType(_ParamType):
    """``YYYY-MM`` (or ``YYYY-M``) → ``(year, month)``."""

    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        try:
            return parse_month(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class CategoryType(_ParamType):
    """A category slug that exists."""

    name = "SLUG"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return require_category(str(value))
        except UnknownNameError as exc:
            self.fail(str(exc), param, ctx)


class ScopeType(_ParamType):
    """A scope id that the scope tree knows."""

    name = "SCOPE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from calendar_svc.cli import App

        app = ctx.find_object(App) if ctx is not None else None
        if app is not None:
            scopes = app.scopes
        else:  # converted outside a command (click allows it): the bundled tree
            from calendar_svc.catalog import load_scopes

            scopes = load_scopes()
        try:
            return scopes.require(str(value)).id
        except UnknownNameError as exc:
            self.fail(str(exc), param, ctx)


MONTH = MonthType()
CATEGORY = CategoryType()
SCOPE = ScopeType()
