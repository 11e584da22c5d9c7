"""Reminders end to end: the installed command, a fresh database, a real SMTP server.

Every test starts aiosmtpd on a free port and runs ``calendar-svc`` as a user would, in
subprocesses with their own data directory.
"""

from __future__ import annotations

import email
import json
import shutil
import ssl
import subprocess
from datetime import date
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
from reminders_support import QUANG_NINH, InstalledCli
from smtp_support import Received, SmtpServer

FEB_PARTY = "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)"
FEB_LINES = [
    FEB_PARTY,
    "115 năm Ngày sinh đồng chí Nguyễn Đức Cảnh (02/02/1908 - 02/02/2023)",
    "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)",
    "44 năm Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc (17/02/1979 - 17/02/2023)",
    "68 năm Ngày Thầy thuốc Việt Nam (27/02)",
]
MAR_LINES = [
    "34 năm Ngày Biên phòng toàn dân (03/03/1989 - 03/03/2023)",
    "113 năm Ngày Quốc tế Phụ nữ (08/03/1910 - 08/03/2023)",
    "110 năm Ngày sinh đồng chí Chu Huy Mân (17/03/1913 - 17/03/2023)",
    "92 năm Ngày thành lập Đoàn Thanh niên Cộng sản Hồ Chí Minh (26/03/1931 - 26/03/2023)",
]
FEB_SUBJECT = "[Nhắc lịch] Định hướng tuyên truyền tháng 02/2023 — hạn 02/02/2023"
MAR_SUBJECT = "[Nhắc lịch] Định hướng tuyên truyền tháng 03/2023 — hạn 02/03/2023"


@pytest.fixture
def cli(tmp_path: Path) -> InstalledCli:
    return InstalledCli(tmp_path)


def decoded(value: str) -> str:
    """Return a header value decoded as RFC 2047 says (white space between words dropped)."""
    return str(make_header(decode_header(value)))


def raw_header(received: Received, name: str) -> str:
    return str(email.message_from_bytes(received.data, policy=policy.compat32)[name])


def text_of(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content()).replace("\r\n", "\n")  # text travels in canonical CRLF


@pytest.mark.parametrize("base_url", ["", "http://127.0.0.1:8080"])
def test_no_mail_with_links_to_this_machine(cli: InstalledCli, base_url: str) -> None:
    with SmtpServer() as server:
        cli.ok("org", "add", "quang-ninh", "--name", QUANG_NINH, "--scope", "province:quang-ninh")
        cli.ok(
            "subscribers", "add", "can-bo@example.org", "--name", "Cán bộ", "--org", "quang-ninh"
        )
        env = cli.smtp_env(server.port, CALENDAR_SVC_WEB_BASE_URL=base_url)
        refused = cli("remind", "run-once", "--now", "2023-01-23T08:00", env=env)
        assert refused.code == 1
        assert refused.err.count("\n") == 1 and "web.base_url" in refused.err
        assert "Traceback" not in refused.err
        assert server.received == []


def test_new_user_gets_exactly_one_digest_once(cli: InstalledCli) -> None:
    """The issue's scenario, command for command, on a fresh database."""
    with SmtpServer() as server:
        cli.ok("org", "add", "quang-ninh", "--name", QUANG_NINH, "--scope", "province:quang-ninh")
        cli.ok(
            "subscribers", "add", "can-bo@example.org", "--name", "Cán bộ", "--org", "quang-ninh"
        )
        env = cli.smtp_env(server.port)
        first = cli("remind", "run-once", "--now", "2023-01-23T08:00", env=env)
        assert first.code == 0, first.err
        assert len(server.received) == 1
        (mail,) = server.received
        assert mail.recipients == ("can-bo@example.org",)
        assert decoded(raw_header(mail, "Subject")) == FEB_SUBJECT  # due 02/02/2023
        assert FEB_PARTY in text_of(mail.message, "plain")
        again = cli("remind", "run-once", "--now", "2023-01-23T08:00", env=env)
        assert again.code == 0, again.err
        assert len(server.received) == 1
    assert "Gửi / Sent: 1," in first.out and "Gửi / Sent: 0," in again.out
    assert cli.database.is_file()  # created on first use, nothing set up by hand


