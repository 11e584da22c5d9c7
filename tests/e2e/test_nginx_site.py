"""The nginx site of docs/operations.md, as shipped in deploy/nginx, in front of the service.

``deploy/nginx/calendar-svc.conf`` is used as it is, with only its addresses changed to
loopback ports and temporary directories: static feeds from the directory that
``calendar-svc serve`` publishes to, the rest proxied to that server. Skipped when nginx
is not installed (``apt-get install nginx-light``).
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import Server, free_port

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "calendar-svc.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

MAIN = """
daemon off;
{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/site.conf;
}}
"""


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Server]]:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    home = tmp_path_factory.mktemp("nginx-site")
    server = Server(home / "svc").start()
    static = home / "static"
    built = subprocess.run(
        [sys.executable, "-m", "calendar_svc", "feeds", "build", "--out", str(static / "feeds")],
        env=server.env,
        capture_output=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    root = home / "nginx"
    root.mkdir()
    port = free_port()
    text = SITE.read_text(encoding="utf-8")
    assert "listen 80;" in text and "root /srv/lich;" in text
    text = (
        text.replace("listen [::]:80;", "")
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("/srv/lich", str(static))
        .replace("http://127.0.0.1:8080", f"http://127.0.0.1:{server.port}")
    )
    (root / "site.conf").write_text(text, encoding="utf-8")
    user = "user root;" if os.geteuid() == 0 else ""
    (root / "nginx.conf").write_text(MAIN.format(user=user, root=root), encoding="utf-8")
    proc = subprocess.Popen(
        [NGINX, "-c", str(root / "nginx.conf"), "-p", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(port, "/healthz")
                break
            except OSError:
                assert proc.poll() is None, (root / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield port, server
    finally:
        proc.send_signal(15)
        proc.wait(timeout=30)
        server.stop()


def test_static_feeds_have_the_calendar_type_no_compression_and_short_caching(
    site: tuple[int, Server],
) -> None:
    port, server = site
    path = "/feeds/province/quang-ninh.ics"
    status, headers, body = get(port, path, Accept_Encoding="gzip, br")
    assert status == 200
    static = server.home.parent / "static"
    assert body == (static / "feeds" / "province" / "quang-ninh.ics").read_bytes()  # the file
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert "content-encoding" not in headers
    assert headers["cache-control"] == "public, max-age=300, no-transform"
    assert headers["x-content-type-options"] == "nosniff"
    again, _, empty = get(port, path, If_None_Match=headers["etag"])
    assert (again, empty) == (304, b"")
    assert get(port, "/feeds/nope.ics")[0] == 404  # asked of the service, which has none


def test_feeds_not_built_come_from_the_service(site: tuple[int, Server]) -> None:
    port, server = site
    assert not (server.home.parent / "static" / "feeds" / "city").exists()
    status, headers, body = get(port, "/feeds/city/cam-pha.ics")
    assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert get(port, "/feeds/city/cam-pha.ics", If_None_Match=headers["etag"])[0] == 304


def test_the_rest_is_proxied_to_the_service(site: tuple[int, Server]) -> None:
    port, _ = site
    status, headers, body = get(port, "/feeds/custom.ics?scope=city:cam-pha&round=1")
    assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert get(port, "/healthz")[0] == 200
    assert get(port, "/month/2023-02")[0] == 200
    assert get(port, "/api/occurrences?from=2023-02-01&to=2023-02-28")[0] == 200


def test_feeds_check_accepts_the_url_as_the_guide_says(site: tuple[int, Server]) -> None:
    port, server = site
    done = subprocess.run(
        [sys.executable, "-m", "calendar_svc", "feeds", "check",
         f"http://127.0.0.1:{port}/feeds/all.ics"],
        capture_output=True, text=True, encoding="utf-8", env=server.env, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("sự kiện / events")


def _post(port: int, path: str, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "text/plain"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_the_check_form_takes_an_upload_other_paths_stay_at_64k(site: tuple[int, Server]) -> None:
    port, _ = site
    megabyte = b"x" * (1024 * 1024)
    # Through nginx to the service, which refuses the content type (400), not nginx (413).
    assert _post(port, "/month/2023-02/check", megabyte) == 400
    assert _post(port, "/month/2023-02/check", megabyte * 12) == 413
    assert _post(port, "/unsubscribe", megabyte) == 413


def test_an_organisations_csv_import_may_send_2_mib(site: tuple[int, Server]) -> None:
    port, _ = site
    megabyte = b"x" * (1024 * 1024)
    # Through nginx to the service, which wants a signed-in manager first (403), not 413.
    assert _post(port, "/manage/quang-ninh/anniversaries/import", megabyte * 2) == 403
    assert _post(port, "/en/manage/quang-ninh/anniversaries/import", megabyte) == 403
    assert _post(port, "/manage/quang-ninh/anniversaries/import", megabyte * 4) == 413
    assert _post(port, "/manage/quang-ninh/anniversaries", megabyte) == 413
