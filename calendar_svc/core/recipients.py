"""Who is reminded of what: organisations, their directive due rules, subscribers.

Values only (frozen dataclasses validated in ``__post_init__``); the planner that turns
them into due reminders is :mod:`calendar_svc.core.schedule`.

References:
    ``reference/commemoration-rules.md`` ("The monthly directive"): no rule fixes when a
    directive is due; observed dates run from about 10 days before to 11 days after the
    month starts (Cẩm Phả 02/02 for February 2023), so each organisation declares its own
    rule: "day N of the month" (default day 2) or "N days before the month".
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from calendar_svc.core.directive_settings import DirectiveSettings
from calendar_svc.core.model import SCOPE_RE, SLUG_RE

#: Days before the due date at which the directive digest goes out (issue 5: 10 and 3).
DEFAULT_DIRECTIVE_LEADS: tuple[int, ...] = (10, 3)
#: Days before a năm tròn or năm lẻ 5 anniversary at which its reminder goes out.
DEFAULT_EVENT_LEADS: tuple[int, ...] = (90, 30, 7)
#: Longest lead time accepted, in days.
MAX_LEAD_DAYS = 366
#: Longest "N days before the month" accepted.
MAX_DAYS_BEFORE = 60
LANGS = ("vi", "en")

#: A plain ASCII address: local@domain.tld, no spaces, no angle brackets, no control chars.
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$"
)
#: C0 and C1 controls, DEL, and the line and paragraph separators.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class DueKind(StrEnum):
    """How an organisation's directive due date is fixed."""

    DAY_OF_MONTH = "day"
    DAYS_BEFORE = "before"


@dataclass(frozen=True, slots=True)
class DueRule:
    """When the directive for a month is due.

    ``DueRule(DueKind.DAY_OF_MONTH, 2)``: on the 2nd of the month it covers; a day past
    the month's end falls on its last day (day 31 in February is 28 or 29 February).
    ``DueRule(DueKind.DAYS_BEFORE, 5)``: 5 days before the month starts (24 February for
    March).
    """

    kind: DueKind = DueKind.DAY_OF_MONTH
    n: int = 2

    def __post_init__(self) -> None:
        if self.kind is DueKind.DAY_OF_MONTH and not 1 <= self.n <= 31:
            raise ValueError(f"day {self.n} of the month is out of range (1-31)")
        if self.kind is DueKind.DAYS_BEFORE and not 1 <= self.n <= MAX_DAYS_BEFORE:
            raise ValueError(
                f"{self.n} days before the month is out of range (1-{MAX_DAYS_BEFORE})"
            )

    def due_date(self, year: int, month: int) -> date:
        """Return the due date of the directive covering ``month`` of ``year``."""
        if self.kind is DueKind.DAY_OF_MONTH:
            return date(year, month, min(self.n, _calendar.monthrange(year, month)[1]))
        return date(year, month, 1) - timedelta(days=self.n)

    def label(self, lang: str = "vi") -> str:
        """Return the rule in words: 'ngày 2 của tháng' or '5 days before the month'."""
        if self.kind is DueKind.DAY_OF_MONTH:
            return f"day {self.n} of the month" if lang == "en" else f"ngày {self.n} của tháng"
        if lang == "en":
            return f"{self.n} days before the month"
        return f"{self.n} ngày trước tháng"


def check_leads(leads: tuple[int, ...], what: str) -> tuple[int, ...]:
    """Return lead times sorted from the longest; ValueError if one is out of range or repeated."""
    for lead in leads:
        if not 1 <= lead <= MAX_LEAD_DAYS:
            raise ValueError(f"{what} lead time {lead} is out of range (1-{MAX_LEAD_DAYS} days)")
    if len(set(leads)) != len(leads):
        raise ValueError(f"{what} lead times repeat a value: {leads}")
    return tuple(sorted(leads, reverse=True))


def check_text(value: str, what: str) -> None:
    """Raise ValueError if ``value`` is blank or holds control characters (header safety)."""
    if not value.strip():
        raise ValueError(f"{what} is empty")
    if _CONTROL_RE.search(value):
        raise ValueError(f"{what} contains a control character (such as a line break)")


