"""The store object: one database, its repositories as attributes.

Services receive a :class:`Store` and reach the data only through its repositories; the
engine stays inside this package. :func:`calendar_svc.store.open.open_store` returns one,
created, migrated and seeded.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType

from sqlalchemy import Connection, Engine

from calendar_svc.store.anniversaries import AnniversaryRepo
from calendar_svc.store.audit import AuditRepo
from calendar_svc.store.engine import display_url, prepare_engine
from calendar_svc.store.meta import MetaRepo
from calendar_svc.store.organisations import OrganisationRepo
from calendar_svc.store.outbox import OutboxRepo
from calendar_svc.store.ratelimits import RateLimitRepo
from calendar_svc.store.scopes import ScopeRepo
from calendar_svc.store.subscriptions import SubscriptionRepo
from calendar_svc.store.users import UserRepo


class Store:
    """One database and its repositories; :meth:`close` (or ``with``) releases it.

    Attributes:
        anniversaries: the anniversaries (read and write).
        organisations: organisations and their subscribers.
        outbox: the reminder outbox and the reminder facts kept in ``meta``.
        meta: other ``meta`` keys and the schema revision.
        users: the web's users, their sessions and sign-in links.
        audit: the audit log of changes made through the web pages.
        subscriptions: mailed confirmation and "my subscriptions" links, approvals.
        rate_limits: request counters shared by every process.
    """

    def __init__(self, engine: Engine) -> None:
        prepare_engine(engine)
        self.engine = engine
        self.anniversaries = AnniversaryRepo(engine)
        self.organisations = OrganisationRepo(engine)
        self.outbox = OutboxRepo(engine)
        self.meta = MetaRepo(engine)
        self.scopes = ScopeRepo(engine)
        self.users = UserRepo(engine)
        self.audit = AuditRepo(engine)
        self.subscriptions = SubscriptionRepo(engine)
        self.rate_limits = RateLimitRepo(engine)

    @property
    def url(self) -> str:
        """Return the database URL with the password masked, for messages."""
        return display_url(self.engine)

    @property
    def dialect(self) -> str:
        """Return the database's dialect name: 'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def together(self) -> AbstractContextManager[Connection]:
        """Return one write transaction that every repository of this store joins in this
        thread until the block ends (a change and its audit entry commit together)."""
        return self.meta.together()

    def close(self) -> None:
        """Close the pooled connections (the store may be used again; it reconnects)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
