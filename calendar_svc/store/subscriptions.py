"""Self-subscription in the store: single-use mailed links, confirmation, approval.

A link carries a random token (256 bits, URL-safe); the store keeps only its SHA-256, so
a copy of the database opens no link. A ``confirm`` token holds the request itself (the
address, the organisation, the name and language given), so an address that never
confirms never becomes a subscriber and nothing but the confirmation is ever sent to it.
A ``manage`` token opens the page of an address's subscriptions. Every token is used at
most once: the first ``POST`` that presents it marks it used in the same transaction as
its effect, so a replayed link does nothing.

Confirming applies the organisation's policy at that moment: ``open`` subscribes,
``approval`` makes a subscriber awaiting approval (not active, so it gets nothing until a
manager approves it), ``closed`` (or an organisation removed meanwhile) subscribes no
one. An address that is already subscribed (or waiting) stays as it is.

Each change is written to the audit log in the same transaction, with the address as the
actor: ``subscriber.self_subscribe`` (confirmed), ``subscriber.self_unsubscribe`` (left on
its subscriptions page), ``subscriber.withdraw`` (left while awaiting approval).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from calendar_svc.core.recipients import SubscribePolicy, Subscriber, SubscriberState
from calendar_svc.errors import NotFoundError
from calendar_svc.store.access import EngineAccess
from calendar_svc.store.organisations import (
    SUBSCRIBER_KIND,
    _org_from_row,
    _sub_from_row,
    join_ints,
)
from calendar_svc.store.rows import as_utc
from calendar_svc.store.tables import audit_log as _audit_log
from calendar_svc.store.tables import organisations as _orgs
from calendar_svc.store.tables import subscribers as _subs
from calendar_svc.store.tables import subscription_tokens as _tokens
from calendar_svc.store.users import new_token, token_hash

#: How long a confirmation link works.
CONFIRM_LIFETIME = timedelta(hours=48)
#: How long a "my subscriptions" link works.
MANAGE_LIFETIME = timedelta(hours=2)
#: Tokens are kept this long after they expire, then purged.
PURGE_AFTER = timedelta(days=7)
#: Longest token accepted from a request (``token_urlsafe(32)`` gives 43 characters).
MAX_TOKEN_CHARS = 100

#: ``subscribers.unsubscribed_by`` of an address that left from its subscriptions page.
BY_MANAGE_PAGE = "manage"


class Purpose(StrEnum):
    """What a mailed link is for."""

    CONFIRM = "confirm"
    MANAGE = "manage"


class Outcome(StrEnum):
    """What confirming a subscription did."""

    SUBSCRIBED = "subscribed"
    AWAITING_APPROVAL = "awaiting_approval"
    ALREADY = "already"
    CLOSED = "closed"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Pending:
    """What a valid, unused link stands for."""

    purpose: Purpose
    email: str
    organisation: str | None
    name: str | None
    lang: str
    expires_at: datetime


def address_key(email: str) -> str:
    """Return the SHA-256 of a normalized address, in hex (rate-limit keys, logs)."""
    return token_hash(email.strip().lower())


def _audit(
    conn: Connection,
    when: datetime,
    sub: Subscriber,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add the audit entry of a change the address made itself (same transaction)."""

    def dump(value: dict[str, Any] | None) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    conn.execute(
        insert(_audit_log).values(
            at=when,
            actor=sub.email,
            organisation_id=sub.organisation,
            action=action,
            target=sub.email,
            before=dump(before),
            after=dump(after),
        )
    )


def _state(sub: Subscriber) -> dict[str, Any]:
    return {
        "email": sub.email,
        "name": sub.name,
        "organisation": sub.organisation,
        "state": sub.state.value,
        "active": sub.active,
    }


def _pending(m: Any) -> Pending:
    return Pending(
        Purpose(m["purpose"]),
        m["email"],
        m["organisation_id"],
        m["name"],
        m["lang"],
        m["expires_at"],
    )


