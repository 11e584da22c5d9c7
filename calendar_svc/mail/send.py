"""Deliver messages with aiosmtplib: reused connections, a hard timeout, bounded concurrency.

:class:`SmtpPool` keeps up to ``concurrency`` open connections for a whole dispatch pass
and sends one message at a time on each. Every message has one deadline covering the
connection it may need and the whole SMTP transaction (``asyncio.timeout``); a connection
whose transaction timed out or broke is closed, never reused. Each send returns a
:class:`Delivery` verdict instead of raising:

* ``SENT``: the server answered 250 to the message's data.
* ``RETRY``: a 4xx reply, a timeout or a disconnect during the transaction.
* ``FAILED``: a 5xx reply or an authentication failure; the reason is kept.
* ``UNREACHABLE``: no connection could be made (refused, DNS, TLS, 4xx greeting): nothing
  was attempted, so the message keeps its attempt count.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from dataclasses import dataclass
from enum import StrEnum

import aiosmtplib

from calendar_svc.mail.content import Outgoing

log = logging.getLogger(__name__)


class Verdict(StrEnum):
    """How a delivery ended."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A verdict and its reason (the server's reply or the error)."""

    verdict: Verdict
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to connect (``smtp.*`` options)."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = False
    tls: bool = False
    timeout: float = 30.0
    concurrency: int = 4


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}".strip()


def classify_transaction_error(exc: BaseException, timeout: float) -> Delivery:
    """Return the verdict of an error raised while a message was being sent."""
    if isinstance(exc, TimeoutError):
        return Delivery(Verdict.RETRY, f"no answer within {timeout:g} s")
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        first = exc.recipients[0]
        verdict = Verdict.FAILED if 500 <= first.code < 600 else Verdict.RETRY
        return Delivery(verdict, f"recipient refused: {_reply(first)}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        verdict = Verdict.FAILED if 500 <= exc.code < 600 else Verdict.RETRY
        return Delivery(verdict, _reply(exc))
    if isinstance(exc, (aiosmtplib.SMTPServerDisconnected, ConnectionError, OSError)):
        return Delivery(Verdict.RETRY, f"disconnected: {exc}")
    return Delivery(Verdict.RETRY, f"{type(exc).__name__}: {exc}")


def classify_connect_error(exc: BaseException, timeout: float) -> Delivery:
    """Return the verdict of an error raised while connecting (or logging in)."""
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return Delivery(Verdict.FAILED, f"authentication failed: {_reply(exc)}")
    if isinstance(exc, aiosmtplib.SMTPResponseException) and 500 <= exc.code < 600:
        return Delivery(Verdict.FAILED, f"server refused the session: {_reply(exc)}")
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return Delivery(Verdict.FAILED, f"server cannot do what is configured: {exc}")
    if isinstance(exc, TimeoutError):
        return Delivery(Verdict.UNREACHABLE, f"no connection within {timeout:g} s")
    return Delivery(Verdict.UNREACHABLE, f"cannot connect: {exc}")


class SmtpPool:
    """Up to ``concurrency`` SMTP connections, opened on demand, closed by :meth:`close`."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._hostname: str | None = None

    async def __aenter__(self) -> SmtpPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        if self._hostname is None:
            self._hostname = await asyncio.to_thread(socket.getfqdn)
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username or None,
            password=s.password or None,
            use_tls=s.tls,
            start_tls=s.starttls and not s.tls,
            timeout=s.timeout,
            local_hostname=self._hostname,
        )
        await client.connect()
        return client

    async def probe(self) -> Delivery:
        """Open one connection (kept for reuse); return SENT if it worked, else the verdict."""
        try:
            async with asyncio.timeout(self.settings.timeout):
                client = await self._connect()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return classify_connect_error(exc, self.settings.timeout)
        self._idle.append(client)
        return Delivery(Verdict.SENT)

    @staticmethod
    async def _transact(client: aiosmtplib.SMTP, message: Outgoing) -> None:
        """Send one message: MAIL (with its exact SIZE), RCPT, DATA; RSET after a refusal.

        The message is already in canonical CRLF form, so its length is its size and
        ``sendmail``'s extra pass to measure it is not needed.
        """
        size = [f"SIZE={len(message.data)}"] if client.supports_extension("size") else []
        try:
            await client.mail(message.sender, options=size)
            await client.rcpt(message.recipient)
            await client.data(message.data)
        except aiosmtplib.SMTPResponseException:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.rset()  # an unusable connection is dropped by the caller
            raise

    async def send(self, message: Outgoing) -> Delivery:
        """Send one message within the timeout; return the verdict (never raises for SMTP)."""
        timeout = self.settings.timeout
        async with self._slots:
            client = self._idle.pop() if self._idle else None
            reused = client is not None
            connecting = False
            try:
                async with asyncio.timeout(timeout):
                    while True:
                        if client is None or not client.is_connected:
                            connecting = True
                            client = await self._connect()
                            connecting = reused = False
                        try:
                            await self._transact(client, message)
                            break
                        except aiosmtplib.SMTPServerDisconnected:
                            if not reused:
                                raise
                            # An idle connection the server had closed: nothing was sent.
                            client.close()
                            client, reused = None, False
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                if connecting:
                    return classify_connect_error(exc, timeout)
                keep = (
                    client is not None
                    and client.is_connected
                    and isinstance(exc, aiosmtplib.SMTPResponseException)
                    and exc.code != 421
                )
                if keep and client is not None:
                    self._idle.append(client)
                elif client is not None:
                    client.close()
                return classify_transaction_error(exc, timeout)
            self._idle.append(client)
            return Delivery(Verdict.SENT)

    async def close(self) -> None:
        """Say QUIT on every idle connection (closing those that do not answer)."""
        idle, self._idle = self._idle, []
        for client in idle:
            try:
                async with asyncio.timeout(min(self.settings.timeout, 5)):
                    await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()
