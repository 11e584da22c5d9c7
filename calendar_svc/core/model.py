"""Domain values: anniversaries, their origins and their occurrences.

Every value is a frozen dataclass validated in ``__post_init__``, so an object that
exists is valid. Nothing here does I/O or reads the clock.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

_Date = date  # the Occurrence.date field shadows the type inside that class

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SCOPE_RE = re.compile(r"^(?:[a-z]+:)?[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?$")


class Calendar(StrEnum):
    """Which calendar an origin date is written in."""

    SOLAR = "solar"
    LUNAR = "lunar"


class Precision(StrEnum):
    """How much of an origin date is known."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class RoundClass(StrEnum):
    """Round class of an anniversary count (Nghị định 145/2013/NĐ-CP, Điều 3 khoản 1)."""

    TRON = "nam-tron"
    LE_5 = "nam-le-5"
    KHAC = "nam-khac"


class DateForm(StrEnum):
    """How the directive cites the dates of an entry.

    ``range`` gives ``(03/02/1930 - 03/02/2023)``; ``day`` gives ``(27/02)``, the form the
    directives use for commemorative days such as Ngày Thầy thuốc Việt Nam.
    """

    RANGE = "range"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class Origin:
    """The origin of an anniversary.

    ``year`` is None for a recurring day whose first year is not counted (a lunar festival
    such as Tết, written ``--01-01``). ``month`` is None for a year-only origin and ``day``
    is None for a month-only one. For lunar origins, month and day are lunar and ``leap``
    marks a leap month (tháng nhuận).
    """

    year: int | None
    month: int | None = None
    day: int | None = None
    leap: bool = False
    calendar: Calendar = Calendar.SOLAR

    def __post_init__(self) -> None:
        if self.year is not None and not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day needs a month")
            if self.year is None:
                raise ValueError("an origin needs a year or a month and day")
        elif not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is out of range")
        if self.year is None and self.day is None:
            raise ValueError("a yearless origin needs a month and a day")
        if self.day is not None and self.month is not None:
            if self.calendar is Calendar.LUNAR:
                if not 1 <= self.day <= 30:
                    raise ValueError(f"lunar day {self.day} is out of range (1-30)")
            else:
                # Yearless solar days are checked against a leap year, so --02-29 is allowed.
                year = self.year if self.year is not None else 2000
                last = _calendar.monthrange(year, self.month)[1]
                if not 1 <= self.day <= last:
                    raise ValueError(f"day {self.day} does not exist in {self.month:02d}/{year}")
        if self.leap and self.calendar is not Calendar.LUNAR:
            raise ValueError("only a lunar month can be a leap month")

    @property
    def precision(self) -> Precision:
        """Return how much of the date is known."""
        if self.month is None:
            return Precision.YEAR
        if self.day is None:
            return Precision.MONTH
        return Precision.DAY

    @property
    def counted(self) -> bool:
        """Return whether occurrences carry a count (they do when the first year is known)."""
        return self.year is not None

    def iso(self) -> str:
        """Return the origin as written in the CSV: YYYY-MM-DD, YYYY-MM, YYYY or --MM-DD."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class Anniversary:
    """An anniversary as stored: identity, names, origin and where it applies."""

    id: str
    name_vi: str
    name_en: str
    origin: Origin
    category: str
    scope: str
    source: str
    valid_from: date | None = None
    valid_to: date | None = None
    date_form: DateForm = DateForm.RANGE
    duration_days: int = 1
    #: Scopes of the home province(s) of a leader (quê quán), where the birth anniversary
    #: is listed every year; see :class:`~calendar_svc.core.policy.CategoryPolicy`.
    home: tuple[str, ...] = ()
    #: Doubts about the date and conflicting sources, for the people who keep the data.
    note: str = ""
    #: When the stored row last changed (aware), None when not read from a store. Not
    #: part of the anniversary's value: two anniversaries that differ only here are equal.
    revised_at: datetime | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not SLUG_RE.match(self.id):
            raise ValueError(f"id {self.id!r} is not a slug (a-z, 0-9 and '-')")
        if not self.name_vi.strip():
            raise ValueError("name_vi is empty")
        if not SLUG_RE.match(self.category):
            raise ValueError(f"category {self.category!r} is not a slug")
        if not SCOPE_RE.match(self.scope):
            raise ValueError(f"scope {self.scope!r} is not of the form 'national' or 'kind:slug'")
        if self.duration_days < 1:
            raise ValueError("duration_days must be at least 1")
        for scope in self.home:
            if not SCOPE_RE.match(scope):
                raise ValueError(f"home scope {scope!r} is not of the form 'kind:slug'")
        if (
            self.valid_from is not None
            and self.valid_to is not None
            and self.valid_to < self.valid_from
        ):
            raise ValueError("valid_to is before valid_from")

    @property
    def calendar(self) -> Calendar:
        """Return the calendar the origin is written in."""
        return self.origin.calendar


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One yearly occurrence of an anniversary.

    ``date`` is the occurrence's (first) day: the day itself, the first of the month for a
    month-only origin, 1 January for a year-only origin. ``count`` is the
    number of years since the origin (None when the origin year is unknown) and
    ``round_class`` its class. ``estimated`` is True when a lunar date could not be
    converted with certainty.
    """

    anniversary: Anniversary
    date: date
    count: int | None
    round_class: RoundClass | None
    estimated: bool = False

    def __post_init__(self) -> None:
        if self.count is not None and self.count < 1:
            raise ValueError("an occurrence counts at least one year")
        if (self.count is None) != (self.round_class is None):
            raise ValueError("count and round_class go together")

    @property
    def precision(self) -> Precision:
        """Return the precision of the period, the origin's."""
        return self.anniversary.origin.precision

    @property
    def year(self) -> int:
        """Return the year of the occurrence."""
        return self.date.year

    @property
    def last_day(self) -> _Date:
        """Return the last day of the occurrence: the first plus ``duration_days - 1``.

        A month-only or year-only occurrence is one day (the first of its month or year)
        unless its anniversary gives a longer ``duration_days``: a calendar shows it on
        that day with its period in the title, never as a banner across the month or year.
        """
        return self.date + timedelta(days=self.anniversary.duration_days - 1)
