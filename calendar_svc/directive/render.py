"""Render a directive draft from jinja2 templates: text, Markdown, and the .docx's texts.

The bundled templates live in ``calendar_svc/templates/directive/``:

* ``_parts.j2``: the wording shared by every format (macros);
* ``directive.txt.j2`` and ``directive.md.j2``: the commemoration parts;
* ``document.docx.j2``: one block per place of the .docx page (header, items, signature);
* ``annual.txt.j2``, ``annual.md.j2``, ``annual.docx.j2`` and ``_annual_parts.j2``: the
  annual guide (:mod:`calendar_svc.directive.annual`), rendered by the same functions.

An organisation whose directive settings name a ``templates`` directory gets its files
first: a file there with a bundled name replaces the bundled one, and may extend it
through the ``bundled/`` prefix (``{% extends "bundled/document.docx.j2" %}``) to change
only some blocks. Autoescaping is off (nothing here is HTML) and undefined names are
errors (:class:`jinja2.StrictUndefined`), so a misspelt variable fails instead of
printing nothing.

Templates see ``draft`` (:class:`~calendar_svc.directive.draft.Draft`), ``p`` (its
profile) and the filters ``mm`` (02), ``month_year`` (03/2023), ``document_date`` ("ngày
02 tháng 02 năm 2023") and ``lowerfirst``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from calendar_svc.directive.draft import Draft, Entry, document_date
from calendar_svc.errors import CalendarSvcError

if TYPE_CHECKING:
    from calendar_svc.directive.annual import AnnualDraft
    from calendar_svc.directive.profile import DirectiveProfile

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "directive"

#: Template of each text format.
TEMPLATE_NAMES = {"text": "directive.txt.j2", "md": "directive.md.j2"}

#: Template whose blocks hold the .docx's texts.
DOCX_TEMPLATE = "document.docx.j2"

#: Blocks the .docx layout places, in page order.
DOCX_BLOCKS = (
    "parent_body",
    "issuing_body",
    "party",
    "number",
    "subject",
    "place_date",
    "recipients_label",
    "recipients",
    "intro",
    "items",
    "closing",
    "distribution_label",
    "distribution",
    "signer_title",
    "signer_name",
)


class DirectiveTemplateError(CalendarSvcError):
    """A directive template is missing, malformed or uses an unknown name."""

    def __init__(self, template: str, reason: str) -> None:
        self.template = template
        self.reason = reason
        super().__init__(f"mẫu văn bản / directive template {template}: {reason}")


def _mm(month: int) -> str:
    return f"{month:02d}"


def _month_year(day: date) -> str:
    return f"{day.month:02d}/{day.year}"


def _lowerfirst(text: str) -> str:
    return text[:1].lower() + text[1:]


def environment(templates: str | Path | None = None) -> jinja2.Environment:
    """Return the jinja2 environment: the organisation's directory first, then the bundle.

    Raises:
        DirectiveTemplateError: ``templates`` is not a directory.
    """
    bundled = jinja2.FileSystemLoader(TEMPLATES_DIR)
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        path = Path(templates).expanduser()
        if not path.is_dir():
            raise DirectiveTemplateError(str(path), "không phải thư mục / is not a directory")
        loaders.append(jinja2.FileSystemLoader(path))
    loaders += [bundled, jinja2.PrefixLoader({"bundled": bundled})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        mm=_mm, month_year=_month_year, document_date=document_date, lowerfirst=_lowerfirst
    )
    return env


#: Characters that end a line or a paragraph somewhere (Unicode, Word, str.splitlines).
_SEPARATORS_RE = re.compile("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")

#: Private-use stand-ins for the mark characters while data passes through the .docx
#: templates: a name's ``*``, ``[`` and ``]`` cannot form a mark, and come back in the runs.
_SHIELD = str.maketrans({"*": "\ue000", "[": "\ue001", "]": "\ue002"})
_UNSHIELD = str.maketrans({"\ue000": "*", "\ue001": "[", "\ue002": "]"})

#: Markdown: characters escaped anywhere in data (emphasis, links, code, HTML, tables,
#: strikethrough, entities, escapes), and those that only act at the start of a line.
_MD_ANYWHERE_RE = re.compile(r"([\\`*_{}\[\]<>|~&])")
_MD_LINE_START_RE = re.compile(r"^(\s*)([-+#=>]|\d+(?=[.)]))", re.ASCII)


def _one_line(text: str) -> str:
    """Return ``text`` with line and paragraph separators as spaces (rows stored before
    the input refused them)."""
    return _SEPARATORS_RE.sub(" ", text)


def _shield(text: str) -> str:
    return _one_line(text).translate(_SHIELD)


def markdown_text(text: str) -> str:
    """Return ``text`` escaped so that CommonMark reads it back as the same text."""
    escaped = _MD_ANYWHERE_RE.sub(r"\\\1", _one_line(text))
    start = _MD_LINE_START_RE.match(escaped)
    if start is None:
        return escaped
    head, mark = start.group(1), start.group(2)
    if mark[0].isdigit():  # "1." or "2)" would start an ordered list
        rest = escaped[start.end() :]
        return f"{head}{mark}\\{rest}"
    return f"{head}\\{escaped[len(head) :]}"


def _profile_view(p: DirectiveProfile, fn: Callable[[str], str]) -> DirectiveProfile:
    return replace(
        p,
        name=fn(p.name),
        parent_body=fn(p.parent_body),
        issuing_body=fn(p.issuing_body),
        short_name=fn(p.short_name),
        higher_body=fn(p.higher_body),
        locality=fn(p.locality),
        doc_code=fn(p.doc_code),
        place=fn(p.place),
        recipients=tuple(map(fn, p.recipients)),
        distribution=tuple(map(fn, p.distribution)),
        signer_lines=tuple(map(fn, p.signer_lines)),
        signer_name=fn(p.signer_name),
    )


def _data_view(draft: Draft | AnnualDraft, fn: Callable[[str], str]) -> Draft | AnnualDraft:
    """Return ``draft`` with every text that comes from data passed through ``fn``."""
    from calendar_svc.directive.annual import AnnualDraft

    def entry(e: Entry) -> Entry:
        return replace(
            e,
            text=fn(e.text),
            round_label=fn(e.round_label),
            basis=None if e.basis is None else fn(e.basis),
            scale=None if e.scale is None else fn(e.scale),
        )

    if isinstance(draft, AnnualDraft):
        return replace(
            draft,
            profile=_profile_view(draft.profile, fn),
            levels=fn(draft.levels),
            groups=tuple(
                replace(g, title=fn(g.title), entries=tuple(map(entry, g.entries)))
                for g in draft.groups
            ),
            focus=tuple(map(entry, draft.focus)),
            lookahead=tuple(map(entry, draft.lookahead)),
        )
    return replace(
        draft,
        profile=_profile_view(draft.profile, fn),
        levels=fn(draft.levels),
        entries=tuple(map(entry, draft.entries)),
        festivals=tuple(map(entry, draft.festivals)),
        lookahead=tuple(map(entry, draft.lookahead)),
    )


#: How data is made safe in each format before it meets the template's marks.
_DATA_VIEWS: dict[str, Callable[[str], str]] = {
    "text": _one_line,
    "md": markdown_text,
    "docx": _shield,
}


def _context(draft: Draft | AnnualDraft, fmt: str) -> dict[str, Any]:
    view = _data_view(draft, _DATA_VIEWS[fmt])
    return {"draft": view, "p": view.profile}


def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or name}:{exc.lineno}"
        raise DirectiveTemplateError(where, exc.message or "syntax error") from exc
    except jinja2.TemplateNotFound as exc:
        raise DirectiveTemplateError(name, f"không tìm thấy / not found ({exc})") from exc


def render(draft: Draft | AnnualDraft, fmt: str, *, names: dict[str, str] = TEMPLATE_NAMES) -> str:
    """Return the commemoration parts as ``text`` or ``md``.

    ``names`` maps each format to its template (the annual guide has its own).

    Raises:
        DirectiveTemplateError: a template fails.
        ValueError: ``fmt`` is not a text format.
    """
    if fmt not in names:
        raise ValueError(f"unknown format {fmt!r} (use {', '.join(names)})")
    name = names[fmt]
    template = _template(environment(draft.profile.templates), name)
    try:
        text = template.render(_context(draft, fmt))
    except jinja2.TemplateError as exc:
        raise DirectiveTemplateError(name, str(exc)) from exc
    return _tidy(text)


def render_blocks(
    draft: Draft | AnnualDraft,
    *,
    template_name: str = DOCX_TEMPLATE,
    blocks: tuple[str, ...] = DOCX_BLOCKS,
) -> dict[str, list[str]]:
    """Return each .docx block's paragraphs (non-empty lines, marks kept).

    ``template_name`` and ``blocks`` name the template and the blocks its layout places
    (the annual guide has its own).

    Raises:
        DirectiveTemplateError: a template fails or lacks a block the layout needs.
    """
    template = _template(environment(draft.profile.templates), template_name)
    ctx = template.new_context(_context(draft, "docx"))
    try:
        # Rendering the whole template once puts the blocks of the templates it extends
        # into the context, after the template's own.
        "".join(template.root_render_func(ctx))
    except jinja2.TemplateError as exc:
        raise DirectiveTemplateError(template_name, str(exc)) from exc
    missing = [b for b in blocks if not ctx.blocks.get(b)]
    if missing:
        raise DirectiveTemplateError(template_name, f"thiếu khối / missing blocks {missing}")
    out: dict[str, list[str]] = {}
    for name in blocks:
        try:
            text = "".join(ctx.blocks[name][0](ctx))
        except jinja2.TemplateError as exc:
            raise DirectiveTemplateError(f"{template_name} block {name}", str(exc)) from exc
        out[name] = [line.strip() for line in text.splitlines() if line.strip()]
    return out


def _tidy(text: str) -> str:
    """Strip trailing spaces, collapse runs of blank lines, end with one newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    while tidy and not tidy[-1]:
        tidy.pop()
    return "\n".join(tidy) + "\n"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with its marks."""

    text: str
    bold: bool = False
    italic: bool = False
    fill: bool = False


_MARK_RE = re.compile(
    r"\*\*(?P<bold>.+?)\*\*|\[\[(?P<fill>.+?)\]\]|\*(?P<italic>[^*\s](?:[^*]*?[^*\s])?)\*"
)


def parse_marks(line: str) -> list[Span]:
    """Split a line into spans: ``**bold**``, ``*italic*`` and ``[[text to fill]]``.

    Marks do not nest, except that bold and fill text may contain ``*italic*``. Unmatched
    marks stay as written. Mark characters of data (shielded by the .docx rendering) are
    never marks: they come back as text in the spans.
    """
    spans: list[Span] = []
    pos = 0
    for match in _MARK_RE.finditer(line):
        if match.start() > pos:
            spans.append(Span(line[pos : match.start()]))
        if match["bold"] is not None:
            spans.extend(_with_italics(match["bold"], bold=True))
        elif match["fill"] is not None:
            spans.extend(_with_italics(match["fill"], fill=True))
        else:
            spans.append(Span(match["italic"], italic=True))
        pos = match.end()
    if pos < len(line):
        spans.append(Span(line[pos:]))
    return [replace(span, text=span.text.translate(_UNSHIELD)) for span in spans]


def _with_italics(text: str, *, bold: bool = False, fill: bool = False) -> list[Span]:
    spans: list[Span] = []
    for i, part in enumerate(re.split(r"\*([^*]+)\*", text)):
        if part:
            spans.append(Span(part, bold=bold, italic=fill or i % 2 == 1, fill=fill))
    return spans
