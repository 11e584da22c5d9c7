"""The access log's filter: no link token in any line."""

from __future__ import annotations

import logging

import pytest

from calendar_svc.logs import RedactTokens


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/subscribe/confirm?t=abcDEF_-123", "/subscribe/confirm?t=…"),
        ("/signin/link?t=abc&lang=en", "/signin/link?t=…&lang=en"),
        ("/x?lang=en&t=abc", "/x?lang=en&t=…"),
        ("/month/2023-02?scope=national", "/month/2023-02?scope=national"),
        ("/x?at=keep", "/x?at=keep"),
    ],
)
def test_tokens_are_replaced(path: str, shown: str) -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s"', ("1.2.3.4", "GET", path), None
    )
    assert RedactTokens().filter(record)
    assert record.getMessage() == f'1.2.3.4 - "GET {shown}"'
