"""Drafts of the seed month for Cẩm Phả, from the bundled dataset in a fresh SQLite store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
