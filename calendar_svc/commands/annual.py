"""``calendar-svc directive YYYY --annual``: draft an organisation's annual guide.

Reads the organisation, lists the year's and the next year's occurrences through
:func:`calendar_svc.services.annual.draft_annual`, then renders text or Markdown to
standard output (or ``--out``) or writes the .docx.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

from calendar_svc.cli import App

_YEAR_RE = re.compile(r"^\d{4}$")

#: Template of each text format of the annual guide.
ANNUAL_TEMPLATES = {"text": "annual.txt.j2", "md": "annual.md.j2"}


def parse_year(value: str | None, today: date) -> int:
    """Return the guide's year: ``YYYY``, by default the year after ``today``'s.

    Raises:
        click.BadParameter: the value is not a year.
    """
    if value is None:
        return today.year + 1
    text = value.strip()
    if not _YEAR_RE.match(text) or int(text) < 1:
        raise click.BadParameter(
            f"'{value}' không phải năm / is not a year (use YYYY with --annual)",
            param_hint="YEAR",
        )
    return int(text)


def annual_guide(
    app: App, year_arg: str | None, org_id: str, fmt: str, out: Path | None, issued: date
) -> None:
    """Draft the annual guide and print it or write it (the ``--annual`` branch)."""
    from calendar_svc.commands.directive import organisation_profile
    from calendar_svc.directive.files import write_atomic
    from calendar_svc.directive.render import render
    from calendar_svc.services.annual import draft_annual

    year = parse_year(year_arg, app.today())
    profile = organisation_profile(app, org_id)
    draft = draft_annual(app.reader(), app.scopes, profile, year, issued)
    if fmt == "docx":
        from calendar_svc.directive.annual_word import annual_filename, write_annual_document

        path = out if out is not None else Path.cwd() / annual_filename(draft)
        click.echo(f"Đã ghi / Wrote {write_annual_document(draft, path)}")
        return
    text = render(draft, fmt, names=ANNUAL_TEMPLATES)
    if out is None:
        click.echo(text, nl=False)
        return
    click.echo(f"Đã ghi / Wrote {write_atomic(out, text.encode('utf-8'))}")
