"""Every template and migration ships in the wheel: the package-data globs cover them."""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "calendar_svc"


def shipped() -> set[Path]:
    """Return the files setuptools adds as package data (it expands globs recursively)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["calendar_svc"]
    found: set[Path] = set()
    for pattern in patterns:
        found.update(Path(p) for p in glob.glob(str(PACKAGE / pattern), recursive=True))
    return {p for p in found if p.is_file()}


def test_every_mail_and_unsubscribe_template_ships() -> None:
    files = shipped()
    templates = [
        p
        for folder in ("templates/mail", "templates/unsubscribe")
        for p in (PACKAGE / folder).rglob("*")
        if p.is_file()
    ]
    assert len(templates) >= 14
    missing = [str(p.relative_to(PACKAGE)) for p in templates if p not in files]
    assert missing == []


def test_every_migration_ships() -> None:
    files = shipped()
    versions = [p for p in (PACKAGE / "store/migrations/versions").glob("0*.py")]
    assert any(p.name == "0002_reminders.py" for p in versions)
    assert [p.name for p in versions if p not in files] == []
