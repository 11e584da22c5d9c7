"""``data check``: report rows without a source, provinces with no anniversary, duplicates."""

from __future__ import annotations

from pathlib import Path

import click

from calendar_svc.cli import App, pass_app


@click.group("data")
def data_group() -> None:
    """Dữ liệu / Check the anniversaries: sources, provinces without any, duplicates."""


@data_group.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def check_command(app: App, file: Path | None) -> None:
    """Kiểm tra dữ liệu / Check the database's anniversaries, or FILE before importing it.

    Reports rows without a source (or citing a file that is not shipped), current provinces
    that list no anniversary of their own, and rows of one scope with the same origin and
    similar names. Exits 1 when it finds anything.
    """
    from calendar_svc.catalog import load_csv
    from calendar_svc.services.datacheck import DataCheckError, check_data

    tree = app.scopes
    if file is not None:
        anniversaries = load_csv(file, scopes=tree)
        what = str(file)
    else:
        anniversaries = list(app.store().anniversaries.anniversaries())
        what = "cơ sở dữ liệu / the database"
    findings = check_data(anniversaries, tree)
    for finding in findings:
        click.echo(finding.line())
    if findings:
        raise DataCheckError(len(findings))
    click.echo(
        f"{what}: {len(anniversaries)} dòng, không có vấn đề / "
        f"{len(anniversaries)} rows, no problem found"
    )
