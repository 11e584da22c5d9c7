"""Self-subscription in the store (links, confirmation, approval), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from store_support import store_on

from calendar_svc.core.recipients import (
    Organisation,
    SubscribePolicy,
    Subscriber,
    SubscriberState,
)
from calendar_svc.errors import NotFoundError
from calendar_svc.store.store import Store
from calendar_svc.store.subscriptions import Outcome, Purpose, token_hash
from calendar_svc.store.tables import subscription_tokens

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
OPEN = Organisation("cua-ong", "Đảng ủy phường Cửa Ông", "province:quang-ninh", subscribe="open")
GATED = Organisation(
    "qn", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "province:quang-ninh", subscribe="approval"
)
SHUT = Organisation("shut", "Tổ chức đóng", "national")


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with store_on(request.param, tmp_path) as opened:
        for org in (OPEN, GATED, SHUT):
            opened.organisations.add_organisation(org)
        yield opened


def confirm_link(store: Store, email: str, org: str, **more: object) -> str:
    return store.subscriptions.issue(
        Purpose.CONFIRM,
        email,
        organisation=org,
        now=NOW,
        **more,  # type: ignore[arg-type]
    )


def test_new_organisations_are_closed_and_the_policy_round_trips(store: Store) -> None:
    assert store.organisations.get_organisation("shut").subscribe is SubscribePolicy.CLOSED
    assert store.organisations.get_organisation("qn").subscribe is SubscribePolicy.APPROVAL
    store.organisations.replace_organisation(replace(SHUT, subscribe=SubscribePolicy.OPEN))
    assert store.organisations.get_organisation("shut").subscribe is SubscribePolicy.OPEN


def test_only_the_hash_of_a_token_is_stored(store: Store) -> None:
    token = confirm_link(store, "A@Example.org", "cua-ong", name="An")
    with store.engine.connect() as conn:
        rows = conn.execute(select(subscription_tokens)).all()
    assert [r.token_hash for r in rows] == [token_hash(token)]
    assert token not in repr(rows)
    assert rows[0].email == "a@example.org"
    assert len(token) >= 43


def test_confirming_an_open_organisation_subscribes_once(store: Store) -> None:
    token = confirm_link(store, "a@example.org", "cua-ong", name="<b>An</b>", lang="en")
    pending = store.subscriptions.peek(Purpose.CONFIRM, token, now=NOW)
    assert pending is not None and pending.organisation == "cua-ong"
    assert store.organisations.subscribers() == []  # nothing before it is confirmed
    outcome, request = store.subscriptions.confirm(token, now=NOW + timedelta(hours=1))
    assert outcome is Outcome.SUBSCRIBED and request is not None
    sub = store.organisations.get_subscriber("a@example.org")
    assert (sub.active, sub.state, sub.organisation, sub.name, sub.lang) == (
        True,
        SubscriberState.ACTIVE,
        "cua-ong",
        "<b>An</b>",
        "en",
    )
    assert store.subscriptions.confirm(token, now=NOW) == (Outcome.INVALID, None)  # replayed
    assert store.subscriptions.peek(Purpose.CONFIRM, token, now=NOW) is None


def test_expired_forged_and_wrong_purpose_links_do_nothing(store: Store) -> None:
    token = confirm_link(store, "a@example.org", "cua-ong")
    late = NOW + timedelta(hours=48)
    assert store.subscriptions.peek(Purpose.CONFIRM, token, now=late) is None
    assert store.subscriptions.confirm(token, now=late) == (Outcome.INVALID, None)
    assert (
        store.subscriptions.confirm(token[:-1] + ("B" if token.endswith("A") else "A"), now=NOW)[0]
        is Outcome.INVALID
    )
    assert store.subscriptions.confirm("", now=NOW)[0] is Outcome.INVALID
    assert store.subscriptions.confirm("x" * 10_000, now=NOW)[0] is Outcome.INVALID
    manage = store.subscriptions.issue(Purpose.MANAGE, "a@example.org", now=NOW)
    assert store.subscriptions.confirm(manage, now=NOW)[0] is Outcome.INVALID
    assert store.organisations.subscribers() == []
    # The unexpired confirmation still works after all that.
    assert store.subscriptions.confirm(token, now=NOW)[0] is Outcome.SUBSCRIBED


def test_approval_then_the_manager_approves_or_rejects(store: Store) -> None:
    first = confirm_link(store, "a@example.org", "qn")
    second = confirm_link(store, "b@example.org", "qn")
    assert store.subscriptions.confirm(first, now=NOW)[0] is Outcome.AWAITING_APPROVAL
    assert store.subscriptions.confirm(second, now=NOW)[0] is Outcome.AWAITING_APPROVAL
    assert store.organisations.subscribers(active_only=True) == []
    waiting = store.subscriptions.pending("qn")
    assert [s.email for s in waiting] == ["a@example.org", "b@example.org"]
    assert all(s.state is SubscriberState.AWAITING_APPROVAL and not s.active for s in waiting)
    assert store.subscriptions.pending("cua-ong") == []
    with pytest.raises(NotFoundError):
        store.subscriptions.approve("cua-ong", "a@example.org")  # another organisation's
    store.subscriptions.approve("qn", "A@example.org")
    store.subscriptions.reject("qn", "b@example.org")
    assert [s.email for s in store.organisations.subscribers(active_only=True)] == ["a@example.org"]
    assert store.subscriptions.pending("qn") == []
    with pytest.raises(NotFoundError):
        store.subscriptions.reject("qn", "b@example.org")
    with pytest.raises(NotFoundError):
        store.subscriptions.approve("qn", "a@example.org")  # active already


def test_a_closed_or_removed_organisation_subscribes_no_one(store: Store) -> None:
    shut = confirm_link(store, "a@example.org", "shut")
    assert store.subscriptions.confirm(shut, now=NOW)[0] is Outcome.CLOSED
    gone = Organisation("gone", "Gone", "national", subscribe="open")
    store.organisations.add_organisation(gone)
    token = confirm_link(store, "a@example.org", "gone")
    store.organisations.remove_organisation("gone")
    assert store.subscriptions.confirm(token, now=NOW)[0] is Outcome.CLOSED
    assert store.organisations.subscribers() == []


def test_an_existing_subscriber_stays_as_it_is(store: Store) -> None:
    store.organisations.add_subscriber(Subscriber("a@example.org", "A", organisation="shut"))
    token = confirm_link(store, "a@example.org", "cua-ong")
    assert store.subscriptions.confirm(token, now=NOW)[0] is Outcome.ALREADY
    assert store.organisations.get_subscriber("a@example.org").organisation == "shut"
    # Once it unsubscribed, confirming brings it back, to the organisation it chose.
    store.organisations.unsubscribe("a@example.org", now=NOW)
    again = confirm_link(store, "a@example.org", "cua-ong")
    assert store.subscriptions.confirm(again, now=NOW)[0] is Outcome.SUBSCRIBED
    sub = store.organisations.get_subscriber("a@example.org")
    assert (sub.organisation, sub.active, sub.unsubscribed_at) == ("cua-ong", True, None)


def test_my_subscriptions_link_ends_one_subscription_once(store: Store) -> None:
    confirmed = confirm_link(store, "a@example.org", "cua-ong")
    store.subscriptions.confirm(confirmed, now=NOW)
    link = store.subscriptions.issue(Purpose.MANAGE, "a@example.org", now=NOW)
    assert [s.organisation for s in store.subscriptions.subscriptions_of("A@example.org")] == [
        "cua-ong"
    ]
    assert not store.subscriptions.leave(link, "b@example.org", "cua-ong", now=NOW)
    assert store.subscriptions.leave(link, "a@example.org", "cua-ong", now=NOW)
    sub = store.organisations.get_subscriber("a@example.org")
    assert (sub.active, sub.unsubscribed_by) == (False, "manage")
    assert store.subscriptions.subscriptions_of("a@example.org") == []
    assert not store.subscriptions.leave(link, "a@example.org", "cua-ong", now=NOW)  # replayed
    late = store.subscriptions.issue(Purpose.MANAGE, "a@example.org", now=NOW)
    assert not store.subscriptions.leave(
        late, "a@example.org", "cua-ong", now=NOW + timedelta(hours=3)
    )


def test_leaving_while_awaiting_approval_withdraws_the_request(store: Store) -> None:
    store.subscriptions.confirm(confirm_link(store, "a@example.org", "qn"), now=NOW)
    link = store.subscriptions.issue(Purpose.MANAGE, "a@example.org", now=NOW)
    assert [s.state for s in store.subscriptions.subscriptions_of("a@example.org")] == [
        SubscriberState.AWAITING_APPROVAL
    ]
    assert store.subscriptions.leave(link, "a@example.org", "qn", now=NOW)
    assert store.organisations.subscribers() == []


def test_purge_drops_long_expired_links(store: Store) -> None:
    confirm_link(store, "a@example.org", "cua-ong")
    assert store.subscriptions.purge(now=NOW + timedelta(days=8)) == 0
    assert store.subscriptions.purge(now=NOW + timedelta(days=9, hours=1)) == 1


def test_a_subscriber_awaiting_approval_cannot_be_active() -> None:
    with pytest.raises(ValueError, match="awaiting approval cannot be active"):
        Subscriber("a@example.org", "A", organisation="qn", state=SubscriberState.AWAITING_APPROVAL)


def test_self_service_changes_are_in_the_audit_log(store: Store) -> None:
    store.subscriptions.confirm(confirm_link(store, "a@example.org", "cua-ong"), now=NOW)
    store.subscriptions.confirm(confirm_link(store, "b@example.org", "qn"), now=NOW)
    for email, org in (("a@example.org", "cua-ong"), ("b@example.org", "qn")):
        link = store.subscriptions.issue(Purpose.MANAGE, email, now=NOW)
        store.subscriptions.leave(link, email, org, now=NOW)
    entries = [
        (e.actor, e.organisation, e.action, e.target) for e in reversed(store.audit.entries())
    ]
    assert entries == [
        ("a@example.org", "cua-ong", "subscriber.self_subscribe", "a@example.org"),
        ("b@example.org", "qn", "subscriber.self_subscribe", "b@example.org"),
        ("a@example.org", "cua-ong", "subscriber.self_unsubscribe", "a@example.org"),
        ("b@example.org", "qn", "subscriber.withdraw", "b@example.org"),
    ]
    first = store.audit.entries(organisation="qn")[-1]
    assert first.before is None and first.after["state"] == "awaiting_approval"
    assert store.audit.entries(organisation="qn")[0].after is None


def test_the_database_refuses_an_active_subscriber_awaiting_approval(store: Store) -> None:
    row = (
        "INSERT INTO subscribers (email, name, organisation_id, categories, lang, leads, "
        "active, created_at, state) VALUES ('x@example.org', 'X', 'qn', '', 'vi', '', "
        "{active}, '2026-12-01T00:00:00.000000+00:00', '{state}')"
    )
    for active, state in (("true", "awaiting_approval"), ("false", "pending")):
        with pytest.raises(IntegrityError), store.engine.begin() as conn:
            conn.execute(text(row.format(active=active, state=state)))
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(text("UPDATE organisations SET subscribe = 'wide' WHERE id = 'qn'"))
