"""Any text in a subscriber's name or a subject: refused if it could break a header, else
written as RFC 5322 allows (printable ASCII, RFC 2047 encoded words) and read back exactly.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendar_svc.core.recipients import ReminderKey, ReminderKind
from calendar_svc.mail.message import (
    Envelope,
    HeaderInjectionError,
    build_message,
    message_id_for,
)

KEY = ReminderKey(ReminderKind.DIGEST, "quang-ninh", date(2023, 3, 1), 10, "can-bo@example.org")
FIELDS = {
    "date", "from", "to", "subject", "message-id", "list-unsubscribe",
    "list-unsubscribe-post", "auto-submitted", "mime-version", "content-type",
}  # fmt: skip
BREAKS = ("\r", "\n", "\x00")


def message(to_name: str, subject: str) -> bytes:
    envelope = Envelope(
        from_name="Lịch kỷ niệm",
        from_addr="nhac-lich@example.org",
        to_name=to_name,
        to_addr="can-bo@example.org",
        subject=subject,
        date=datetime(2023, 2, 20, 1, 0, tzinfo=UTC),
        message_id=message_id_for(KEY, "example.org"),
        unsubscribe_url="https://lich.example.org/unsubscribe?t=abc.def",
        unsubscribe_mailto="mailto:nhac-lich@example.org?subject=unsubscribe%20abc.def",
    )
    return build_message(envelope, "text", "<p>html</p>")


def raw_headers(data: bytes) -> dict[str, str]:
    """Return each field's unfolded raw value; check every header line on the way."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 8-bit bytes would raise
    fields: dict[str, str] = {}
    name = ""
    for line in head.split("\r\n"):
        assert len(line) <= 78, line
        assert all(ch == "\t" or " " <= ch <= "~" for ch in line), repr(line)  # no controls
        if line[0] in " \t":
            fields[name] += line
            continue
        name, _, value = line.partition(": ")
        assert re.fullmatch(r"[!-9;-~]+", name), line
        name = name.lower()
        assert name not in fields, f"{name} twice"
        fields[name] = value
    return fields


def rfc2047(value: str) -> str:
    """Decode as RFC 2047 says: white space between adjacent encoded words is dropped."""
    return str(make_header(decode_header(value)))


_PIECES = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["\r\n", "\r", "\n", "\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\t", " "]),
    st.sampled_from(["Đảng", "🇻🇳", "e\u0301", "\u2028", "\x85", '"', "\\", "<", ">", ",", ";"]),
)
TEXT = st.lists(_PIECES, min_size=1, max_size=30).map("".join).filter(lambda s: s.strip())


@given(to_name=TEXT, subject=TEXT)
def test_header_text_is_refused_or_read_back_exactly(to_name: str, subject: str) -> None:
    if any(ch in to_name or ch in subject for ch in BREAKS):
        with pytest.raises(HeaderInjectionError):
            message(to_name, subject)
        return
    data = message(to_name, subject)
    fields = raw_headers(data)
    assert set(fields) == FIELDS
    assert rfc2047(fields["subject"]) == subject
    phrase, _, address = fields["to"].rpartition(" <")
    assert address == "can-bo@example.org>"
    if phrase.startswith('"'):  # a quoted ASCII display name
        assert phrase[1:-1].replace('\\"', '"').replace("\\\\", "\\") == to_name
    else:
        assert rfc2047(phrase) == to_name
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["can-bo@example.org"]
    assert parsed["Bcc"] is None and parsed["Cc"] is None


@pytest.mark.parametrize("control", ["\x0b", "\x0c", "\x1b", "\x7f", "\t"])
def test_control_characters_are_encoded_not_written_raw(control: str) -> None:
    fields = raw_headers(message(f"Cán{control}bộ", f"Hello{control}world"))
    assert control not in fields["subject"] and control not in fields["to"]
    assert rfc2047(fields["subject"]) == f"Hello{control}world"


@pytest.mark.parametrize(
    "text",
    ["=?utf-8?q?forged?=", "Cán bộ =?utf-8?b?Zm9yZ2Vk?=", "=?iso-8859-1?q?=41?= x", "a=?b?c?="],
)
def test_encoded_word_lookalikes_are_encoded_never_written_raw(text: str) -> None:
    data = message(text, text)
    fields = raw_headers(data)
    phrase = fields["to"].rpartition(" <")[0]
    assert rfc2047(phrase) == text and rfc2047(fields["subject"]) == text
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert parsed["To"].addresses[0].display_name == text
    assert str(parsed["Subject"]) == text
