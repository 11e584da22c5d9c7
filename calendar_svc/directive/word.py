"""Lay out the directive draft as a Word document (.docx) with python-docx.

The texts come from the ``document.docx.j2`` blocks (:func:`render_blocks`); this module
only places them. Layout:

* Page (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4, margins top and bottom 20 mm, left
  30 mm, right 15 mm; Times New Roman; body 14 pt, justified, first line indented
  1.27 cm, 6 pt between paragraphs; page numbers centred in the header from page 2.
* Header (Hướng dẫn 36-HD/VPTW for party bodies): a borderless two-column table. Left:
  the party committee above (upright capitals), the issuing body (bold capitals), an
  asterisk, then "Số …-CV/…" and the "V/v …" summary (12 pt). Right: "ĐẢNG CỘNG SẢN
  VIỆT NAM" (bold, underlined), then place and date in italics.
* "Kính gửi:" with one recipient per line, dashes aligned.
* Items, closing, then a two-column table: "Nơi nhận:" (12 pt bold italic, list 11 pt)
  beside the signature block (bold capitals, room to sign, the signer's name in bold).

Marks in the block texts: ``**bold**``, ``*italic*``, ``[[text to fill]]`` (italic on a
grey highlight, for the staff to replace).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from calendar_svc.directive.draft import Draft
from calendar_svc.directive.render import parse_marks, render_blocks
from calendar_svc.files import write_atomic

FONT = "Times New Roman"
BODY_PT = 14
TEXT_WIDTH_CM = 21.0 - 3.0 - 1.5
HEADER_COLUMNS_CM = (8.0, TEXT_WIDTH_CM - 8.0)
FOOTER_COLUMNS_CM = (7.5, TEXT_WIDTH_CM - 7.5)
RECIPIENT_INDENT_CM = 5.5
LABEL_INDENT_CM = 2.5


def _set_fonts(doc: DocxDocument) -> None:
    style = doc.styles["Normal"]
    font = style.font
    font.name = FONT
    font.size = Pt(BODY_PT)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    doc.core_properties.language = "vi-VN"
    # Word spell-checks by the runs' language: Vietnamese for the defaults and Normal.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    default_rpr = (
        defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
    )
    for props in (rpr, default_rpr):
        if props is None:
            continue
        lang = props.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            props.append(lang)
        for attr in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attr), "vi-VN")


def _set_page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(21.0)
    section.page_height = Cm(29.7)
    section.top_margin = Cm(2.0)
    section.bottom_margin = Cm(2.0)
    section.left_margin = Cm(3.0)
    section.right_margin = Cm(1.5)
    section.header_distance = Cm(1.0)
    section.different_first_page_header_footer = True
    para = section.header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(para)


def _page_field(para: Paragraph) -> None:
    """Append a PAGE field (the page number) to a paragraph."""
    run = para.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _write(
    para: Paragraph,
    line: str,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> Paragraph:
    """Append a marked-up line to a paragraph, with base formatting."""
    for span in parse_marks(line):
        run = para.add_run(span.text)
        run.font.size = Pt(size)
        run.font.name = FONT
        run.bold = bold or span.bold
        run.italic = italic or span.italic
        if underline:
            run.underline = True
        if span.fill:
            run.font.highlight_color = WD_COLOR_INDEX.GRAY_25
    return para


def _cell_paragraph(cell: _Cell, first: list[bool]) -> Paragraph:
    """Return the cell's first (empty) paragraph once, then new ones."""
    if first[0]:
        first[0] = False
        para: Paragraph = cell.paragraphs[0]
        return para
    added: Paragraph = cell.add_paragraph()
    return added


def _cell_lines(
    cell: _Cell,
    lines: list[str],
    first: list[bool],
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    for line in lines:
        para = _cell_paragraph(cell, first)
        para.alignment = align
        _write(para, line, size=size, bold=bold, italic=italic, underline=underline)


def _table(doc: DocxDocument, widths: tuple[float, float], rows: int) -> list[list[_Cell]]:
    table = doc.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, width in enumerate(widths):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)
    return [list(row.cells) for row in table.rows]


