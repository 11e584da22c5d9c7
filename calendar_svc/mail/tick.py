"""The reminder service of one process: plan, then dispatch (one *tick*).

This is the composition root that ``remind run-once``, ``worker`` and ``serve`` (through
:mod:`calendar_svc.scheduler`) share: it turns the settings, the store and the scope tree
into a planner, a composer and a dispatcher. Only entrypoints hand it a clock.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from email.utils import parseaddr

from calendar_svc.config import Settings
from calendar_svc.core.reminders import ReminderKey, ReminderKind
from calendar_svc.core.schedule import SendPolicy
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.errors import CalendarSvcError
from calendar_svc.links import mail_base_url
from calendar_svc.mail.content import Composer, MailSettings, Outgoing
from calendar_svc.mail.message import domain_of, message_id_for
from calendar_svc.mail.outbox import Dispatcher
from calendar_svc.mail.send import SmtpSettings
from calendar_svc.mail.settler import Clock, DispatchReport
from calendar_svc.services.reminders import (
    PlanReport,
    plan_reminders,
    send_policy,
    skip_unreadable,
)
from calendar_svc.store.organisations import OrganisationRepo
from calendar_svc.store.outbox import OutboxRepo
from calendar_svc.store.sqlalchemy_store import SqlAlchemyStore


class PreviewError(CalendarSvcError):
    """A preview cannot be made for that subscriber."""


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one tick did."""

    plan: PlanReport
    dispatch: DispatchReport


def shifted_clock(start: datetime) -> Clock:
    """Return a clock that starts at ``start`` and runs at the real pace (for ``--now``)."""
    origin = time.monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - origin)

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

    def __init__(self, settings: Settings, store: SqlAlchemyStore, scopes: ScopeTree) -> None:
        self.settings = settings
        self.store = store
        self.scopes = scopes
        self.outbox = OutboxRepo(store.engine)
        self.people = OrganisationRepo(store.engine)
        self.policy: SendPolicy = send_policy(settings.timezone, settings.reminders_send_time)
        self.message_domain = domain_of(parseaddr(settings.smtp_from)[1] or settings.smtp_from)

    def plan(self, now: datetime) -> PlanReport:
        """Plan reminders due by ``now`` into the outbox."""
        return plan_reminders(
            self.store,
            self.store.engine,
            self.scopes,
            policy=self.policy,
            message_domain=self.message_domain,
            now=now,
        )

    def mail_settings(self) -> MailSettings:
        """Return the message settings, with the unsubscribe secret (generated once if unset)."""
        from calendar_svc.store.installation import uid_domain

        s = self.settings
        return MailSettings.from_values(
            smtp_from=s.smtp_from,
            base_url=s.web_base_url or f"http://{s.web_host}:{s.web_port}",
            uid_domain=uid_domain(self.store, s.web_base_url),
            unsubscribe_mailto=s.reminders_unsubscribe_mailto,
            tz=self.policy.tz,
            secret=self.outbox.secret(s.reminders_secret),
        )

    def composer(self) -> Composer:
        """Return a composer over the data as it is now."""
        return Composer(
            self.mail_settings(),
            anniversaries=self.store.anniversaries(),
            revision=self.store.revision(),
            scopes=self.scopes,
            organisations={org.id: org for org in self.people.organisations()},
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
