"""Text with line breaks never injects a mail header; other text is encoded and read back.

Subscribers and anniversaries the CLI would refuse (a CR LF in a name) are written straight
into the database; ``remind run-once`` then sends to a real aiosmtpd server, and the raw
bytes it received are checked: only the headers calendar_svc writes, all ASCII, one
recipient per envelope, and the names that are allowed (``;``, ``,``, ``\\``, emoji,
combining marks, 1,500 characters of Vietnamese) decode back exactly.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from pathlib import Path

import pytest
from reminders_support import InstalledCli
from smtp_support import SmtpServer
from text_samples import LONG_VI

from calendar_svc.core.recipients import MAX_NAME_CHARS
from calendar_svc.store.open import open_store
from helpers import make

#: The longest name a subscriber may have, far over one header line.
LONG_NAME = f"🎉 {LONG_VI}"[:MAX_NAME_CHARS]

HEADERS = {
    "date", "from", "to", "subject", "message-id", "list-unsubscribe",
    "list-unsubscribe-post", "auto-submitted", "mime-version", "content-type",
}  # fmt: skip
INJECTION = "Tên\r\nBcc: victim@example.org\r\nX-Injected: yes"
FANCY = "Sự kiện; a, b \\ c \\N 🇻🇳 👨‍👩‍👧 Vie\u0323\u0302t e\u0301"


@pytest.fixture
def cli(tmp_path: Path) -> InstalledCli:
    return InstalledCli(tmp_path)


def insert_subscriber(database: Path, email: str, name: str, **values: object) -> None:
    """Write a subscriber row directly, past every check of the CLI and the core."""
    row = {
        "email": email, "name": name, "organisation_id": "quang-ninh", "scope": None,
        "categories": "", "lang": "vi", "leads": "", "active": 1,
        "created_at": "2023-01-01 00:00:00.000000", "unsubscribed_at": None, **values,
    }  # fmt: skip
    with closing(sqlite3.connect(database)) as conn, conn:
        conn.execute(
            f"INSERT INTO subscribers ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )


def header_fields(data: bytes) -> list[str]:
    """Return the field names of the raw header block (continuation lines belong above)."""
    head = data.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # raises on any 8-bit byte in a header
    names = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            continue
        match = re.match(rb"^([!-9;-~]+):", line)
        assert match, line
        names.append(match[1].decode().lower())
    return names


def display_name(data: bytes) -> str:
    """Return the To display name decoded as RFC 2047 says (white space between encoded
    words ignored; CPython's address parser keeps it, so it is not used here)."""
    raw = BytesParser(policy=policy.compat32).parsebytes(data, headersonly=True)["To"]
    phrase = re.sub(r"\r?\n[ \t]", " ", str(raw)).rsplit(" <", 1)[0]
    return str(make_header(decode_header(phrase)))


def test_line_breaks_in_stored_names_never_reach_a_header(cli: InstalledCli) -> None:
    cli.setup_quang_ninh("good@example.org")
    insert_subscriber(cli.database, "evil@example.org", INJECTION)
    insert_subscriber(cli.database, "long@example.org", LONG_NAME)
    insert_subscriber(cli.database, "fancy@example.org", FANCY)
    store = open_store(f"sqlite:///{cli.database}")
    try:
        for ident, origin, name in (
            ("su-kien-xuong-dong", "1923-01-30", INJECTION),
            ("su-kien-ky-tu", "1973-01-30", FANCY),
        ):
            ann = dataclasses.replace(make(ident, origin), name_vi=name)
            store.anniversaries.add(ann, now=datetime(2023, 1, 1, tzinfo=UTC))
    finally:
        store.close()
    cli.ok(
        "subscribers", "add", "watcher@example.org", "--name", "Theo dõi", "--scope",
        "national", "--leads", "7",
    )  # fmt: skip
    with SmtpServer() as server:
        result = cli.run_once(server.port, "2023-01-23T08:00")
    assert result.code == 0, result.err

    by_recipient: dict[str, list[bytes]] = {}
    for mail in server.received:
        assert len(mail.recipients) == 1
        by_recipient.setdefault(mail.recipients[0], []).append(mail.data)
        fields = header_fields(mail.data)
        assert set(fields) == HEADERS and len(fields) == len(HEADERS), fields
        assert b"victim@example.org" not in mail.data.split(b"\r\n\r\n", 1)[0]
    # The row whose name holds CR LF gets nothing (logged); everyone else gets theirs.
    assert "evil@example.org" not in by_recipient
    assert "bad stored row subscribers['evil@example.org']" in result.err
    assert {"good@example.org", "long@example.org", "fancy@example.org"} <= set(by_recipient)

    parse = BytesParser(policy=policy.default).parsebytes
    (long_mail,) = by_recipient["long@example.org"]
    assert display_name(long_mail) == LONG_NAME
    (fancy_mail,) = by_recipient["fancy@example.org"]
    assert display_name(fancy_mail) == FANCY

    subjects = [str(parse(data)["Subject"]) for data in by_recipient["watcher@example.org"]]
    assert any(FANCY in subject for subject in subjects), subjects
    assert not any("Bcc" in subject for subject in subjects)
    # The reminder whose subject would carry CR LF is refused, with the reason kept.
    failed = [r for r in cli.outbox() if r["status"] == "failed"]
    assert {r["recipient"] for r in failed} == {"watcher@example.org", "good@example.org"}
    for row in failed:
        assert row["subject"] == "su-kien-xuong-dong" and "line break" in row["reason"], row
