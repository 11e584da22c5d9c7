"""Generate ``calendar_svc/core/_lunar_table.py``, the Vietnamese lunar calendar table.

The table is computed, not copied: PyEphem (``ephem``, a dev-only dependency) gives the
instants of the new moons and of the principal solar terms (trung khí, apparent solar
longitude a multiple of 30°), and the rules of the Vietnamese calendar turn them into months:

* a month starts on the local civil day of its new moon;
* local time is UTC+7 for instants from 1968-01-01 00:00 UTC+7 on and UTC+8 before, so
  history before 1968 follows the UTC+8 (Chinese) calendar. The only new moon or term near
  the switch that the choice decides is the new moon of 1968-01-29 16:29 UT: 23:29 on
  29 January in UTC+7 (North Vietnam's Tết Mậu Thân) but 00:29 on 30 January in UTC+8;
* the month containing the winter solstice (270°) is month 11;
* when 13 months lie between two months 11, the first of them without a principal term
  is the leap month and takes the number of the month before it.

A month is flagged *uncertain* when moving any single new moon or principal term that
falls within ``MARGIN_MINUTES`` of local midnight to the other side of that midnight would
change the month's first day (``UNCERTAIN_STARTS``) or its number or leap flag
(``UNCERTAIN_LABELS``). Ten minutes covers the ephemeris error (PyEphem finds new moons to
0.1 s; its lunar and solar theories err by arcseconds, well under a minute of time) and the
spread of ΔT extrapolations: PyEphem's ΔT is 442 s for 2200, the parabola of Stephenson,
Morrison & Hohenkerk (2016) gives ~140 s, 5 minutes apart; ten minutes keeps a margin over both.

Usage: ``python scripts/gen_lunar_table.py`` rewrites the table; ``--check`` exits 1 when the
committed table differs from a fresh computation; ``--report`` lists the near-midnight events.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import functools
import itertools
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import ephem  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "calendar_svc" / "core" / "_lunar_table.py"
VECTORS = REPO / "tests" / "data" / "lunar-vectors.csv"

FIRST_YEAR = 1900
LAST_YEAR = 2199
MARGIN_MINUTES = 10
YEARS_PER_LINE = 10
RECORD_DIGITS = 6
SOLSTICE_TERM = 9  # 270° / 30°
# Dublin Julian Day (ephem.Date) of 1968-01-01 00:00 UTC+7, i.e. 1967-12-31 17:00 UT.
SWITCH_DJD = float(ephem.Date("1967/12/31 17:00:00"))
DJD_EPOCH_ORDINAL = date(1899, 12, 31).toordinal()  # ephem.Date(0) is 1899-12-31 12:00 UT
TROPICAL_YEAR = 365.2422
SEARCH_START = "1899/9/1"  # before the winter solstice of 1899 (month 11 of lunar 1899)
SEARCH_END = "2201/3/1"  # after month 1 of lunar year 2201

Zone = Callable[[float], int]


def vietnam_offset(djd: float) -> int:
    """Return Vietnam's calendar UTC offset in hours at the instant ``djd``."""
    return 7 if djd >= SWITCH_DJD else 8


def china_offset(djd: float) -> int:
    """Return the UTC offset of the Chinese calendar (UTC+8; used for cross-checks only)."""
    del djd
    return 8


@dataclass(frozen=True)
class Event:
    """A new moon or principal term, placed on a local civil day.

    Attributes:
        djd: The instant as an ephem Dublin Julian Day (UT).
        term: The principal term index k (longitude 30·k degrees), or None for a new moon.
        day: The proleptic Gregorian ordinal of the local civil day.
        minutes: Signed minutes from the nearest local midnight (negative: before it).
    """

    djd: float
    term: int | None
    day: int
    minutes: float

    def flipped(self) -> Event:
        """Return the event moved to the other side of its nearest local midnight."""
        return replace(self, day=self.day + (1 if self.minutes < 0 else -1), minutes=0.0)


@dataclass(frozen=True)
class Month:
    """One lunar month: its first day (ordinal), lunar year, number and leap flag."""

    start: int
    year: int
    number: int
    leap: bool


