"""Proofreading against a real SQLite store seeded with the bundled dataset.

* the corpus of real texts (tests/data/proofread/corpus.toml): every known finding is
  found and nothing else (omissions aside: the texts are excerpts);
* the seed directive 581-CV/BTGTU checked for 02/2023 and city:cam-pha has no slip;
* the service's own .docx drafts check clean, for every organisation level and month.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from calendar_svc.catalog import load_scopes
from calendar_svc.directive.profile import DirectiveSettings, build_profile
from calendar_svc.directive.render import render
from calendar_svc.directive.word import document_bytes
from calendar_svc.proofread.check import Kind
from calendar_svc.services.directive import draft_directive
from calendar_svc.services.documents import read_bytes
from calendar_svc.services.proofread import proofread
from calendar_svc.store.open import open_store
from calendar_svc.store.repository import AnniversaryReader

CORPUS = Path(__file__).resolve().parents[1] / "data" / "proofread"
SEED = Path("/work/shared/reference/581-CV-BTGTU-2023-02.txt")
SEED_IN_REPO = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / SEED.name
TEXTS = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))["text"]
SCOPES = load_scopes()

#: One organisation per level of the scope tree.
LEVELS = [
    ("tw", "Ban Tuyên giáo Trung ương", "national"),
    ("quang-ninh", "Ban Tuyên giáo Tỉnh ủy Quảng Ninh", "province:quang-ninh"),
    ("cam-pha", "Ban Tuyên giáo Thành ủy Cẩm Phả", "city:cam-pha"),
    ("ha-long", "Ban Tuyên giáo Thành ủy Hạ Long", "city:ha-long"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnniversaryReader]:
    path = tmp_path_factory.mktemp("proofread") / "calendar.sqlite3"
    with open_store(f"sqlite:///{path}") as opened:
        yield opened.anniversaries


def test_corpus_has_ten_real_texts_with_sources() -> None:
    assert len(TEXTS) >= 10
    for text in TEXTS:
        assert text["url"].startswith(("http://", "https://")), text
        assert (CORPUS / text["file"]).read_text(encoding="utf-8").strip(), text
    assert sum(len(t["expected"]) for t in TEXTS) >= 3


@pytest.mark.parametrize("text", TEXTS, ids=[t["file"] for t in TEXTS])
def test_corpus_text_gives_exactly_its_known_findings(
    store: AnniversaryReader, text: dict[str, Any]
) -> None:
    lines = (CORPUS / str(text["file"])).read_text(encoding="utf-8").splitlines()
    year, month = (int(p) for p in str(text["month"]).split("-"))
    report = proofread(store, SCOPES, lines, year=year, month=month, scope=str(text["scope"]))
    got = sorted(f"{f.kind.value}:{f.line}" for f in report.findings if f.kind is not Kind.OMISSION)
    assert got == sorted(text["expected"])
    slips = [e for e in text["expected"] if e.split(":")[0] in ("arithmetic", "date", "origin")]
    assert report.ok == (not slips)


def _seed_lines() -> list[str]:
    for path in (SEED, SEED_IN_REPO):
        if path.is_file():
            return path.read_text(encoding="utf-8").splitlines()
    pytest.skip("the seed directive 581-CV-BTGTU-2023-02.txt is not on this machine")


def test_seed_directive_has_no_slip(store: AnniversaryReader) -> None:
    report = proofread(store, SCOPES, _seed_lines(), year=2023, month=2, scope="city:cam-pha")
    assert report.slips == ()
    matched = {c.match.anniversary.id for c in report.mentions if c.match is not None}
    assert {
        "thanh-lap-dang",
        "bao-ve-bien-gioi-phia-bac",
        "ngay-thay-thuoc-viet-nam",
        "sinh-huynh-tan-phat",
        "thanh-lap-tp-cam-pha",
    } <= matched


@pytest.mark.parametrize(("org_id", "name", "scope"), LEVELS, ids=[lv[0] for lv in LEVELS])
@pytest.mark.parametrize(
    "settings",
    [
        DirectiveSettings(),
        DirectiveSettings(round_first=True, lookahead_months=12),
        DirectiveSettings(lookahead_months=0),
    ],
    ids=["default", "round-first-12-ahead", "no-lookahead"],
)
def test_own_docx_drafts_check_clean_every_month(
    store: AnniversaryReader, org_id: str, name: str, scope: str, settings: DirectiveSettings
) -> None:
    profile = build_profile(org_id, name, scope, settings)
    for year, month in [(2023, m) for m in range(1, 13)] + [(2025, 9), (2030, 2)]:
        draft = draft_directive(store, SCOPES, profile, year, month, date(year, month, 2))
        source = read_bytes(document_bytes(draft), f"{org_id}-{year}-{month:02d}.docx")
        assert source.kind == "docx"
        report = proofread(store, SCOPES, source.lines, year=year, month=month, scope=scope)
        assert report.findings == (), (year, month, report.findings)
        assert len(report.mentions) >= len(draft.entries)
        for fmt in ("text", "md"):
            text_report = proofread(
                store, SCOPES, render(draft, fmt).splitlines(), year=year, month=month, scope=scope
            )
            assert text_report.findings == (), (fmt, year, month, text_report.findings)
