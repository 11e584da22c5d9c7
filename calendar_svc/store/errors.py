"""Errors of the store: a database that cannot be used, a stored row that is not valid.

Pure (stdlib only), so the SQLite fast path can raise them without importing SQLAlchemy.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote, unquote

from calendar_svc.errors import CalendarSvcError, DataError

#: ``scheme://user:`` — a password follows up to the '@' before the host.
_USER_RE = re.compile(r"^[^/?#@]*?://[^:/@?#]*:")
#: Query keys whose values are secrets (``password``, ``sslpassword``, ``passfile``...).
_SECRET_KEY_RE = re.compile(r"pass|pwd|secret|token", re.IGNORECASE)
#: Shortest fragment of a secret that is scrubbed from driver messages.
_MIN_FRAGMENT = 3

StoreAction = Literal["open", "read", "write"]

_ACTIONS: dict[str, tuple[str, str]] = {
    "open": ("không mở được", "cannot open"),
    "read": ("không đọc được", "cannot read"),
    "write": ("không ghi được", "cannot write to"),
}


def _password_span(url: str) -> tuple[int, int] | None:
    """Return where the password of the user part lies in ``url``, or None without one.

    The password ends at the last '@' before the query, so an '@' left unencoded in it
    does not end it early (SQLAlchemy would read the rest as the host); when no '@' comes
    before the query, at the last '@' of all (a '?' in the password).
    """
    user = _USER_RE.match(url)
    if user is None:
        return None
    query = url.find("?", user.end())
    at = url.rfind("@", user.end(), query) if query != -1 else -1
    if at == -1:
        at = url.rfind("@", user.end())
    if at == -1:
        return None
    return user.end(), at


def _query_secrets(url: str) -> list[tuple[int, int]]:
    """Return where the values of secret query parameters lie in ``url``."""
    spans: list[tuple[int, int]] = []
    query = url.find("?")
    if query == -1:
        return spans
    position = query + 1
    for pair in url[query + 1 :].split("&"):
        key, equals, _ = pair.partition("=")
        if equals and _SECRET_KEY_RE.search(key):
            start = position + len(key) + 1
            spans.append((start, position + len(pair)))
        position += len(pair) + 1
    return spans


def url_secrets(url: str) -> list[str]:
    """Return the secrets a URL holds: its password and secret query values, with pieces.

    The pieces are the parts of a password between unencoded '@' signs, which a driver
    may show as part of a host name.
    """
    spans = _query_secrets(url)
    password = _password_span(url)
    if password is not None:
        spans.append(password)
    found: list[str] = []
    for start, end in spans:
        value = url[start:end]
        found.extend(part for part in (value, *value.split("@")) if len(part) >= _MIN_FRAGMENT)
    return sorted(set(found), key=len, reverse=True)


def mask_url(url: str) -> str:
    """Return ``url`` with its password and secret query values replaced by ``***``.

    Args:
        url: A database URL such as ``postgresql+psycopg://user:secret@host/db?password=x``.

    Returns:
        The URL with its secrets masked: ``postgresql+psycopg://user:***@host/db?password=***``.
    """
    spans = _query_secrets(url)
    password = _password_span(url)
    if password is not None:
        spans.append(password)
    for start, end in sorted(spans, reverse=True):
        url = f"{url[:start]}***{url[end:]}"
    return url


def encode_password(url: str) -> str:
    """Return ``url`` with its password percent-encoded, so an '@' in it stays in it."""
    span = _password_span(url)
    if span is None:
        return url
    start, end = span
    return f"{url[:start]}{quote(unquote(url[start:end]), safe='')}{url[end:]}"


def redact(text: str, url: str) -> str:
    """Return ``text`` with every secret of ``url`` (and the URL itself) masked."""
    text = text.replace(url, mask_url(url))
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    return text


def _first_line(text: str) -> str:
    """Return the first non-empty line of ``text``, stripped."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return text.strip() or "unknown error"


class StoreError(CalendarSvcError):
    """The database cannot be opened, read or written.

    The message is one line that names the URL with its password masked, for example
    ``không mở được cơ sở dữ liệu / cannot open database
    postgresql+psycopg://app:***@db:5432/cal: connection refused``.
    """

    def __init__(self, url: str, reason: str, *, action: StoreAction = "open") -> None:
        self.url = mask_url(url)
        self.reason = redact(_first_line(reason), url)
        self.action = action
        vi, en = _ACTIONS[action]
        super().__init__(f"{vi} cơ sở dữ liệu / {en} database {self.url}: {self.reason}")


class StoredRowError(DataError):
    """A stored row does not make a valid value (an anniversary, organisation, subscriber)."""

    def __init__(
        self, anniversary_id: object, reason: str, *, table: str = "anniversaries"
    ) -> None:
        self.anniversary_id = anniversary_id
        self.table = table
        self.reason = _first_line(reason)
        super().__init__(
            f"dòng hỏng trong bảng {table} / bad stored row {table}"
            f"[{anniversary_id!r}]: {self.reason}"
        )
