"""Users, sessions, sign-in links and the audit log in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from store_support import store_on

from calendar_svc.core.recipients import Organisation
from calendar_svc.errors import NotFoundError
from calendar_svc.store.store import Store
from calendar_svc.store.tables import signin_links, web_sessions
from calendar_svc.store.users import (
    BadEmailError,
    Role,
    User,
    UserExistsError,
    UserNotFoundError,
    check_email,
    token_hash,
)

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
QN = Organisation(
    "quang-ninh", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "province:quang-ninh"
)
MANAGER = User("lan@qn.example.vn", Role.MANAGER, "quang-ninh")
OPERATOR = User("ops@example.vn", Role.OPERATOR, None)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with store_on(request.param, tmp_path) as store:
        store.organisations.add_organisation(QN, now=NOW)
        yield store


def test_users_round_trip_and_errors(store: Store) -> None:
    store.users.add_user(MANAGER, now=NOW)
    store.users.add_user(OPERATOR, now=NOW)
    assert store.users.get_user("  LAN@qn.example.vn ") == User(
        MANAGER.email, Role.MANAGER, "quang-ninh", NOW
    )
    assert [u.email for u in store.users.users()] == ["lan@qn.example.vn", "ops@example.vn"]
    assert [u.email for u in store.users.users(organisation="quang-ninh")] == [MANAGER.email]
    with pytest.raises(UserExistsError, match=r"user 'lan@qn\.example\.vn' already exists"):
        store.users.add_user(MANAGER)
    with pytest.raises(NotFoundError, match="no organisation 'nowhere'"):
        store.users.add_user(User("x@example.vn", Role.MANAGER, "nowhere"))
    store.users.remove_user("LAN@qn.example.vn")
    assert store.users.get_user(MANAGER.email) is None
    with pytest.raises(UserNotFoundError, match=r"no user 'lan@qn\.example\.vn'"):
        store.users.remove_user(MANAGER.email)


def test_a_manager_needs_an_organisation_and_addresses_are_checked() -> None:
    with pytest.raises(ValueError, match="a manager needs an organisation"):
        User("a@example.vn", Role.MANAGER, None)
    assert check_email(" Lan@QN.example.vn ") == "lan@qn.example.vn"
    for bad in ("", "lan", "lan@", "@qn.vn", "lan@qn", "a b@qn.vn", "<a>@qn.vn", "lan@qn."):
        with pytest.raises(BadEmailError):
            check_email(bad)


def test_a_link_is_kept_hashed_works_once_and_expires(store: Store) -> None:
    store.users.add_user(MANAGER, now=NOW)
    token = store.users.create_link(MANAGER.email, now=NOW)
    with store.engine.connect() as conn:
        stored = conn.execute(select(signin_links.c.token_hash)).scalars().all()
    assert stored == [token_hash(token)] and token not in stored
    assert store.users.link_is_valid(token, now=NOW + timedelta(minutes=14))
    assert not store.users.link_is_valid(token + "x", now=NOW)
    assert store.users.consume_link(token, now=NOW + timedelta(minutes=1)) == User(
        MANAGER.email, Role.MANAGER, "quang-ninh", NOW
    )
    assert store.users.consume_link(token, now=NOW + timedelta(minutes=2)) is None  # replay
    assert not store.users.link_is_valid(token, now=NOW + timedelta(minutes=2))
    late = store.users.create_link(MANAGER.email, now=NOW)
    assert not store.users.link_is_valid(late, now=NOW + timedelta(minutes=15))
    assert store.users.consume_link(late, now=NOW + timedelta(minutes=15)) is None
    assert store.users.consume_link("forged", now=NOW) is None


def test_a_link_of_a_removed_user_signs_nobody_in(store: Store) -> None:
    store.users.add_user(MANAGER, now=NOW)
    token = store.users.create_link(MANAGER.email, now=NOW)
    store.users.remove_user(MANAGER.email)
    assert store.users.consume_link(token, now=NOW) is None


def test_sessions_are_kept_hashed_expire_and_end(store: Store) -> None:
    store.users.add_user(MANAGER, now=NOW)
    token, expires = store.users.create_session(MANAGER, now=NOW)
    assert expires == NOW + timedelta(hours=12)
    with store.engine.connect() as conn:
        assert conn.execute(select(web_sessions.c.token_hash)).scalars().all() == [
            token_hash(token)
        ]
    user = store.users.session_user(token, now=NOW + timedelta(hours=11))
    assert user is not None and user.email == MANAGER.email
    assert store.users.session_user(token, now=expires) is None
    assert store.users.session_user("", now=NOW) is None
    assert store.users.session_user(token_hash(token), now=NOW) is None  # the hash is no key
    store.users.end_session(token)
    assert store.users.session_user(token, now=NOW) is None
    other, _ = store.users.create_session(MANAGER, now=NOW)
    store.users.remove_user(MANAGER.email)
    assert store.users.session_user(other, now=NOW) is None


def test_audit_entries_newest_first_by_organisation(store: Store) -> None:
    store.audit.record(
        actor="lan@qn.example.vn",
        organisation="quang-ninh",
        action="anniversary.add",
        target="ngay-x",
        after={"name_vi": "Ngày <b>X</b>"},
        now=NOW,
    )
    store.audit.record(
        actor="ops@example.vn",
        organisation=None,
        action="user.add",
        target="a@example.vn",
        now=NOW + timedelta(seconds=1),
    )
    entries = store.audit.entries()
    assert [e.action for e in entries] == ["user.add", "anniversary.add"]
    only = store.audit.entries(organisation="quang-ninh")
    assert len(only) == 1 and only[0].after == {"name_vi": "Ngày <b>X</b>"}
    assert only[0].before is None and only[0].at == NOW and only[0].actor == "lan@qn.example.vn"
    assert len(store.audit.entries(limit=1)) == 1
