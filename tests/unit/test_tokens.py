"""Unsubscribe tokens: unforgeable, unalterable, one address each, compared in constant time."""

from __future__ import annotations

import ast
import base64
import hmac
import inspect
import string
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendar_svc.mail import tokens
from calendar_svc.mail.tokens import make_token, read_token

SECRET = "a secret of the test"
ALPHABET = string.ascii_letters + string.digits + "-_"


def test_the_signature_is_compared_with_compare_digest_only() -> None:
    """Read the code path: one hmac.compare_digest, and no == or != on signature values."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(read_token)))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compare_digest"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "hmac"
    ]
    assert len(calls) == 1
    compared = {n.id for call in calls for n in ast.walk(call) if isinstance(n, ast.Name)}
    assert {"signature", "expected"} <= compared
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
            isinstance(op, ast.Eq | ast.NotEq) for op in node.ops
        ):
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            assert not names & {"signature", "expected", "given"}, ast.unparse(node)


def test_compare_digest_sees_the_given_and_the_expected_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    good = make_token(SECRET, "a@example.org")
    payload, signature = good.split(".")
    forged = f"{payload}.{'A' * len(signature)}"
    assert read_token(SECRET, forged) is None
    assert read_token(SECRET, good) == "a@example.org"
    assert seen == [(b"A" * len(signature), signature.encode()), (signature.encode(),) * 2]


def test_every_one_character_change_is_refused() -> None:
    good = make_token(SECRET, "can-bo@example.org")
    for i, old in enumerate(good):
        for new in ALPHABET + ".=":
            if new != old:
                changed = good[:i] + new + good[i + 1 :]
                assert read_token(SECRET, changed) is None, changed


B64 = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def respelt(part: str) -> str:
    """Return ``part`` with the last character's lowest (unused) bit flipped."""
    return part[:-1] + B64[B64.index(part[-1]) ^ 1]


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_other_spellings_of_the_same_bytes_are_refused() -> None:
    good = make_token(SECRET, "ab@example.org")  # 14 bytes: 2 unused bits at the end
    payload, signature = good.split(".")
    assert unb64(respelt(payload)) == unb64(payload)
    assert unb64(respelt(signature)) == unb64(signature)
    for token in (
        f"{payload}.{respelt(signature)}",
        f"{respelt(payload)}.{signature}",
        f"{payload}.{signature}==",
        f"{payload}==.{signature}",
    ):
        assert read_token(SECRET, token) is None, token


def test_a_token_names_one_address_and_one_secret() -> None:
    alice, bob = make_token(SECRET, "alice@example.org"), make_token(SECRET, "bob@example.org")
    assert read_token(SECRET, alice) == "alice@example.org"
    swapped = f"{bob.split('.')[0]}.{alice.split('.')[1]}"
    assert read_token(SECRET, swapped) is None
    assert read_token("another secret", alice) is None
    assert make_token(SECRET, " Alice@Example.ORG ") == alice


@given(st.text(max_size=120))
def test_random_text_is_never_a_token(text: str) -> None:
    assert read_token(SECRET, text) is None


@given(st.emails())
def test_every_address_reads_back(email: str) -> None:
    assert read_token(SECRET, make_token(SECRET, email)) == email.strip().lower()
