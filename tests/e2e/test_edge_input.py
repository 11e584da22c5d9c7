"""Edge input gives one line and exit 1 (or a clean HTTP answer), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from web_support import Server

from conftest import Cli, Result

ADD = ("add", "x", "--name-vi", "Tên", "--origin", "2000-01-01", "--category", "dia-phuong",
       "--scope", "city:cam-pha", "--source", "https://example.org/a")  # fmt: skip


def one_line_error(result: Result, *needles: str) -> None:
    code, err = result.code, result.err
    assert code == 1, (code, err)
    assert "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, (needle, err)


@pytest.mark.parametrize("value", ["²", "٣", "1\u0660", "Ⅻ", "-1", "9" * 50])
def test_duration_days_that_is_not_an_ascii_number(cli: Cli, value: str) -> None:
    one_line_error(cli(*ADD, "--duration-days", value), "duration-days")


def test_config_file_that_is_not_utf8(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_bytes(b'[general]\nlang = "\xff\xfe"\n')
    one_line_error(cli("--config", str(config), "month", "2023-02"), str(config), "UTF-8")


@pytest.mark.parametrize("url", ["sqlite:///%00", "sqlite:////tmp/a%00b.db", "sqlite:///\x01%00"])
def test_database_url_with_a_nul(cli: Cli, url: str) -> None:
    for args in (("month", "2023-02"), ("db", "status")):
        one_line_error(cli("--database-url", url, *args), "NUL")


def _raw(cli: Cli, *args: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"calendar_svc", *args],
        capture_output=True,
        env={**cli.env, "LC_ALL": "C.UTF-8"},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        (b"month", b"\xff\xfe"),
        (b"add", b"\xff", b"--name-vi", b"T\xe9n", b"--origin", b"2000-01-01"),
        (b"lunar", b"to-solar", b"\xc3"),
        (b"--config", b"/tmp/\xff.toml", b"month"),
        (b"directive", b"2023-02", b"--org", b"\xff"),
    ],
)
def test_arguments_that_are_not_utf8(cli: Cli, args: tuple[bytes, ...]) -> None:
    proc = _raw(cli, *args)
    err = proc.stderr.decode("utf-8")  # the message itself is valid UTF-8
    assert proc.returncode == 1, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory", "huge"])
def test_config_that_is_not_a_small_regular_file(cli: Cli, tmp_path: Path, kind: str) -> None:
    if kind == "dev-zero":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
    elif kind == "directory":
        path = tmp_path
    else:
        path = tmp_path / "huge.toml"
        path.write_bytes(b"# " + b"x" * 2_000_000 + b"\n")
    one_line_error(cli("--config", str(path), "month", "2023-02"), str(path))


@pytest.mark.parametrize("years", ["8000", "51", "-1"])
def test_feed_window_is_bounded(cli: Cli, tmp_path: Path, years: str) -> None:
    env = {"CALENDAR_SVC_FEEDS_YEARS_AHEAD": years}
    one_line_error(cli("feeds", "build", "--out", str(tmp_path / "f"), env=env), "YEARS_AHEAD")
    env = {"CALENDAR_SVC_FEEDS_YEARS_BACK": years}
    one_line_error(cli("feeds", "build", "--out", str(tmp_path / "f"), env=env), "YEARS_BACK")


def test_a_50_year_window_builds(cli: Cli, tmp_path: Path) -> None:
    env = {"CALENDAR_SVC_FEEDS_YEARS_AHEAD": "50", "CALENDAR_SVC_FEEDS_YEARS_BACK": "50"}
    result = cli("feeds", "build", "--out", str(tmp_path / "f"), env=env)
    assert result.code == 0, result.err


MULTI_DAY = ("add", "dai", "--name-vi", "Tuần lễ dài", "--origin", "2000-12-30",
             "--duration-days", "5", "--category", "dia-phuong", "--scope", "city:cam-pha",
             "--source", "https://example.org/b")  # fmt: skip


@pytest.mark.parametrize("args", [("month", "9999-12"), ("year", "9999"), ("month", "9999-12",
                                  "--format", "json")])  # fmt: skip
def test_year_9999_with_a_multi_day_anniversary_cli(cli: Cli, args: tuple[str, ...]) -> None:
    assert cli(*MULTI_DAY).code == 0
    result = cli(*args)
    assert result.code == 0, result.err
    assert "Tuần lễ dài" in result.out


@pytest.fixture
def server_9999(tmp_path: Path, cli: Cli):  # type: ignore[no-untyped-def]
    assert cli(*MULTI_DAY).code == 0
    server = Server(cli.home).start()
    yield server
    server.stop()
    assert "Traceback" not in server.log.read_text(encoding="utf-8")


def test_year_9999_with_a_multi_day_anniversary_web(server_9999: Server) -> None:
    for path in (
        "/month/9999-12",
        "/month/9999-12?scope=city:cam-pha",
        "/api/occurrences?from=9999-12-01&to=9999-12-31",
        "/api/occurrences?from=9999-12-31&to=9999-12-31&scope=city:cam-pha",
    ):
        got = server_9999.get(path)
        assert got.status == 200, (path, got.status, got.body[:200])
        head = server_9999.request("HEAD", path)
        assert head.status == 200, (path, head.status)
