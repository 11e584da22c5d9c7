"""The reminder plan: directive due dates, what is due, for whom and when. Pure.

Policies (each is tested in ``tests/unit/test_schedule.py``):

* **Send moment.** A reminder goes out on its day at ``send_time`` (08:00 by default) in
  the configured zone: the digest ``lead`` days before the directive's due date
  (:class:`~calendar_svc.core.recipients.DueRule`), an event reminder ``lead`` days before
  a năm tròn or năm lẻ 5 occurrence (Nghị định 145/2013, Điều 3 khoản 1).
* **Window.** :func:`plan` lists the reminders whose send moment lies in
  ``window_start`` … ``now`` (both inclusive). The caller chooses the window: from the
  last planning (so nothing missed during downtime is forgotten), and at least from the
  start of today.
* **Still useful or stale.** A reminder is useful until its deadline, the start (00:00)
  of the due date or the event's day. A due reminder whose deadline has passed at
  ``now`` is planned as skipped ("stale"), so downtime leaves a record, not a gap.
* **Annual guide.** An organisation with an annual rule
  (:class:`~calendar_svc.core.recipients.AnnualRule`) gets, for each member, the annual
  guide's reminder ``lead`` days before the guide's due date (default: 1 November for a
  1 December due date), useful until that date, like a digest.
* **Superseded.** When several lead times of the same digest or event are due at once
  (after downtime), only the shortest is sent; the longer ones are planned as skipped.
* **Who.** Active subscribers only. A subscriber of an organisation gets its digests and
  event reminders for the organisation's scope; one with a scope gets event reminders
  for it. A scope includes its parents (``city:cam-pha`` hears of national events).
  ``categories`` narrows both; empty means every category.
* **Digest content** (:func:`build_digest`): every occurrence of the month in scope
  (a year-only origin's on 1 January), the ready-to-paste directive line,
  and a look-ahead of the next 12 months' năm tròn and năm lẻ 5 occurrences ("hướng tới").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from calendar_svc.core import lunar
from calendar_svc.core.counting import directive_line, is_big
from calendar_svc.core.model import Occurrence
from calendar_svc.core.occurrences import month_range
from calendar_svc.core.recipients import (
    MAX_DAYS_BEFORE,
    MAX_LEAD_DAYS,
    Organisation,
    ReminderKey,
    ReminderKind,
    Subscriber,
)
from calendar_svc.errors import LunarDateError

#: Months after the digest's month that its look-ahead covers.
LOOKAHEAD_MONTHS = 12
#: Reason recorded for a reminder planned too late to be of use.
STALE = "stale: its due date or event had passed"

Lineage = Callable[[str], Sequence[str]]


class PlanStatus(StrEnum):
    """What becomes of a planned reminder."""

    PENDING = "pending"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class SendPolicy:
    """When on its day a reminder goes out: ``send_time`` in zone ``tz``."""

    tz: tzinfo
    send_time: time = time(8, 0)

    def send_at(self, day: date) -> datetime:
        """Return the aware moment a reminder of ``day`` goes out."""
        return datetime.combine(day, self.send_time, tzinfo=self.tz)

    def day_start(self, day: date) -> datetime:
        """Return 00:00 of ``day`` in the zone: the deadline of a reminder for that day."""
        return datetime.combine(day, time(0), tzinfo=self.tz)

    def local_day(self, moment: datetime) -> date:
        """Return the local date of an aware moment."""
        return moment.astimezone(self.tz).date()


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One reminder the plan lists: its key, when it goes out, until when it is useful."""

    key: ReminderKey
    send_at: datetime
    deadline: datetime
    status: PlanStatus = PlanStatus.PENDING
    reason: str = ""

    def __post_init__(self) -> None:
        if self.send_at.tzinfo is None or self.deadline.tzinfo is None:
            raise ValueError("send_at and deadline must be aware datetimes")
        if self.status is PlanStatus.SKIPPED and not self.reason:
            raise ValueError("a skipped reminder states why")


def _check_aware(**moments: datetime) -> None:
    for name, moment in moments.items():
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime, not {moment!r}")


def subscriber_scope(sub: Subscriber, orgs: Mapping[str, Organisation]) -> str | None:
    """Return the scope a subscriber hears about (None if its organisation is unknown)."""
    if sub.organisation is None:
        return sub.scope
    org = orgs.get(sub.organisation)
    return None if org is None else org.scope


def in_audience(occ: Occurrence, lineage: Iterable[str], categories: Sequence[str]) -> bool:
    """Return whether an occurrence concerns a scope lineage and a category filter."""
    ann = occ.anniversary
    return ann.scope in lineage and (not categories or ann.category in categories)


