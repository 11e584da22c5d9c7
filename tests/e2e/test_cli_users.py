"""``calendar-svc users`` and ``calendar-svc audit``, run as a user does."""

from __future__ import annotations

import json

from conftest import Cli

QN = ("org", "add", "quang-ninh", "--name", "Ban Tuyên giáo", "--scope", "province:quang-ninh")


def test_users_add_list_remove(cli: Cli) -> None:
    assert cli(*QN).code == 0
    added = cli("users", "add", " Lan@QN.example.vn ", "--org", "quang-ninh")
    assert (added.code, added.out) == (
        0,
        "Đã thêm / Added: lan@qn.example.vn, quản lý / manager (quang-ninh)\n",
    )
    ops = cli("users", "add", "ops@example.vn", "--operator")
    assert ops.out == "Đã thêm / Added: ops@example.vn, vận hành / operator\n"
    listed = cli("users", "list")
    assert listed.out.splitlines() == [
        "Email              Vai trò / Role       Tổ chức / Organisation",
        "─────────────────  ───────────────────  ──────────────────────",
        "lan@qn.example.vn  quản lý / manager    quang-ninh",
        "ops@example.vn     vận hành / operator  *",
    ]
    rows = json.loads(cli("users", "list", "--org", "quang-ninh", "--format", "json").out)
    assert [(r["email"], r["role"], r["organisation"]) for r in rows] == [
        ("lan@qn.example.vn", "manager", "quang-ninh")
    ]
    again = cli("users", "add", "lan@qn.example.vn", "--org", "quang-ninh")
    assert (again.code, again.err) == (
        1,
        "Lỗi / Error: người dùng 'lan@qn.example.vn' đã có / user 'lan@qn.example.vn' already "
        "exists\n",
    )
    removed = cli("users", "remove", "LAN@qn.example.vn", "--yes")
    assert (removed.code, removed.out) == (0, "Đã xóa / Removed: lan@qn.example.vn\n")
    gone = cli("users", "remove", "lan@qn.example.vn", "--yes")
    assert (gone.code, gone.err) == (
        1,
        "Lỗi / Error: không tìm thấy người dùng 'lan@qn.example.vn' / no user "
        "'lan@qn.example.vn'\n",
    )


def test_users_add_refuses_bad_input_with_one_line(cli: Cli) -> None:
    assert cli(*QN).code == 0
    no_org = cli("users", "add", "lan@qn.example.vn")
    assert no_org.code == 1 and no_org.err == (
        "Lỗi / Error: cần --org ID (hoặc --operator) / give --org ID (or --operator) "
        "(calendar-svc users add --help)\n"
    )
    unknown = cli("users", "add", "lan@qn.example.vn", "--org", "nowhere")
    assert unknown.err == (
        "Lỗi / Error: không tìm thấy tổ chức 'nowhere' / no organisation 'nowhere'\n"
    )
    bad = cli("users", "add", "lan.qn.example.vn", "--org", "quang-ninh")
    assert bad.err == (
        "Lỗi / Error: 'lan.qn.example.vn' không phải địa chỉ email / is not an e-mail "
        "address (name@example.vn)\n"
    )
    assert cli("users", "list").out == "Chưa có người dùng nào / No users.\n"


def test_audit_is_empty_at_first(cli: Cli) -> None:
    result = cli("audit", "--org", "quang-ninh", "--limit", "5")
    assert (result.code, result.out) == (0, "Chưa có thay đổi nào / No changes recorded.\n")
    assert json.loads(cli("audit", "--format", "json").out) == []
