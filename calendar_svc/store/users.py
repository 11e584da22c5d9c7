"""The web's users, their sessions and their sign-in links (tables of migration 0011).

A user is an operator (everything) or the manager of one organisation. Sessions and
sign-in links are random tokens handed to the browser or mailed; the store keeps only
their SHA-256 (:func:`token_hash`), so reading the database signs nobody in. A link is
consumed by one ``UPDATE … WHERE used_at IS NULL AND expires_at > now``: of two
processes racing with the same link, exactly one signs in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from calendar_svc.errors import CalendarSvcError, NotFoundError
from calendar_svc.store.access import EngineAccess
from calendar_svc.store.rows import as_utc
from calendar_svc.store.tables import organisations as _orgs
from calendar_svc.store.tables import signin_links as _links
from calendar_svc.store.tables import users as _users
from calendar_svc.store.tables import web_sessions as _sessions

USER_KIND = "người dùng"

#: How long an emailed sign-in link works.
LINK_LIFETIME = timedelta(minutes=15)
#: How long a session lasts after signing in.
SESSION_LIFETIME = timedelta(hours=12)


class Role(StrEnum):
    """What a user may do."""

    OPERATOR = "operator"
    MANAGER = "manager"


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in: an operator, or the manager of ``organisation``."""

    email: str
    role: Role
    organisation: str | None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.email != normalize_email(self.email):
            raise ValueError(f"the address {self.email!r} is not normalized")
        if self.role is Role.MANAGER and not self.organisation:
            raise ValueError("a manager needs an organisation")

    @property
    def is_operator(self) -> bool:
        """Return whether the user may do everything."""
        return self.role is Role.OPERATOR


class UserExistsError(CalendarSvcError):
    """The address is a user already."""

    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"người dùng '{email}' đã có / user '{email}' already exists")


class UserNotFoundError(NotFoundError):
    """No user has that address."""

    def __init__(self, email: str) -> None:
        self.kind = USER_KIND
        self.key = email
        CalendarSvcError.__init__(self, f"không tìm thấy người dùng '{email}' / no user '{email}'")


