"""Which months ``month`` lists: one month, ``next``, ``prev``, or a range.

``MONTHS`` is the click type of the argument: ``2023-02``, ``next`` (``sau``), ``prev``
(``truoc``/``trước``) or ``2023-02..2023-04``. Relative months are resolved against today in
the configured zone, in the command (:func:`resolve`), not when click reads the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from calendar_svc.core.occurrences import parse_month

if TYPE_CHECKING:  # ParamType is generic in the click the project is checked with
    _ParamType = click.ParamType[Any, Any]
else:
    _ParamType = click.ParamType

Month = tuple[int, int]

#: Words for the month after and before the current one.
RELATIVE: dict[str, int] = {"next": 1, "sau": 1, "prev": -1, "truoc": -1, "trước": -1}


@dataclass(frozen=True, slots=True)
class MonthSpan:
    """The months to list: ``first`` … ``last``, or ``offset`` months from today's."""

    first: Month | None = None
    last: Month | None = None
    offset: int = 0


def add_months(month: Month, n: int) -> Month:
    """Return the month ``n`` months after ``month`` (before, for negative ``n``)."""
    index = month[0] * 12 + month[1] - 1 + n
    return index // 12, index % 12 + 1


def months_between(first: Month, last: Month) -> list[Month]:
    """Return every month from ``first`` to ``last``, both included."""
    count = (last[0] * 12 + last[1]) - (first[0] * 12 + first[1])
    return [add_months(first, n) for n in range(count + 1)]


def resolve(span: MonthSpan, today: date) -> tuple[Month, Month]:
    """Return the first and last month of ``span``, relative ones counted from ``today``."""
    if span.first is not None and span.last is not None:
        return span.first, span.last
    month = add_months((today.year, today.month), span.offset)
    return month, month


class MonthsType(_ParamType):
    """``YYYY-MM``, ``next``, ``prev`` or ``YYYY-MM..YYYY-MM`` → :class:`MonthSpan`."""

    name = "MONTHS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, MonthSpan):
            return value
        text = str(value).strip()
        if text.lower() in RELATIVE:
            return MonthSpan(offset=RELATIVE[text.lower()])
        try:
            if ".." in text:
                first_text, last_text = text.split("..", 1)
                first, last = parse_month(first_text), parse_month(last_text)
                if last < first:
                    self.fail(
                        f"'{text}': tháng cuối trước tháng đầu / the last month is before the "
                        "first",
                        param,
                        ctx,
                    )
                return MonthSpan(first, last)
            month = parse_month(text)
        except ValueError as exc:
            self.fail(f"{exc}, next, prev or YYYY-MM..YYYY-MM", param, ctx)
        return MonthSpan(month, month)


MONTHS = MonthsType()
