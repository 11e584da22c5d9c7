"""Self-subscription on PostgreSQL, with two ``serve`` processes on one database.

A link mailed by one process is confirmed on the other, and the rate limits are one
count for both: the fourth request for an address is refused whichever process gets it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from reminders_support import InstalledCli
from smtp_support import SmtpServer
from subscribe_support import (
    link_in,
    page_text,
    pg_schema_url,
    post,
    smtp_env,
    token_of,
    wait_mail,
)
from web_support import Server

pytestmark = pytest.mark.external_service


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Server, Server, SmtpServer, InstalledCli]]:
    with pg_schema_url() as url, SmtpServer() as smtp:
        env = {**smtp_env(smtp), "CALENDAR_SVC_DATABASE_URL": url}
        cli = InstalledCli(tmp_path / "cli")
        cli.env.update(CALENDAR_SVC_DATABASE_URL=url)
        cli.ok("org", "add", "qn", "--name", "Ban QN", "--scope", "province:quang-ninh")
        cli.ok("org", "edit", "qn", "--subscribe", "approval")
        first = Server(tmp_path / "a", env=env).start()
        try:
            second = Server(tmp_path / "b", env=env).start()
            try:
                yield first, second, smtp, cli
            finally:
                second.stop()
        finally:
            first.stop()


def test_two_processes_share_links_and_rate_limits(
    pair: tuple[Server, Server, SmtpServer, InstalledCli],
) -> None:
    first, second, smtp, cli = pair
    fields = {"organisation": "qn", "email": "pg@example.org"}
    answers = [
        post(server, "/subscribe", fields, client=f"198.51.100.{i}").status
        for i, server in enumerate((first, second, first, second, first), start=1)
    ]
    assert answers == [200, 200, 200, 429, 429]
    path = link_in(wait_mail(smtp, "pg@example.org"), "/subscribe/confirm")
    assert second.get(path).status == 200  # issued by either, shown by the other
    done = post(second, "/subscribe/confirm", {"t": token_of(path)})
    assert done.status == 200 and "Đang chờ duyệt" in page_text(done)
    assert post(first, "/subscribe/confirm", {"t": token_of(path)}).status == 400  # replayed
    pending = json.loads(
        cli.ok("subscribers", "list", "--org", "qn", "--pending", "--format", "json").out
    )
    assert [p["email"] for p in pending] == ["pg@example.org"]
    cli.ok("subscribers", "approve", "pg@example.org", "--org", "qn")
    (sub,) = json.loads(cli.ok("subscribers", "list", "--format", "json").out)
    assert (sub["state"], sub["active"]) == ("active", True)
    many = [
        post(
            (first, second)[i % 2],
            "/subscribe",
            {"organisation": "qn", "email": f"u{i}@example.org"},
            client="192.0.2.9",
        ).status
        for i in range(21)
    ]
    assert many == [200] * 20 + [429]
