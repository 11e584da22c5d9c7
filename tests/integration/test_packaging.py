"""The wheel, built for real, carries every module, template, migration and data file.

The package is built with pip from a copy of the sources (so the working tree is left as
it was) and the wheel's file list is read back.
"""

from __future__ import annotations

import glob
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "calendar_svc"


@pytest.fixture(scope="module")
def names(tmp_path_factory: pytest.TempPathFactory) -> frozenset[str]:
    """Return the file names inside a wheel built from a copy of the sources."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(PACKAGE, src / "calendar_svc", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = out.glob("calendar_svc-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return frozenset(zf.namelist())


def sources(*patterns: str) -> set[str]:
    """Return the package's files matching ``patterns``, as wheel names."""
    found = set()
    for pattern in patterns:
        for path in PACKAGE.glob(pattern):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_the_wheel_carries_the_package_and_nothing_else(names: frozenset[str]) -> None:
    expected = sources("**/*.py", "data/*.csv", "templates/**/*", "store/migrations/script.py.mako")
    assert len(expected) > 100
    assert sorted(expected - names) == []
    outside = sorted(n for n in names if not n.startswith(("calendar_svc/", "calendar_svc-")))
    assert outside == []
    assert not any("/tests/" in n or n.endswith(".pyc") for n in names)


def test_every_mail_and_unsubscribe_template_ships(names: frozenset[str]) -> None:
    templates = sources("templates/mail/**/*", "templates/unsubscribe/**/*")
    assert len(templates) >= 14
    assert sorted(templates - names) == []


def test_every_migration_ships(names: frozenset[str]) -> None:
    versions = sources("store/migrations/versions/0*.py")
    assert "calendar_svc/store/migrations/versions/0002_reminders.py" in versions
    assert sorted(versions - names) == []


def test_every_package_data_pattern_matches_a_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["calendar_svc"]
    empty = [
        p
        for p in patterns
        if not any(Path(f).is_file() for f in glob.glob(str(PACKAGE / p), recursive=True))
    ]
    assert empty == []
