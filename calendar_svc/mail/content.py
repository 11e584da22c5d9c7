"""Turn outbox rows into messages: the digest or event, the context, the bytes.

A :class:`Composer` is built once per dispatch pass from the store's data and caches what
recipients share (occurrences, digests, rendered calendars, shared template contexts);
per recipient it only renders the templates and writes the message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from calendar_svc.core.model import Anniversary, Occurrence
from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.recipients import Organisation, ReminderKey, ReminderKind, Subscriber
from calendar_svc.core.schedule import Digest, build_digest, digest_ranges
from calendar_svc.core.scopes import ScopeTree
from calendar_svc.feeds import render_calendar
from calendar_svc.mail.message import Attachment, Envelope, build_message
from calendar_svc.mail.render import Prototype, digest_context, event_context, prototype
from calendar_svc.mail.tokens import make_token

if TYPE_CHECKING:
    from calendar_svc.directive.annual import AnnualDraft
    from calendar_svc.directive.draft import Draft
    from calendar_svc.directive.profile import DirectiveProfile

#: Drafts a directive: (profile, year, month, date issued) → the draft.
DraftMaker = Callable[["DirectiveProfile", int, int, date], "Draft"]
#: Drafts the annual guide: (profile, year, date issued) → the guide.
AnnualMaker = Callable[["DirectiveProfile", int, date], "AnnualDraft"]

DEFAULT_SENDER_NAME = "Lịch kỷ niệm"

#: MIME type of the directive's Word draft.
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True, slots=True)
class MailSettings:
    """What every message shares: sender, links, zone, signing secret."""

    from_name: str
    from_addr: str
    base_url: str
    unsubscribe_addr: str
    tz: tzinfo
    secret: str
    uid_domain: str

    @classmethod
    def from_values(
        cls,
        *,
        smtp_from: str,
        base_url: str,
        unsubscribe_mailto: str,
        tz: tzinfo,
        secret: str,
        uid_domain: str,
    ) -> MailSettings:
        """Build from configuration values (``smtp.from`` may be ``Name <addr>``).

        ``uid_domain`` is the installation's (the UIDs of attached events match the feeds').
        """
        name, addr = parseaddr(smtp_from)
        addr = addr or smtp_from
        return cls(
            from_name=name or DEFAULT_SENDER_NAME,
            from_addr=addr,
            base_url=base_url.rstrip("/"),
            unsubscribe_addr=parseaddr(unsubscribe_mailto)[1] or addr,
            tz=tz,
            secret=secret,
            uid_domain=uid_domain,
        )

    def unsubscribe_url(self, token: str) -> str:
        """Return the one-click unsubscribe URL of a token."""
        return f"{self.base_url}/unsubscribe?t={token}"

    def unsubscribe_mailto(self, token: str) -> str:
        """Return the mailto: unsubscribe URI of a token."""
        return f"mailto:{self.unsubscribe_addr}?subject=unsubscribe%20{token}"

    def month_url(self, year: int, month: int, scope: str | None) -> str:
        """Return the web page of a month, for a scope."""
        query = f"?scope={quote(scope, safe='')}" if scope else ""
        return f"{self.base_url}/month/{year:04d}-{month:02d}{query}"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready for SMTP."""

    row_id: int
    message_id: str
    sender: str
    recipient: str
    data: bytes


