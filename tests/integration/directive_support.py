"""Drafts of the seed month for Cẩm Phả, from the bundled dataset in a fresh SQLite store."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from calendar_svc.catalog import load_scopes
from calendar_svc.directive.draft import Draft
from calendar_svc.directive.profile import DirectiveSettings, build_profile
from calendar_svc.services.directive import draft_directive
from calendar_svc.store.open import open_store

CAM_PHA = "Ban Tuyên giáo Thành ủy Cẩm Phả"
ISSUED = date(2023, 2, 2)


def cam_pha_draft(
    tmp_path: Path, settings: DirectiveSettings | None = None, *, year: int = 2023, month: int = 2
) -> Draft:
    """Return Cẩm Phả's draft for a month, read from a store seeded with the bundled data."""
    store = open_store(f"sqlite:///{tmp_path / 'calendar.sqlite3'}")
    profile = build_profile("cam-pha", CAM_PHA, "city:cam-pha", settings)
    return draft_directive(store.anniversaries, load_scopes(), profile, year, month, ISSUED)


def tool(name: str) -> str:
    """Return the path of a rendering tool; skip (fail under CI) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        message = (
            f"{name} is not installed (apt-get install libreoffice-writer-nogui poppler-utils)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def render_pdf(docx: Path, out: Path) -> tuple[Path, str]:
    """Convert ``docx`` to PDF in ``out`` with LibreOffice; return the PDF and its text."""
    subprocess.run(
        [
            tool("soffice"),
            f"-env:UserInstallation={(out / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = out / docx.with_suffix(".pdf").name
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return pdf, text


def save_pages(pdf: Path, artifacts: Path, stem: str) -> list[Path]:
    """Write the PDF's pages as PNG (80 dpi) and a copy of the PDF under ``artifacts``."""
    artifacts.mkdir(parents=True, exist_ok=True)
    for old in artifacts.glob(f"{stem}-*.png"):
        old.unlink()
    base = artifacts / stem
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", "80", str(pdf), str(base)], check=True, timeout=120
    )
    shutil.copyfile(pdf, base.with_suffix(".pdf"))
    return sorted(artifacts.glob(f"{stem}-*.png"))
