"""Read a text to proofread: plain text or Markdown (UTF-8) or a Word document (.docx).

The input is bounded (:data:`MAX_TEXT_BYTES`, :data:`MAX_DOCX_BYTES`, and the
uncompressed size of a .docx's parts, :data:`MAX_DOCX_UNPACKED`), so a 50 MB file or a
zip bomb is refused before it is read whole. Every refusal is a :class:`DocumentError`
with one line that names the source.

A .docx gives its paragraphs in document order, table cells included (the header of a
directive is a table): the N-th paragraph is paragraph N of the report.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from calendar_svc.errors import CalendarSvcError

#: Largest text accepted (a month's directive is a few tens of KiB).
MAX_TEXT_BYTES = 2 * 1024 * 1024
#: Largest .docx accepted.
MAX_DOCX_BYTES = 10 * 1024 * 1024
#: Largest total uncompressed size of a .docx's parts.
MAX_DOCX_UNPACKED = 60 * 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"


class DocumentError(CalendarSvcError):
    """A text to proofread cannot be read; the message names the source."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


@dataclass(frozen=True, slots=True)
class SourceText:
    """A text to proofread: its name, its kind ("text" or "docx") and its lines."""

    name: str
    kind: str
    lines: tuple[str, ...]

    def place(self, line: int | None) -> str:
        """Return where a line is: ``name:12``, or ``name:¶12`` for a .docx paragraph."""
        if line is None:
            return self.name
        return f"{self.name}:¶{line}" if self.kind == "docx" else f"{self.name}:{line}"


def _size_error(source: str, limit: int) -> DocumentError:
    return DocumentError(
        source,
        f"tệp quá lớn (tối đa {limit // 1024 // 1024} MiB) / file too large "
        f"(at most {limit // 1024 // 1024} MiB)",
    )


def read_stream(stream: BinaryIO, name: str) -> SourceText:
    """Read at most the size limit from ``stream`` and return its text.

    Raises:
        DocumentError: too large, empty, binary, not UTF-8, or not a readable .docx.
    """
    limit = MAX_DOCX_BYTES if _is_docx_name(name) else max(MAX_TEXT_BYTES, MAX_DOCX_BYTES)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _size_error(name, limit)
    return read_bytes(data, name)


def _is_docx_name(name: str) -> bool:
    return name.lower().endswith(".docx")


def read_bytes(data: bytes, name: str) -> SourceText:
    """Return the text of a document given as bytes; ``name`` decides .docx or text.

    A nameless input (standard input, a paste) is a .docx when it starts as a ZIP does.

    Raises:
        DocumentError: too large, empty, binary, not UTF-8, or not a readable .docx.
    """
    if _is_docx_name(name) or (
        not name.lower().endswith((".txt", ".md")) and data.startswith(_ZIP_MAGIC)
    ):
        if len(data) > MAX_DOCX_BYTES:
            raise _size_error(name, MAX_DOCX_BYTES)
        return SourceText(name, "docx", tuple(docx_paragraphs(data, name)))
    if len(data) > MAX_TEXT_BYTES:
        raise _size_error(name, MAX_TEXT_BYTES)
    return SourceText(name, "text", tuple(text_lines(data, name)))


def text_lines(data: bytes, name: str) -> list[str]:
    """Return the lines of a UTF-8 text.

    Raises:
        DocumentError: empty, binary (a NUL byte) or not UTF-8.
    """
    if not data.strip():
        raise DocumentError(name, "tệp rỗng / the file is empty")
    if b"\x00" in data:
        raise DocumentError(name, "tệp nhị phân, không phải văn bản / a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            name, f"không phải văn bản UTF-8 (byte {exc.start}) / not UTF-8 text (byte {exc.start})"
        ) from None
    return text.splitlines()


def docx_paragraphs(data: bytes, name: str) -> list[str]:
    """Return the paragraphs of a .docx in document order, table cells included.

    Raises:
        DocumentError: not a ZIP, no Word document inside, too large unpacked, or empty.
    """
    not_docx = "không phải tệp .docx / not a .docx (Word) document"
    if not data:
        raise DocumentError(name, "tệp rỗng / the file is empty")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise DocumentError(name, not_docx) from None
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise DocumentError(name, not_docx)
    if unpacked > MAX_DOCX_UNPACKED:
        raise _size_error(name, MAX_DOCX_UNPACKED)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        paragraphs: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                paragraphs.append(block.text)
            elif isinstance(block, Table):
                paragraphs.extend(_table_paragraphs(block))
    except Exception as exc:  # python-docx raises many kinds on a damaged file
        raise DocumentError(name, f"{not_docx} ({type(exc).__name__})") from None
    if not any(p.strip() for p in paragraphs):
        raise DocumentError(name, "tài liệu không có chữ / the document has no text")
    return paragraphs


def _table_paragraphs(table: object) -> Sequence[str]:
    from docx.table import Table

    assert isinstance(table, Table)
    out: list[str] = []
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:  # a merged cell appears once per grid column
                continue
            seen.add(key)
            out.extend(p.text for p in cell.paragraphs)
    return out
