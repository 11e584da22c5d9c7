"""khal (pimutils/khal, Debian's package) imports a built feed and lists ten days: no
event spans more days than its anniversary; year-only and month-only origins show on
their one day."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import Cli

KHAL_CONFIG = """[calendars]
[[feed]]
path = {path}
type = calendar
[locale]
timeformat = %H:%M
dateformat = %d/%m/%Y
longdateformat = %d/%m/%Y
datetimeformat = %d/%m/%Y %H:%M
longdatetimeformat = %d/%m/%Y %H:%M
local_timezone = Asia/Ho_Chi_Minh
default_timezone = Asia/Ho_Chi_Minh
[default]
default_calendar = feed
"""
#: The longest ``duration_days`` of the bundled data (Tuần lễ Biển và Hải đảo: 8 days).
LONGEST = 8


@pytest.fixture
def khal(tmp_path: Path, cli: Cli) -> tuple[Path, dict[str, str]]:
    khal = shutil.which("khal")
    if khal is None:
        pytest.fail("khal is needed: apt-get install khal")
    config = tmp_path / "khal.conf"
    (tmp_path / "vdir").mkdir()
    config.write_text(KHAL_CONFIG.format(path=tmp_path / "vdir"), encoding="utf-8")
    env = {**cli.env, "XDG_DATA_HOME": str(tmp_path / "khal-data")}
    out = tmp_path / "feeds"
    env_build = {"CALENDAR_SVC_FEEDS_YEARS_BACK": "0", "CALENDAR_SVC_FEEDS_YEARS_AHEAD": "0"}
    built = cli("feeds", "build", "--out", str(out), "all", env=env_build)
    assert built.code == 0, built.err
    subprocess.run(
        [khal, "-c", str(config), "import", "--batch", "-a", "feed", str(out / "all.ics")],
        env=env, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return config, env


def khal_list(config: Path, env: dict[str, str], first: date, last: date) -> list[list[str]]:
    """Return khal's listing: for each day heading, the events under it (start|end|title)."""
    proc = subprocess.run(
        ["khal", "-c", str(config), "list", "--format", "{start-date}|{end-date}|{title}",
         "--day-format", "DAY {date}", f"{first:%d/%m/%Y}", f"{last:%d/%m/%Y}"],
        env=env, check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    days: list[list[str]] = []
    for line in proc.stdout.splitlines():
        if line.startswith("DAY "):
            days.append([])
        elif line.strip():
            days[-1].append(line)
    return days


def _span(line: str) -> int:
    start, end, _ = line.split("|", 2)
    return (datetime.strptime(end, "%d/%m/%Y") - datetime.strptime(start, "%d/%m/%Y")).days + 1


def test_khal_lists_no_long_event(khal: tuple[Path, dict[str, str]]) -> None:
    config, env = khal
    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    for first, last, one_day in (
        (date(year, 1, 1), date(year, 1, 10), "Đề cương về văn hóa Việt Nam (1943 - "),
        (date(year, 2, 1), date(year, 2, 10), None),  # the example range
        (date(year, 12, 1), date(year, 12, 10), "(12/1972 - 12/"),
    ):
        days = khal_list(config, env, first, last)
        assert days, (first, last)
        titles = [line.rsplit("|", 1)[1] for day in days for line in day]
        for day in days:
            for line in day:
                assert _span(line) <= LONGEST, line
        if one_day is not None:
            shown = [t for t in titles if one_day in t]
            assert len(shown) == 1, (one_day, titles)  # on its one day only
        for title in set(titles):
            assert titles.count(title) <= LONGEST, title
        assert not any("Đề cương về văn hóa" in t for t in titles) or first.month == 1
