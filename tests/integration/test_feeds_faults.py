"""``feeds build`` on a full disk or a read-only feeds directory changes no feed.

The faults are real file systems: a small tmpfs filled up, and a read-only bind mount
(as root, whom file modes do not stop; ``chmod`` otherwise). Mounting needs root and
``mount``; where it is not permitted the test is skipped. Each test builds the feeds,
changes the data (a Cẩm Phả row is added: the feeds that hold it change), builds again
into the faulty directory and checks: exit code 1, one clear line on stderr, every
previous feed byte for byte as it was (and the ones the build was replacing still valid
feeds), no temporary file left.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from calendar_svc.feeds.check import check_bytes


class Home:
    """An isolated data directory and the installed CLI run in a subprocess."""

    def __init__(self, root: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_SVC_")}
        self.env.update(
            XDG_DATA_HOME=str(root / "data"),
            XDG_CONFIG_HOME=str(root / "config"),
            PYTHONIOENCODING="utf-8",
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "calendar_svc", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=self.env,
            timeout=120,
            check=False,
        )

    def change_data(self) -> None:
        done = self.run(
            "add", "phuong-moi", "--name-vi", "Ngày thành lập phường Mới", "--origin",
            "2020-07-01", "--category", "dia-phuong", "--scope", "city:cam-pha",
            "--source", "Nghị quyết thử",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Return every file under the directory (temporary files included) with bytes and mtime."""
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def mount(*args: str) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a file system needs root and mount(8)")
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.strip()}")


def umount(target: Path) -> None:
    subprocess.run(["umount", str(target)], capture_output=True, check=False)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")


@pytest.fixture
def tmpfs(home: Home, tmp_path: Path) -> Iterator[Path]:
    """A tmpfs sized to the set ``feeds build`` writes by default: room for it about
    twice over (so a rebuild fits when the disk is not filled up), measured first."""
    measured = tmp_path / "measured"
    assert home.run("feeds", "build", "--out", str(measured)).returncode == 0
    size = sum(p.stat().st_size for p in measured.rglob("*.ics"))
    shutil.rmtree(measured)
    target = tmp_path / "small"
    target.mkdir()
    mib = -(-size * 5 // 2 // 2**20) + 4
    mount("-t", "tmpfs", "-o", f"size={mib}m,mode=0755", "tmpfs", str(target))
    try:
        yield target
    finally:
        umount(target)


def fill(directory: Path, leave: int) -> None:
    """Write a filler file until only about ``leave`` bytes are free."""
    free = shutil.disk_usage(directory).free
    with (directory / "filler.bin").open("wb") as out:
        out.write(b"\0" * max(0, free - leave))
    assert shutil.disk_usage(directory).free <= leave + 4096


def assert_failed_cleanly(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Lỗi / Error: không ghi được lịch / cannot write feed ")
    assert lines[0].endswith(reason), lines[0]
    assert "Traceback" not in result.stderr


def at_risk(home: Home, before: dict[str, tuple[bytes, int]], scratch: Path) -> set[str]:
    """Return the feeds the changed data changes: those a failed build was to replace."""
    assert home.run("feeds", "build", "--out", str(scratch)).returncode == 0
    new = snapshot(scratch)
    changed = {name for name, (data, _) in new.items() if before[name][0] != data}
    assert changed and "dia-phuong.ics" in changed
    return changed


def assert_previous_feeds_intact(
    feeds: Path, before: dict[str, tuple[bytes, int]], changed: set[str]
) -> None:
    after = snapshot(feeds)
    assert set(after) == set(before)  # no temporary file left behind
    assert after == before
    for name in changed:  # the ones the build was replacing are still whole, valid feeds
        assert check_bytes(after[name][0], name).ok, name


def test_disk_full_leaves_every_previous_feed(home: Home, tmpfs: Path, tmp_path: Path) -> None:
    feeds = tmpfs / "feeds"
    assert home.run("feeds", "build", "--out", str(feeds)).returncode == 0
    home.change_data()
    fill(tmpfs, 16 * 1024)
    before = snapshot(feeds)
    changed = at_risk(home, before, tmp_path / "scratch")
    result = home.run("feeds", "build", "--out", str(feeds))
    assert_failed_cleanly(result, "No space left on device")
    assert_previous_feeds_intact(feeds, before, changed)
    (tmpfs / "filler.bin").unlink()
    again = home.run("feeds", "build", "--out", str(feeds))
    assert again.returncode == 0, again.stderr
    assert b"phuong-moi" in (feeds / "dia-phuong.ics").read_bytes()


def test_room_for_some_feeds_but_not_all_changes_none(
    home: Home, tmpfs: Path, tmp_path: Path
) -> None:
    feeds = tmpfs / "feeds"
    assert home.run("feeds", "build", "--out", str(feeds)).returncode == 0
    home.change_data()
    scratch = tmp_path / "scratch"
    assert home.run("feeds", "build", "--out", str(scratch)).returncode == 0
    sizes = sorted(p.stat().st_size for p in scratch.rglob("*.ics"))
    # Room for the largest new feed and then some, far less than all of them.
    fill(tmpfs, sizes[-1] + sizes[0] + 64 * 1024)
    assert shutil.disk_usage(tmpfs).free < sum(sizes) // 2
    before = snapshot(feeds)
    result = home.run("feeds", "build", "--out", str(feeds))
    assert_failed_cleanly(result, "No space left on device")
    assert_previous_feeds_intact(feeds, before, at_risk(home, before, scratch))


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A directory that cannot be written: a read-only bind mount as root, mode 0555 else."""
    target = tmp_path / "ro"
    target.mkdir()
    yield target
    feeds = target / "feeds"
    umount(feeds)
    if feeds.exists():
        feeds.chmod(0o755)


def test_read_only_directory_leaves_every_previous_feed(
    home: Home, read_only: Path, tmp_path: Path
) -> None:
    feeds = read_only / "feeds"
    assert home.run("feeds", "build", "--out", str(feeds)).returncode == 0
    home.change_data()
    before = snapshot(feeds)
    if os.geteuid() == 0:
        mount("--bind", str(feeds), str(feeds))
        mount("-o", "remount,ro,bind", str(feeds))
        reason = "Read-only file system"
    else:
        feeds.chmod(0o555)
        reason = "Permission denied"
    result = home.run("feeds", "build", "--out", str(feeds))
    assert_failed_cleanly(result, reason)
    assert_previous_feeds_intact(feeds, before, at_risk(home, before, tmp_path / "scratch"))
