"""The reminder service: plan the due reminders into the outbox, then dispatch them.

:func:`plan_reminders` is the planning half of every tick. Its window runs from where
planning last reached (kept in the database) to ``now``, so a service that was down for
three days catches up: reminders still useful are queued, stale ones recorded as skipped
(:mod:`calendar_svc.core.schedule`).

:class:`Reminders` is what ``remind run-once``, ``worker`` and ``serve`` (through
:mod:`calendar_svc.scheduler`) share: it turns the settings, the store and the scope tree
into a planner, a composer and a dispatcher (one *tick*). Only entrypoints hand it a clock.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from email.utils import parseaddr
from time import monotonic
from typing import TYPE_CHECKING

from calendar_svc.config import Settings
from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.recipients import ReminderKey, ReminderKind
from calendar_svc.core.schedule import SendPolicy, event_range, plan, window_start
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.errors import CalendarSvcError
from calendar_svc.links import mail_base_url
from calendar_svc.mail.content import Composer, MailSettings, Outgoing
from calendar_svc.mail.message import domain_of, message_id_for
from calendar_svc.mail.outbox import Dispatcher
from calendar_svc.mail.send import SmtpSettings
from calendar_svc.mail.settler import Clock, DispatchReport
from calendar_svc.services.annual import draft_annual
from calendar_svc.services.directive import draft_directive
from calendar_svc.store.errors import StoredRowError
from calendar_svc.store.memory import MemoryReader
from calendar_svc.store.schema import PLANNED_UNTIL_KEY, REHEARSAL_PLANNED_UNTIL_KEY

if TYPE_CHECKING:
    from calendar_svc.store.store import Store

log = logging.getLogger(__name__)


def skip_unreadable(exc: StoredRowError) -> None:
    """Log a subscriber row that cannot be read; it gets no reminder until it is fixed."""
    log.error("%s (no reminders for it until the row is fixed)", exc)


@dataclass(frozen=True, slots=True)
class PlanReport:
    """What planning did: its window and the rows it added."""

    window_start: datetime
    now: datetime
    planned: int
    inserted: int
    skipped: int
    superseded: int


def plan_reminders(
    store: Store,
    scopes: ScopeTree,
    *,
    policy: SendPolicy,
    message_domain: str,
    now: datetime,
    rehearsal: bool = False,
) -> PlanReport:
    """Plan every reminder due by ``now`` and insert the new ones into the outbox.

    Planning catches up from where the last planning on the same kind of clock reached:
    the real clock (``serve``, ``worker``, ``remind run-once``) or a stated one
    (``remind run-once --now``, a rehearsal). A rehearsal dated in the past therefore never
    makes the service send a year of backlog: the service's first planning covers today.

    Args:
        store: the anniversaries, organisations, subscribers and the outbox.
        scopes: the scope tree (a scope includes its parents).
        policy: when reminders go out.
        message_domain: right-hand side of the Message-IDs.
        now: the moment of planning (aware).
        rehearsal: planning on a stated clock (``--now``), with its own catch-up mark.
    """
    outbox, people = store.outbox, store.organisations
    mark = REHEARSAL_PLANNED_UNTIL_KEY if rehearsal else PLANNED_UNTIL_KEY
    start = window_start(outbox.planned_until(mark), now, policy)
    organisations = people.organisations()
    subscribers = people.subscribers(active_only=True, on_invalid=skip_unreadable)
    span = event_range(subscribers, start, now, policy)
    found = occurrences(store.anniversaries.anniversaries(), *span) if span is not None else []

    def lineage(scope: str) -> Sequence[str]:
        return scopes.lineage(scope) if scope in scopes else (scope,)

    planned = plan(
        organisations=organisations,
        subscribers=subscribers,
        occurrences=found,
        lineage=lineage,
        window_start=start,
        now=now,
        policy=policy,
    )
    result = outbox.enqueue(
        planned, message_id=lambda key: message_id_for(key, message_domain), now=now, mark=mark
    )
    return PlanReport(
        window_start=start,
        now=now,
        planned=result.planned,
        inserted=result.inserted,
        skipped=result.skipped,
        superseded=result.superseded,
    )


class PreviewError(CalendarSvcError):
    """A preview cannot be made for that subscriber."""


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one tick did."""

    plan: PlanReport
    dispatch: DispatchReport


def shifted_clock(start: datetime) -> Clock:
    """Return a clock that starts at ``start`` and runs at the real pace (for ``--now``)."""
    origin = monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=monotonic() - origin)

    return clock


def smtp_settings(settings: Settings) -> SmtpSettings:
    """Return the SMTP settings of the configuration."""
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        tls=settings.smtp_tls,
        timeout=float(settings.smtp_timeout),
        concurrency=settings.smtp_concurrency,
    )


