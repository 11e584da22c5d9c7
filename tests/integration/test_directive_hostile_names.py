"""Names that look like markup stay text in every draft format.

A name is data: in the .docx its characters are runs of text (never bold, italic or
highlight marks), in ``--format md`` it is escaped so that a CommonMark parser (the real
markdown-it-py) reads it back as the same text, with no raw HTML, and in every format a
stored line or paragraph separator (from before the input check) does not split a line.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from calendar_svc.catalog import load_scopes
from calendar_svc.directive.draft import Draft
from calendar_svc.directive.profile import build_profile
from calendar_svc.directive.render import render
from calendar_svc.directive.word import build_document
from calendar_svc.services.directive import draft_directive
from calendar_svc.store.memory import MemoryReader
from helpers import make

ROUND = "Ngày **đặc biệt** [[điền]] *nghiêng* mới"  # 50 years in 2023: a round entry
PLAIN = "<script>alert(1)</script> _x_ `y` # z | ~w~ &amp;"
SEPARATORS = "Tên\u2028dòng\u2029đoạn\x85hết"


def draft_with(*names: str) -> Draft:
    anns = [make("tron", "1973-02-10", name_vi=names[0], scope="city:cam-pha")]
    anns += [
        make(f"le-{n}", f"19{31 + n}-02-{12 + n}", name_vi=name, scope="city:cam-pha")
        for n, name in enumerate(names[1:])
    ]
    reader = MemoryReader(anns, datetime(2026, 1, 1, tzinfo=UTC))
    profile = build_profile("cam-pha", "Ban Tuyên giáo [[x]] **y**", "city:cam-pha", None)
    return draft_directive(reader, load_scopes(), profile, 2023, 2, date(2023, 2, 2))


def _item_paragraph(doc_text: list[str]) -> str:
    return next(p for p in doc_text if p.startswith("7. Chủ động thông tin"))


def test_docx_runs_hold_names_as_text() -> None:
    doc = build_document(draft_with(ROUND, PLAIN))
    paragraphs = [p for p in doc.paragraphs if p.text.startswith("7. Chủ động thông tin")]
    assert len(paragraphs) == 1
    item = paragraphs[0]
    assert ROUND in item.text and PLAIN in item.text
    bold = "".join(r.text for r in item.runs if r.bold)
    assert ROUND in bold  # the round entry is bold, its stars kept as written
    assert PLAIN not in bold and "alert" not in bold
    assert not any(r.italic for r in item.runs if "nghiêng" in r.text and not r.bold)
    for run in item.runs:
        if "điền" in run.text:
            assert run.font.highlight_color is None  # not a [[to fill]] span
    everywhere = [p.text for p in doc.paragraphs]
    everywhere += [p.text for t in doc.tables for c in t._cells for p in c.paragraphs]
    assert any("[[x]] **y**" in text for text in everywhere)  # the organisation's name too


def _md_text(markdown: str) -> tuple[str, str]:
    md = MarkdownIt("commonmark")
    html = md.render(markdown)
    text = "".join(
        child.content
        for token in md.parse(markdown)
        if token.type == "inline"
        for child in token.children or []
        if child.type in ("text", "code_inline")
    )
    return html, text


def test_markdown_escapes_names() -> None:
    out = render(draft_with(ROUND, PLAIN), "md")
    html, text = _md_text(out)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"<strong>50 năm {ROUND}" in html  # bold holds the literal name
    assert ROUND in text and PLAIN in text


def test_text_keeps_names_as_written() -> None:
    out = render(draft_with(ROUND, PLAIN), "text")
    assert ROUND in out and PLAIN in out


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_stored_separators_do_not_split_lines(fmt: str) -> None:
    plain = render(draft_with(ROUND, "Tên dòng đoạn hết"), fmt)
    hostile = render(draft_with(ROUND, SEPARATORS), fmt)
    assert len(hostile.splitlines()) == len(plain.splitlines())
    assert not any(ch in hostile for ch in "\u2028\u2029\x85")


def test_stored_separators_do_not_split_docx_paragraphs() -> None:
    plain = build_document(draft_with(ROUND, "Tên dòng đoạn hết"))
    hostile = build_document(draft_with(ROUND, SEPARATORS))
    assert len(hostile.paragraphs) == len(plain.paragraphs)
    assert not any(ch in p.text for p in hostile.paragraphs for ch in "\u2028\u2029\x85")


_NAME = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("*_[]`<>#|~&\\!()-+.=")),
        st.characters(codec="utf-8", categories=("L", "N", "Zs")),
    ),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=60, deadline=None)
@given(name=_NAME)
def test_any_name_reads_back_from_markdown_and_docx(name: str) -> None:
    draft = draft_with(ROUND, name)
    _, text = _md_text(render(draft, "md"))
    assert name in text
    item = _item_paragraph([p.text for p in build_document(draft).paragraphs])
    assert name in item


def test_docx_can_be_saved(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "d.docx"
    build_document(draft_with(ROUND, PLAIN)).save(str(path))
    assert ROUND in "\n".join(p.text for p in Document(str(path)).paragraphs)
