"""An app with the account pages over a real store and a real SMTP server, in process.

Not a conftest: the account test modules import it by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient
from store_support import pg_schema_url

from calendar_svc.config import Settings
from calendar_svc.core.recipients import Organisation, Subscriber
from calendar_svc.store.open import open_store
from calendar_svc.store.store import Store
from calendar_svc.store.users import Role, User
from calendar_svc.web import create_app
from calendar_svc.web.accounts import Accounts
from calendar_svc.web.security import CSRF_FIELD

PUBLIC = "https://lich.example.vn"
QN = Organisation(
    "quang-ninh", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "province:quang-ninh"
)
CP = Organisation("cam-pha", "Ban Tuyên giáo và Dân vận Thành ủy Cẩm Phả", "city:cam-pha")
LAN = "lan@qn.example.vn"
MAI = "mai@campha.example.vn"
OPS = "ops@example.vn"


@dataclass
class Clock:
    """A clock the test moves."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 3, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def csrf_of(html: str) -> str:
    found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def link_of(message: Any) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"https?://\S+/signin/link\?t=\S+", text)
    assert found, text
    return str(found.group(0))


@dataclass
class Site:
    """The app, its store, its SMTP server and its clock."""

    url: str
    store: Store
    smtp: Any
    clock: Clock
    settings: Settings

    def client(self) -> TestClient:
        app = create_app(
            self.settings,
            account_service=Accounts(self.settings, clock=self.clock),
        )
        return TestClient(app, base_url=PUBLIC)

    def sign_in(self, client: TestClient, email: str) -> None:
        """Ask for a link, read it from the mail, use it."""
        before = len(self.smtp.received)
        page = client.get("/signin")
        answer = client.post("/signin", data={CSRF_FIELD: csrf_of(page.text), "email": email})
        assert answer.status_code == 200
        assert len(self.smtp.received) == before + 1
        link = link_of(self.smtp.received[-1].message)
        shown = client.get(link.removeprefix(PUBLIC))
        token = re.search(r'name="t" value="([^"]+)"', shown.text)
        assert token
        done = client.post(
            "/signin/link",
            data={CSRF_FIELD: csrf_of(shown.text), "t": token.group(1)},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text


def seed(store: Store) -> None:
    """Two organisations, a manager of each, an operator, a subscriber of Cẩm Phả."""
    store.organisations.add_organisation(QN)
    store.organisations.add_organisation(CP)
    store.users.add_user(User(LAN, Role.MANAGER, QN.id))
    store.users.add_user(User(MAI, Role.MANAGER, CP.id))
    store.users.add_user(User(OPS, Role.OPERATOR, None))
    store.organisations.add_subscriber(Subscriber("chi@campha.example.vn", "Chị Hà", CP.id))


@contextmanager
def site_on(kind: str, tmp_path: Path, smtp: Any) -> Iterator[Site]:
    """Yield a :class:`Site` on a fresh SQLite file or PostgreSQL schema."""

    @contextmanager
    def url() -> Iterator[str]:
        if kind == "sqlite":
            yield f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
            return
        with pg_schema_url() as found:
            yield found

    with url() as database:
        store = open_store(database)
        try:
            seed(store)
            settings = Settings(
                database_url=database,
                smtp_host="127.0.0.1",
                smtp_port=smtp.port,
                smtp_from="Lịch kỷ niệm <lich@example.vn>",
                feeds_dir=str(tmp_path / "feeds"),
                web_allowed_hosts=("lich.example.vn",),
            )
            yield Site(database, store, smtp, Clock(), settings)
        finally:
            store.close()