def place(djd: float, term: int | None, zone: Zone) -> Event:
    """Place an instant on its local civil day under ``zone``."""
    local = djd + 0.5 + zone(djd) / 24.0  # days since 1899-12-31 00:00 local time
    day = math.floor(local)
    frac = local - day
    minutes = frac * 1440.0 if frac < 0.5 else (frac - 1.0) * 1440.0
    return Event(djd, term, DJD_EPOCH_ORDINAL + day, minutes)


def new_moon_instants() -> list[float]:
    """Return the instants of every new moon in the search window."""
    out: list[float] = []
    t = ephem.Date(SEARCH_START)
    end = float(ephem.Date(SEARCH_END))
    while True:
        t = ephem.next_new_moon(t)
        if float(t) > end:
            return out
        out.append(float(t))
        t = ephem.Date(float(t) + 1.0)


def sun_longitude(djd: float, sun: ephem.Sun) -> float:
    """Return the Sun's apparent geocentric ecliptic longitude of date, in radians."""
    when = ephem.Date(djd)
    sun.compute(when)
    return float(ephem.Ecliptic(ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=when), epoch=when).lon)


def term_instants() -> list[tuple[float, int]]:
    """Return ``(instant, k)`` for every principal term (longitude 30·k°) in the window."""
    sun = ephem.Sun()
    t = float(ephem.Date(SEARCH_START))
    end = float(ephem.Date(SEARCH_END))
    k = math.floor(math.degrees(sun_longitude(t, sun)) / 30.0) + 1
    out: list[tuple[float, int]] = []
    while t <= end:
        target = math.radians(30.0 * (k % 12))
        for _ in range(30):  # Newton steps with the mean solar motion; converges in ~5
            diff = (target - sun_longitude(t, sun) + math.pi) % math.tau - math.pi
            t += diff * TROPICAL_YEAR / math.tau
            if abs(diff) < 1e-10:
                break
        else:
            raise RuntimeError(f"solar term {30 * (k % 12)}° near {ephem.Date(t)} did not converge")
        if t <= end:
            out.append((t, k % 12))
        t += 10.0
        k += 1
    return out


@functools.cache
def instants() -> tuple[tuple[float, ...], tuple[tuple[float, int], ...]]:
    """Return all new-moon and principal-term instants (computed once per process)."""
    return tuple(new_moon_instants()), tuple(term_instants())


def build_months(moons: Sequence[Event], terms: Sequence[Event]) -> list[Month]:
    """Number the months between the first and the last winter-solstice month.

    Args:
        moons: New moons in time order.
        terms: Principal terms in time order.

    Returns:
        The months from month 11 of lunar year FIRST_YEAR - 1 up to, not including, the
        last month 11 found, each with its lunar year, number and leap flag.

    Raises:
        RuntimeError: If the astronomy breaks a calendar invariant.
    """
    starts = [m.day for m in moons]
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        raise RuntimeError("two new moons on one local day")
    month_of = [bisect.bisect_right(starts, t.day) - 1 for t in terms]
    has_term = [False] * len(starts)
    for index in month_of:
        has_term[index] = True
    elevens = [i for i, t in zip(month_of, terms, strict=True) if t.term == SOLSTICE_TERM]
    months: list[Month] = []
    for previous, current in itertools.pairwise(elevens):
        span = current - previous
        if span not in (12, 13):
            raise RuntimeError(f"{span} months between two months 11 at {starts[previous]}")
        leap_index = None
        if span == 13:
            leap_index = next(i for i in range(previous + 1, current) if not has_term[i])
        number = 10
        year = date.fromordinal(starts[previous]).year  # month 11 lies in its lunar year
        for i in range(previous, current):
            leap = i == leap_index
            if not leap:
                number = number % 12 + 1
                if number == 1:
                    year += 1
            months.append(Month(starts[i], year, number, leap))
    return months


def year_records(months: Sequence[Month]) -> dict[int, list[Month]]:
    """Group months by lunar year, keeping only complete years."""
    by_year: dict[int, list[Month]] = {}
    for month in months:
        by_year.setdefault(month.year, []).append(month)
    return {y: ms for y, ms in by_year.items() if ms[0].number == 1 and ms[-1].number == 12}