class Reminders:
    """Plan and send reminders for one database and configuration."""

    def __init__(
        self, settings: Settings, store: Store, scopes: ScopeTree, *, rehearsal: bool = False
    ) -> None:
        self.settings = settings
        self.rehearsal = rehearsal
        self.store = store
        self.scopes = scopes
        self.outbox = store.outbox
        self.people = store.organisations
        self.policy: SendPolicy = SendPolicy(settings.timezone, settings.reminders_send_time)
        self.message_domain = domain_of(parseaddr(settings.smtp_from)[1] or settings.smtp_from)

    def plan(self, now: datetime) -> PlanReport:
        """Plan reminders due by ``now`` into the outbox."""
        return plan_reminders(
            self.store,
            self.scopes,
            policy=self.policy,
            message_domain=self.message_domain,
            now=now,
            rehearsal=self.rehearsal,
        )

    def mail_settings(self) -> MailSettings:
        """Return the message settings, with the unsubscribe secret (generated once if unset)."""
        s = self.settings
        return MailSettings.from_values(
            smtp_from=s.smtp_from,
            base_url=s.web_base_url or f"http://{s.web_host}:{s.web_port}",
            unsubscribe_mailto=s.reminders_unsubscribe_mailto,
            tz=self.policy.tz,
            secret=self.outbox.secret(s.reminders_secret),
            uid_domain=self.store.meta.uid_domain(s.web_base_url),
        )

    def composer(self) -> Composer:
        """Return a composer over the data as it is now."""
        anniversaries = self.store.anniversaries.anniversaries()
        revision = self.store.anniversaries.revision()
        reader = MemoryReader(anniversaries, revision)
        return Composer(
            self.mail_settings(),
            anniversaries=anniversaries,
            revision=revision,
            scopes=self.scopes,
            organisations={org.id: org for org in self.people.organisations()},
            draft=functools.partial(draft_directive, reader, self.scopes),
            annual=functools.partial(draft_annual, reader, self.scopes),
        )

    def dispatcher(
        self,
        clock: Clock,
        *,
        progress: Callable[[int], None] | None = None,
        stop: asyncio.Event | None = None,
    ) -> Dispatcher:
        """Return a dispatcher of the outbox."""
        return Dispatcher(
            self.outbox,
            composer=self.composer,
            subscribers=functools.partial(
                self.people.subscribers_by_email, on_invalid=skip_unreadable
            ),
            smtp=smtp_settings(self.settings),
            max_attempts=self.settings.reminders_max_attempts,
            clock=clock,
            progress=progress,
            stop=stop,
        )

    async def tick(
        self,
        clock: Clock,
        *,
        progress_for: Callable[[int], Callable[[int], None] | None] | None = None,
        stop: asyncio.Event | None = None,
    ) -> TickReport:
        """Plan as of ``clock()`` and dispatch everything due.

        Args:
            clock: the moment now (the real clock, or a shifted one for ``--now``).
            progress_for: given the number of due rows after planning, returns a callback
                that receives the number of rows settled as they are (or None).
            stop: once set, the dispatch takes no new message and ends after the ones in
                flight (a graceful shutdown).
        """
        mail_base_url(self.settings.web_base_url)  # no mail with links that cannot work
        planned = await asyncio.to_thread(self.plan, clock())
        progress = None
        if progress_for is not None:
            progress = progress_for(await asyncio.to_thread(self.outbox.due_count, clock()))
        sent = await self.dispatcher(clock, progress=progress, stop=stop).run()
        return TickReport(planned, sent)

    def preview(self, email: str, year: int, month: int, *, lead: int | None = None) -> bytes:
        """Return the digest for ``month`` exactly as ``email`` would receive it.

        The message is the one sent ``lead`` days (default: the organisation's longest
        lead) before the due date, dated at that moment, with its real Message-ID.

        Raises:
            NotFoundError: no such subscriber or organisation.
            PreviewError: the subscriber belongs to no organisation.
        """
        sub = self.people.get_subscriber(email)
        if sub.organisation is None:
            raise PreviewError(
                f"người nhận '{sub.email}' không thuộc tổ chức nào / subscriber '{sub.email}' "
                "belongs to no organisation: digests go to organisation members"
            )
        org = self.people.get_organisation(sub.organisation)
        lead = lead or (org.leads[0] if org.leads else 10)
        key = ReminderKey(ReminderKind.DIGEST, org.id, date(year, month, 1), lead, sub.email)
        sent_on = org.due.due_date(year, month) - timedelta(days=lead)
        composer = self.composer()
        preview_sub = sub if sub.active else replace(sub, active=True, unsubscribed_at=None)
        out = composer.compose(
            0,
            key,
            message_id_for(key, self.message_domain),
            preview_sub,
            self.policy.send_at(sent_on),
        )
        if not isinstance(out, Outgoing):
            raise PreviewError(f"không xem trước được / cannot preview: {out}")
        return out.data

    def preview_event(
        self, email: str, anniversary_id: str, today: date, *, lead: int | None = None
    ) -> bytes:
        """Return the reminder of anniversary ``anniversary_id``'s next năm tròn or năm lẻ 5
        occurrence after ``today``, exactly as ``email`` would receive it.

        The message is the one sent ``lead`` days (default: the subscriber's longest lead,
        else 7) before the occurrence, dated at that moment, with its real Message-ID.

        Raises:
            NotFoundError: no such subscriber or anniversary.
            PreviewError: no năm tròn or năm lẻ 5 occurrence within 100 years.
        """
        from calendar_svc.core.counting import is_big

        sub = self.people.get_subscriber(email)
        ann = self.store.anniversaries.get(anniversary_id)
        lead = lead or (max(sub.leads) if sub.leads else 7)
        start = today + timedelta(days=1)
        found = occurrences([ann], start, date(min(start.year + 100, 9999), 12, 31))
        occ = next((o for o in found if is_big(o.round_class)), None)
        if occ is None:
            raise PreviewError(
                f"'{ann.id}' không có năm tròn, năm lẻ 5 sắp tới / has no round or half-round "
                "anniversary ahead, so no event reminder"
            )
        key = ReminderKey(ReminderKind.EVENT, ann.id, occ.date, lead, sub.email)
        preview_sub = sub if sub.active else replace(sub, active=True, unsubscribed_at=None)
        out = self.composer().compose(
            0,
            key,
            message_id_for(key, self.message_domain),
            preview_sub,
            self.policy.send_at(occ.date - timedelta(days=lead)),
        )
        if not isinstance(out, Outgoing):
            raise PreviewError(f"không xem trước được / cannot preview: {out}")
        return out.data
