"""The pure checks of the subscription pages: client keys, addresses, names."""

from __future__ import annotations

import pytest

from calendar_svc.web.subscribe import check_address, check_name
from calendar_svc.web.subscribe_desk import client_key


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "client:203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "client:2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "client:2001:db8:1:2::/64"),  # one /64, one budget
        ("::ffff:203.0.113.7", "client:203.0.113.7"),
        (None, "client:unknown"),
        ("", "client:unknown"),
        ("not-an-ip", "client:not-an-ip"),
    ],
)
def test_client_keys(host: str | None, key: str) -> None:
    assert client_key(host) == key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  An@Example.ORG ", "an@example.org"),
        ("a@b.vn", "a@b.vn"),
        ("a@localhost", None),
        ("a@example.org\r\nBcc: x@example.org", None),
        ("a@example.org, b@example.org", None),
        ("<a@example.org>", None),
        ("người@example.org", None),
        ("a" * 250 + "@b.vn", None),
        ("", None),
    ],
)
def test_addresses(raw: str, expected: str | None) -> None:
    assert check_address(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Nguyễn Văn A ", "Nguyễn Văn A"),
        ("", ""),
        ("   ", ""),
        ("<b>x</b>", "<b>x</b>"),  # kept as typed; every page and mail escapes it
        ("A\nB", None),
        ("A\u2028B", None),
        ("x" * 201, None),
    ],
)
def test_names(raw: str, expected: str | None) -> None:
    assert check_name(raw) == expected
