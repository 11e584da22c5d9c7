"""``calendar-svc directive YYYY --annual``: draft an organisation's annual guide; and the
annual reminder's options that ``org add`` and ``org edit`` share.

Reads the organisation, lists the year's and the next year's occurrences through
:func:`calendar_svc.services.annual.draft_annual`, then renders text or Markdown to
standard output (or ``--out``) or writes the .docx.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Any

import click

from calendar_svc.cli import App
from calendar_svc.commands.params import MonthType
from calendar_svc.core.recipients import AnnualRule
from calendar_svc.directive.profile import DirectiveProfile
from calendar_svc.errors import DataError

#: Template of each text format of the annual guide.
ANNUAL_TEMPLATES = {"text": "annual.txt.j2", "md": "annual.md.j2"}

_YEAR_RE = re.compile(r"^\d{4}$", re.ASCII)


class MonthOrYearType(MonthType):
    """``YYYY-MM`` → ``(year, month)`` as :data:`~calendar_svc.commands.params.MONTH`, or
    ``YYYY`` → the year (the annual guide's)."""

    name = "YYYY-MM|YYYY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int) or (isinstance(value, str) and _YEAR_RE.match(value.strip())):
            year = int(value)
            if year < 1:
                self.fail(f"'{value}' không phải năm / is not a year", param, ctx)
            return year
        return super().convert(value, param, ctx)


MONTH_OR_YEAR = MonthOrYearType()


def guide_year(value: tuple[int, int] | int | None, today: date) -> int:
    """Return the guide's year: the one given, by default the year after ``today``'s.

    Raises:
        click.BadParameter: a month was given, not a year.
    """
    if value is None:
        return today.year + 1
    if isinstance(value, tuple):
        year, month = value
        raise click.BadParameter(
            f"'{year:04d}-{month:02d}' không phải năm / is not a year (use YYYY with --annual)",
            param_hint="YEAR",
        )
    return value


def annual_guide(
    app: App,
    year: int,
    profile: DirectiveProfile,
    fmt: str,
    out: Path | None,
    issued: date,
) -> None:
    """Draft the annual guide and print it or write it (the ``--annual`` branch)."""
    from calendar_svc.directive.render import render
    from calendar_svc.files import write_atomic
    from calendar_svc.services.annual import draft_annual

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


ANNUAL_PARAMS = ("annual_reminder", "annual_due", "annual_leads")


def annual_reminder_options(func: Any) -> Any:
    """Add --annual-reminder/--no-annual-reminder, --annual-due and --annual-leads.

    The command receives ``annual_options``: the three values, None when not given.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["annual_options"] = tuple(kwargs.pop(name, None) for name in ANNUAL_PARAMS)
        return func(*args, **kwargs)

    options = [
        click.option(
            "--annual-reminder/--no-annual-reminder",
            "annual_reminder",
            default=None,
            help="Nhắc soạn hướng dẫn năm, kèm dự thảo .docx / Send members the annual "
            "guide's reminder with its .docx draft (default no; by default 30 days before "
            "a 1 December due date, i.e. on 1 November).",
        ),
        click.option(
            "--annual-due",
            "annual_due",
            metavar="MM-DD",
            help="Hạn hướng dẫn năm (năm trước) / Due day of the next year's guide "
            "(default 12-01); turns the annual reminder on.",
        ),
        click.option(
            "--annual-leads",
            "annual_leads",
            metavar="N,N",
            help="Số ngày nhắc trước hạn hướng dẫn năm / Days before that due day at "
            "which members get the annual reminder (default 30); turns it on.",
        ),
    ]
    command: Any = wrapper
    for option in reversed(options):
        command = option(command)
    return command


def _leads(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise DataError(
            f"option --annual-leads: '{text}' không phải danh sách số ngày / is not a list of "
            "day counts (e.g. 30,7)"
        ) from None


def annual_rule(
    options: tuple[bool | None, str | None, str | None], current: AnnualRule | None
) -> tuple[bool, AnnualRule | None]:
    """Return whether the options change the annual rule, and the rule they give.

    Raises:
        DataError: a value is not valid (the message names the option).
    """
    on, due, leads = options
    if on is None and due is None and leads is None:
        return False, current
    if on is False:
        if due is not None or leads is not None:
            raise DataError(
                "option --no-annual-reminder: không dùng cùng / not with --annual-due or "
                "--annual-leads"
            )
        return True, None
    base = current or AnnualRule()
    try:
        rule = AnnualRule.parse(due, base.leads) if due is not None else base
        if leads is not None:
            rule = AnnualRule(rule.month, rule.day, _leads(leads))
    except ValueError as exc:
        option = "--annual-due" if due is not None and "due" in str(exc) else "--annual-leads"
        raise DataError(f"option {option}: {exc}") from None
    return True, rule


def annual_summary(rule: AnnualRule | None) -> str:
    """Return one line saying when the annual reminder goes out (or that it is off)."""
    if rule is None:
        return "Nhắc hướng dẫn năm: tắt / Annual guide reminder: off"
    leads = ", ".join(str(n) for n in rule.leads)
    return (
        f"Nhắc hướng dẫn năm: {leads} ngày trước hạn {rule.label('vi')} / Annual guide "
        f"reminder: {leads} days before its due day, {rule.label('en')}"
    )
