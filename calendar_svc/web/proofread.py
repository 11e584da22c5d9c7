"""The month page's "Kiểm tra văn bản" form: proofread pasted text or an uploaded .docx.

``POST /month/YYYY-MM/check`` takes ``text`` (pasted) or ``file`` (a .docx, .txt or .md
upload) and ``scope``, checks it for that month and shows the report with every finding
highlighted in the text. Nothing is stored. The form is read by
:func:`calendar_svc.web.security.read_form`: up to :data:`MAX_BODY_BYTES` (refused past
it, 413, without reading the rest) and with its CSRF token checked (403 without it), like
every form of the site. ``GET`` shows the empty form.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from calendar_svc.errors import CalendarSvcError
from calendar_svc.proofread.check import KIND_LABELS, Finding, Report
from calendar_svc.services.documents import MAX_DOCX_BYTES, SourceText, read_bytes
from calendar_svc.services.proofread import proofread
from calendar_svc.web.feedservice import FeedService
from calendar_svc.web.queries import parse_month
from calendar_svc.web.security import (
    CSRF_FIELD,
    Form,
    FormError,
    PayloadTooLarge,
    csrf_token,
    read_form,
)
from calendar_svc.web.texts import page_texts

#: Largest request body: a .docx at its limit plus the form's overhead.
MAX_BODY_BYTES = MAX_DOCX_BYTES + 64 * 1024
#: Largest pasted text, in characters.
MAX_PASTE_CHARS = 200_000
_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a line: plain, or part of the mention of finding ``index`` (1-based)."""

    text: str
    index: int | None = None
    css: str = ""


@dataclass(frozen=True, slots=True)
class ShownFinding:
    """A finding as the page lists it."""

    index: int
    label: str
    css: str
    place: str
    finding: Finding


def _source(form: Form) -> SourceText | None:
    upload = form.files.get("file")
    if upload is not None and upload.data:
        return read_bytes(upload.data, upload.filename or "tệp tải lên")
    text = form.value("text")
    if text.strip():
        if len(text) > MAX_PASTE_CHARS:
            raise FormError(
                f"văn bản dán quá dài (tối đa {MAX_PASTE_CHARS} ký tự) / the pasted text is "
                f"too long (at most {MAX_PASTE_CHARS} characters)"
            )
        return SourceText("văn bản dán", "text", tuple(text.splitlines()))
    return None


def highlighted_lines(report: Report, shown: list[ShownFinding]) -> list[list[Segment]]:
    """Return every line of the checked text split into plain and highlighted runs."""
    doc = report.document
    marks: list[tuple[int, int, ShownFinding]] = []
    taken: list[tuple[int, int]] = []
    for item in shown:
        f = item.finding
        if f.start is None or f.end is None:
            continue
        if any(a <= f.start < b for a, b in taken):
            continue  # one mark per mention; the list shows every finding
        marks.append((f.start, f.end, item))
        taken.append((f.start, f.end))
    marks.sort(key=lambda m: m[0])
    lines: list[list[Segment]] = []
    for number, line in enumerate(doc.lines):
        begin = doc.offsets[number]
        end = begin + len(line)
        pos = begin
        segments: list[Segment] = []
        for start, stop, item in marks:
            lo, hi = max(start, begin), min(stop, end)
            if lo >= hi:
                continue
            if lo > pos:
                segments.append(Segment(doc.text[pos:lo]))
            segments.append(Segment(doc.text[lo:hi], item.index, item.css))
            pos = hi
        if pos < end:
            segments.append(Segment(doc.text[pos:end]))
        lines.append(segments)
    return lines


def check_form_globals() -> dict[str, object]:
    """Return what the form template needs on every page that includes it."""
    return {"check_max_mib": MAX_DOCX_BYTES // 1024 // 1024}


def _css(finding: Finding) -> str:
    return ("slip " if finding.kind.is_slip else "advice ") + finding.kind.value


def _render(
    request: Request,
    year: int,
    month: int,
    *,
    scope: str | None,
    report: Report | None = None,
    source: SourceText | None = None,
    error: str | None = None,
    text: str = "",
    status: int = 200,
) -> HTMLResponse:
    env: jinja2.Environment = request.app.state.templates
    service: FeedService = request.app.state.feeds
    shown: list[ShownFinding] = []
    if report is not None and source is not None:
        for i, f in enumerate(report.findings, start=1):
            shown.append(ShownFinding(i, KIND_LABELS[f.kind], _css(f), source.place(f.line), f))
    html = env.get_template("check.html").render(
        lang="vi",
        t=page_texts("vi"),
        home_href="/",
        year=year,
        month=month,
        scope=scope,
        scope_name=service.scopes[scope].name_vi if scope and scope in service.scopes else "",
        report=report,
        source=source,
        findings=shown,
        lines=highlighted_lines(report, shown) if report is not None else [],
        error=error,
        text=text,
        csrf=csrf_token(request),
        csrf_field=CSRF_FIELD,
    )
    return HTMLResponse(html, status, headers=_HEADERS)


async def check_page(request: Request) -> HTMLResponse:
    """``/month/YYYY-MM/check``: the form (GET) or the report of what it sent (POST)."""
    year, month = parse_month(request.path_params["month"])
    service: FeedService = request.app.state.feeds
    if request.method == "GET":
        scope = request.query_params.get("scope") or None
        return _render(request, year, month, scope=scope if scope in service.scopes else None)
    try:
        form = await read_form(request, limit=MAX_BODY_BYTES)  # CsrfRejected: a 403 page
    except PayloadTooLarge:
        message = (
            f"tệp quá lớn (tối đa {MAX_DOCX_BYTES // 1024 // 1024} MiB) / the upload is too "
            f"large (at most {MAX_DOCX_BYTES // 1024 // 1024} MiB)"
        )
        return _render(request, year, month, scope=None, error=message, status=413)
    except FormError as exc:
        return _render(request, year, month, scope=None, error=str(exc), status=400)
    try:
        scope = form.value("scope").strip() or None
        if scope is not None and scope not in service.scopes:
            raise FormError(f"phạm vi không có / unknown scope '{scope}'")
        source = _source(form)
    except CalendarSvcError as exc:
        return _render(request, year, month, scope=None, error=str(exc), status=400)
    if source is None:
        error = "hãy dán văn bản hoặc chọn tệp .docx / paste a text or choose a .docx file"
        return _render(request, year, month, scope=scope, error=error, status=400)
    try:
        report = await asyncio.to_thread(
            proofread,
            service.reader(),
            service.scopes,
            source.lines,
            year=year,
            month=month,
            scope=scope,
        )
    except CalendarSvcError as exc:
        return _render(request, year, month, scope=scope, error=str(exc), status=400)
    return _render(
        request, year, month, scope=scope, report=report, source=source, text=form.value("text")
    )
