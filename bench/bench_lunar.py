"""Benchmark solar → lunar conversion: ``calendar_svc.core.lunar.to_lunar`` beside PyPI.

Usage: python bench/bench_lunar.py [--rounds 7] [--count 100000] [--seed 7]

Each round converts ``count`` random solar dates (one fixed list per range) and reports
conversions per second; the table shows the median of the rounds. The implementations run
interleaved in every round so that machine noise hits them alike. ``warm`` keeps the decoded
years cached between rounds (the normal state of a running service); ``cold`` clears the
cache before each round. The comparison columns use pure-Python Chinese-calendar packages
(``lunardate``, ``lunarcalendar``), when installed, over their range (1900–2099): they show
the speed of a table lookup, not correctness for Vietnam. The target is ≥ 200,000/s.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from calendar_svc.core import lunar

TARGET = 200_000
COMMON_MAX = date(2099, 12, 31)  # the end of lunardate's and lunarcalendar's tables


def random_dates(rng: random.Random, count: int, low: date, high: date) -> list[date]:
    """Return ``count`` random dates between ``low`` and ``high`` inclusive."""
    a, b = low.toordinal(), high.toordinal()
    return [date.fromordinal(rng.randint(a, b)) for _ in range(count)]


def calendar_svc_cold(d: date) -> Any:
    """Convert with an empty year cache (the cache is cleared once per round, not per call)."""
    return lunar.to_lunar(d)


def optional_converters() -> dict[str, Callable[[date], Any]]:
    """Return the installed PyPI converters, keyed by ``name version``."""
    found: dict[str, Callable[[date], Any]] = {}
    try:
        from lunardate import LunarDate

        convert = getattr(LunarDate, "from_solar_date", None) or LunarDate.fromSolarDate

        def by_lunardate(d: date) -> Any:
            return convert(d.year, d.month, d.day)

        found[f"lunardate {importlib.metadata.version('lunardate')}"] = by_lunardate
    except ImportError:
        pass
    try:
        from lunarcalendar import Converter, Solar

        def by_lunarcalendar(d: date) -> Any:
            return Converter.Solar2Lunar(Solar(d.year, d.month, d.day))

        found[f"lunarcalendar {importlib.metadata.version('lunarcalendar')}"] = by_lunarcalendar
    except ImportError:
        pass
    return found


def rate(convert: Callable[[date], Any], dates: list[date]) -> float:
    """Return conversions per second over ``dates``."""
    start = time.perf_counter()
    for d in dates:
        convert(d)
    return len(dates) / (time.perf_counter() - start)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    full = random_dates(rng, args.count, lunar.MIN_DATE, lunar.MAX_DATE)
    common = random_dates(rng, args.count, lunar.MIN_DATE, COMMON_MAX)
    runs: list[tuple[str, str, Callable[[date], Any], list[date], bool]] = [
        ("calendar_svc to_lunar, warm", "1900–2200", lunar.to_lunar, full, False),
        ("calendar_svc to_lunar, cold", "1900–2200", calendar_svc_cold, full, True),
        ("calendar_svc to_lunar, warm", "1900–2099", lunar.to_lunar, common, False),
    ]
    runs += [(name, "1900–2099", f, common, False) for name, f in optional_converters().items()]
    for _, _, convert, dates, _ in runs:  # warm-up, and fill the cache
        rate(convert, dates[:1000])
    rates: list[list[float]] = [[] for _ in runs]
    for _ in range(args.rounds):
        for i, (_, _, convert, dates, cold) in enumerate(runs):
            if cold:
                lunar._CACHE.clear()
            rates[i].append(rate(convert, dates))
    print(f"Python {platform.python_version()}, {args.rounds} rounds × {args.count:,} dates")
    print(f"{'Implementation':32}  {'Dates':9}  {'Conversions/s (median)':>22}  {'min':>9}")
    for (name, span, _, _, _), measured in zip(runs, rates, strict=True):
        median = statistics.median(measured)
        print(f"{name:32}  {span:9}  {median:22,.0f}  {min(measured):9,.0f}")
    ours = statistics.median(rates[0])
    verdict = "meets" if ours >= TARGET else "MISSES"
    print(f"calendar_svc {verdict} the target of {TARGET:,}/s (warm, full range)")
    if len(runs) == 3:
        print("(lunardate / lunarcalendar not installed: comparison columns skipped)")


if __name__ == "__main__":
    main()
