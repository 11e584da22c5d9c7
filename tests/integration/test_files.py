"""Atomic writes on a real file system: whole files or nothing, symbolic links untouched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from calendar_svc.files import FILE_MODE, FileWriteError, replace_all, write_atomic


def test_write_atomic_creates_the_directory_and_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "out.csv"
    assert write_atomic(path, b"id\n") == path
    assert path.read_bytes() == b"id\n"
    assert stat.S_IMODE(path.stat().st_mode) == FILE_MODE
    assert sorted(os.listdir(path.parent)) == ["out.csv"]


def test_a_symbolic_link_is_replaced_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep me")
    link = tmp_path / "feed.ics"
    link.symlink_to(victim)
    write_atomic(link, b"new")
    assert victim.read_bytes() == b"keep me"
    assert not link.is_symlink()
    assert link.read_bytes() == b"new"


def test_replace_all_renames_nothing_when_one_file_cannot_be_staged(tmp_path: Path) -> None:
    good = tmp_path / "good.ics"
    good.write_bytes(b"old")
    not_a_directory = tmp_path / "plain"
    not_a_directory.write_bytes(b"")
    with pytest.raises(FileWriteError, match=r"plain/x\.ics"):
        replace_all({good: b"new", not_a_directory / "x.ics": b"data"})
    assert good.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["good.ics", "plain"]


def test_a_failed_rename_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "feed.ics"
    target.mkdir()  # a file cannot be renamed onto a directory
    (target / "keep").write_text("x")
    other = tmp_path / "other.ics"
    with pytest.raises(FileWriteError, match=r"feed\.ics"):
        replace_all({target: b"data", other: b"more"})
    assert sorted(os.listdir(tmp_path)) == ["feed.ics"]