class BadEmailError(CalendarSvcError):
    """The text is not an e-mail address."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(
            f"'{text}' không phải địa chỉ email / is not an e-mail address (name@example.vn)"
        )


def normalize_email(text: str) -> str:
    """Return the address trimmed and lower-cased (the key of users and subscribers)."""
    return text.strip().lower()


def check_email(text: str) -> str:
    """Return the normalized address; BadEmailError unless it looks like ``a@b.c``."""
    email = normalize_email(text)
    local, _, domain = email.rpartition("@")
    if (
        not local
        or "." not in domain
        or domain.startswith(".")
        or domain.endswith(".")
        or len(email) > 254
        or any(c.isspace() or c in "<>,;\"'()[]\\" or ord(c) < 32 for c in email)
    ):
        raise BadEmailError(text.strip())
    return email


def token_hash(token: str) -> str:
    """Return the hex SHA-256 of a token: what the store keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """Return a new random token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def _user_from_row(row: Row[Any]) -> User:
    return User(row.email, Role(row.role), row.organisation_id, row.created_at)


class UserRepo(EngineAccess):
    """Keep users, web sessions and sign-in links."""

    # --- users ---------------------------------------------------------------------------

    def add_user(self, user: User, *, now: datetime | None = None) -> None:
        """Insert a user.

        Raises:
            UserExistsError: the address is a user already.
            NotFoundError: the organisation does not exist.
        """
        with self.writing() as conn:
            if conn.execute(select(_users.c.email).where(_users.c.email == user.email)).first():
                raise UserExistsError(user.email)
            if (
                user.organisation is not None
                and not conn.execute(
                    select(_orgs.c.id).where(_orgs.c.id == user.organisation)
                ).first()
            ):
                raise NotFoundError("tổ chức", user.organisation)
            conn.execute(
                insert(_users).values(
                    email=user.email,
                    role=user.role.value,
                    organisation_id=user.organisation,
                    created_at=as_utc(now),
                )
            )

    def get_user(self, email: str) -> User | None:
        """Return the user with that address (any case), or None."""
        with self.reading() as conn:
            row = conn.execute(
                select(_users).where(_users.c.email == normalize_email(email))
            ).first()
        return None if row is None else _user_from_row(row)

    def users(self, *, organisation: str | None = None) -> list[User]:
        """Return the users ordered by address, optionally the managers of one organisation."""
        stmt = select(_users).order_by(_users.c.email)
        if organisation is not None:
            stmt = stmt.where(_users.c.organisation_id == organisation)
        with self.reading() as conn:
            return [_user_from_row(row) for row in conn.execute(stmt).all()]

    def remove_user(self, email: str) -> None:
        """Delete a user with their sessions and unused links; UserNotFoundError if none."""
        key = normalize_email(email)
        with self.writing() as conn:
            conn.execute(delete(_sessions).where(_sessions.c.email == key))
            conn.execute(delete(_links).where(_links.c.email == key))
            if conn.execute(delete(_users).where(_users.c.email == key)).rowcount == 0:
                raise UserNotFoundError(key)

    # --- sign-in links -------------------------------------------------------------------

    def create_link(
        self, email: str, *, now: datetime | None = None, lifetime: timedelta = LINK_LIFETIME
    ) -> str:
        """Store a new sign-in link for ``email`` and return its token (kept only hashed)."""
        token = new_token()
        when = as_utc(now)
        with self.writing() as conn:
            conn.execute(delete(_links).where(_links.c.expires_at < when))
            conn.execute(
                insert(_links).values(
                    token_hash=token_hash(token),
                    email=normalize_email(email),
                    created_at=when,
                    expires_at=when + lifetime,
                )
            )
        return token

    def link_is_valid(self, token: str, *, now: datetime | None = None) -> bool:
        """Return whether the link is unused, unexpired and its user still exists."""
        when = as_utc(now)
        stmt = (
            select(_links.c.email)
            .join(_users, _users.c.email == _links.c.email)
            .where(
                _links.c.token_hash == token_hash(token),
                _links.c.used_at.is_(None),
                _links.c.expires_at > when,
            )
        )
        with self.reading() as conn:
            return conn.execute(stmt).first() is not None

    def consume_link(self, token: str, *, now: datetime | None = None) -> User | None:
        """Use up a sign-in link; return its user, or None (unknown, used, expired, removed).

        The link is marked used by one conditional UPDATE, so it signs in at most once.
        """
        when = as_utc(now)
        digest = token_hash(token)
        with self.concurrent() as conn:
            done = conn.execute(
                update(_links)
                .where(
                    _links.c.token_hash == digest,
                    _links.c.used_at.is_(None),
                    _links.c.expires_at > when,
                )
                .values(used_at=when)
            )
            if done.rowcount != 1:
                return None
            row = conn.execute(
                select(_users)
                .join(_links, _links.c.email == _users.c.email)
                .where(_links.c.token_hash == digest)
            ).first()
        return None if row is None else _user_from_row(row)

    # --- sessions ------------------------------------------------------------------------

    def create_session(
        self, user: User, *, now: datetime | None = None, lifetime: timedelta = SESSION_LIFETIME
    ) -> tuple[str, datetime]:
        """Start a session for ``user``; return its token (kept only hashed) and its end."""
        token = new_token()
        when = as_utc(now)
        expires = when + lifetime
        with self.writing() as conn:
            conn.execute(delete(_sessions).where(_sessions.c.expires_at < when))
            conn.execute(
                insert(_sessions).values(
                    token_hash=token_hash(token),
                    email=user.email,
                    created_at=when,
                    expires_at=expires,
                )
            )
        return token, expires

    def session_user(self, token: str, *, now: datetime | None = None) -> User | None:
        """Return the user of a live session, or None (unknown, expired, user removed)."""
        if not token:
            return None
        stmt = (
            select(_users)
            .join(_sessions, _sessions.c.email == _users.c.email)
            .where(
                _sessions.c.token_hash == token_hash(token), _sessions.c.expires_at > as_utc(now)
            )
        )
        with self.reading() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else _user_from_row(row)

    def end_session(self, token: str) -> None:
        """Delete a session (signing out); an unknown token is fine."""
        with self.writing() as conn:
            conn.execute(delete(_sessions).where(_sessions.c.token_hash == token_hash(token)))