def _header(doc: DocxDocument, blocks: dict[str, list[str]]) -> None:
    (top_left, top_right), (bottom_left, bottom_right) = _table(doc, HEADER_COLUMNS_CM, 2)
    left, right = [True], [True]
    _cell_lines(top_left, blocks["parent_body"], left)
    _cell_lines(top_left, blocks["issuing_body"], left, bold=True)
    _cell_lines(top_left, ["*"], left)
    _cell_lines(top_right, blocks["party"], right, bold=True, underline=True, size=15)
    left, right = [True], [True]
    _cell_lines(bottom_left, blocks["number"], left)
    for para in bottom_left.paragraphs:
        para.paragraph_format.space_before = Pt(6)
    _cell_lines(bottom_left, blocks["subject"], left, size=12)
    _cell_lines(bottom_right, blocks["place_date"], right, italic=True)
    for para in bottom_right.paragraphs:
        para.paragraph_format.space_before = Pt(6)


def _recipients(doc: DocxDocument, blocks: dict[str, list[str]]) -> None:
    label = " ".join(blocks["recipients_label"])
    lines = blocks["recipients"]
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_after = Pt(6)
    if len(lines) == 1:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _write(para, f"{label} {lines[0]}")
        para.paragraph_format.space_after = Pt(12)
        return
    for i, line in enumerate(lines):
        para = doc.add_paragraph()
        fmt = para.paragraph_format
        fmt.left_indent = Cm(RECIPIENT_INDENT_CM)
        if i == 0:
            fmt.first_line_indent = Cm(LABEL_INDENT_CM - RECIPIENT_INDENT_CM)
            fmt.tab_stops.add_tab_stop(Cm(RECIPIENT_INDENT_CM), WD_TAB_ALIGNMENT.LEFT)
            _write(para, f"{label}\t{line}")
        else:
            _write(para, line)
        if i == len(lines) - 1:
            fmt.space_after = Pt(12)


def _body(doc: DocxDocument, lines: list[str]) -> None:
    for line in lines:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt = para.paragraph_format
        fmt.first_line_indent = Cm(1.27)
        fmt.space_after = Pt(6)
        _write(para, line)


def _signature(doc: DocxDocument, blocks: dict[str, list[str]]) -> None:
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_after = Pt(6)
    ((left_cell, right_cell),) = _table(doc, FOOTER_COLUMNS_CM, 1)
    left, right = [True], [True]
    _cell_lines(
        left_cell,
        blocks["distribution_label"],
        left,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        bold=True,
        italic=True,
        size=12,
    )
    _cell_lines(left_cell, blocks["distribution"], left, align=WD_ALIGN_PARAGRAPH.LEFT, size=11)
    _cell_lines(right_cell, blocks["signer_title"], right, bold=True)
    _cell_lines(right_cell, ["", "", "", ""], right)
    _cell_lines(right_cell, blocks["signer_name"], right, bold=True)


def build_document(draft: Draft) -> DocxDocument:
    """Return the whole draft as a python-docx document.

    Raises:
        DirectiveTemplateError: a template fails.
    """
    blocks = render_blocks(draft)
    doc = Document()
    _set_fonts(doc)
    _set_page(doc)
    _header(doc, blocks)
    _recipients(doc, blocks)
    _body(doc, blocks["intro"] + blocks["items"] + blocks["closing"])
    _signature(doc, blocks)
    doc.core_properties.title = " ".join(blocks["subject"])
    doc.core_properties.author = draft.profile.name
    now = datetime.now(UTC).replace(microsecond=0)
    doc.core_properties.created = doc.core_properties.modified = now
    doc.core_properties.last_modified_by = draft.profile.name
    doc.core_properties.revision = 1
    return doc


def document_bytes(draft: Draft) -> bytes:
    """Return the .docx file of the draft (for writing or attaching)."""
    buf = io.BytesIO()
    build_document(draft).save(buf)
    return buf.getvalue()


def default_filename(draft: Draft) -> str:
    """Return the default file name: ``directive-2023-02-cam-pha.docx``."""
    return f"directive-{draft.year:04d}-{draft.month:02d}-{draft.profile.org_id}.docx"


def write_document(draft: Draft, path: Path) -> Path:
    """Write the draft's .docx to ``path`` atomically and return the path."""
    return write_atomic(path, document_bytes(draft))