class Composer:
    """Build reminder messages from the data of one moment (a dispatch pass)."""

    def __init__(
        self,
        mail: MailSettings,
        *,
        anniversaries: Sequence[Anniversary],
        revision: datetime,
        scopes: ScopeTree,
        organisations: Mapping[str, Organisation],
        draft: DraftMaker,
        annual: AnnualMaker | None = None,
    ) -> None:
        self.mail = mail
        self._draft = draft
        self._annual_maker = annual
        self._anns = list(anniversaries)
        self._by_id = {ann.id: ann for ann in self._anns}
        self._revision = revision
        self._scopes = scopes
        self.organisations = dict(organisations)
        self._occurrences: dict[tuple[date, date], list[Occurrence]] = {}
        self._digests: dict[tuple[str, int, int, tuple[str, ...]], Digest] = {}
        self._shared: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._prototypes: dict[tuple[Any, ...], Prototype] = {}
        self._ics: dict[tuple[Any, ...], bytes] = {}
        self._docx: dict[tuple[str, int, int], Attachment] = {}
        self._annual: dict[tuple[str, int], tuple[AnnualDraft, Attachment]] = {}

    def _range(self, start: date, end: date) -> list[Occurrence]:
        found = self._occurrences.get((start, end))
        if found is None:
            found = self._occurrences[(start, end)] = occurrences(self._anns, start, end)
        return found

    def digest(
        self, org: Organisation, year: int, month: int, categories: tuple[str, ...]
    ) -> Digest:
        """Return (cached) the digest of ``org`` for a month, narrowed to ``categories``."""
        key = (org.id, year, month, categories)
        found = self._digests.get(key)
        if found is None:
            (start, _), (_, ahead_end) = digest_ranges(year, month)
            found = build_digest(
                org,
                year,
                month,
                self._range(start, ahead_end),
                lineage=self._scopes.lineage(org.scope),
                categories=categories,
            )
            self._digests[key] = found
        return found

    def _occurrence(self, anniversary_id: str, when: date) -> Occurrence | None:
        ann = self._by_id.get(anniversary_id)
        if ann is None:
            return None
        found = occurrences([ann], when, date(when.year, 12, 31))
        return next((occ for occ in found if occ.date == when), None)

    def _days_left(self, target: date, now: datetime) -> int:
        """Return the whole days from ``now``'s local date to ``target`` (0 on the day)."""
        return max((target - now.astimezone(self.mail.tz).date()).days, 0)

    def _digest_parts(
        self, key: ReminderKey, sub: Subscriber, now: datetime
    ) -> tuple[dict[str, Any], Attachment] | str:
        org = self.organisations.get(key.subject)
        if org is None:
            return "organisation removed"
        if sub.organisation != org.id:
            return "subscriber is no longer in the organisation"
        year, month = key.occurrence.year, key.occurrence.month
        digest = self.digest(org, year, month, sub.categories)
        left = self._days_left(digest.due, now)
        cache_key = (key.kind, org.id, year, month, sub.categories, left, sub.lang)
        shared = self._shared.get(cache_key)
        if shared is None:
            shared = self._shared[cache_key] = digest_context(
                digest,
                days_left=left,
                lang=sub.lang,
                month_url=self.mail.month_url(year, month, org.scope),
                sender_name=self.mail.from_name,
            )
        ics_key = (org.id, year, month, sub.categories, sub.lang)
        ics = self._ics.get(ics_key)
        if ics is None:
            title = f"{org.name} — {digest.month_label}"
            ics = self._ics[ics_key] = render_calendar(
                [entry.occurrence for entry in digest.entries],
                name=title,
                description=shared["subject"],
                revision=self._revision,
                lang=sub.lang,
                method="PUBLISH",
                uid_domain=self.mail.uid_domain,
            )
        return shared, Attachment(f"ky-niem-{year:04d}-{month:02d}.ics", ics)

    def _event_parts(
        self, key: ReminderKey, sub: Subscriber, now: datetime
    ) -> tuple[dict[str, Any], Attachment] | str:
        occ = self._occurrence(key.subject, key.occurrence)
        if occ is None:
            return "anniversary removed or changed"
        left = self._days_left(occ.date, now)
        cache_key = (key.kind, key.subject, key.occurrence, left, sub.lang)
        shared = self._shared.get(cache_key)
        if shared is None:
            scope = sub.scope or self.organisations[sub.organisation or ""].scope
            shared = self._shared[cache_key] = event_context(
                occ,
                days_left=left,
                lang=sub.lang,
                month_url=self.mail.month_url(occ.date.year, occ.date.month, scope),
                sender_name=self.mail.from_name,
            )
        ics_key = (key.subject, key.occurrence, sub.lang)
        ics = self._ics.get(ics_key)
        if ics is None:
            ics = self._ics[ics_key] = render_calendar(
                [occ],
                name=shared["event"]["text"],
                description=shared["subject"],
                revision=self._revision,
                lang=sub.lang,
                method="PUBLISH",
                uid_domain=self.mail.uid_domain,
            )
        return shared, Attachment(f"{key.subject}-{occ.date.year:04d}.ics", ics)

    def _annual_parts(
        self, key: ReminderKey, sub: Subscriber
    ) -> tuple[dict[str, Any], Attachment] | str:
        org = self.organisations.get(key.subject)
        if org is None:
            return "organisation removed"
        if sub.organisation != org.id:
            return "subscriber is no longer in the organisation"
        if org.annual is None:
            return "annual reminder turned off"
        year = key.occurrence.year
        found = self._annual.get((org.id, year))
        if found is None:
            found = self._annual[(org.id, year)] = self._annual_draft(org, year)
        draft, attachment = found
        cache_key = (key.kind, org.id, year, key.lead, sub.lang)
        shared = self._shared.get(cache_key)
        if shared is None:
            from calendar_svc.mail.render import annual_context

            shared = self._shared[cache_key] = annual_context(
                draft,
                due=org.annual.due_date(year),
                due_rule=org.annual.label(sub.lang),
                lang=sub.lang,
                month_url=self.mail.month_url(year, 1, org.scope),
                sender_name=self.mail.from_name,
            )
        return shared, attachment

    def _annual_draft(self, org: Organisation, year: int) -> tuple[AnnualDraft, Attachment]:
        """Return the annual guide of ``year`` and its .docx, dated on the guide's due date.

        Raises:
            ValueError: the draft cannot be built (e.g. the organisation's template is broken).
        """
        from calendar_svc.directive.annual_word import annual_document_bytes, annual_filename
        from calendar_svc.directive.profile import build_profile
        from calendar_svc.errors import CalendarSvcError

        assert org.annual is not None  # checked by the caller
        if self._annual_maker is None:
            raise ValueError("this composer drafts no annual guide")
        scope = self._scopes[org.scope].name_vi if org.scope in self._scopes else ""
        try:
            profile = build_profile(org.id, org.name, org.scope, org.directive, scope_name=scope)
            draft = self._annual_maker(profile, year, org.annual.due_date(year))
            data = annual_document_bytes(draft)
        except CalendarSvcError as exc:
            raise ValueError(f"annual guide draft of '{org.id}': {exc}") from exc
        return draft, Attachment(annual_filename(draft), data, DOCX_TYPE, ())

    def directive_attachments(self, key: ReminderKey) -> tuple[Attachment, ...]:
        """Return the .docx draft of a digest's month when its organisation asks for it.

        The draft is the one ``calendar-svc directive --format docx`` writes, dated on the
        organisation's due date; it is built once per organisation and month.

        Raises:
            ValueError: the draft cannot be built (e.g. the organisation's template is broken).
        """
        org = self.organisations.get(key.subject)
        if key.kind is not ReminderKind.DIGEST or org is None or not org.directive.attach_docx:
            return ()
        year, month = key.occurrence.year, key.occurrence.month
        found = self._docx.get((org.id, year, month))
        if found is None:
            from calendar_svc.core.scopes import party_above
            from calendar_svc.directive.profile import build_profile
            from calendar_svc.directive.word import default_filename, document_bytes
            from calendar_svc.errors import CalendarSvcError

            scope = self._scopes[org.scope].name_vi if org.scope in self._scopes else ""
            try:
                profile = build_profile(
                    org.id,
                    org.name,
                    org.scope,
                    org.directive,
                    scope_name=scope,
                    party_above=party_above(self._scopes, org.scope),
                )
                draft = self._draft(profile, year, month, org.due.due_date(year, month))
                data = document_bytes(draft)
            except CalendarSvcError as exc:
                raise ValueError(f"directive draft of '{org.id}': {exc}") from exc
            found = Attachment(default_filename(draft), data, DOCX_TYPE, ())
            self._docx[(org.id, year, month)] = found
        return (found,)

    def compose(
        self, row_id: int, key: ReminderKey, message_id: str, sub: Subscriber | None, now: datetime
    ) -> Outgoing | str:
        """Return the message of one reminder, or why it is no longer to be sent.

        Raises:
            ValueError: the message cannot be built (e.g. a header would be unsafe).
            jinja2.TemplateError: a template is broken.
        """
        if sub is None:
            return "subscriber removed"
        if not sub.active:
            return "unsubscribed"
        if sub.organisation is not None and sub.organisation not in self.organisations:
            return "organisation removed"
        if key.kind is ReminderKind.DIGEST:
            parts = self._digest_parts(key, sub, now)
        elif key.kind is ReminderKind.ANNUAL:
            parts = self._annual_parts(key, sub)
        else:
            parts = self._event_parts(key, sub, now)
        if isinstance(parts, str):
            return parts
        shared, attachment = parts
        proto_key = (id(shared), sub.lang)
        proto = self._prototypes.get(proto_key)
        if proto is None:
            proto = self._prototypes[proto_key] = prototype(shared)
        token = make_token(self.mail.secret, sub.email)
        url = self.mail.unsubscribe_url(token)
        rendered = proto.personalise(name=sub.name, unsubscribe_url=url)
        envelope = Envelope(
            from_name=self.mail.from_name,
            from_addr=self.mail.from_addr,
            to_name=sub.name,
            to_addr=sub.email,
            subject=rendered.subject,
            date=now.astimezone(self.mail.tz),
            message_id=message_id,
            unsubscribe_url=url,
            unsubscribe_mailto=self.mail.unsubscribe_mailto(token),
        )
        extra = self.directive_attachments(key)
        data = build_message(envelope, rendered.text, rendered.html, attachment, extra=extra)
        return Outgoing(row_id, message_id, self.mail.from_addr, sub.email, data)