@dataclass(frozen=True, slots=True)
class Organisation:
    """A department that issues a monthly directive for a scope.

    ``leads`` are the days before each due date at which its members get the digest,
    longest first; an empty tuple sends no digest. ``directive`` holds what the
    organisation overrides in its directive draft (see docs/directive.md).
    """

    id: str
    name: str
    scope: str
    due: DueRule = field(default_factory=DueRule)
    leads: tuple[int, ...] = DEFAULT_DIRECTIVE_LEADS
    directive: DirectiveSettings = field(default_factory=DirectiveSettings)

    def __post_init__(self) -> None:
        if not SLUG_RE.match(self.id):
            raise ValueError(f"organisation id {self.id!r} is not a slug (a-z, 0-9 and '-')")
        check_text(self.name, "name")
        if not SCOPE_RE.match(self.scope):
            raise ValueError(f"scope {self.scope!r} is not of the form 'national' or 'kind:slug'")
        object.__setattr__(self, "leads", check_leads(self.leads, "directive"))


@dataclass(frozen=True, slots=True)
class Subscriber:
    """Someone who receives reminders.

    A subscriber belongs to an organisation (and then gets its directive digests, for the
    organisation's scope) or names a scope directly (event reminders only). ``categories``
    narrows both kinds of reminder (empty: every category). ``leads`` are the days before
    a năm tròn or năm lẻ 5 anniversary at which an event reminder goes out (empty: none).
    The address is kept lower-case, so it is the subscriber's key.
    """

    email: str
    name: str
    organisation: str | None = None
    scope: str | None = None
    categories: tuple[str, ...] = ()
    lang: str = "vi"
    leads: tuple[int, ...] = DEFAULT_EVENT_LEADS
    active: bool = True
    unsubscribed_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", self.email.strip().lower())
        if not EMAIL_RE.match(self.email) or "." not in self.email.rsplit("@", 1)[1]:
            raise ValueError(f"{self.email!r} is not an e-mail address (ASCII, name@domain.tld)")
        check_text(self.name, "name")
        if (self.organisation is None) == (self.scope is None):
            raise ValueError("a subscriber needs either an organisation or a scope, not both")
        if self.organisation is not None and not SLUG_RE.match(self.organisation):
            raise ValueError(f"organisation id {self.organisation!r} is not a slug")
        if self.scope is not None and not SCOPE_RE.match(self.scope):
            raise ValueError(f"scope {self.scope!r} is not of the form 'national' or 'kind:slug'")
        for category in self.categories:
            if not SLUG_RE.match(category):
                raise ValueError(f"category {category!r} is not a slug")
        object.__setattr__(self, "categories", tuple(sorted(set(self.categories))))
        if self.lang not in LANGS:
            raise ValueError(f"language {self.lang!r} is not one of {', '.join(LANGS)}")
        object.__setattr__(self, "leads", check_leads(self.leads, "event"))


class ReminderKind(StrEnum):
    """What a reminder is about."""

    DIGEST = "digest"
    EVENT = "event"


@dataclass(frozen=True, slots=True, order=True)
class ReminderKey:
    """The identity of one reminder: the outbox's unique key.

    ``subject`` is the organisation id of a digest or the anniversary id of an event;
    ``occurrence`` is the first day of the digest's month or the event's date; ``lead`` is
    the number of days before the due date or event; ``recipient`` the address.
    """

    kind: ReminderKind
    subject: str
    occurrence: date
    lead: int
    recipient: str

    def __post_init__(self) -> None:
        if self.lead < 1:
            raise ValueError("a reminder's lead time is at least one day")
        if self.kind is ReminderKind.DIGEST and self.occurrence.day != 1:
            raise ValueError("a digest's occurrence is the first day of its month")

    def token(self) -> str:
        """Return the key as one stable string (the source of the Message-ID)."""
        return "|".join(
            (
                self.kind.value,
                self.subject,
                self.occurrence.isoformat(),
                str(self.lead),
                self.recipient,
            )
        )
