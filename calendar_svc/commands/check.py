"""``calendar-svc check FILE``: proofread a directive's anniversary mentions.

Reads .txt, .md, .docx or ``-`` (standard input), checks every mention against its own
dates and the dataset for the month (``--month``, else the month the text names) and the
scope (``--scope``, or the organisation's with ``--org``), and prints the findings with
their place and the correction. Exit status 1 when a slip is found, else 0: omissions
and strays are advice.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from calendar_svc.cli import App, pass_app
from calendar_svc.commands.params import MONTH, SCOPE
from calendar_svc.errors import CalendarSvcError
from calendar_svc.proofread.check import KIND_LABELS, Finding, Kind, Report
from calendar_svc.services.documents import DocumentError, SourceText, read_stream


class SlipsFoundError(CalendarSvcError):
    """The check found slips (the command exits with 1)."""

    def __init__(self, source: str, slips: int) -> None:
        super().__init__(f"{source}: {slips} lỗi cần sửa / {slips} slip(s) to fix")


def read_source(file: str) -> SourceText:
    """Read the file named on the command line (``-``: standard input), bounded.

    Raises:
        DocumentError: it cannot be read as a text or a .docx.
    """
    if file == "-":
        return read_stream(sys.stdin.buffer, "<stdin>")
    path = Path(file)
    try:
        with path.open("rb") as stream:
            return read_stream(stream, str(path))
    except IsADirectoryError:
        raise DocumentError(file, "là thư mục / is a directory") from None
    except FileNotFoundError:
        raise DocumentError(file, "không có tệp này / no such file") from None
    except PermissionError:
        raise DocumentError(file, "không được phép đọc / permission denied") from None
    except OSError as exc:
        raise DocumentError(file, f"không đọc được / cannot read ({exc.strerror})") from None


def finding_dict(finding: Finding, source: SourceText) -> dict[str, Any]:
    """Return a finding as JSON data."""
    return {
        "kind": finding.kind.value,
        "slip": finding.kind.is_slip,
        "place": source.place(finding.line),
        "line": finding.line if source.kind != "docx" else None,
        "paragraph": finding.line if source.kind == "docx" else None,
        "text": finding.text,
        "correction": finding.correction,
        "reason": finding.reason,
        "anniversary_id": finding.anniversary_id,
        "match": finding.match,
        "score": finding.score,
    }


def summary(report: Report, scope: str | None) -> str:
    """Return the one-line summary of a report."""
    counts = {kind: 0 for kind in KIND_LABELS}
    for finding in report.findings:
        counts[finding.kind] += 1
    slips = len(report.slips)
    where = f" · {scope}" if scope else ""
    return (
        f"Tháng {report.month:02d}/{report.year}{where}: {len(report.mentions)} mục, {slips} lỗi, "
        f"{counts[Kind.OMISSION]} thiếu, {counts[Kind.STRAY]} ngoài tháng / "
        f"{len(report.mentions)} mentions, {slips} slips"
    )


def render_text(report: Report, source: SourceText, scope: str | None) -> str:
    """Return the report as text: one block per finding, then the summary."""
    out: list[str] = []
    for finding in report.findings:
        label = KIND_LABELS[finding.kind]
        head = f"{source.place(finding.line)}: {label}"
        if finding.text:
            head += f": “{finding.text}”"
        out.append(head)
        verb = {Kind.OMISSION: "thêm / add", Kind.STRAY: "xử lý / do"}.get(
            finding.kind, "sửa / fix"
        )
        out.append(f"    {verb}: {finding.correction}")
        out.append(f"    {finding.reason}")
    if not report.findings:
        out.append("Không thấy lỗi nào / No finding.")
    out.append(summary(report, scope))
    return "\n".join(out) + "\n"


def render_json(report: Report, source: SourceText, scope: str | None) -> str:
    """Return the report as JSON."""
    data = {
        "file": source.name,
        "month": f"{report.year:04d}-{report.month:02d}",
        "scope": scope,
        "mentions": len(report.mentions),
        "slips": len(report.slips),
        "ok": report.ok,
        "findings": [finding_dict(f, source) for f in report.findings],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@click.command("check")
@click.argument("file", metavar="FILE")
@click.option(
    "--month",
    "month",
    type=MONTH,
    help="Tháng / Month (default: the one the text names in “tháng MM/YYYY” or its V/v line).",
)
@click.option(
    "--scope",
    type=SCOPE,
    help="Phạm vi, gồm cả cấp trên / Scope with its "
    "parents (national, province:quang-ninh, city:cam-pha).",
)
@click.option(
    "--org",
    "org_id",
    metavar="ORG",
    help="Tổ chức (lấy phạm vi của tổ chức) / Organisation whose scope to use.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Định dạng / Output format.",
)
@pass_app
def check_command(
    app: App,
    file: str,
    month: tuple[int, int] | None,
    scope: str | None,
    org_id: str | None,
    fmt: str,
) -> None:
    """Kiểm tra văn bản / Proofread a directive's anniversary mentions.

    FILE is a .txt, .md or .docx file, or - for standard input. Exit status 1 when a slip
    (arithmetic, date or origin) is found, 0 otherwise.

    Example: calendar-svc check 581-CV-BTGTU.docx --scope city:cam-pha
    """
    from calendar_svc.services.proofread import month_of, proofread

    if scope is not None and org_id is not None:
        raise click.UsageError(
            "dùng --scope hoặc --org, không cả hai / give --scope or --org, not both"
        )
    if org_id is not None:
        from calendar_svc.commands.directive import organisation_profile

        scope = organisation_profile(app, org_id).scope
    source = read_source(file)
    year, month_number = month_of(source.lines, source.name, month)
    report = proofread(
        app.reader(), app.scopes, source.lines, year=year, month=month_number, scope=scope
    )
    render = render_json if fmt == "json" else render_text
    click.echo(render(report, source, scope), nl=False)
    if not report.ok:
        raise SlipsFoundError(source.name, len(report.slips))