class SubscriptionRepo(EngineAccess):
    """Mailed links, confirmation, and the approval of subscribers awaiting it."""

    def issue(
        self,
        purpose: Purpose,
        email: str,
        *,
        now: datetime,
        lang: str = "vi",
        organisation: str | None = None,
        name: str | None = None,
        lifetime: timedelta | None = None,
    ) -> str:
        """Store a new link's hash and return its token (the only time it exists in clear).

        Args:
            purpose: confirm a subscription, or open the address's subscriptions.
            email: the address the link is mailed to (lower-cased).
            now: the moment it is issued (aware).
            lang: the language of the mail and the pages.
            organisation: the organisation to subscribe to (``confirm``).
            name: the name given (``confirm``).
            lifetime: how long it works (48 hours to confirm, 2 hours to manage).
        """
        if purpose is Purpose.CONFIRM and organisation is None:
            raise ValueError("a confirmation link names its organisation")
        when = as_utc(now)
        default = CONFIRM_LIFETIME if purpose is Purpose.CONFIRM else MANAGE_LIFETIME
        token = new_token()
        with self.concurrent() as conn:
            conn.execute(
                insert(_tokens).values(
                    token_hash=token_hash(token),
                    purpose=purpose.value,
                    email=email.strip().lower(),
                    organisation_id=organisation,
                    name=name,
                    lang=lang,
                    created_at=when,
                    expires_at=when + (lifetime or default),
                )
            )
        return token

    def peek(self, purpose: Purpose, token: str, *, now: datetime) -> Pending | None:
        """Return what a valid, unused, unexpired link stands for, without using it."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        with self.reading() as conn:
            row = conn.execute(self._valid(purpose, token, as_utc(now))).first()
        return None if row is None else _pending(row._mapping)

    @staticmethod
    def _valid(purpose: Purpose, token: str, when: datetime) -> Any:
        return select(_tokens).where(
            _tokens.c.token_hash == token_hash(token),
            _tokens.c.purpose == purpose.value,
            _tokens.c.used_at.is_(None),
            _tokens.c.expires_at > when,
        )

    @staticmethod
    def _use(conn: Connection, purpose: Purpose, token: str, when: datetime) -> Pending | None:
        """Mark a valid link used; return what it stood for, or None (already used, …)."""
        row = conn.execute(SubscriptionRepo._valid(purpose, token, when)).first()
        if row is None:
            return None
        done = conn.execute(
            update(_tokens)
            .where(_tokens.c.token_hash == token_hash(token), _tokens.c.used_at.is_(None))
            .values(used_at=when)
        )
        return _pending(row._mapping) if done.rowcount == 1 else None

    def confirm(self, token: str, *, now: datetime) -> tuple[Outcome, Pending | None]:
        """Use a confirmation link: subscribe its address as its organisation allows.

        Returns the outcome and what the link stood for (None when it was not valid).
        """
        if not token or len(token) > MAX_TOKEN_CHARS:
            return Outcome.INVALID, None
        when = as_utc(now)
        with self.writing() as conn:
            request = self._use(conn, Purpose.CONFIRM, token, when)
            if request is None or request.organisation is None:
                return Outcome.INVALID, None
            org_row = conn.execute(select(_orgs).where(_orgs.c.id == request.organisation)).first()
            policy = SubscribePolicy.CLOSED if org_row is None else _org_from_row(org_row).subscribe
            if policy is SubscribePolicy.CLOSED:
                return Outcome.CLOSED, request
            approval = policy is SubscribePolicy.APPROVAL
            state = SubscriberState.AWAITING_APPROVAL if approval else SubscriberState.ACTIVE
            existing = conn.execute(select(_subs).where(_subs.c.email == request.email)).first()
            if existing is not None and (
                existing._mapping["active"]
                or existing._mapping["state"] != SubscriberState.ACTIVE.value
            ):
                return Outcome.ALREADY, request
            sub = Subscriber(
                email=request.email,
                name=request.name or request.email.split("@", 1)[0],
                organisation=request.organisation,
                lang=request.lang,
                active=not approval,
                state=state,
            )
            values = {
                "name": sub.name,
                "organisation_id": sub.organisation,
                "scope": None,
                "categories": "",
                "lang": sub.lang,
                "active": sub.active,
                "state": sub.state.value,
                "unsubscribed_at": None,
                "unsubscribed_by": None,
            }
            before = None
            if existing is None:
                conn.execute(
                    insert(_subs).values(
                        email=sub.email, created_at=when, leads=join_ints(sub.leads), **values
                    )
                )
            else:  # it had unsubscribed: it comes back, to the organisation it chose now
                before = _state(_sub_from_row(existing))
                conn.execute(update(_subs).where(_subs.c.email == sub.email).values(values))
            _audit(conn, when, sub, "subscriber.self_subscribe", before, _state(sub))
        return (Outcome.AWAITING_APPROVAL if approval else Outcome.SUBSCRIBED), request

    def subscriptions_of(self, email: str) -> list[Subscriber]:
        """Return the address's subscriptions that are active or awaiting approval."""
        key = email.strip().lower()
        stmt = select(_subs).where(
            _subs.c.email == key,
            or_(_subs.c.active.is_(True), _subs.c.state != SubscriberState.ACTIVE.value),
        )
        with self.reading() as conn:
            return [_sub_from_row(row) for row in conn.execute(stmt)]

    def leave(self, token: str, email: str, organisation: str | None, *, now: datetime) -> bool:
        """Use a "my subscriptions" link to end one subscription of its address.

        An active subscription is marked unsubscribed (by the subscriptions page); one
        awaiting approval is withdrawn (deleted). Returns False, changing nothing, when
        the link is not valid or names another address; True otherwise (also when that
        subscription had already ended).
        """
        if not token or len(token) > MAX_TOKEN_CHARS:
            return False
        when = as_utc(now)
        key = email.strip().lower()
        with self.writing() as conn:
            row = conn.execute(self._valid(Purpose.MANAGE, token, when)).first()
            if row is None or row._mapping["email"] != key:
                return False
            if self._use(conn, Purpose.MANAGE, token, when) is None:
                return False
            mine = (_subs.c.email == key) & (
                _subs.c.organisation_id.is_(None)
                if organisation is None
                else _subs.c.organisation_id == organisation
            )
            found = conn.execute(select(_subs).where(mine)).first()
            if found is None:
                return True
            sub = _sub_from_row(found)
            if sub.state is SubscriberState.AWAITING_APPROVAL:
                conn.execute(delete(_subs).where(mine))
                _audit(conn, when, sub, "subscriber.withdraw", _state(sub), None)
            elif sub.active:
                conn.execute(
                    update(_subs)
                    .where(mine)
                    .values(active=False, unsubscribed_at=when, unsubscribed_by=BY_MANAGE_PAGE)
                )
                after = _state(replace(sub, active=False))
                _audit(conn, when, sub, "subscriber.self_unsubscribe", _state(sub), after)
        return True

    def pending(self, organisation: str) -> list[Subscriber]:
        """Return the organisation's subscribers awaiting approval, oldest first."""
        stmt = (
            select(_subs)
            .where(
                _subs.c.organisation_id == organisation,
                _subs.c.state == SubscriberState.AWAITING_APPROVAL.value,
            )
            .order_by(_subs.c.created_at, _subs.c.email)
        )
        with self.reading() as conn:
            return [_sub_from_row(row) for row in conn.execute(stmt)]

    def approve(self, organisation: str, email: str) -> None:
        """Make a subscriber of ``organisation`` awaiting approval active.

        Raises:
            NotFoundError: no subscriber of that organisation awaits approval at that address.
        """
        key = email.strip().lower()
        with self.writing() as conn:
            done = conn.execute(
                update(_subs)
                .where(*self._awaiting(organisation, key))
                .values(state=SubscriberState.ACTIVE.value, active=True)
            )
            if done.rowcount == 0:
                raise NotFoundError(SUBSCRIBER_KIND, key)

    def reject(self, organisation: str, email: str) -> None:
        """Delete a subscriber of ``organisation`` awaiting approval (it is told nothing).

        Raises:
            NotFoundError: no subscriber of that organisation awaits approval at that address.
        """
        key = email.strip().lower()
        with self.writing() as conn:
            if conn.execute(delete(_subs).where(*self._awaiting(organisation, key))).rowcount == 0:
                raise NotFoundError(SUBSCRIBER_KIND, key)

    @staticmethod
    def _awaiting(organisation: str, email: str) -> Sequence[Any]:
        return (
            _subs.c.email == email,
            _subs.c.organisation_id == organisation,
            _subs.c.state == SubscriberState.AWAITING_APPROVAL.value,
        )

    def purge(self, *, now: datetime) -> int:
        """Delete links that expired more than :data:`PURGE_AFTER` ago; return how many."""
        cutoff = as_utc(now) - PURGE_AFTER
        with self.concurrent() as conn:
            done = conn.execute(delete(_tokens).where(_tokens.c.expires_at < cutoff))
        return int(done.rowcount or 0)
