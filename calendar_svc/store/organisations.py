"""Organisations and subscribers in the store (tables of migration 0002).

Lead times and categories are stored as comma-separated text (``"10,3"``, ``""`` for
none); rows become the validated values of :mod:`calendar_svc.core.recipients`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update

from calendar_svc.core.directive_settings import DirectiveSettings
from calendar_svc.core.recipients import (
    DEFAULT_ANNUAL_LEADS,
    AnnualRule,
    DueKind,
    DueRule,
    Organisation,
    SubscribePolicy,
    Subscriber,
    SubscriberState,
)
from calendar_svc.errors import AlreadyExistsError, CalendarSvcError, NotFoundError
from calendar_svc.store.access import EngineAccess
from calendar_svc.store.errors import StoredRowError
from calendar_svc.store.rows import as_utc
from calendar_svc.store.tables import organisations as _orgs
from calendar_svc.store.tables import subscribers as _subs

ORGANISATION_KIND = "tổ chức"
SUBSCRIBER_KIND = "người nhận"


class OrganisationInUseError(CalendarSvcError):
    """An organisation still has subscribers, so it cannot be removed."""

    def __init__(self, org_id: str, count: int) -> None:
        self.org_id = org_id
        self.count = count
        super().__init__(
            f"tổ chức '{org_id}' còn {count} người nhận / organisation '{org_id}' still has "
            f"{count} subscriber(s); remove them first (calendar-svc subscribers remove EMAIL)"
        )


def join_ints(values: Collection[int]) -> str:
    """Return ``10,3`` for (10, 3)."""
    return ",".join(str(v) for v in values)


def split_ints(text: str) -> tuple[int, ...]:
    """Return (10, 3) for ``10,3``; () for ''."""
    return tuple(int(part) for part in text.split(",") if part.strip())


def split_words(text: str) -> tuple[str, ...]:
    """Return ('a', 'b') for ``a,b``; () for ''."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _org_values(org: Organisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "scope": org.scope,
        "due_kind": org.due.kind.value,
        "due_n": org.due.n,
        "leads": join_ints(org.leads),
        "directive": org.directive.to_json(),
        "annual_due": None if org.annual is None else org.annual.iso(),
        "annual_leads": None if org.annual is None else join_ints(org.annual.leads),
        "subscribe": org.subscribe.value,
    }


def _annual_from(due: str | None, leads: str | None) -> AnnualRule | None:
    if due is None:
        return None
    return AnnualRule.parse(due, split_ints(leads or "") or DEFAULT_ANNUAL_LEADS)


def _org_from_row(row: Row[Any]) -> Organisation:
    m = row._mapping
    try:
        return Organisation(
            id=m["id"],
            name=m["name"],
            scope=m["scope"],
            due=DueRule(DueKind(m["due_kind"]), int(m["due_n"])),
            leads=split_ints(m["leads"]),
            directive=DirectiveSettings.from_json(m["directive"]),
            annual=_annual_from(m["annual_due"], m["annual_leads"]),
            subscribe=SubscribePolicy(m["subscribe"]),
        )
    except ValueError as exc:
        raise StoredRowError(m["id"], str(exc), table="organisations") from exc


def _sub_values(sub: Subscriber) -> dict[str, Any]:
    return {
        "name": sub.name,
        "organisation_id": sub.organisation,
        "scope": sub.scope,
        "categories": ",".join(sub.categories),
        "lang": sub.lang,
        "leads": join_ints(sub.leads),
        "active": sub.active,
        "unsubscribed_at": sub.unsubscribed_at,
        "unsubscribed_by": sub.unsubscribed_by,
        "state": sub.state.value,
    }


def _sub_from_row(row: Row[Any]) -> Subscriber:
    m = row._mapping
    try:
        return Subscriber(
            email=m["email"],
            name=m["name"],
            organisation=m["organisation_id"],
            scope=m["scope"],
            categories=split_words(m["categories"]),
            lang=m["lang"],
            leads=split_ints(m["leads"]),
            active=bool(m["active"]),
            unsubscribed_at=m["unsubscribed_at"],
            unsubscribed_by=m["unsubscribed_by"],
            state=SubscriberState(m["state"]),
        )
    except ValueError as exc:
        raise StoredRowError(m["email"], str(exc), table="subscribers") from exc


#: Receives a subscriber row that cannot be read, instead of raising.
InvalidRow = Callable[[StoredRowError], None]


def _readable(row: Row[Any], on_invalid: InvalidRow | None) -> Subscriber | None:
    try:
        return _sub_from_row(row)
    except StoredRowError as exc:
        if on_invalid is None:
            raise
        on_invalid(exc)
        return None


