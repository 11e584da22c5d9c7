"""A data directory the user cannot write (a read-only mount): reads work, writes say why.

The directory is made read-only by a bind mount in a private mount namespace
(``unshare -m``), so nothing outside the one command sees it. Needs root (or the
capability to mount); skipped otherwise.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys

import pytest

from conftest import Cli, Result


def read_only(cli: Cli, *args: str) -> Result:
    directory = shlex.quote(str(cli.database.parent))
    command = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "calendar_svc", *args))
    script = (
        f"mount --bind {directory} {directory} && "
        f"mount -o remount,ro,bind {directory} {directory} && exec {command}"
    )
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli.env,
        timeout=120,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def prepared(cli: Cli) -> Cli:
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind / /mnt 2>/dev/null"], check=False
    )
    if probe.returncode != 0:
        pytest.skip("cannot mount here (not root)")
    assert cli("org", "add", "cp", "--name", "Ban Tuyên giáo", "--scope", "city:cam-pha").code == 0
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("month", "2023-02"),
        ("year", "2023"),
        ("db", "status"),
        ("export",),
        ("org", "list"),
        ("directive", "2023-02", "--org", "cp"),
    ],
    ids=" ".join,
)
def test_reads_work_in_a_read_only_data_directory(prepared: Cli, args: tuple[str, ...]) -> None:
    writable = prepared(*args)
    assert writable.code == 0, writable.err
    result = read_only(prepared, *args)
    assert result.code == 0, result.err
    if args[0] == "db":  # the URL line says how it was opened
        ro_url, *ro_rest = result.out.splitlines()
        assert ro_rest == writable.out.splitlines()[1:]
        assert "mode=ro" in ro_url
    else:
        assert result.out == writable.out


def test_writes_in_a_read_only_data_directory_fail_with_one_line(prepared: Cli) -> None:
    result = read_only(
        prepared, "add", "moi", "--name-vi", "Tên", "--origin", "2000-01-01",
        "--category", "dia-phuong", "--scope", "city:cam-pha", "--source", "https://x.vn/a",
    )  # fmt: skip
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert "read" in result.err
