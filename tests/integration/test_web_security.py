"""The web's safety layer: CSRF tokens, security headers, body limits, the kept secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from calendar_svc.store.open import open_store
from calendar_svc.store.schema import WEB_SECRET_KEY
from calendar_svc.web.pages import template_environment
from calendar_svc.web.security import (
    ANON_COOKIE,
    CONTENT_SECURITY_POLICY,
    CSRF_FIELD,
    FORM_MAX_BYTES,
    SESSION_COOKIE,
    UPLOAD_MAX_BYTES,
    SecretSource,
    SecurityMiddleware,
    csrf_token,
    exception_handlers,
    read_form,
)

CHANGES: list[str] = []


async def form_page(request: Request) -> HTMLResponse:
    token = csrf_token(request)
    return HTMLResponse(f'<form method="post"><input name="{CSRF_FIELD}" value="{token}"></form>')


async def change(request: Request) -> Response:
    form = await read_form(request)
    CHANGES.append(form.value("name"))
    return PlainTextResponse("changed")


async def upload(request: Request) -> Response:
    form = await read_form(request, limit=UPLOAD_MAX_BYTES)
    file = form.files["file"]
    CHANGES.append(f"{file.filename}:{len(file.data)}:{form.value('note')}")
    return PlainTextResponse("uploaded")


def api(request: Request) -> Response:
    return JSONResponse({"ok": True})


def build(secret: str = "s3cret") -> Starlette:
    app = Starlette(
        routes=[
            Route("/form", form_page),
            Route("/change", change, methods=["POST"]),
            Route("/en/change", change, methods=["POST"]),
            Route("/upload", upload, methods=["POST"]),
            Route("/api", api),
        ],
        middleware=[Middleware(SecurityMiddleware)],
        exception_handlers=exception_handlers(),
    )
    app.state.templates = template_environment()
    app.state.web_secret = SecretSource(lambda: secret)
    return app


@pytest.fixture(autouse=True)
def _clear() -> None:
    CHANGES.clear()


def token_of(html: str) -> str:
    found = re.search(r'value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_every_html_answer_has_the_security_headers_and_json_does_not_need_them() -> None:
    client = TestClient(build())
    page = client.get("/form")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-frame-options"] == "DENY"
    error = client.get("/nowhere")
    assert error.status_code == 404
    assert "content-security-policy" not in client.get("/api").headers


def test_a_form_page_sets_an_anonymous_cookie_and_its_token_is_accepted() -> None:
    client = TestClient(build())
    page = client.get("/form")
    set_cookie = page.headers["set-cookie"]
    assert set_cookie.startswith(f"{ANON_COOKIE}=")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert "Secure" not in set_cookie  # plain http here
    token = token_of(page.text)
    again = client.get("/form")
    assert "set-cookie" not in again.headers and token_of(again.text) == token
    done = client.post("/change", data={CSRF_FIELD: token, "name": "a"})
    assert (done.status_code, done.text, CHANGES) == (200, "changed", ["a"])


def test_the_anonymous_cookie_is_secure_over_https() -> None:
    client = TestClient(build(), base_url="https://lich.example.vn")
    assert "Secure" in client.get("/form").headers["set-cookie"]


@pytest.mark.parametrize("sent", [None, "", "x" * 43, "wrong"])
def test_a_missing_or_wrong_token_is_403_and_changes_nothing(sent: str | None) -> None:
    client = TestClient(build())
    client.get("/form")
    data = {"name": "a"} if sent is None else {"name": "a", CSRF_FIELD: sent}
    answer = client.post("/change", data=data)
    assert answer.status_code == 403 and CHANGES == []
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "Không được phép / Forbidden" in answer.text
    assert "reload the page" in answer.text
    english = client.post("/en/change", data=data)
    assert english.status_code == 403 and '<html lang="en">' in english.text


def test_a_token_of_another_browser_or_another_secret_is_refused() -> None:
    app = build()
    alice, mallory = TestClient(app), TestClient(app)
    token = token_of(alice.get("/form").text)
    mallory.get("/form")
    assert mallory.post("/change", data={CSRF_FIELD: token}).status_code == 403
    # no cookie at all: refused too
    assert TestClient(app).post("/change", data={CSRF_FIELD: token}).status_code == 403
    other = TestClient(build("another secret"))
    other.cookies.set(ANON_COOKIE, alice.cookies[ANON_COOKIE])
    assert other.post("/change", data={CSRF_FIELD: token}).status_code == 403
    assert CHANGES == []


def test_tokens_follow_the_session_cookie_when_signed_in() -> None:
    client = TestClient(build())
    anon_token = token_of(client.get("/form").text)
    client.cookies.set(SESSION_COOKIE, "session-one")
    session_token = token_of(client.get("/form").text)
    assert session_token != anon_token
    assert client.post("/change", data={CSRF_FIELD: anon_token}).status_code == 403
    assert client.post("/change", data={CSRF_FIELD: session_token}).status_code == 200
    client.cookies.set(SESSION_COOKIE, "session-two")
    assert client.post("/change", data={CSRF_FIELD: session_token}).status_code == 403
    assert len(CHANGES) == 1


def test_a_form_over_its_limit_is_413_unread_and_changes_nothing() -> None:
    client = TestClient(build())
    token = token_of(client.get("/form").text)
    answer = client.post("/change", data={CSRF_FIELD: token, "name": "x" * FORM_MAX_BYTES})
    assert answer.status_code == 413 and CHANGES == []
    assert "Nội dung gửi lên quá lớn / Request too large" in answer.text
    assert "64 KiB" in answer.text
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_an_upload_within_and_over_its_limit() -> None:
    client = TestClient(build())
    token = token_of(client.get("/form").text)
    data = {CSRF_FIELD: token, "note": "ghi chú"}
    small = client.post("/upload", data=data, files={"file": ("a.csv", b"id\n" * 10)})
    assert (small.status_code, CHANGES) == (200, ["a.csv:30:ghi chú"])
    big = b"x" * (UPLOAD_MAX_BYTES + 1)
    answer = client.post("/upload", data=data, files={"file": ("big.csv", big)})
    assert answer.status_code == 413 and "2 MiB" in answer.text and len(CHANGES) == 1


def test_a_chunked_body_over_the_limit_is_refused_too() -> None:
    client = TestClient(build())
    token = token_of(client.get("/form").text)

    def chunks() -> object:
        yield f"{CSRF_FIELD}={token}&name=".encode()
        for _ in range(FORM_MAX_BYTES // 1024 + 1):
            yield b"y" * 1024

    answer = client.post(
        "/change",
        content=chunks(),  # type: ignore[arg-type]
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413 and CHANGES == []


def test_a_body_that_is_not_a_form_is_400() -> None:
    client = TestClient(build())
    client.get("/form")
    answer = client.post("/change", content=b"{}", headers={"content-type": "application/json"})
    assert answer.status_code == 400 and "unsupported content type" in answer.text


def test_the_web_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
    with open_store(url) as store:
        first = store.meta.secret(WEB_SECRET_KEY)
        assert len(first) >= 40 and store.meta.get(WEB_SECRET_KEY) == first
        assert first != store.outbox.secret()  # the reminders' secret is another one
    with open_store(url) as store:
        assert store.meta.secret(WEB_SECRET_KEY) == first
        assert store.meta.secret(WEB_SECRET_KEY, "configured") == "configured"
