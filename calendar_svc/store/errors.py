"""Errors of the store: a database that cannot be used, a stored row that is not valid.

Pure (stdlib only), so the SQLite fast path can raise them without importing SQLAlchemy.
"""

from __future__ import annotations

import re
from typing import Literal

from calendar_svc.errors import CalendarSvcError, DataError

#: Same shape as SQLAlchemy's URL pattern: the password runs from the first ':' after the
#: user name to the '@' (a literal '@' in a password must be percent-encoded).
_PASSWORD_RE = re.compile(r"^([\w+.-]+://[^:/@]*:)[^@]*@")

StoreAction = Literal["open", "read", "write"]

_ACTIONS: dict[str, tuple[str, str]] = {
    "open": ("không mở được", "cannot open"),
    "read": ("không đọc được", "cannot read"),
    "write": ("không ghi được", "cannot write to"),
}


def mask_url(url: str) -> str:
    """Return ``url`` with its password, if any, replaced by ``***``.

    Args:
        url: A database URL such as ``postgresql+psycopg://user:secret@host/db``.

    Returns:
        The URL with the password masked: ``postgresql+psycopg://user:***@host/db``.
    """
    return _PASSWORD_RE.sub(r"\1***@", url)


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
        self.reason = _first_line(reason)
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
