"""Unforgeable unsubscribe tokens: the address and its HMAC-SHA256 under a secret.

A token is ``<address in base64url>.<first 128 bits of HMAC-SHA256(secret, purpose +
address) in base64url>``. Only someone holding the secret can make one, and a token
names exactly one address; it never expires (an old e-mail's link keeps working).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

_PURPOSE = b"calendar-svc unsubscribe\x00"
_SIG_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, address: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), _PURPOSE + address, hashlib.sha256).digest()[
        :_SIG_BYTES
    ]


def make_token(secret: str, email: str) -> str:
    """Return the unsubscribe token of ``email`` (lower-cased) under ``secret``."""
    if not secret:
        raise ValueError("the unsubscribe secret is empty")
    address = email.strip().lower().encode("utf-8")
    return f"{_b64(address)}.{_b64(_signature(secret, address))}"


def read_token(secret: str, token: str) -> str | None:
    """Return the address a token was made for, or None if it is malformed or forged.

    Only the exact token :func:`make_token` gives is accepted: base64 has several
    spellings of the same bytes (the unused bits of the last character, padding), so the
    signature is compared as text, with :func:`hmac.compare_digest` (constant time), and
    the address part must be spelt canonically too. An altered token is refused even when
    it decodes to the same bytes.
    """
    if not secret or token.count(".") != 1 or len(token) > 1000:
        return None
    payload, signature = token.split(".")
    try:
        address = _unb64(payload)
        email = address.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    expected = _b64(_signature(secret, address))
    if not hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode("ascii")):
        return None
    if payload != _b64(address):
        return None
    return email
