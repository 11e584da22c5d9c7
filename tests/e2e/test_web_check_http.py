"""The "Kiểm tra văn bản" endpoint over raw HTTP: forms, limits and refusals."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from web_support import Server

from calendar_svc.web.proofread import MAX_BODY_BYTES
from calendar_svc.web.security import ANON_COOKIE, CSRF_FIELD

SLIP = "36 năm Ngày hội Quốc phòng toàn dân (22/12/1944 - 22/12/2025) <b>đậm</b>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("check-http")).start()
    yield srv
    srv.stop()


def form_token(server: Server) -> tuple[str, str]:
    """Return the anonymous cookie and the CSRF token the form page gives a new browser."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/month/2023-02/check")
        response = conn.getresponse()
        html = response.read().decode("utf-8")
        cookie = (response.getheader("set-cookie") or "").split(";", 1)[0]
    finally:
        conn.close()
    found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', html)
    assert cookie.startswith(f"{ANON_COOKIE}=") and found, html[:1000]
    return cookie, found.group(1)


def post(
    server: Server,
    path: str,
    body: bytes,
    content_type: str,
    *,
    token: bool = True,
) -> tuple[int, dict[str, str], str]:
    """POST ``body`` as a browser that loaded the form (its cookie; the token added to a
    urlencoded body or as a first multipart part) unless ``token`` is False."""
    headers = {"Content-Type": content_type}
    if token:
        cookie, csrf = form_token(server)
        headers["Cookie"] = cookie
        if content_type.startswith("multipart/"):
            boundary = content_type.split("boundary=", 1)[1]
            field = f'--{boundary}\r\nContent-Disposition: form-data; name="{CSRF_FIELD}"'
            body = f"{field}\r\n\r\n{csrf}\r\n".encode() + body
        else:
            body = urlencode({CSRF_FIELD: csrf}).encode() + b"&" + body
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        conn.close()


def test_urlencoded_paste_is_checked_and_escaped(server: Server) -> None:
    body = urlencode({"text": SLIP, "scope": "national"}).encode()
    status, headers, html = post(
        server, "/month/2025-12/check", body, "application/x-www-form-urlencoded"
    )
    assert status == 200
    assert headers["cache-control"] == "no-store"
    assert 'class="mark slip arithmetic"' in html
    assert "&lt;b&gt;đậm&lt;/b&gt;" in html and "<b>đậm</b>" not in html
    assert "2 lỗi cần sửa" in html


def test_multipart_text_file_upload(server: Server) -> None:
    boundary = "----kiemtra"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="scope"\r\n\r\ncity:cam-pha\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="du-thao.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
        "68 năm Ngày Thầy thuốc Việt Nam (27/02)\r\n",
        f"--{boundary}--\r\n",
    ]
    body = "".join(parts).encode("utf-8")
    status, _, html = post(
        server, "/month/2023-02/check", body, f"multipart/form-data; boundary={boundary}"
    )
    assert status == 200
    assert "du-thao.txt" in html and "Không có lỗi" in html
    assert "city:cam-pha" in html


def test_a_form_without_this_browsers_token_is_refused(server: Server) -> None:
    body = urlencode({"text": SLIP, "scope": "national"}).encode()
    kind = "application/x-www-form-urlencoded"
    status, _, html = post(server, "/month/2025-12/check", body, kind, token=False)
    assert status == 403 and "not sent by this site" in html and "lỗi cần sửa" not in html
    cookie, csrf = form_token(server)
    other, _ = form_token(server)  # another browser's cookie with this token
    for jar, sent in ((cookie, "A" * len(csrf)), (other, csrf), ("", csrf)):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.request(
                "POST",
                "/month/2025-12/check",
                body=urlencode({CSRF_FIELD: sent}).encode() + b"&" + body,
                headers={"Content-Type": kind, "Cookie": jar},
            )
            response = conn.getresponse()
            assert response.status == 403 and "lỗi cần sửa" not in response.read().decode()
        finally:
            conn.close()


def test_refusals_are_one_clear_message(server: Server) -> None:
    status, _, html = post(server, "/month/2023-02/check", b"x", "text/plain")
    assert status == 400 and "unsupported content type &#39;text/plain&#39;" in html
    body = urlencode({"text": "x", "scope": "city:nowhere"}).encode()
    status, _, html = post(
        server, "/month/2023-02/check", body, "application/x-www-form-urlencoded"
    )
    assert status == 400 and "unknown scope &#39;city:nowhere&#39;" in html
    status, _, html = post(
        server, "/month/2023-02/check", b"text=", "application/x-www-form-urlencoded"
    )
    assert status == 400 and "paste a text or choose a .docx file" in html


def test_a_body_over_the_limit_is_refused_unread(server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest("POST", "/month/2023-02/check")
        conn.putheader("Content-Type", "application/x-www-form-urlencoded")
        conn.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 413
        assert "at most 10 MiB" in response.read().decode("utf-8")
    finally:
        conn.close()


def test_the_form_alone_and_a_bad_month(server: Server) -> None:
    assert server.get("/month/2023-02/check?scope=city:cam-pha").status == 200
    assert server.get("/month/2023-13/check").status in (400, 404)
