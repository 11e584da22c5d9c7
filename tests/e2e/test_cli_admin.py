"""End-to-end: org, subscribers and outbox as an administrator uses them (exact output)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from reminders_support import InstalledCli
from smtp_support import SmtpServer
from web_support import Server


@pytest.fixture
def cli(tmp_path: Path) -> InstalledCli:
    return InstalledCli(tmp_path)


def test_lists_have_labelled_aligned_columns(cli: InstalledCli) -> None:
    cli.ok("org", "add", "qn", "--name", "Ban Tuyên giáo QN", "--scope", "province:quang-ninh")
    cli.ok("subscribers", "add", "a@example.org", "--name", "Nguyễn Văn A", "--org", "qn")
    cli.ok("subscribers", "add", "bb@example.org", "--name", "B", "--scope", "national")
    assert cli.ok("org", "list").out == (
        "ID  Phạm vi / Scope      Hạn / Due         Nhắc trước / Leads  Tự đăng ký / Subscribe  "
        "Tên / Name\n"
        "──  ───────────────────  ────────────────  ──────────────────  ──────────────────────  "
        "─────────────────\n"
        "qn  province:quang-ninh  ngày 2 của tháng  10,3                closed                  "
        "Ban Tuyên giáo QN\n"
    )
    assert cli.ok("subscribers", "list").out == (
        "Email           Nhận / For  Tiếng / Lang  Nhắc trước / Leads  Loại / Categories  "
        "Tên / Name    Trạng thái / State\n"
        "──────────────  ──────────  ────────────  ──────────────────  ─────────────────  "
        "────────────  ──────────────────\n"
        "a@example.org   org:qn      vi            90,30,7             *                  "
        "Nguyễn Văn A  nhận / active\n"
        "bb@example.org  national    vi            90,30,7             *                  "
        "B             nhận / active\n"
    )
    orgs = json.loads(cli.ok("org", "list", "--format", "json").out)
    assert [o["id"] for o in orgs] == ["qn"]
    subs = json.loads(cli.ok("subscribers", "list", "--format", "json").out)
    assert [s["email"] for s in subs] == ["a@example.org", "bb@example.org"]
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-01-23T08:00", env=cli.smtp_env(server.port))
    lines = cli.ok("outbox", "list").out.splitlines()
    assert lines[0] == "pending: 0  sending: 0  sent: 1  failed: 0  skipped: 0"
    assert lines[1].split("  ")[:3] == ["ID", "Trạng thái / Status", "Gửi lúc / Send at"]
    assert lines[3].split()[:5] == ["1", "sent", "2023-01-23", "08:00", "digest"]
    assert lines[1].index("Người nhận / To") == lines[3].index("a@example.org")


def test_subscribers_edit_brings_back_an_unsubscribed_address(cli: InstalledCli) -> None:
    cli.ok("org", "add", "qn", "--name", "QN", "--scope", "province:quang-ninh")
    cli.ok("subscribers", "add", "a@example.org", "--name", "A", "--org", "qn")
    again = cli("subscribers", "add", "a@example.org", "--name", "A", "--org", "qn")
    assert (again.code, again.err) == (
        1,
        "Lỗi / Error: người nhận 'a@example.org' đã có / subscriber 'a@example.org' already "
        "exists (use 'calendar-svc subscribers edit' to change it)\n",
    )
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-01-23T08:00", env=cli.smtp_env(server.port))
    (mail,) = server.received
    token = str(mail.message["List-Unsubscribe"]).split("?t=", 1)[1].split(">", 1)[0]
    record = json.loads(cli.ok("subscribers", "list", "--format", "json").out)[0]
    assert record["active"] is True and record["unsubscribed_by"] is None
    _unsubscribe_by_link(cli, token)
    (record,) = json.loads(cli.ok("subscribers", "list", "--format", "json").out)
    assert record["active"] is False and record["unsubscribed_by"] == "link"
    assert record["unsubscribed_at"] is not None
    assert "đã ngừng / unsubscribed " in cli.ok("subscribers", "list").out
    assert "(qua liên kết / by link)" in cli.ok("subscribers", "list").out
    edited = cli.ok("subscribers", "edit", "a@example.org", "--active", "--lang", "en")
    assert edited.out == "Đã sửa / Updated: a@example.org (nhận / active)\n"
    (record,) = json.loads(cli.ok("subscribers", "list", "--format", "json").out)
    assert (record["active"], record["lang"], record["unsubscribed_at"]) == (True, "en", None)
    stopped = cli.ok("subscribers", "edit", "a@example.org", "--inactive", "--name", "Anh A")
    assert stopped.out.startswith("Đã sửa / Updated: a@example.org (đã ngừng / unsubscribed 2")
    assert stopped.out.endswith(" (bằng lệnh / by command))\n")
    (record,) = json.loads(cli.ok("subscribers", "list", "--format", "json").out)
    assert (record["name"], record["unsubscribed_by"]) == ("Anh A", "cli")
    nothing = cli("subscribers", "edit", "a@example.org")
    assert nothing.code == 1 and "name at least one field to change" in nothing.err
    unknown = cli("subscribers", "edit", "z@example.org", "--name", "Z")
    assert unknown.err == (
        "Lỗi / Error: không tìm thấy người nhận 'z@example.org' / no subscriber 'z@example.org'\n"
    )


def _unsubscribe_by_link(cli: InstalledCli, token: str) -> None:
    """POST the one-click request of the link to the real web app on the same database."""
    server = Server(cli.home, env={"CALENDAR_SVC_REMINDERS_TICK_SECONDS": "3600"}).start()
    try:
        url = f"{server.url}/unsubscribe?t={token}"
        done = httpx.post(url, data={"List-Unsubscribe": "One-Click"}, timeout=30)
        assert done.status_code == 200, done.text
    finally:
        server.stop()


def test_outbox_retry_says_why_nothing_was_requeued(cli: InstalledCli) -> None:
    cli.ok("org", "add", "qn", "--name", "QN", "--scope", "province:quang-ninh")
    cli.ok("subscribers", "add", "a@example.org", "--name", "A", "--org", "qn")
    with SmtpServer() as server:
        cli.ok("remind", "run-once", "--now", "2023-01-23T08:00", env=cli.smtp_env(server.port))
    unknown = cli("outbox", "retry", "999")
    assert (unknown.code, unknown.out, unknown.err) == (
        1,
        "",
        "Lỗi / Error: không tìm thấy dòng hàng đợi '999' / no outbox row '999'\n",
    )
    sent = cli("outbox", "retry", "1")
    assert (sent.code, sent.out) == (
        0,
        "Đã xếp lại / Requeued: 0\n"
        "Dòng / Row 1 không xếp lại / not requeued: đã gửi, không gửi lại / it was sent; "
        "sent rows are never requeued\n",
    )
    none_failed = cli("outbox", "retry", "--failed")
    assert none_failed.out == (
        "Đã xếp lại / Requeued: 0\nKhông có thư lỗi nào / There are no failed rows.\n"
    )
    assert cli.statuses() == {"sent": 1}


def test_remind_preview_of_an_event_reminder(cli: InstalledCli, tmp_path: Path) -> None:
    from datetime import date, datetime
    from email import message_from_bytes, policy
    from zoneinfo import ZoneInfo

    cli.ok("subscribers", "add", "b@example.org", "--name", "B", "--scope", "national")
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    year = next(y for y in range(today.year, today.year + 6) if (y - 1913) % 5 == 0
                and date(y, 3, 17) > today)  # fmt: skip
    out = tmp_path / "event.eml"
    done = cli("remind", "preview", "--event", "sinh-chu-huy-man", "--to", "b@example.org",
               "--out", str(out))  # fmt: skip
    assert (done.code, done.err) == (0, f"Đã ghi / Written: {out}\n")
    msg = message_from_bytes(out.read_bytes(), policy=policy.default)
    count = year - 1913
    assert msg["Subject"] == (
        f"[Nhắc lịch] Còn 90 ngày: {count} năm Ngày sinh đồng chí Chu Huy Mân "
        f"(17/03/1913 - 17/03/{year})"
    )
    sent = date(year, 3, 17).toordinal() - 90
    assert msg["Date"].datetime.date() == date.fromordinal(sent)
    assert msg["Message-ID"].startswith(f"<event.{year}0317.90d.")
    body = msg.get_body(("plain",))
    assert body is not None
    assert (
        str(body.get_content())
        .replace("\r\n", "\n")
        .startswith(
            "Kính gửi B,\n\nCòn 90 ngày đến ngày kỷ niệm:\n\n"
            f"{count} năm Ngày sinh đồng chí Chu Huy Mân (17/03/1913 - 17/03/{year})\n"
        )
    )
    seven = cli.ok("remind", "preview", "--event", "sinh-chu-huy-man", "--to", "b@example.org",
                   "--lead", "7").out  # fmt: skip
    assert "Subject: =?utf-8?" in seven and f"<event.{year}0317.7d." in seven
    neither = cli("remind", "preview", "--to", "b@example.org")
    assert neither.err == (
        "Lỗi / Error: cần --month hoặc --event / give --month or --event (one) "
        "(calendar-svc remind preview --help)\n"
    )
