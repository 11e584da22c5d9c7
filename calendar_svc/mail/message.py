"""Build a reminder as the bytes an SMTP server receives. Pure: no clock, no I/O.

The MIME tree is ``multipart/mixed`` holding ``multipart/alternative`` (text/plain, then
text/html, both UTF-8 in base64) and the ``.ics`` attachment (``text/calendar;
method=PUBLISH``), then the directive's ``.docx`` draft when the organisation asks for it
(issue 6). It is written by hand rather than with :mod:`email.message`, which
costs about 2 ms a message; the result is checked with the stdlib parser in the tests.

Header safety: every value that reaches a header is refused if it holds a CR, LF or NUL
(:class:`HeaderInjectionError`), addresses must be plain ASCII ``local@domain``, and
non-ASCII text (names, subjects) is written as RFC 2047 encoded words, folded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache

from calendar_svc.core.recipients import ReminderKey

CRLF = "\r\n"
#: Right-hand side of Message-IDs when the sender's domain is not usable.
FALLBACK_DOMAIN = "calendar-svc.invalid"

_ADDR_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*$")
_ATOM_PHRASE_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*$")
_URI_RE = re.compile(r"^[^\s<>\"\x00-\x1f\x7f]+$")


class HeaderInjectionError(ValueError):
    """A header value would break out of its header (it holds CR, LF or NUL)."""

    def __init__(self, field: str, value: str) -> None:
        self.field = field
        super().__init__(f"header {field}: value {value[:60]!r} contains a line break or NUL")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to the message."""

    filename: str
    content: bytes
    content_type: str = "text/calendar"
    params: tuple[tuple[str, str], ...] = (("method", "PUBLISH"),)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Everything the headers say."""

    from_name: str
    from_addr: str
    to_name: str
    to_addr: str
    subject: str
    date: datetime
    message_id: str
    unsubscribe_url: str
    unsubscribe_mailto: str


def _safe(field: str, value: str) -> str:
    if "\r" in value or "\n" in value or "\x00" in value:
        raise HeaderInjectionError(field, value)
    return value


def _addr(field: str, value: str) -> str:
    _safe(field, value)
    if not _ADDR_RE.match(value):
        raise ValueError(f"header {field}: {value!r} is not a plain ASCII address")
    return value


def domain_of(address: str) -> str:
    """Return the domain of an address if it is a usable host name, else the fallback."""
    domain = address.rsplit("@", 1)[-1].strip().lower()
    return domain if "@" in address and _DOMAIN_RE.match(domain) else FALLBACK_DOMAIN


def message_id_for(key: ReminderKey, domain: str) -> str:
    """Return the reminder's Message-ID: the same for the same key, whoever sends it.

    The recipient's address is hashed, not shown:
    ``<digest.20230201.10d.3f0c…@example.org>``.
    """
    digest = hashlib.sha256(key.token().encode("utf-8")).hexdigest()[:24]
    when = key.occurrence.strftime("%Y%m%d")
    return f"<{key.kind.value}.{when}.{key.lead}d.{digest}@{domain}>"


def _encoded_word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def _fits(text: str, budget: int) -> bool:
    return len(_encoded_word(text)) <= budget


def encode_words(text: str, *, first_budget: int = 60) -> str:
    """Return ``text`` as RFC 2047 encoded words, folded between words.

    Each encoded word carries whole words and the space after them, so decoders that
    ignore the white space between adjacent encoded words (as RFC 2047, section 6.2,
    requires) restore the text exactly; every encoded word stays within 75 characters.
    """
    words = text.split(" ")
    pieces = [w + " " for w in words[:-1]] + [words[-1]]
    chunks: list[str] = []
    current = ""
    budget = first_budget
    for piece in pieces:
        if _fits(current + piece, budget):
            current += piece
            continue
        if current:
            chunks.append(current)
            budget = 75
        current = ""
        for ch in piece:  # a word too long for one encoded word: split between characters
            if current and not _fits(current + ch, budget):
                chunks.append(current)
                budget = 75
                current = ""
            current += ch
    if current or not chunks:
        chunks.append(current)
    return (CRLF + " ").join(_encoded_word(chunk) for chunk in chunks)


def _plain(value: str) -> bool:
    """Return whether ``value`` may be written as it is: printable ASCII (RFC 5322 VCHAR
    and space) that could not be read as an encoded word; anything else (a control
    character such as VT or ESC, ``=?utf-8?q?...?=``) is encoded."""
    return value.isascii() and value.isprintable() and "=?" not in value


@lru_cache(maxsize=1024)
def encode_text(field: str, value: str) -> str:
    """Return ``Field: value`` for unstructured text, RFC 2047-encoded and folded if needed."""
    _safe(field, value)
    if _plain(value) and len(field) + 2 + len(value) <= 78:
        return f"{field}: {value}"
    return f"{field}: {encode_words(value, first_budget=76 - len(field) - 2)}"


@lru_cache(maxsize=1024)
def encode_address(field: str, name: str, address: str) -> str:
    """Return ``Field: name <address>`` with the name quoted or encoded as needed."""
    _safe(field, name)
    address = _addr(field, address)
    if not name:
        return f"{field}: {address}"
    if _ATOM_PHRASE_RE.match(name) and _plain(name) and len(name) < 60:
        phrase = name
    elif _plain(name) and len(name) < 60:
        phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        phrase = encode_words(name, first_budget=76 - len(field) - 2)
    last = phrase.rsplit(CRLF, 1)[-1]
    start = 0 if CRLF in phrase else len(field) + 2
    if start + len(last) + len(address) + 3 > 78:  # keep lines within 78 characters
        return f"{field}: {phrase}{CRLF} <{address}>"
    return f"{field}: {phrase} <{address}>"


def _base64_lines(data: bytes) -> str:
    text = binascii.b2a_base64(data, newline=False).decode("ascii")
    return "".join(text[i : i + 76] + CRLF for i in range(0, len(text), 76))


def _canonical(text: str) -> bytes:
    """Return text with CRLF line ends, as base64-encoded text/* parts require."""
    return text.replace("\r\n", "\n").replace("\n", CRLF).encode("utf-8")


def _part(content_type: str, body: bytes, extra: str = "") -> str:
    return (
        f"Content-Type: {content_type}{CRLF}{extra}"
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}{_base64_lines(body)}"
    )


@lru_cache(maxsize=256)
def _attachment_part(att: Attachment) -> str:
    name = _safe("filename", att.filename)
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise ValueError(f"attachment name {name!r} must be plain ASCII (A-Z, 0-9, . _ -)")
    params = "".join(f"; {k}={_safe(k, v)}" for k, v in att.params)
    charset = '; charset="utf-8"' if att.content_type.startswith("text/") else ""
    content_type = f'{att.content_type}{charset}{params}; name="{name}"'
    disposition = f'Content-Disposition: attachment; filename="{name}"{CRLF}'
    return _part(content_type, att.content, disposition)


def build_message(
    envelope: Envelope,
    text: str,
    html: str,
    attachment: Attachment | None = None,
    *,
    extra: Sequence[Attachment] = (),
) -> bytes:
    """Return the whole message (headers and MIME body) as bytes with CRLF line ends.

    ``extra`` attachments follow ``attachment`` (the directive's .docx draft after the
    digest's .ics); only text/* attachments declare a charset.

    Raises:
        HeaderInjectionError: a header value holds CR, LF or NUL.
        ValueError: an address, URI or attachment name is not acceptable.
    """
    mid = _safe("Message-ID", envelope.message_id)
    if not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", mid):
        raise ValueError(f"Message-ID {mid!r} is not <left@right>")
    url = _safe("List-Unsubscribe", envelope.unsubscribe_url)
    mailto = _safe("List-Unsubscribe", envelope.unsubscribe_mailto)
    if not (_URI_RE.match(url) and _URI_RE.match(mailto) and mailto.startswith("mailto:")):
        raise ValueError("List-Unsubscribe needs an http(s) URL and a mailto: URI without spaces")
    tag = hashlib.sha256(mid.encode("ascii", "replace")).hexdigest()[:16]
    mixed, alternative = f"=_cs_mixed_{tag}", f"=_cs_alt_{tag}"
    headers = [
        f"Date: {format_datetime(envelope.date)}",
        encode_address("From", envelope.from_name, envelope.from_addr),
        encode_address("To", envelope.to_name, envelope.to_addr),
        encode_text("Subject", envelope.subject),
        f"Message-ID: {mid}",
        f"List-Unsubscribe: <{url}>,{CRLF} <{mailto}>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "Auto-Submitted: auto-generated",
        "MIME-Version: 1.0",
    ]
    body_parts = (
        f"--{alternative}{CRLF}"
        + _part('text/plain; charset="utf-8"', _canonical(text))
        + f"--{alternative}{CRLF}"
        + _part('text/html; charset="utf-8"', _canonical(html))
        + f"--{alternative}--{CRLF}"
    )
    attachments = ([] if attachment is None else [attachment]) + list(extra)
    if not attachments:
        headers.append(f'Content-Type: multipart/alternative; boundary="{alternative}"')
        body = body_parts
    else:
        headers.append(f'Content-Type: multipart/mixed; boundary="{mixed}"')
        body = (
            f"--{mixed}{CRLF}"
            f'Content-Type: multipart/alternative; boundary="{alternative}"{CRLF}{CRLF}'
            + body_parts
            + "".join(f"--{mixed}{CRLF}" + _attachment_part(att) for att in attachments)
            + f"--{mixed}--{CRLF}"
        )
    return (CRLF.join(headers) + CRLF + CRLF + body).encode("ascii")