def test_digest_content_mime_headers_and_calendar(cli: InstalledCli) -> None:
    cli.setup_quang_ninh("can-bo@example.org")
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-01-23T08:00", env=cli.smtp_env(server.port))
        cli.ok("remind", "run-once", "--now", "2023-02-20T08:00", env=cli.smtp_env(server.port))
    by_subject = {decoded(raw_header(r, "Subject")): r for r in server.received}
    assert set(by_subject) >= {FEB_SUBJECT, MAR_SUBJECT}
    february, march = by_subject[FEB_SUBJECT], by_subject[MAR_SUBJECT]

    feb_text = text_of(february.message, "plain")
    for line in FEB_LINES:
        assert line in feb_text
    mar_text = text_of(march.message, "plain")
    for line in MAR_LINES:
        assert line in mar_text
    assert "- 03/02/2023 (âm lịch 13/1 Quý Mão): " + FEB_PARTY + " [năm khác]" in feb_text
    assert "[năm tròn]" in feb_text and "[năm lẻ 5]" in feb_text
    # The ready-to-paste line is exactly what `calendar-svc month --format text` prints.
    for month, text in (("2023-02", feb_text), ("2023-03", mar_text)):
        line = cli.ok(
            "month", month, "--scope", "province:quang-ninh", "--format", "text"
        ).out.strip()
        assert f"\n{line}\n" in text
    # Look-ahead: 60 năm Ngày thành lập tỉnh Quảng Ninh (30/10/2023) is năm tròn.
    assert "60 năm Ngày thành lập tỉnh Quảng Ninh (30/10/1963 - 30/10/2023) [năm tròn" in feb_text
    assert "93 năm Ngày thành lập Đảng" in text_of(february.message, "html")

    msg = march.message
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.iter_parts()
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == "ky-niem-2023-03.ics"

    assert msg["Date"].startswith("Mon, 20 Feb 2023 08:00:") and msg["Date"].endswith("+0700")
    rows = {(r["occurrence"], r["lead_days"]): r for r in cli.outbox()}
    assert msg["Message-ID"] == rows[("2023-03-01", 10)]["message_id"]
    assert february.message["Message-ID"] == rows[("2023-02-01", 10)]["message_id"]
    assert decoded(raw_header(march, "To")) == "Cán bộ <can-bo@example.org>"
    unsubscribe = msg["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://lich.example.org/unsubscribe?t=")
    assert ", <mailto:calendar-svc@localhost?subject=unsubscribe%20" in unsubscribe
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    calendar = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "PUBLISH"
    events = list(calendar.walk("VEVENT"))
    starts = sorted(e.decoded("DTSTART") for e in events)
    listed = json.loads(
        cli.ok("month", "2023-03", "--scope", "province:quang-ninh", "--format", "json").out
    )
    assert len(events) == len(listed) == 27
    assert starts[0] == date(2023, 3, 3) and all(d.month == 3 for d in starts)
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any(
        "110 năm Ngày sinh đồng chí Chu Huy Mân (17/03/1913 - 17/03/2023)" in s for s in summaries
    )


def test_preview_is_the_message_that_will_be_sent(cli: InstalledCli, tmp_path: Path) -> None:
    cli.setup_quang_ninh("can-bo@example.org")
    out = tmp_path / "march.eml"
    public = {"CALENDAR_SVC_WEB_BASE_URL": "https://lich.example.org"}
    cli.ok(
        "remind",
        "preview",
        "--month",
        "2023-03",
        "--to",
        "can-bo@example.org",
        "--out",
        str(out),
        env=public,
    )
    stdout = subprocess.run(
        cli.argv("remind", "preview", "--month", "2023-03", "--to", "can-bo@example.org"),
        capture_output=True,
        env={**cli.env, **public},
        check=True,
    ).stdout
    assert stdout == out.read_bytes()
    preview = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    assert (
        decoded(email.message_from_bytes(out.read_bytes(), policy=policy.compat32)["Subject"])
        == MAR_SUBJECT
    )
    assert preview["Date"] == "Mon, 20 Feb 2023 08:00:00 +0700"
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-02-20T08:00", env=cli.smtp_env(server.port))
    sent = next(r for r in server.received if decoded(raw_header(r, "Subject")) == MAR_SUBJECT)
    assert sent.message["Message-ID"] == preview["Message-ID"]
    assert text_of(sent.message, "plain") == text_of(preview, "plain")  # type: ignore[arg-type]


