"""Hypothesis: any values given to ``add`` give a row or one located error, never half a write."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_svc.cli import main
from calendar_svc.store.open import open_store


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'fuzz.sqlite3'}"
        open_store(url)  # create and seed once
        yield url


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, err.getvalue()


text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
origin = st.one_of(
    text, st.sampled_from(["1954-03-13", "--02-29", "1972-12", "1943", "2023-02-29"])
)
slug = st.one_of(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,5})?", fullmatch=True), text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ident=slug,
    name=text,
    when=origin,
    category=st.one_of(text, st.sampled_from(["dia-phuong", "le-hoi"])),
    scope=st.one_of(text, st.sampled_from(["city:cam-pha", "national"])),
    calendar=st.one_of(st.just(None), st.sampled_from(["solar", "lunar", "moon"])),
)
def test_add_never_crashes_nor_half_writes(
    database: str,
    ident: str,
    name: str,
    when: str,
    category: str,
    scope: str,
    calendar: str | None,
) -> None:
    store = open_store(database)
    before = store.anniversaries.count()
    argv = [
        "--database-url",
        database,
        "add",
        ident,
        "--name-vi",
        name,
        "--origin",
        when,
        "--category",
        category,
        "--scope",
        scope,
    ]
    if calendar is not None:
        argv += ["--calendar", calendar]
    code, err = _run(argv)
    assert "Traceback" not in err
    after = store.anniversaries.count()
    if code == 0:
        assert after == before + 1
        _run(["--database-url", database, "remove", ident, "--yes"])
    else:
        assert code == 1 and err.startswith("Lỗi / Error: "), err
        assert after == before
        for line in err.splitlines()[1:]:
            assert line.startswith(
                ("calendar-svc add: option --", "calendar-svc add: argument ID: ")
            ), err
    assert os.environ.get("CALENDAR_SVC_DATABASE_URL") is None
