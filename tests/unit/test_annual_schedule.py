"""The annual guide's reminder in the plan: when, for whom, stale and superseded."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from calendar_svc.core.recipients import (
    AnnualRule,
    Organisation,
    ReminderKey,
    ReminderKind,
    Subscriber,
)
from calendar_svc.core.schedule import PlanStatus, SendPolicy, plan

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
POLICY = SendPolicy(HCM)
QN = Organisation(
    "qn",
    "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh",
    "province:quang-ninh",
    leads=(),
    annual=AnnualRule(),
)
MEMBER = Subscriber("can-bo@example.org", "Cán bộ", organisation="qn", leads=())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HCM)


def run(start: str, now: str, org: Organisation = QN) -> list[tuple[str, str, int, str, str]]:
    found = plan(
        organisations=[org],
        subscribers=[MEMBER, Subscriber("x@example.org", "X", scope="national", leads=())],
        occurrences=[],
        lineage=lambda scope: (scope, "national"),
        window_start=at(start),
        now=at(now),
        policy=POLICY,
    )
    return [
        (r.key.kind.value, r.key.occurrence.isoformat(), r.key.lead, r.status.value, r.reason)
        for r in found
    ]


def test_default_rule_sends_on_1_november_for_the_next_year() -> None:
    rule = AnnualRule()
    assert rule.due_date(2027) == date(2026, 12, 1)
    assert rule.leads == (30,)
    assert run("2026-11-01 00:00", "2026-11-01 07:59") == []
    assert run("2026-11-01 00:00", "2026-11-01 08:00") == [
        ("annual", "2027-01-01", 30, "pending", "")
    ]
    assert run("2026-10-01 00:00", "2026-10-31 23:00") == []


def test_only_members_of_an_organisation_that_asks_for_it() -> None:
    # run() also passes a subscriber with a scope and no organisation: it gets none.
    found = plan(
        organisations=[QN],
        subscribers=[MEMBER, Subscriber("b@example.org", "B", organisation="qn", leads=())],
        occurrences=[],
        lineage=lambda scope: (scope, "national"),
        window_start=at("2026-11-01 00:00"),
        now=at("2026-11-01 08:00"),
        policy=POLICY,
    )
    assert [r.key.recipient for r in found] == ["b@example.org", "can-bo@example.org"]
    assert all(r.status is PlanStatus.PENDING for r in found)
    no_annual = Organisation(QN.id, QN.name, QN.scope, leads=())
    assert run("2026-11-01 00:00", "2026-11-01 08:00", no_annual) == []


def test_downtime_catches_up_with_the_shortest_lead_and_records_the_rest() -> None:
    org = Organisation(QN.id, QN.name, QN.scope, leads=(), annual=AnnualRule(12, 1, (30, 7)))
    assert run("2026-10-30 00:00", "2026-11-25 09:00", org) == [
        ("annual", "2027-01-01", 30, "skipped", "superseded by the 7-day reminder"),
        ("annual", "2027-01-01", 7, "pending", ""),
    ]
    assert run("2026-11-30 00:00", "2026-12-01 09:00", org) == []
    late = AnnualRule(12, 1, (30,))
    org = Organisation(QN.id, QN.name, QN.scope, leads=(), annual=late)
    assert run("2026-10-30 00:00", "2026-12-02 09:00", org) == [
        ("annual", "2027-01-01", 30, "skipped", "stale: its due date or event had passed")
    ]


def test_a_due_day_early_in_the_year_is_for_the_next_year_s_guide() -> None:
    org = Organisation(QN.id, QN.name, QN.scope, leads=(), annual=AnnualRule(1, 10, (5,)))
    assert run("2027-01-05 00:00", "2027-01-05 08:00", org) == [
        ("annual", "2028-01-01", 5, "pending", "")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2, 29), "does not exist every year"),
        ((13, 1), "out of range"),
        ((12, 1, ()), "at least one lead"),
        ((12, 1, (0,)), "out of range"),
    ],
)
def test_bad_rules_are_refused(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AnnualRule(*args)  # type: ignore[arg-type]


def test_parse_and_key() -> None:
    assert AnnualRule.parse(" 12-15 ", (7,)) == AnnualRule(12, 15, (7,))
    assert AnnualRule(12, 15).iso() == "12-15"
    assert AnnualRule().label("en") == "01/12 of the year before"
    with pytest.raises(ValueError, match="MM-DD"):
        AnnualRule.parse("1 December")
    with pytest.raises(ValueError, match="1 January"):
        ReminderKey(ReminderKind.ANNUAL, "qn", date(2027, 2, 1), 30, "a@example.org")
