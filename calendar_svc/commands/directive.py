"""``calendar-svc directive``: draft an organisation's monthly directive; and the
directive options that ``org add`` and ``org edit`` share.

The command reads the organisation (name, scope, directive settings), lists the month's
occurrences and the look-ahead through :func:`calendar_svc.services.directive.draft_directive`,
then renders text or Markdown to standard output (or ``--out``) or writes a .docx.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.annual import MONTH_OR_YEAR
from calendar_svc.directive.profile import (
    MAX_LOOKAHEAD_MONTHS,
    DirectiveProfile,
    DirectiveSettings,
    build_profile,
)

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "md", "docx")


#: Option parameter → DirectiveSettings field.
_SETTING_PARAMS = {
    "directive_parent_body": "parent_body",
    "directive_issuing_body": "issuing_body",
    "directive_doc_code": "doc_code",
    "directive_place": "place",
    "directive_recipients": "recipients",
    "directive_distribution": "distribution",
    "directive_signer_lines": "signer_lines",
    "directive_signer_name": "signer_name",
    "directive_round_first": "round_first",
    "directive_lookahead_months": "lookahead_months",
    "directive_attach_docx": "attach_docx",
    "directive_templates": "templates",
}


def settings_from_options(values: dict[str, Any]) -> DirectiveSettings:
    """Return the directive settings the options name (unset options stay None).

    Raises:
        ProfileError: a value is not valid (the message names the setting).
    """
    settings: dict[str, Any] = {}
    for param, name in _SETTING_PARAMS.items():
        value = values.get(param)
        if value is None or value == ():
            continue
        settings[name] = tuple(value) if isinstance(value, tuple | list) else value
    if "templates" in settings:
        settings["templates"] = str(Path(settings["templates"]).expanduser().resolve())
    return DirectiveSettings(**settings)


def directive_settings_options(func: F) -> F:
    """Add the directive options to a command; it receives ``directive: DirectiveSettings``.

    Used by ``org add`` and ``org edit``: the settings hold only the options given.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {param: kwargs.pop(param, None) for param in _SETTING_PARAMS}
        kwargs["directive"] = settings_from_options(values)
        return func(*args, **kwargs)

    options = [
        click.option(
            "--parent-body",
            "directive_parent_body",
            metavar="TEXT",
            help="Văn bản: cơ quan cấp trên / Directive: body above the issuer "
            "(default from the name: THÀNH ỦY CẨM PHẢ).",
        ),
        click.option(
            "--issuing-body",
            "directive_issuing_body",
            metavar="TEXT",
            help="Văn bản: cơ quan ban hành / Directive: issuing body (default: BAN TUYÊN GIÁO).",
        ),
        click.option(
            "--doc-code",
            "directive_doc_code",
            metavar="CODE",
            help="Văn bản: ký hiệu / Directive: number code (default: CV/BTGTU).",
        ),
        click.option(
            "--place",
            "directive_place",
            metavar="TEXT",
            help="Văn bản: địa danh / Directive: place in the date line (default: Cẩm Phả).",
        ),
        click.option(
            "--recipient",
            "directive_recipients",
            multiple=True,
            metavar="TEXT",
            help="Văn bản: Kính gửi (lặp lại) / Directive: a recipient line (repeatable).",
        ),
        click.option(
            "--distribution",
            "directive_distribution",
            multiple=True,
            metavar="TEXT",
            help="Văn bản: Nơi nhận (lặp lại) / Directive: a distribution line (repeatable).",
        ),
        click.option(
            "--signer-line",
            "directive_signer_lines",
            multiple=True,
            metavar="TEXT",
            help="Văn bản: quyền hạn, chức vụ người ký (lặp lại) / Directive: a signature "
            "line, e.g. 'K/T TRƯỞNG BAN' (repeatable).",
        ),
        click.option(
            "--signer-name",
            "directive_signer_name",
            metavar="NAME",
            help="Văn bản: người ký / Directive: who signs.",
        ),
        click.option(
            "--round-first/--round-marked",
            "directive_round_first",
            default=None,
            help="Văn bản: năm tròn lên đầu, hoặc đánh dấu theo thứ tự ngày / Directive: put "
            "năm tròn and năm lẻ 5 first, or mark them in date order (default).",
        ),
        click.option(
            "--lookahead-months",
            "directive_lookahead_months",
            type=click.IntRange(0, MAX_LOOKAHEAD_MONTHS),
            metavar="N",
            help="Văn bản: số tháng hướng tới / Directive: months the look-ahead covers "
            "(0-12, default 3).",
        ),
        click.option(
            "--attach-docx/--no-attach-docx",
            "directive_attach_docx",
            default=None,
            help="Đính kèm dự thảo .docx vào thư nhắc / Attach the .docx draft to the "
            "reminder digest (default no).",
        ),
        click.option(
            "--directive-templates",
            "directive_templates",
            type=click.Path(file_okay=False, exists=True),
            metavar="DIR",
            help="Văn bản: thư mục mẫu riêng / Directive: directory of the organisation's own "
            "templates (docs/directive.md).",
        ),
    ]
    command: Any = wrapper
    for option in reversed(options):
        command = option(command)
    return cast(F, command)


