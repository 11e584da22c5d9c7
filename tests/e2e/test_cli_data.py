"""End-to-end: import, export, add, edit and remove as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import Cli

HEADER = "id,name_vi,name_en,origin,category,scope,source"


def _ids(cli: Cli) -> list[str]:
    return [r["id"] for r in csv.DictReader(io.StringIO(cli("export").out))]


def test_export_then_import_is_a_no_op(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "backup.csv"
    result = cli("export", "--out", str(out))
    assert result.code == 0, result.err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) >= 60
    again = cli("import", str(out))
    assert again.code == 0, again.err
    assert f"{len(rows)} không đổi" in again.out


def test_import_upserts_by_id(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ward.csv"
    path.write_text(
        f"{HEADER}\n"
        "thanh-lap-phuong-x,Ngày thành lập phường X,Founding of ward X,2025-07-01,dia-phuong,city:cam-pha,NQ 1\n"
        "thanh-lap-dang,Ngày thành lập Đảng Cộng sản Việt Nam,Founding of the CPV,1930-02-03,ngay-le-lon,national,changed source\n",
        encoding="utf-8",
    )
    result = cli("import", str(path))
    assert result.code == 0, result.err
    assert "1 mới, 1 cập nhật, 0 không đổi" in result.out
    rows = json.loads(cli("month", "2026-07", "--format", "json").out)
    assert any(r["id"] == "thanh-lap-phuong-x" and r["count"] == 1 for r in rows)


def test_import_is_all_or_nothing(cli: Cli, tmp_path: Path) -> None:
    before = _ids(cli)
    path = tmp_path / "bad.csv"
    path.write_text(
        f"{HEADER}\n"
        "moi-1,Tên mới,New,2001-01-01,dia-phuong,national,s\n"
        "moi-2,Tên mới,New,2001-02-30,dia-phuong,national,s\n",
        encoding="utf-8",
    )
    result = cli("import", str(path))
    assert result.code == 1
    assert f"{path}:3: column 'origin': '2001-02-30' is not a valid date" in result.err
    assert "Traceback" not in result.err
    assert _ids(cli) == before


def test_add_edit_remove(cli: Cli) -> None:
    add = cli(
        "add",
        "chien-thang-x",
        "--name-vi",
        "Chiến thắng X",
        "--name-en",
        "Victory of X",
        "--origin",
        "1954-03-13",
        "--category",
        "dia-phuong",
        "--scope",
        "city:cam-pha",
        "--source",
        "Lịch sử Đảng bộ",
    )
    assert add.code == 0, add.err
    rows = json.loads(cli("month", "2024-03", "--format", "json").out)
    assert [r["count"] for r in rows if r["id"] == "chien-thang-x"] == [70]

    dup = cli(
        "add",
        "chien-thang-x",
        "--name-vi",
        "X",
        "--origin",
        "1954-03-13",
        "--category",
        "dia-phuong",
        "--scope",
        "city:cam-pha",
        "--source",
        "Quyết định 1/QĐ",
    )
    assert dup.code == 1 and "already exists" in dup.err

    unsourced = cli(
        "add",
        "chien-thang-y",
        "--name-vi",
        "Y",
        "--origin",
        "1954-03-13",
        "--category",
        "dia-phuong",
        "--scope",
        "city:cam-pha",
    )
    assert unsourced.code == 1
    assert "option --source: thiếu / is missing" in unsourced.err

    edit = cli("edit", "chien-thang-x", "--origin", "1954-03-14")
    assert edit.code == 0, edit.err
    rows = json.loads(cli("month", "2024-03", "--format", "json").out)
    assert [r["date"] for r in rows if r["id"] == "chien-thang-x"] == ["2024-03-14"]

    bad = cli("edit", "chien-thang-x", "--origin", "1954-02-30", "--scope", "mars")
    assert bad.code == 1
    assert "calendar-svc edit: option --origin: '1954-02-30' is not a valid date" in bad.err
    assert "calendar-svc edit: option --scope: phạm vi không có / unknown scope 'mars'" in bad.err

    refused = cli("remove", "chien-thang-x")
    assert refused.code != 0 and "--yes" in refused.err
    gone = cli("remove", "chien-thang-x", "--yes")
    assert gone.code == 0, gone.err
    assert "chien-thang-x" not in _ids(cli)
    missing = cli("remove", "chien-thang-x", "--yes")
    assert missing.code == 1 and "chien-thang-x" in missing.err


def test_help_lists_every_command(cli: Cli) -> None:
    result = cli("--help")
    for name in ("month", "year", "import", "export", "add", "edit", "remove", "lunar"):
        assert f"  {name} " in result.out


def test_a_writer_waits_for_another_with_a_message(cli: Cli, tmp_path: Path) -> None:
    """While another process holds the write lock, ``add`` says it waits, then writes."""
    import sqlite3
    import subprocess
    import sys

    assert cli("month", "2023-02").code == 0  # the database exists
    holder = sqlite3.connect(cli.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # as a long import's merge holds it
    args = [
        *("add", "cho-ghi", "--name-vi", "Ngày chờ ghi", "--origin", "2001-02-03"),
        *("--category", "dia-phuong", "--scope", "national", "--source", "test"),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "calendar_svc", *args],
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        assert proc.stderr is not None
        said = proc.stderr.readline()  # blocks until the writer speaks
        assert said.startswith("đang chờ: ") and "/ waiting for the database" in said, said
        assert proc.poll() is None  # still waiting, not failed with "database is locked"
    finally:
        holder.execute("COMMIT")
        holder.close()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Added: cho-ghi" in out and "locked" not in err
    assert "cho-ghi" in _ids(cli)
