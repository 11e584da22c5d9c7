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
from calendar_svc.core.labels import LANGS, label
from calendar_svc.core.model import SCOPE_RE, SLUG_RE

#: Days before the due date at which the directive digest goes out (issue 5: 10 and 3).
DEFAULT_DIRECTIVE_LEADS: tuple[int, ...] = (10, 3)
#: Days before a năm tròn or năm lẻ 5 anniversary at which its reminder goes out.
DEFAULT_EVENT_LEADS: tuple[int, ...] = (90, 30, 7)
#: The annual guide's reminder (issue 15): due on 1 December of the year before the
#: guide's year, sent 30 days before, i.e. on 1 November. Guides are drafted in November
#: and December (126-HD/BTGTW for 2024 is dated 19/12/2023).
DEFAULT_ANNUAL_DUE: tuple[int, int] = (12, 1)
DEFAULT_ANNUAL_LEADS: tuple[int, ...] = (30,)
#: Longest lead time accepted, in days.
MAX_LEAD_DAYS = 366
#: Longest "N days before the month" accepted.
MAX_DAYS_BEFORE = 60

#: A plain ASCII address: local@domain.tld, no spaces, no angle brackets, no control chars.
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$"
)
#: Longest name (of a subscriber or an organisation), in characters.
MAX_NAME_CHARS = 200
#: Longest e-mail address (RFC 5321's 256-octet path less its angle brackets).
MAX_EMAIL_CHARS = 254
#: C0 and C1 controls, DEL, and the line and paragraph separators.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class SubscribePolicy(StrEnum):
    """Whether people may subscribe themselves to an organisation's reminders (web form).

    ``closed`` (the default, and what organisations made before the form existed have):
    only its managers or the operator add subscribers. ``approval``: a confirmed address
    waits for a manager's approval. ``open``: a confirmed address is subscribed at once.
    """

    OPEN = "open"
    APPROVAL = "approval"
    CLOSED = "closed"


class SubscriberState(StrEnum):
    """Where a subscriber stands: receiving, or waiting for the organisation's approval.

    An address that asked to subscribe but has not confirmed yet is not a subscriber: the
    request lives in the store's subscription tokens until it is confirmed or expires.
    """

    ACTIVE = "active"
    AWAITING_APPROVAL = "awaiting_approval"


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
            return label("due.day_of_month", lang, n=self.n)
        return label("due.days_before", lang, n=self.n)


@dataclass(frozen=True, slots=True)
class AnnualRule:
    """When an organisation's annual guide is due, and how long before it the reminder goes.

    The guide of year Y is due on ``day``/``month`` of year Y-1 (default 01/12); the
    reminder, with the guide's .docx draft attached, goes out ``leads`` days before
    (default 30: on 1 November). 29 February is refused: the rule recurs every year.
    """

    month: int = DEFAULT_ANNUAL_DUE[0]
    day: int = DEFAULT_ANNUAL_DUE[1]
    leads: tuple[int, ...] = DEFAULT_ANNUAL_LEADS

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"annual due month {self.month} is out of range (1-12)")
        last = _calendar.monthrange(2001, self.month)[1]
        if not 1 <= self.day <= last:
            raise ValueError(
                f"annual due day {self.day} does not exist every year in month {self.month}"
            )
        if not self.leads:
            raise ValueError("an annual reminder needs at least one lead time")
        object.__setattr__(self, "leads", check_leads(self.leads, "annual"))

    @classmethod
    def parse(cls, text: str, leads: tuple[int, ...] = DEFAULT_ANNUAL_LEADS) -> AnnualRule:
        """Return the rule of a due day written ``MM-DD`` ("12-01").

        Raises:
            ValueError: the text is not ``MM-DD`` of a day that exists every year.
        """
        m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", text.strip(), re.ASCII)
        if m is None:
            raise ValueError(f"annual due day {text!r} is not MM-DD (e.g. 12-01)")
        return cls(int(m[1]), int(m[2]), leads)

    def iso(self) -> str:
        """Return the due day as ``MM-DD``."""
        return f"{self.month:02d}-{self.day:02d}"

    def due_date(self, guide_year: int) -> date:
        """Return the due date of the guide of ``guide_year`` (in the year before)."""
        return date(guide_year - 1, self.month, self.day)

    def label(self, lang: str = "vi") -> str:
        """Return the rule in words: 'ngày 01/12 năm trước' or '01/12 of the year before'."""
        day = f"{self.day:02d}/{self.month:02d}"
        return f"{day} of the year before" if lang == "en" else f"ngày {day} năm trước"


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
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(f"{what} is longer than {MAX_NAME_CHARS} characters")
    if _CONTROL_RE.search(value):
        raise ValueError(f"{what} contains a control character (such as a line break)")


@dataclass(frozen=True, slots=True)
class Organisation:
    """A department that issues a monthly directive for a scope.

    ``leads`` are the days before each due date at which its members get the digest,
    longest first; an empty tuple sends no digest. ``directive`` holds what the
    organisation overrides in its directive draft (see docs/directive.md). ``annual``,
    when set, sends its members the annual guide's reminder (None: no annual reminder).
    """

    id: str
    name: str
    scope: str
    due: DueRule = field(default_factory=DueRule)
    leads: tuple[int, ...] = DEFAULT_DIRECTIVE_LEADS
    directive: DirectiveSettings = field(default_factory=DirectiveSettings)
    annual: AnnualRule | None = None
    subscribe: SubscribePolicy = SubscribePolicy.CLOSED

    def __post_init__(self) -> None:
        object.__setattr__(self, "subscribe", SubscribePolicy(self.subscribe))
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
    organisation's scope) or names a scope directly (event reminders only). One waiting for
    its organisation's approval (``state``) is never ``active``. ``categories``
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
    #: How the subscriber stopped: "link" (a reminder's unsubscribe link) or "cli".
    unsubscribed_by: str | None = None
    state: SubscriberState = SubscriberState.ACTIVE

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", SubscriberState(self.state))
        if self.state is not SubscriberState.ACTIVE and self.active:
            raise ValueError(
                "a subscriber awaiting approval cannot be active yet (approve it first)"
            )
        object.__setattr__(self, "email", self.email.strip().lower())
        if len(self.email) > MAX_EMAIL_CHARS:
            raise ValueError(f"the address is longer than {MAX_EMAIL_CHARS} characters")
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
    ANNUAL = "annual"


@dataclass(frozen=True, slots=True, order=True)
class ReminderKey:
    """The identity of one reminder: the outbox's unique key.

    ``subject`` is the organisation id of a digest or an annual reminder, or the
    anniversary id of an event; ``occurrence`` is the first day of the digest's month, 1
    January of the annual guide's year, or the event's date; ``lead`` is the number of
    days before the due date or event; ``recipient`` the address.
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
        if self.kind is ReminderKind.ANNUAL and (self.occurrence.month, self.occurrence.day) != (
            1,
            1,
        ):
            raise ValueError("an annual reminder's occurrence is 1 January of the guide's year")

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
