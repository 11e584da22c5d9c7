"""End-to-end: an organisation's subscribe policy, and approving self-subscribers (CLI)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reminders_support import InstalledCli

from calendar_svc.store.open import open_store
from calendar_svc.store.subscriptions import Outcome, Purpose


@pytest.fixture
def cli(tmp_path: Path) -> InstalledCli:
    return InstalledCli(tmp_path)


def self_subscribe(cli: InstalledCli, email: str, org: str) -> Outcome:
    """Do what the web form and the confirmation link do, on the CLI's database."""
    store = open_store(f"sqlite:///{cli.database}")
    try:
        now = datetime.now(UTC)
        token = store.subscriptions.issue(
            Purpose.CONFIRM, email, organisation=org, name="Người <lạ>", now=now
        )
        return store.subscriptions.confirm(token, now=now)[0]
    finally:
        store.close()


def test_organisations_are_closed_until_opened(cli: InstalledCli) -> None:
    cli.ok("org", "add", "qn", "--name", "Ban QN", "--scope", "province:quang-ninh")
    (org,) = json.loads(cli.ok("org", "list", "--format", "json").out)
    assert org["subscribe"] == "closed"
    assert self_subscribe(cli, "a@example.org", "qn") is Outcome.CLOSED
    assert cli.ok("org", "edit", "qn", "--subscribe", "approval").out == "Đã sửa / Updated: qn\n"
    (org,) = json.loads(cli.ok("org", "list", "--format", "json").out)
    assert org["subscribe"] == "approval"
    bad = cli("org", "edit", "qn", "--subscribe", "wide-open")
    assert bad.code == 1 and "'wide-open' is not one of 'open', 'approval', 'closed'" in bad.err
    cli.ok(
        "org", "add", "cp", "--name", "Cẩm Phả", "--scope", "city:cam-pha", "--subscribe", "open"
    )
    assert "  open  " in cli.ok("org", "list").out


def test_pending_subscribers_are_listed_approved_and_rejected(cli: InstalledCli) -> None:
    cli.ok("org", "add", "qn", "--name", "Ban QN", "--scope", "province:quang-ninh")
    cli.ok("org", "edit", "qn", "--subscribe", "approval")
    assert self_subscribe(cli, "a@example.org", "qn") is Outcome.AWAITING_APPROVAL
    assert self_subscribe(cli, "b@example.org", "qn") is Outcome.AWAITING_APPROVAL
    listed = cli.ok("subscribers", "list").out
    assert listed.count("chờ duyệt / awaiting approval") == 2
    assert "Người <lạ>" in listed
    pending = json.loads(
        cli.ok("subscribers", "list", "--org", "qn", "--pending", "--format", "json").out
    )
    assert [(p["email"], p["state"], p["active"]) for p in pending] == [
        ("a@example.org", "awaiting_approval", False),
        ("b@example.org", "awaiting_approval", False),
    ]
    needs_org = cli("subscribers", "list", "--pending")
    assert needs_org.code == 1 and "--pending needs --org ID" in needs_org.err
    assert cli.ok("subscribers", "approve", "A@example.org", "--org", "qn").out == (
        "Đã duyệt / Approved: a@example.org\n"
    )
    assert cli.ok("subscribers", "reject", "b@example.org", "--org", "qn").out == (
        "Đã từ chối / Rejected: b@example.org\n"
    )
    assert cli.ok("subscribers", "list", "--org", "qn", "--pending").out == (
        "Không ai chờ duyệt / Nobody awaits approval.\n"
    )
    (sub,) = json.loads(cli.ok("subscribers", "list", "--format", "json").out)
    assert (sub["email"], sub["state"], sub["active"]) == ("a@example.org", "active", True)
    again = cli("subscribers", "approve", "a@example.org", "--org", "qn")
    assert again.code == 1 and again.err.count("\n") == 1 and "Traceback" not in again.err


def test_an_address_awaiting_approval_is_not_made_active_by_edit(cli: InstalledCli) -> None:
    cli.ok("org", "add", "qn", "--name", "Ban QN", "--scope", "province:quang-ninh")
    cli.ok("org", "edit", "qn", "--subscribe", "approval")
    self_subscribe(cli, "a@example.org", "qn")
    edited = cli("subscribers", "edit", "a@example.org", "--active")
    assert edited.code == 1
    assert "awaiting approval cannot be active yet (approve it first)" in edited.err
