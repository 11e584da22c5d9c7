"""A real SMTP server for tests: aiosmtpd on a free port, with scripted replies.

The server records every message it accepted (the 250 reply is what counts), with its
Message-ID, envelope and bytes. Tests script faults per message through
:attr:`SmtpServer.reply` (return a reply line such as ``"451 4.3.0 try later"`` instead
of accepting) and can hold DATA replies (:meth:`SmtpServer.hold`) until released, to
stop a dispatcher mid-batch deterministically.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One accepted message."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class _Handler:
    server: SmtpServer

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return await self.server._data(server, session, envelope)


@dataclass
class SmtpServer:
    """An aiosmtpd server in a thread; use as a context manager."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    #: Called for each DATA before accepting; a returned reply line replaces the 250.
    reply: Callable[[int, bytes], str | None] | None = None
    #: Hold DATA replies once this many messages were accepted (None: never by itself).
    hold_after: int | None = None
    #: More keyword arguments for aiosmtpd's Controller (TLS, authentication).
    options: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _held: int = 0
    _holding: bool = False
    _release: asyncio.Event | None = None
    _controller: Controller | None = None

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10, **self.options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._holding:
            self.release()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hold(self) -> None:
        """Hold every later DATA reply until :meth:`release`."""
        self._release = None
        self._holding = True

    @property
    def held(self) -> int:
        """Return how many DATA replies are being held now."""
        with self._lock:
            return self._held

    def release(self) -> None:
        """Answer the held DATA commands (messages of closed connections are dropped)."""
        self._holding = False
        if self._release is not None and self._controller is not None:
            self._controller.loop.call_soon_threadsafe(self._release.set)

    async def _data(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.attempts += 1
            attempt = self.attempts
        if self.hold_after is not None and not self._holding:
            with self._lock:
                if len(self.received) >= self.hold_after:
                    self.hold_after = None
                    self._release = None
                    self._holding = True
        if self._holding:
            if self._release is None:
                self._release = asyncio.Event()
            with self._lock:
                self._held += 1
            try:
                await self._release.wait()
            finally:
                with self._lock:
                    self._held -= 1
            transport = getattr(server, "transport", None)
            if transport is None or transport.is_closing():
                return "421 4.4.2 connection lost"  # never reaches the client: not accepted
        data = bytes(envelope.original_content or envelope.content)
        if self.reply is not None:
            line = self.reply(attempt, data)
            if line is not None:
                return line
        with self._lock:
            self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), data))
        return "250 2.0.0 OK"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [r.message_id for r in self.received]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 60) -> None:
        """Wait until ``condition()`` holds (polling); fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached in time")
            time.sleep(0.01)