def _months(first: date, last: date) -> Iterable[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def window_start(planned_until: datetime | None, now: datetime, policy: SendPolicy) -> datetime:
    """Return where planning at ``now`` starts.

    From the moment planning last reached (so reminders missed while the service was down
    are caught up, sent or recorded as stale), but never later than the start of today,
    and never more than :data:`MAX_LEAD_DAYS` back (older reminders are stale anyway).
    A first planning starts at the start of today: nothing older is sent to a new user.
    """
    _check_aware(now=now)
    today = policy.day_start(policy.local_day(now))
    if planned_until is None:
        return today
    _check_aware(planned_until=planned_until)
    return max(today - timedelta(days=MAX_LEAD_DAYS), min(planned_until, today))


def event_range(
    subscribers: Iterable[Subscriber], window_start: datetime, now: datetime, policy: SendPolicy
) -> tuple[date, date] | None:
    """Return the occurrence dates :func:`plan` needs for event reminders (None: none).

    An event reminder sent in the window is for an occurrence between the window's first
    day plus the shortest lead and its last day plus the longest lead.
    """
    leads = [lead for sub in subscribers if sub.active for lead in sub.leads]
    if not leads:
        return None
    first = policy.local_day(window_start) + timedelta(days=min(leads))
    last = policy.local_day(now) + timedelta(days=max(leads))
    return first, last


def _digest_reminders(
    orgs: Mapping[str, Organisation],
    members: Mapping[str, list[Subscriber]],
    window_start: datetime,
    now: datetime,
    policy: SendPolicy,
) -> Iterable[PlannedReminder]:
    first_day = policy.local_day(window_start)
    for org in orgs.values():
        recipients = members.get(org.id, [])
        if not org.leads or not recipients:
            continue
        horizon = policy.local_day(now) + timedelta(days=max(org.leads) + MAX_DAYS_BEFORE + 31)
        for year, month in _months(first_day, horizon):
            due = org.due.due_date(year, month)
            deadline = policy.day_start(due)
            for lead in org.leads:
                send_at = policy.send_at(due - timedelta(days=lead))
                if not window_start <= send_at <= now:
                    continue
                for sub in recipients:
                    key = ReminderKey(
                        ReminderKind.DIGEST, org.id, date(year, month, 1), lead, sub.email
                    )
                    yield PlannedReminder(key, send_at, deadline)


def _annual_reminders(
    orgs: Mapping[str, Organisation],
    members: Mapping[str, list[Subscriber]],
    window_start: datetime,
    now: datetime,
    policy: SendPolicy,
) -> Iterable[PlannedReminder]:
    """Annual guide reminders: ``lead`` days before the guide's due date, to every member."""
    first_year = policy.local_day(window_start).year + 1
    last_year = policy.local_day(now).year + 2  # a due date up to MAX_LEAD_DAYS ahead
    for org in orgs.values():
        recipients = members.get(org.id, [])
        if org.annual is None or not recipients:
            continue
        for guide_year in range(first_year, last_year + 1):
            due = org.annual.due_date(guide_year)
            deadline = policy.day_start(due)
            for lead in org.annual.leads:
                send_at = policy.send_at(due - timedelta(days=lead))
                if not window_start <= send_at <= now:
                    continue
                for sub in recipients:
                    key = ReminderKey(
                        ReminderKind.ANNUAL, org.id, date(guide_year, 1, 1), lead, sub.email
                    )
                    yield PlannedReminder(key, send_at, deadline)


def _event_reminders(
    occurrences: Sequence[Occurrence],
    groups: Mapping[tuple[str, tuple[str, ...], tuple[int, ...]], list[Subscriber]],
    lineage: Lineage,
    window_start: datetime,
    now: datetime,
    policy: SendPolicy,
) -> Iterable[PlannedReminder]:
    big = [occ for occ in occurrences if is_big(occ.round_class)]
    for (scope, categories, leads), subs in groups.items():
        scopes = set(lineage(scope))
        for occ in big:
            if not in_audience(occ, scopes, categories):
                continue
            deadline = policy.day_start(occ.date)
            for lead in leads:
                send_at = policy.send_at(occ.date - timedelta(days=lead))
                if not window_start <= send_at <= now:
                    continue
                for sub in subs:
                    key = ReminderKey(
                        ReminderKind.EVENT, occ.anniversary.id, occ.date, lead, sub.email
                    )
                    yield PlannedReminder(key, send_at, deadline)


def _settle(found: Iterable[PlannedReminder], now: datetime) -> list[PlannedReminder]:
    """Mark stale and superseded reminders skipped; return them sorted by time, then key."""
    shortest: dict[tuple[ReminderKind, str, date, str], int] = {}
    items = list(found)
    for item in items:
        k = item.key
        group = (k.kind, k.subject, k.occurrence, k.recipient)
        shortest[group] = min(shortest.get(group, k.lead), k.lead)
    settled: list[PlannedReminder] = []
    for item in items:
        k = item.key
        best = shortest[(k.kind, k.subject, k.occurrence, k.recipient)]
        if now >= item.deadline:
            item = PlannedReminder(k, item.send_at, item.deadline, PlanStatus.SKIPPED, STALE)
        elif k.lead != best:
            reason = f"superseded by the {best}-day reminder"
            item = PlannedReminder(k, item.send_at, item.deadline, PlanStatus.SKIPPED, reason)
        settled.append(item)
    settled.sort(key=lambda r: (r.send_at, r.key))
    return settled


def plan(
    *,
    organisations: Iterable[Organisation],
    subscribers: Iterable[Subscriber],
    occurrences: Sequence[Occurrence],
    lineage: Lineage,
    window_start: datetime,
    now: datetime,
    policy: SendPolicy,
) -> list[PlannedReminder]:
    """Return every reminder whose send moment lies in ``window_start`` … ``now``.

    Args:
        organisations: every organisation (subscribers name theirs by id).
        subscribers: every subscriber; inactive ones are ignored, as are those whose
            organisation is unknown.
        occurrences: listed occurrences covering at least :func:`event_range`.
        lineage: a scope's lineage, itself first (``ScopeTree.lineage``).
        window_start: the earliest send moment to plan (aware).
        now: the moment of planning (aware); nothing later is planned.
        policy: the zone and time of day reminders go out.

    Returns:
        Planned reminders sorted by send moment, then key; stale and superseded ones are
        :attr:`PlanStatus.SKIPPED` with the reason.
    """
    _check_aware(window_start=window_start, now=now)
    if now < window_start:
        return []
    orgs = {org.id: org for org in organisations}
    members: dict[str, list[Subscriber]] = {}
    groups: dict[tuple[str, tuple[str, ...], tuple[int, ...]], list[Subscriber]] = {}
    for sub in subscribers:
        scope = subscriber_scope(sub, orgs)
        if not sub.active or scope is None:
            continue
        if sub.organisation is not None:
            members.setdefault(sub.organisation, []).append(sub)
        if sub.leads:
            groups.setdefault((scope, sub.categories, sub.leads), []).append(sub)
    found = [
        *_digest_reminders(orgs, members, window_start, now, policy),
        *_annual_reminders(orgs, members, window_start, now, policy),
        *_event_reminders(occurrences, groups, lineage, window_start, now, policy),
    ]
    return _settle(found, now)


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One occurrence of a digest with its lunar date in both languages ('' if unknown)."""

    occurrence: Occurrence
    lunar_vi: str
    lunar_en: str


@dataclass(frozen=True, slots=True)
class Digest:
    """The directive digest of an organisation for one month."""

    organisation: Organisation
    year: int
    month: int
    due: date
    entries: tuple[DigestEntry, ...]
    line_vi: str
    line_en: str
    lookahead: tuple[DigestEntry, ...]

    @property
    def month_label(self) -> str:
        """Return the month as the directives write it: 03/2023."""
        return f"{self.month:02d}/{self.year:04d}"


def digest_ranges(year: int, month: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """Return the month's first and last day, and the look-ahead's (the next 12 months)."""
    start, end = month_range(year, month)
    ahead_first = _add_months(year, month, 1)
    ahead_last = _add_months(year, month, LOOKAHEAD_MONTHS)
    return (start, end), (month_range(*ahead_first)[0], month_range(*ahead_last)[1])


def entry_of(occ: Occurrence) -> DigestEntry:
    """Return a digest entry: the occurrence and its lunar date (day precision only)."""
    if occ.anniversary.origin.day is None:
        return DigestEntry(occ, "", "")
    try:
        ld = lunar.to_lunar(occ.date)
    except LunarDateError:
        return DigestEntry(occ, "", "")
    return DigestEntry(occ, ld.label(), ld.label_en())


def build_digest(
    org: Organisation,
    year: int,
    month: int,
    occurrences: Sequence[Occurrence],
    *,
    lineage: Sequence[str],
    categories: Sequence[str] = (),
) -> Digest:
    """Return the digest of ``org`` for ``month`` of ``year``.

    Args:
        org: the organisation whose directive it prepares.
        year: the directive's year.
        month: the directive's month.
        occurrences: listed occurrences covering at least both ranges of
            :func:`digest_ranges`, in date order; others are ignored.
        lineage: the organisation's scope and its parents.
        categories: only these categories (empty: all).
    """
    (start, end), (ahead_start, ahead_end) = digest_ranges(year, month)
    scopes = set(lineage)
    mine = [occ for occ in occurrences if in_audience(occ, scopes, categories)]
    this_month = [occ for occ in mine if start <= occ.date and occ.last_day <= end]
    ahead = [
        occ for occ in mine if ahead_start <= occ.date <= ahead_end and is_big(occ.round_class)
    ]
    return Digest(
        organisation=org,
        year=year,
        month=month,
        due=org.due.due_date(year, month),
        entries=tuple(entry_of(occ) for occ in this_month),
        line_vi=directive_line(this_month, "vi"),
        line_en=directive_line(this_month, "en"),
        lookahead=tuple(entry_of(occ) for occ in ahead),
    )