@dataclass(frozen=True)
class Table:
    """A computed calendar: months of lunar years FIRST_YEAR..LAST_YEAR+1 and their flags."""

    months: tuple[Month, ...]
    uncertain_starts: frozenset[int]
    uncertain_labels: frozenset[int]
    near_midnight: tuple[Event, ...]

    def year(self, year: int) -> list[Month]:
        """Return the months of one lunar year in calendar order."""
        return [m for m in self.months if m.year == year]


@functools.cache
def compute(zone: Zone = vietnam_offset) -> Table:
    """Compute the calendar for ``zone`` and flag the months that are not certain."""
    moon_djds, term_djds = instants()
    moons = [place(t, None, zone) for t in moon_djds]
    terms = [place(t, k, zone) for t, k in term_djds]
    base = build_months(moons, terms)
    label = {m.start: (m.year, m.number, m.leap) for m in base}
    starts_unsure: set[int] = set()
    labels_unsure: set[int] = set()
    near = [e for e in moons + terms if abs(e.minutes) <= MARGIN_MINUTES]
    for event in near:
        alt_moons = [e.flipped() if e is event else e for e in moons]
        alt_terms = [e.flipped() if e is event else e for e in terms]
        alt = {m.start: (m.year, m.number, m.leap) for m in build_months(alt_moons, alt_terms)}
        for start, lab in label.items():
            if start not in alt:
                starts_unsure.add(start)
            elif alt[start] != lab:
                labels_unsure.add(start)
    kept = tuple(m for m in base if FIRST_YEAR <= m.year <= LAST_YEAR + 1)
    return Table(kept, frozenset(starts_unsure), frozenset(labels_unsure), tuple(near))


def encode_year(months: Sequence[Month], next_start: int) -> int:
    """Pack one lunar year into the 23-bit record described in the generated file."""
    year = months[0].year
    tet_offset = months[0].start - date(year, 1, 1).toordinal()
    leaps = [m.number for m in months if m.leap]
    if len(leaps) > 1 or not 0 <= tet_offset < 64 or len(months) not in (12, 13):
        raise RuntimeError(f"lunar year {year} does not fit the record layout")
    bounds = [m.start for m in months] + [next_start]
    lengths = [b - a for a, b in itertools.pairwise(bounds)]
    if any(n not in (29, 30) for n in lengths):
        raise RuntimeError(f"lunar year {year} has a month of {lengths} days")
    bits = sum(1 << i for i, n in enumerate(lengths) if n == 30)
    return (tet_offset << 17) | ((leaps[0] if leaps else 0) << 13) | bits


def mask_by_year(table: Table, starts: frozenset[int]) -> dict[int, int]:
    """Return ``{lunar year: bit mask of month indexes}`` for the months starting in ``starts``."""
    masks: dict[int, int] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 2):
        for index, month in enumerate(table.year(year)):
            if month.start in starts and (year <= LAST_YEAR or index == 0):
                masks[year] = masks.get(year, 0) | (1 << index)
    return masks


