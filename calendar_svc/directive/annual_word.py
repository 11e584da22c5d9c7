"""Lay out the annual guide as a Word document (.docx), with the monthly draft's layout.

The texts come from the ``annual.docx.j2`` blocks; the page, fonts, header table, body
paragraphs and the "Nơi nhận" and signature table are the monthly draft's
(:mod:`calendar_svc.directive.word`, Nghị định 30/2020/NĐ-CP, Phụ lục I and Hướng dẫn
36-HD/VPTW). What differs is the document kind: a *hướng dẫn* has no "V/v" summary and
no "Kính gửi"; its kind ("HƯỚNG DẪN", bold) and its subject (bold) are centred under the
header, above a short rule, and its headings (I, II, III and the groups) are bold.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from calendar_svc.directive import word
from calendar_svc.directive.annual import AnnualDraft
from calendar_svc.directive.render import render_blocks
from calendar_svc.files import write_atomic

#: The annual guide's template and the blocks its layout places, in page order.
ANNUAL_DOCX_TEMPLATE = "annual.docx.j2"
ANNUAL_BLOCKS = (
    "parent_body",
    "issuing_body",
    "party",
    "number",
    "place_date",
    "kind",
    "subject",
    "body",
    "closing",
    "distribution_label",
    "distribution",
    "signer_title",
    "signer_name",
)


def _title(doc: DocxDocument, blocks: dict[str, list[str]]) -> None:
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_after = Pt(6)
    for line in blocks["kind"] + blocks["subject"]:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        word._write(para, line, bold=True)
    rule = doc.add_paragraph()
    rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rule.paragraph_format.space_after = Pt(12)
    word._write(rule, "-----")


def build_annual_document(draft: AnnualDraft) -> DocxDocument:
    """Return the whole annual guide as a python-docx document.

    Raises:
        DirectiveTemplateError: a template fails.
    """
    blocks = render_blocks(draft, template_name=ANNUAL_DOCX_TEMPLATE, blocks=ANNUAL_BLOCKS)
    doc = Document()
    word._set_fonts(doc)
    word._set_page(doc)
    word._header(doc, {**blocks, "subject": []})
    _title(doc, blocks)
    word._body(doc, blocks["body"] + blocks["closing"])
    word._signature(doc, blocks)
    doc.core_properties.title = " ".join(blocks["kind"] + blocks["subject"])
    doc.core_properties.author = draft.profile.name
    return doc


def annual_document_bytes(draft: AnnualDraft) -> bytes:
    """Return the .docx file of the annual guide (for writing or attaching)."""
    buf = io.BytesIO()
    build_annual_document(draft).save(buf)
    return buf.getvalue()


def annual_filename(draft: AnnualDraft) -> str:
    """Return the default file name: ``huong-dan-2027-qn.docx``."""
    return f"huong-dan-{draft.year:04d}-{draft.profile.org_id}.docx"


def write_annual_document(draft: AnnualDraft, path: Path) -> Path:
    """Write the annual guide's .docx to ``path`` atomically and return the path."""
    return write_atomic(path, annual_document_bytes(draft))