def test_preview_errors(cli: InstalledCli) -> None:
    cli.ok("subscribers", "add", "a@example.org", "--name", "A", "--scope", "national")
    result = cli("remind", "preview", "--month", "2023-03", "--to", "a@example.org")
    assert (result.code, result.out) == (1, "")
    assert "belongs to no organisation" in result.err
    result = cli("remind", "preview", "--month", "2023-03", "--to", "nobody@example.org")
    assert result.code == 1 and "no subscriber 'nobody@example.org'" in result.err
    result = cli("remind", "preview", "--month", "2023-13", "--to", "a@example.org")
    assert result.code == 1 and "is not a month" in result.err


def test_english_subscriber(cli: InstalledCli) -> None:
    cli.setup_quang_ninh("officer@example.org", lang="en")
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-01-23T08:00", env=cli.smtp_env(server.port))
    (mail,) = server.received
    assert (
        decoded(raw_header(mail, "Subject"))
        == "[Reminder] Information directive for 02/2023 — due 02/02/2023"
    )
    text = text_of(mail.message, "plain")
    assert text.startswith("Dear Cán bộ,")
    assert "93rd anniversary of Founding of the Communist Party of Vietnam" in text


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_every_smtp_setting_is_an_environment_variable(cli: InstalledCli, tmp_path: Path) -> None:
    """STARTTLS, user name, password and sender come from CALENDAR_SVC_SMTP_* variables."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret", handled=False)

    cli.setup_quang_ninh("can-bo@example.org")
    options = {
        "tls_context": context,
        "require_starttls": True,
        "auth_required": True,
        "authenticator": authenticate,
    }
    with SmtpServer(options=options) as server:
        env = cli.smtp_env(
            server.port,
            CALENDAR_SVC_SMTP_STARTTLS="true",
            CALENDAR_SVC_SMTP_USERNAME="nhac-lich",
            CALENDAR_SVC_SMTP_PASSWORD="s3cret",
            CALENDAR_SVC_SMTP_FROM="Lịch kỷ niệm Quảng Ninh <nhac-lich@tuyengiao.example.org>",
            CALENDAR_SVC_SMTP_TIMEOUT="20",
            CALENDAR_SVC_SMTP_CONCURRENCY="1",
            CALENDAR_SVC_WEB_BASE_URL="https://lich.example.org",
            CALENDAR_SVC_REMINDERS_UNSUBSCRIBE_MAILTO="huy@tuyengiao.example.org",
            SSL_CERT_FILE=str(cert),
        )
        cli.ok("remind", "run-once", "--now", "2023-01-23T08:00", env=env)
    assert logins == [(b"nhac-lich", b"s3cret")]
    (mail,) = server.received
    assert mail.sender == "nhac-lich@tuyengiao.example.org"
    assert (
        decoded(raw_header(mail, "From"))
        == "Lịch kỷ niệm Quảng Ninh <nhac-lich@tuyengiao.example.org>"
    )
    assert mail.message["Message-ID"].endswith("@tuyengiao.example.org>")
    assert mail.message["List-Unsubscribe"].startswith("<https://lich.example.org/unsubscribe?t=")
    assert (
        "<mailto:huy@tuyengiao.example.org?subject=unsubscribe%20"
        in mail.message["List-Unsubscribe"]
    )


def test_organisation_and_subscriber_commands(cli: InstalledCli) -> None:
    cli.setup_quang_ninh("can-bo@example.org")
    cli.ok("org", "edit", "quang-ninh", "--due-days-before", "5", "--leads", "7")
    listed = cli.ok("org", "list").out.splitlines()
    assert [cell.strip() for cell in listed[2].split("  ") if cell.strip()] == [
        "quang-ninh",
        "province:quang-ninh",
        "5 ngày trước tháng",
        "7",
        "closed",
        QUANG_NINH,
    ]
    result = cli("org", "add", "x", "--name", "X", "--scope", "province:nowhere")
    assert result.code == 1 and "unknown scope 'province:nowhere'" in result.err
    result = cli("org", "add", "x", "--name", "X", "--scope", "national", "--due-day", "40")
    assert result.code == 1 and "out of range (1-31)" in result.err
    result = cli("org", "remove", "quang-ninh", "--yes")
    assert result.code == 1 and "still has 1 subscriber" in result.err
    result = cli("subscribers", "add", "bad address", "--name", "X", "--scope", "national")
    assert result.code == 1 and "is not an e-mail address" in result.err
    result = cli("subscribers", "add", "a@example.org", "--name", "X")
    assert result.code == 1 and "give either --org or --scope" in result.err
    result = cli(
        "subscribers",
        "add",
        "a@example.org",
        "--name",
        "X",
        "--scope",
        "national",
        "--category",
        "nope",
    )
    assert result.code == 1 and "unknown category 'nope'" in result.err
    cli.ok(
        "subscribers",
        "add",
        "b@example.org",
        "--name",
        "B",
        "--scope",
        "city:cam-pha",
        "--leads",
        "none",
    )
    rows = [line.split() for line in cli.ok("subscribers", "list").out.splitlines()[2:]]
    assert rows == [
        [
            "b@example.org",
            "district:quang-ninh/cam-pha",
            "vi",
            "-",
            "*",
            "B",
            "nhận",
            "/",
            "active",
        ],
        [
            "can-bo@example.org",
            "org:quang-ninh",
            "vi",
            "90,30,7",
            "*",
            "Cán",
            "bộ",
            "nhận",
            "/",
            "active",
        ],
    ]
    cli.ok("subscribers", "remove", "can-bo@example.org")
    cli.ok("org", "remove", "quang-ninh", "--yes")
    assert cli.ok("org", "list").out == "Chưa có tổ chức nào / No organisations.\n"


def test_implicit_tls_from_the_environment(cli: InstalledCli, tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    cli.setup_quang_ninh("can-bo@example.org")
    with SmtpServer(options={"ssl_context": context}) as server:
        env = cli.smtp_env(server.port, CALENDAR_SVC_SMTP_TLS="true", SSL_CERT_FILE=str(cert))
        cli.ok("remind", "run-once", "--now", "2023-01-23T08:00", env=env)
    assert len(server.received) == 1


def test_progress_bar_on_a_terminal_only(cli: InstalledCli) -> None:
    import os
    import pty

    from calendar_svc.core.recipients import Subscriber
    from calendar_svc.store.open import open_store

    cli.setup_quang_ninh()
    store = open_store(f"sqlite:///{cli.database}")
    people = store.organisations
    for n in range(30):
        people.add_subscriber(
            Subscriber(f"m{n}@example.org", "M", organisation="quang-ninh", leads=())
        )
    store.close()
    with SmtpServer() as server:
        quiet = cli.run_once(server.port, "2023-01-23T08:00")  # stderr is a pipe: no bar
        leader, follower = pty.openpty()
        proc = subprocess.run(  # 30/01: the 3-day digests, stderr on a terminal
            cli.argv("remind", "run-once", "--now", "2023-01-30T08:00"),
            env={**cli.env, **cli.smtp_env(server.port)},
            stdout=subprocess.PIPE,
            stderr=follower,
            check=True,
            timeout=120,
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        os.close(leader)
    assert len(server.received) == 60
    assert "Gửi / Sent: 30," in quiet.out and "Sending" not in quiet.err
    assert "Gửi / Sent: 30," in proc.stdout.decode()
    assert "Gửi / Sending" in shown.decode("utf-8", "replace")