def render(table: Table) -> str:
    """Render the table module's source text."""
    records: list[str] = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        next_start = table.year(year + 1)[0].start
        records.append(f"{encode_year(table.year(year), next_start):0{RECORD_DIGITS}x}")
    first = table.year(FIRST_YEAR)[0].start
    last = table.year(LAST_YEAR + 1)[0].start - 1
    lines = [
        "# Generated by scripts/gen_lunar_table.py from PyEphem new moons and solar terms.",
        "# DO NOT EDIT. Regenerate with `python scripts/gen_lunar_table.py`;",
        "# `python scripts/gen_lunar_table.py --check` verifies this file byte for byte.",
        f'"""Vietnamese lunar calendar table for lunar years {FIRST_YEAR}–{LAST_YEAR} (generated).',
        "",
        "Read through ``calendar_svc.core.lunar``; the layout is documented beside each name.",
        '"""',
        "",
        f"FIRST_YEAR = {FIRST_YEAR}",
        f"LAST_YEAR = {LAST_YEAR}",
        f"MIN_ORDINAL = {first}  # {date.fromordinal(first)}: 1/1/{FIRST_YEAR}",
        f"MAX_ORDINAL = {last}  # {date.fromordinal(last)}: last day of 12/{LAST_YEAR}",
        f"MARGIN_MINUTES = {MARGIN_MINUTES}",
        f"YEARS_PER_LINE = {YEARS_PER_LINE}",
        f"RECORD_DIGITS = {RECORD_DIGITS}",
        "",
        f"# One record of {RECORD_DIGITS} hex digits per lunar year, {YEARS_PER_LINE} per string:",
        "#   bits 17-22: first day of month 1 (Tết), in days after 1 January of that year;",
        "#   bits 13-16: leap month number, 0 when the year has none (it follows that month);",
        "#   bits 0-12:  month lengths in calendar order, bit i set when month i has 30 days.",
        "YEARS = (",
    ]
    for i in range(0, len(records), YEARS_PER_LINE):
        y = FIRST_YEAR + i
        chunk = "".join(records[i : i + YEARS_PER_LINE])
        lines.append(f'    "{chunk}",  # {y}–{min(y + YEARS_PER_LINE - 1, LAST_YEAR)}')
    lines.append(")")
    lines.append("")
    for name, starts, meaning in (
        ("UNCERTAIN_STARTS", table.uncertain_starts, "first day may be one day off"),
        ("UNCERTAIN_LABELS", table.uncertain_labels, "number or leap flag may differ"),
    ):
        lines.append(f"# Months whose {meaning}: lunar year -> bit mask of month indexes")
        lines.append("# (bit i = month i in calendar order); see MARGIN_MINUTES.")
        lines.append(f"{name}: dict[int, int] = {{")
        lines.extend(f"    {y}: 0x{m:04x}," for y, m in sorted(mask_by_year(table, starts).items()))
        lines.append("}")
        lines.append("")
    return "\n".join(lines[:-1]) + "\n"


def verify(table: Table, vectors: Path = VECTORS) -> list[str]:
    """Return every disagreement between ``table`` and the known-answer vectors."""
    problems: list[str] = []
    index = {m.start: m for m in table.months}
    starts = sorted(index)
    with vectors.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            ordinal = date.fromisoformat(row["solar_date"]).toordinal()
            month = index[starts[bisect.bisect_right(starts, ordinal) - 1]]
            got = (month.year, month.number, ordinal - month.start + 1, month.leap)
            want = (
                int(row["lunar_year"]),
                int(row["lunar_month"]),
                int(row["lunar_day"]),
                row["is_leap_month"] == "1",
            )
            if got != want:
                problems.append(f"{row['solar_date']}: computed {got}, vector says {want}")
    return problems


def report(table: Table) -> str:
    """Describe the events near local midnight and the months they make uncertain."""
    out = []
    for event in sorted(table.near_midnight, key=lambda e: e.djd):
        kind = "new moon" if event.term is None else f"term {30 * event.term}°"
        out.append(f"{ephem.Date(event.djd)} UT  {kind:10} {event.minutes:+6.1f} min")
    for name, starts in (("start", table.uncertain_starts), ("label", table.uncertain_labels)):
        for m in sorted((m for m in table.months if m.start in starts), key=lambda m: m.start):
            tag = "leap " if m.leap else ""
            out.append(
                f"uncertain {name}: {tag}{m.number}/{m.year} from {date.fromordinal(m.start)}"
            )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--report", action="store_true", help="list near-midnight events")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="table module path")
    args = parser.parse_args(argv)
    table = compute(vietnam_offset)
    problems = verify(table)
    if problems:
        print("\n".join(["vectors disagree with the computation:", *problems]), file=sys.stderr)
        return 2
    if args.report:
        print(report(table))
    text = render(table)
    if args.check:
        current = args.output.read_bytes() if args.output.exists() else b""
        if current != text.encode("utf-8"):
            print(f"{args.output} is stale: run python scripts/gen_lunar_table.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_bytes(text.encode("utf-8"))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
