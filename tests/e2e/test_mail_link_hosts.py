"""Mailed links under ``calendar-svc serve`` without ``web.base_url``: only vouched hosts.

A sign-in link or a subscription confirmation link is mailed under the request's ``Host``
only when ``web.allowed_hosts`` lists it; a forged ``Host`` gets the same answer and no
mail, and the server's log names the option. Real server, real aiosmtpd.
"""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from reminders_support import InstalledCli
from smtp_support import SmtpServer
from subscribe_support import smtp_env
from web_support import Server

from calendar_svc.web.security import CSRF_FIELD

MANAGER = "lan@qn.example.vn"
LISTED = "lich.example.vn"
FORGED = "lich.attacker.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("mail-hosts")
    cli = InstalledCli(home)
    cli.ok("org", "add", "qn", "--name", "Ban Tuyên giáo", "--scope", "province:quang-ninh")
    cli.ok("org", "edit", "qn", "--subscribe", "open")
    cli.ok("users", "add", MANAGER, "--org", "qn")
    env = {
        **smtp_env(smtp),
        "CALENDAR_SVC_WEB_BASE_URL": "",
        "CALENDAR_SVC_WEB_ALLOWED_HOSTS": LISTED,
    }
    srv = Server(home, env=env).start()
    yield srv
    srv.stop()


def send(
    server: Server, method: str, path: str, host: str, body: bytes = b"", cookie: str = ""
) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Host": host, "Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("set-cookie") or "", response.read().decode()
    finally:
        conn.close()


def ask(server: Server, path: str, host: str, fields: dict[str, str]) -> tuple[int, str]:
    """Load the form as a browser at ``host`` would, then post ``fields``."""
    _, cookie, page = send(server, "GET", path, host)
    token = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', page)
    assert token, page[:500]
    body = urlencode({CSRF_FIELD: token[1], **fields}).encode()
    status, _, text = send(server, "POST", path, host, body, cookie.split(";", 1)[0])
    return status, text


def wait_log(server: Server, line: str, seen: int) -> None:
    """Wait until the server's log holds ``line`` more than ``seen`` times."""
    deadline = time.monotonic() + 30
    while server.log.read_text(encoding="utf-8").count(line) <= seen:
        assert time.monotonic() < deadline, f"not logged: {line}"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("path", "fields", "link"),
    [
        ("/signin", {"email": MANAGER}, "/signin/link?t="),
        ("/subscribe", {"organisation": "qn", "email": "hoa@example.org"}, "/subscribe/confirm?t="),
    ],
)
def test_a_forged_host_gets_no_mail_a_listed_host_does(
    server: Server, smtp: SmtpServer, path: str, fields: dict[str, str], link: str
) -> None:
    before = len(smtp.received)
    warning = f"host {FORGED} is not in web.allowed_hosts; set web.base_url or web.allowed_hosts"
    logged = server.log.read_text(encoding="utf-8").count(warning)
    forged = ask(server, path, FORGED, fields)
    wait_log(server, warning, logged)  # the forged request's mail task has ended, unsent
    listed = ask(server, path, LISTED, fields)
    assert forged[0] == listed[0] == 200
    assert forged[1].replace(FORGED, "HOST") == listed[1].replace(LISTED, "HOST")
    smtp.wait_for(lambda: len(smtp.received) > before)
    mails = smtp.received[before:]
    texts = [m.message.get_body(("plain",)).get_content() for m in mails]
    assert len(mails) == 1, texts
    assert f"http://{LISTED}{link}" in texts[0] and FORGED not in texts[0]
