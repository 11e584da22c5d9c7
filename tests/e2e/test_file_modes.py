"""Who may read what: the database and its directory are the owner's alone, documents the
user writes (exports, drafts, previews) follow the user's umask, and the shipped units
keep the service's files private."""

from __future__ import annotations

import configparser
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
ORG_NAME = "Ban Tuyên giáo Thành ủy Cẩm Phả"


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o000])
def test_database_and_its_directory_are_private_whatever_the_umask(cli: Cli, mask: int) -> None:
    with umask(mask):
        assert cli("month", "2023-02").code == 0
        added = cli(
            "add", "ten-moi", "--name-vi", "Ngày mới", "--origin", "2000-03-04",
            "--category", "dia-phuong", "--scope", "city:cam-pha",
            "--source", "https://example.org/van-ban",
        )  # fmt: skip
        assert added.code == 0, added.err
    assert mode(cli.database.parent) == 0o700
    for file in cli.database.parent.glob("calendar.sqlite3*"):
        assert mode(file) == 0o600, file
    assert not list(cli.database.parent.glob(".calendar*")), "a staging file was left"


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_exports_drafts_and_previews_follow_the_umask(
    cli: Cli, tmp_path: Path, mask: int, expected: int
) -> None:
    out = tmp_path / "out"
    with umask(mask):
        assert cli("org", "add", "cam-pha", "--name", ORG_NAME, "--scope", "city:cam-pha").code == 0
        assert cli("export", "--out", str(out / "all.csv")).code == 0
        draft = cli(
            "directive", "2023-02", "--org", "cam-pha", "--format", "docx",
            "--out", str(out / "draft.docx"),
        )  # fmt: skip
        assert draft.code == 0, draft.err
        md = cli(
            "directive", "2023-02", "--org", "cam-pha", "--format", "md",
            "--out", str(out / "draft.md"),
        )  # fmt: skip
        assert md.code == 0, md.err
    for name in ("all.csv", "draft.docx", "draft.md"):
        assert mode(out / name) == expected, (name, oct(mode(out / name)))


def _units() -> list[Path]:
    return sorted((ROOT / "deploy" / "systemd").glob("*.service"))


@pytest.mark.parametrize("unit", _units(), ids=lambda p: p.name)
def test_shipped_units_keep_the_service_files_private(unit: Path) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit, encoding="utf-8")
    service = parser["Service"]
    assert service.get("UMask") == "0077", unit.name
    if "StateDirectory" in service:
        assert service.get("StateDirectoryMode") == "0700", unit.name
