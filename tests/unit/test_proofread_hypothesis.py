"""Property: the month's directive line checks clean; any perturbed count, year or day is found.

The line is what ``calendar-svc month --format text`` prints (:func:`render_text` over the
month's listed occurrences for a scope), checked for that month and scope.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calendar_svc.catalog import load_bundled, load_scopes
from calendar_svc.core.occurrences import month_range, occurrences
from calendar_svc.formatting import Display, render_text
from calendar_svc.proofread.check import Kind, Report, check_lines

BUNDLED = load_bundled()
SCOPES = load_scopes()
DISPLAY = Display(lang="vi", show_lunar=False, color=False)
_ENTRY_RE = re.compile(r"^(?:(?P<count>\d+) năm )?(?P<name>.+) \((?P<dates>[^()]+)\)$")
_NUMBER_RE = re.compile(r"\d+")

months = st.tuples(st.integers(1950, 2045), st.integers(1, 12))
scopes = st.sampled_from([None, *SCOPES.ids()])


def month_line(year: int, month: int, scope: str | None) -> tuple[str, list[object], list[object]]:
    lineage = SCOPES.lineage(scope) if scope else None
    anns = [a for a in BUNDLED if lineage is None or a.scope in lineage]
    occs = occurrences(anns, *month_range(year, month))
    return render_text(occs, DISPLAY).rstrip("\n"), anns, occs


def check(text: str, year: int, month: int, anns: list[object], occs: list[object]) -> Report:
    return check_lines(
        [text],
        year=year,
        month=month,
        anniversaries=anns,
        expected=occs,  # type: ignore[arg-type]
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months, scopes)
def test_the_month_line_checks_clean(ym: tuple[int, int], scope: str | None) -> None:
    line, anns, occs = month_line(*ym, scope)
    report = check(line, *ym, anns, occs)
    assert report.findings == (), (line, report.findings)


def _perturb(entry: str, what: str, data: st.DataObject) -> str | None:
    m = _ENTRY_RE.match(entry)
    assert m is not None, entry
    if what == "count":
        if m["count"] is None:
            return None
        count = int(m["count"])
        new = data.draw(st.integers(1, count + 40).filter(lambda n: n != count), label="count")
        return f"{new} năm {m['name']} ({m['dates']})"
    dates = m["dates"]
    tokens = list(_NUMBER_RE.finditer(dates))
    if what == "year":
        chosen = [t for t in tokens if len(t[0]) == 4]
    else:  # a day: the first number of a d/m/yyyy or dd/mm group
        chosen = [t for t in tokens if re.match(r"\d{1,2}/\d{1,2}(?!\d)", dates[t.start() :])]
        chosen = [t for t in chosen if t.start() == 0 or dates[t.start() - 1] in " ,-"]
    if not chosen:
        return None
    token = data.draw(st.sampled_from(chosen), label="token")
    old = int(token[0])
    if what == "year":
        new = data.draw(st.integers(old - 30, old + 30).filter(lambda n: n != old), label="year")
    else:
        new = data.draw(st.integers(1, 28).filter(lambda n: n != old), label="day")
    width = len(token[0]) if what == "day" and token[0].startswith("0") else 1
    value = f"{new:0{width}d}"
    dates = dates[: token.start()] + value + dates[token.end() :]
    prefix = f"{m['count']} năm " if m["count"] else ""
    return f"{prefix}{m['name']} ({dates})"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months, scopes, st.sampled_from(["count", "year", "day"]), st.data())
def test_a_perturbed_count_year_or_day_is_always_found(
    ym: tuple[int, int], scope: str | None, what: str, data: st.DataObject
) -> None:
    line, anns, occs = month_line(*ym, scope)
    assume(line and not line.startswith("Không"))
    entries = line.split("; ")
    index = data.draw(st.integers(0, len(entries) - 1), label="entry")
    changed = _perturb(entries[index], what, data)
    assume(changed is not None)
    assert changed is not None
    entries[index] = changed
    text = "; ".join(entries)
    report = check(text, *ym, anns, occs)
    slips = [f for f in report.findings if f.kind.is_slip]
    assert slips, (changed, report.findings)
    assert all(f.text == changed for f in slips), (changed, slips)
    assert any(f.kind in (Kind.ARITHMETIC, Kind.DATE, Kind.ORIGIN) for f in slips)
