"""The annual guide's reminder end to end: the installed command, a fresh database, aiosmtpd.

An organisation asks for it (``org add … --annual-reminder``); on 1 November it goes once
to each member, through the same outbox as the digests, with the guide's .docx attached.
"""

from __future__ import annotations

import io
import re
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from docx import Document
from reminders_support import QUANG_NINH, InstalledCli
from smtp_support import SmtpServer

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUBJECT = "[Nhắc lịch] Hướng dẫn tuyên truyền kỷ niệm năm 2027 — hạn 01/12/2026"


@pytest.fixture
def cli(tmp_path: Path) -> InstalledCli:
    return InstalledCli(tmp_path)


def _setup(cli: InstalledCli, *org_options: str) -> None:
    cli.ok(
        "org", "add", "qn", "--name", QUANG_NINH, "--scope", "province:quang-ninh",
        "--leads", "none", *org_options,
    )  # fmt: skip
    cli.ok(
        "subscribers", "add", "can-bo@example.org", "--name", "Cán bộ", "--org", "qn",
        "--leads", "none",
    )  # fmt: skip


def test_annual_reminder_planned_once_and_delivered_once_with_the_docx(cli: InstalledCli) -> None:
    _setup(cli, "--annual-reminder")
    with SmtpServer() as server:
        early = cli.run_once(server.port, "2026-10-31T09:00")
        assert early.code == 0, early.err
        assert server.received == []
        first = cli.run_once(server.port, "2026-11-01T08:00")
        assert first.code == 0, first.err
        assert len(server.received) == 1
        again = cli.run_once(server.port, "2026-11-01T10:00")
        assert again.code == 0, again.err
        later = cli.run_once(server.port, "2026-11-02T08:00")
        assert later.code == 0, later.err
        assert len(server.received) == 1
    rows = cli.outbox()
    assert [
        (r["kind"], r["subject"], r["occurrence"], r["lead_days"], r["status"]) for r in rows
    ] == [("annual", "qn", "2027-01-01", 30, "sent")]
    (mail,) = server.received
    msg = mail.message
    assert str(make_header(decode_header(msg["Subject"]))) == SUBJECT
    text = str(msg.get_body(("plain",)).get_content()).replace("\r\n", "\n")
    assert "hạn 01/12/2026 (ngày 01/12 năm trước)" in text
    assert "- 120 năm Ngày sinh đồng chí Trường Chinh (09/02/1907 - 09/02/2027)" in text
    assert re.search(
        r"^- 5\. Kỷ niệm các ngày truyền thống, sự kiện lịch sử của Tỉnh \(\d+\)$", text, re.M
    )
    (part,) = [p for p in msg.iter_attachments() if p.get_content_type() == DOCX]
    assert part.get_filename() == "huong-dan-2027-qn.docx"
    doc = Document(io.BytesIO(part.get_content()))
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("HƯỚNG DẪN") + 2].endswith("năm 2027")
    assert "5. Kỷ niệm các ngày truyền thống, sự kiện lịch sử của Tỉnh" in texts
    ((_, date_cell),) = [row.cells for row in doc.tables[0].rows][1:]
    assert date_cell.paragraphs[0].text == "Quảng Ninh, ngày 01 tháng 12 năm 2026"


def test_its_own_due_day_and_lead_and_off_by_default(cli: InstalledCli) -> None:
    _setup(cli)
    with SmtpServer() as server:
        assert cli.run_once(server.port, "2026-11-01T08:00").code == 0
        assert server.received == []
        cli.ok("org", "edit", "qn", "--annual-due", "12-15", "--annual-leads", "7")
        assert cli.run_once(server.port, "2026-12-08T08:00").code == 0
        assert len(server.received) == 1
        cli.ok("org", "edit", "qn", "--no-annual-reminder")
        assert cli.run_once(server.port, "2027-12-08T08:00").code == 0
        assert len(server.received) == 1
    (mail,) = server.received
    subject = str(make_header(decode_header(mail.message["Subject"])))
    assert subject == "[Nhắc lịch] Hướng dẫn tuyên truyền kỷ niệm năm 2027 — hạn 15/12/2026"


def test_bad_annual_options_say_which(cli: InstalledCli) -> None:
    _setup(cli)
    bad = cli("org", "edit", "qn", "--annual-due", "02-29")
    assert bad.code != 0 and "--annual-due" in bad.err and "Traceback" not in bad.err
    bad = cli("org", "edit", "qn", "--annual-leads", "0")
    assert bad.code != 0 and "--annual-leads" in bad.err and "Traceback" not in bad.err
    bad = cli("org", "edit", "qn", "--no-annual-reminder", "--annual-leads", "5")
    assert bad.code != 0 and "--no-annual-reminder" in bad.err
