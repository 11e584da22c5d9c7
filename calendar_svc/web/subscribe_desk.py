"""What the subscription pages share: the store, the clock, the limits, the mails.

:class:`SubscribeDesk` opens the configured store on first use (as the unsubscribe pages
do) and does every piece of work that reads or writes it, in worker threads. The mails go
out off the request path (:meth:`SubscribeDesk.mail_confirmation`,
:meth:`SubscribeDesk.mail_manage_link`, run as background tasks after the answer is
sent), so neither the answer nor its timing tells whether an address is known.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from calendar_svc.config import Settings
from calendar_svc.core.recipients import Organisation, SubscribePolicy
from calendar_svc.services.reminders import smtp_settings
from calendar_svc.store.subscriptions import Purpose, address_key
from calendar_svc.web.subscribe_mail import build_link_mail, render_link_mail, send_link_mail

if TYPE_CHECKING:
    from calendar_svc.store.store import Store
    from calendar_svc.web.accounts import MailLink

log = logging.getLogger(__name__)

#: Requests per address and per hour, for each kind of mail (confirmation, manage link).
ADDRESS_LIMIT = 3
#: Requests per client (IP address, or IPv6 /64) and per hour, every form together.
CLIENT_LIMIT = 20
#: The window of both limits, in seconds.
LIMIT_WINDOW = 3600
#: How often one process purges expired links and old counters.
PURGE_EVERY = timedelta(hours=1)


def client_key(host: str | None) -> str:
    """Return the rate-limit key of a client: its IPv4 address, or its IPv6 /64."""
    if not host:
        return "client:unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"client:{host[:64]}"
    if address.version == 6:
        mapped = address.ipv4_mapped
        if mapped is not None:
            return f"client:{mapped}"
        return f"client:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"client:{address}"


class SubscribeDesk:
    """The store and the mail settings of the subscription pages (opened on first use)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._purged: datetime | None = None

    def now(self) -> datetime:
        """Return the time (the web entrypoint's clock)."""
        return datetime.now(UTC)

    def store(self) -> Store:
        """Return the configured store, opened once."""
        with self._lock:
            if self._store is None:
                from calendar_svc.store.open import open_store

                self._store = open_store(self.settings.database_url or None)
            return self._store

    def offered(self, lineage: Sequence[str] | None) -> list[Organisation]:
        """Return the organisations that take subscriptions, of these scopes (None: all)."""
        orgs = [
            org
            for org in self.store().organisations.organisations()
            if org.subscribe is not SubscribePolicy.CLOSED
            and (lineage is None or org.scope in lineage)
        ]
        order = {scope: i for i, scope in enumerate(lineage or ())}
        return sorted(orgs, key=lambda o: (order.get(o.scope, len(order)), o.name, o.id))

    def organisation(self, org_id: str) -> Organisation | None:
        """Return one organisation, or None."""
        from calendar_svc.errors import NotFoundError

        try:
            return self.store().organisations.get_organisation(org_id)
        except NotFoundError:
            return None

    def allow(self, purpose: Purpose, email: str, client: str) -> bool:
        """Count a request of ``client`` about ``email``; return whether both limits allow it.

        Both counters count every request (a refused one too), whichever refuses.
        """
        limits = self.store().rate_limits
        now = self.now()
        by_client = limits.hit(client, limit=CLIENT_LIMIT, window=LIMIT_WINDOW, now=now)
        key = f"{purpose.value}:addr:{address_key(email)}"
        by_address = limits.hit(key, limit=ADDRESS_LIMIT, window=LIMIT_WINDOW, now=now)
        return by_client and by_address

    def retry_after(self) -> int:
        """Return the seconds until the current limit window ends."""
        seconds = int(self.now().timestamp())
        return LIMIT_WINDOW - seconds % LIMIT_WINDOW

    def _purge(self, now: datetime) -> None:
        with self._lock:
            if self._purged is not None and now - self._purged < PURGE_EVERY:
                return
            self._purged = now
        store = self.store()
        store.subscriptions.purge(now=now)
        store.rate_limits.purge(before=now - timedelta(seconds=LIMIT_WINDOW))

    def _link(self, where: MailLink, path: str, token: str) -> str | None:
        if where.base_url is None:
            log.warning(
                "no link mail sent: the request's host %s is not in web.allowed_hosts; "
                "set web.base_url or web.allowed_hosts",
                where.host,
            )
            return None
        return f"{where.base_url}{path}?t={token}"

    async def _send(self, kind: str, lang: str, email: str, link: str, org_name: str) -> None:
        now = self.now()
        mail = render_link_mail(kind, lang, link=link, email=email, organisation=org_name)
        message = build_link_mail(
            mail, sender=self.settings.smtp_from, recipient=email, now=now, lang=lang
        )
        await send_link_mail(smtp_settings(self.settings), message)

    async def mail_confirmation(
        self, email: str, org: Organisation, name: str, lang: str, path: str, where: MailLink
    ) -> None:
        """Issue a confirmation link for ``email`` and ``org`` and mail it (background),
        under ``where`` (:func:`calendar_svc.web.accounts.mail_link`)."""
        try:
            if self._link(where, path, "") is None:
                return
            now = self.now()
            token = await asyncio.to_thread(
                self.store().subscriptions.issue,
                Purpose.CONFIRM,
                email,
                organisation=org.id,
                name=name or None,
                lang=lang,
                now=now,
            )
            link = self._link(where, path, token)
            if link is not None:
                await self._send("confirm", lang, email, link, org.name)
            await asyncio.to_thread(self._purge, now)
        except Exception:
            log.exception("confirmation mail to address %s… failed", address_key(email)[:12])

    async def mail_manage_link(self, email: str, lang: str, path: str, where: MailLink) -> None:
        """Mail a "my subscriptions" link to ``email`` if it has any (background)."""
        try:
            if self._link(where, path, "") is None:
                return
            store = self.store()
            subs = await asyncio.to_thread(store.subscriptions.subscriptions_of, email)
            if not subs:
                return
            token = await asyncio.to_thread(
                store.subscriptions.issue, Purpose.MANAGE, email, lang=lang, now=self.now()
            )
            link = self._link(where, path, token)
            if link is not None:
                await self._send("manage", lang, email, link, "")
        except Exception:
            log.exception("manage link mail to address %s… failed", address_key(email)[:12])