def _parse_date(value: str | None, today: date) -> date:
    if value is None:
        return today
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{value}' không phải ngày / is not a date (use YYYY-MM-DD)", param_hint="--date"
        ) from None


def organisation_profile(app: App, org_id: str) -> DirectiveProfile:
    """Return the directive profile of a stored organisation.

    Raises:
        NotFoundError: there is no such organisation.
    """
    org = app.store().organisations.get_organisation(org_id)
    from calendar_svc.core.scopes import party_above

    scope_name = app.scopes[org.scope].name_vi if org.scope in app.scopes else ""
    return build_profile(
        org.id,
        org.name,
        org.scope,
        org.directive,
        scope_name=scope_name,
        party_above=party_above(app.scopes, org.scope),
    )


def _say_written(path: Path) -> None:
    click.echo(f"Đã ghi / Wrote {path}")


@click.command("directive")
@click.argument("month", required=False, type=MONTH_OR_YEAR, metavar="[YYYY-MM | YYYY --annual]")
@click.option("--org", "org_id", required=True, metavar="ORG", help="Tổ chức / Organisation id.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Định dạng / text and md print the commemoration parts; docx writes the whole draft.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi ra tệp / Write to this file (replaced atomically); docx defaults to "
    "directive-YYYY-MM-ORG.docx in the current directory.",
)
@click.option(
    "--date",
    "issued",
    metavar="YYYY-MM-DD",
    help="Ngày ban hành ghi trên văn bản / Date of the date line (default: today).",
)
@click.option(
    "--annual",
    is_flag=True,
    help="Hướng dẫn năm / Draft the annual guide of year YYYY (default: next year).",
)
@pass_app
def directive_command(
    app: App,
    month: tuple[int, int] | int | None,
    org_id: str,
    fmt: str,
    out: Path | None,
    issued: str | None,
    annual: bool,  # noqa: FBT001 - a click flag
) -> None:
    """Soạn dự thảo định hướng tháng / Draft an organisation's monthly directive.

    MONTH is YYYY-MM (default: next month, since a directive is written before its
    month). Prints the commemoration item with
    its năm tròn and năm lẻ 5 scales, the look-ahead item and the month's festivals, or
    writes the whole draft as a Word document laid out per Nghị định 30/2020/NĐ-CP.

    With --annual, drafts the year's guide instead ("Hướng dẫn tuyên truyền kỷ niệm các
    ngày lễ lớn … năm YYYY"): the five groups of anniversaries with their scales, the
    year's focus and the next year's năm tròn to prepare (docs/directive.md).

    Example: calendar-svc directive 2023-02 --org cam-pha --format docx

    Example: calendar-svc directive 2027 --annual --org qn --format docx
    """
    if annual:
        from calendar_svc.commands.annual import annual_guide, guide_year

        year = guide_year(month, app.today())  # a bad year fails before the lookup
        profile = organisation_profile(app, org_id)
        annual_guide(app, year, profile, fmt, out, _parse_date(issued, app.today()))
        return
    if isinstance(month, int):
        raise click.BadParameter(
            f"'{month}' không phải tháng / is not a month (use YYYY-MM, or YYYY with --annual)",
            param_hint="MONTH",
        )
    from calendar_svc.directive.render import render
    from calendar_svc.files import write_atomic
    from calendar_svc.services.directive import draft_directive

    today = app.today()
    # A directive is written before its month: the default is the month after this one.
    next_month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    year, month_number = month if month is not None else next_month
    issued_on = _parse_date(issued, today)
    profile = organisation_profile(app, org_id)
    draft = draft_directive(app.reader(), app.scopes, profile, year, month_number, issued_on)
    if fmt == "docx":
        from calendar_svc.directive.word import default_filename, write_document

        path = out if out is not None else Path.cwd() / default_filename(draft)
        _say_written(write_document(draft, path))
        return
    text = render(draft, fmt)
    if out is None:
        click.echo(text, nl=False)
        return
    _say_written(write_atomic(out, text.encode("utf-8")))