class OrganisationRepo(EngineAccess):
    """Keep organisations and their subscribers."""

    def add_organisation(self, org: Organisation, *, now: datetime | None = None) -> None:
        """Insert an organisation; AlreadyExistsError if the id is taken."""
        created = as_utc(now)
        with self.writing() as conn:
            if conn.execute(select(_orgs.c.id).where(_orgs.c.id == org.id)).first():
                raise AlreadyExistsError(ORGANISATION_KIND, org.id)
            conn.execute(insert(_orgs).values(id=org.id, created_at=created, **_org_values(org)))

    def replace_organisation(self, org: Organisation) -> None:
        """Replace the organisation with ``org.id``; NotFoundError if there is none."""
        with self.writing() as conn:
            done = conn.execute(update(_orgs).where(_orgs.c.id == org.id).values(_org_values(org)))
            if done.rowcount == 0:
                raise NotFoundError(ORGANISATION_KIND, org.id)

    def get_organisation(self, org_id: str) -> Organisation:
        """Return one organisation; NotFoundError if there is none."""
        with self.reading() as conn:
            row = conn.execute(select(_orgs).where(_orgs.c.id == org_id)).first()
        if row is None:
            raise NotFoundError(ORGANISATION_KIND, org_id)
        return _org_from_row(row)

    def organisations(self) -> list[Organisation]:
        """Return every organisation, ordered by id."""
        with self.reading() as conn:
            rows = conn.execute(select(_orgs).order_by(_orgs.c.id)).all()
        return [_org_from_row(row) for row in rows]

    def remove_organisation(self, org_id: str) -> None:
        """Delete an organisation without subscribers.

        Raises:
            NotFoundError: no such organisation.
            OrganisationInUseError: it still has subscribers.
        """
        with self.writing() as conn:
            count = conn.execute(
                select(func.count()).select_from(_subs).where(_subs.c.organisation_id == org_id)
            ).scalar_one()
            if count:
                raise OrganisationInUseError(org_id, int(count))
            if conn.execute(delete(_orgs).where(_orgs.c.id == org_id)).rowcount == 0:
                raise NotFoundError(ORGANISATION_KIND, org_id)

    def add_subscriber(self, sub: Subscriber, *, now: datetime | None = None) -> None:
        """Insert a subscriber.

        Raises:
            AlreadyExistsError: the address is subscribed already.
            NotFoundError: the subscriber names an unknown organisation.
        """
        created = as_utc(now)
        with self.writing() as conn:
            if conn.execute(select(_subs.c.email).where(_subs.c.email == sub.email)).first():
                raise AlreadyExistsError(SUBSCRIBER_KIND, sub.email)
            if (
                sub.organisation is not None
                and not conn.execute(
                    select(_orgs.c.id).where(_orgs.c.id == sub.organisation)
                ).first()
            ):
                raise NotFoundError(ORGANISATION_KIND, sub.organisation)
            conn.execute(
                insert(_subs).values(email=sub.email, created_at=created, **_sub_values(sub))
            )

    def get_subscriber(self, email: str) -> Subscriber:
        """Return one subscriber by address (any case); NotFoundError if there is none."""
        key = email.strip().lower()
        with self.reading() as conn:
            row = conn.execute(select(_subs).where(_subs.c.email == key)).first()
        if row is None:
            raise NotFoundError(SUBSCRIBER_KIND, key)
        return _sub_from_row(row)

    def subscribers(
        self,
        *,
        organisation: str | None = None,
        active_only: bool = False,
        on_invalid: InvalidRow | None = None,
    ) -> list[Subscriber]:
        """Return subscribers ordered by address, optionally of one organisation or active.

        A row that does not make a valid subscriber (edited by hand: a line break in the
        name, say) raises :class:`StoredRowError`, or, with ``on_invalid``, is passed to it
        and left out, so one bad row does not stop everyone's reminders.
        """
        stmt = select(_subs).order_by(_subs.c.email)
        if organisation is not None:
            stmt = stmt.where(_subs.c.organisation_id == organisation)
        if active_only:
            stmt = stmt.where(_subs.c.active.is_(True))
        with self.reading() as conn:
            rows = conn.execute(stmt).all()
        return [sub for row in rows if (sub := _readable(row, on_invalid)) is not None]

    def subscribers_by_email(
        self, emails: Collection[str], *, on_invalid: InvalidRow | None = None
    ) -> Mapping[str, Subscriber]:
        """Return the subscribers with these addresses, by address (missing ones left out).

        ``on_invalid`` as for :meth:`subscribers`.
        """
        wanted = sorted(set(emails))
        found: dict[str, Subscriber] = {}
        with self.reading() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for row in conn.execute(select(_subs).where(_subs.c.email.in_(chunk))):
                    sub = _readable(row, on_invalid)
                    if sub is not None:
                        found[sub.email] = sub
        return found

    def remove_subscriber(self, email: str) -> None:
        """Delete a subscriber; NotFoundError if there is none."""
        key = email.strip().lower()
        with self.writing() as conn:
            if conn.execute(delete(_subs).where(_subs.c.email == key)).rowcount == 0:
                raise NotFoundError(SUBSCRIBER_KIND, key)

    def unsubscribe(self, email: str, *, now: datetime | None = None, by: str = "link") -> bool:
        """Mark a subscriber as unsubscribed (``by`` whom); False if already so or unknown."""
        when = as_utc(now)
        key = email.strip().lower()
        with self.writing() as conn:
            done = conn.execute(
                update(_subs)
                .where(_subs.c.email == key, _subs.c.active.is_(True))
                .values(active=False, unsubscribed_at=when, unsubscribed_by=by)
            )
        return done.rowcount > 0

    def replace_subscriber(self, sub: Subscriber) -> None:
        """Replace the subscriber with ``sub.email``.

        Raises:
            NotFoundError: there is no such subscriber, or it names an unknown organisation.
        """
        with self.writing() as conn:
            if (
                sub.organisation is not None
                and not conn.execute(
                    select(_orgs.c.id).where(_orgs.c.id == sub.organisation)
                ).first()
            ):
                raise NotFoundError(ORGANISATION_KIND, sub.organisation)
            done = conn.execute(
                update(_subs).where(_subs.c.email == sub.email).values(_sub_values(sub))
            )
            if done.rowcount == 0:
                raise NotFoundError(SUBSCRIBER_KIND, sub.email)
