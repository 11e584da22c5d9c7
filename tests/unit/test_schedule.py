"""The reminder planner: due dates, send moments, windows, stale and superseded, digests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendar_svc.core.counting import phrase_vi
from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.recipients import (
    DueKind,
    DueRule,
    Organisation,
    ReminderKey,
    ReminderKind,
    Subscriber,
)
from calendar_svc.core.schedule import (
    STALE,
    PlannedReminder,
    PlanStatus,
    SendPolicy,
    build_digest,
    digest_ranges,
    event_range,
    plan,
    window_start,
)
from helpers import make

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
POLICY = SendPolicy(HCM)
LINEAGES = {
    "national": ("national",),
    "province:quang-ninh": ("province:quang-ninh", "national"),
    "city:cam-pha": ("city:cam-pha", "province:quang-ninh", "national"),
}

PARTY = make(
    "thanh-lap-dang",
    "1930-02-03",
    category="ngay-le-lon",
    name_vi="Ngày thành lập Đảng Cộng sản Việt Nam",
)
PARIS = make("hiep-dinh-paris", "1973-01-27", name_vi="Ngày ký Hiệp định Paris")
HUYNH_TAN_PHAT = make("sinh-huynh-tan-phat", "1913-02-15", category="ngay-sinh-lanh-dao")
CHU_HUY_MAN = make("sinh-chu-huy-man", "1913-03-17", category="ngay-sinh-lanh-dao")
QUANG_NINH = make(
    "thanh-lap-quang-ninh", "1963-10-30", category="dia-phuong", scope="province:quang-ninh"
)
CAM_PHA = make("giai-phong-cam-pha", "1955-04-25", category="dia-phuong", scope="city:cam-pha")
ALL = [PARTY, PARIS, HUYNH_TAN_PHAT, CHU_HUY_MAN, QUANG_NINH, CAM_PHA]

QN = Organisation(
    "quang-ninh", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "province:quang-ninh"
)
CAN_BO = Subscriber("can-bo@example.org", "Cán bộ", organisation="quang-ninh")


def at(text: str) -> datetime:
    """Return a local (Asia/Ho_Chi_Minh) moment from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=HCM)


def lineage(scope: str) -> tuple[str, ...]:
    return LINEAGES[scope]


def run(
    start: str,
    now: str,
    *,
    orgs: tuple[Organisation, ...] = (QN,),
    subs: tuple[Subscriber, ...] = (CAN_BO,),
    anns: list = ALL,  # type: ignore[type-arg]
) -> list[PlannedReminder]:
    occs = occurrences(anns, date(2020, 1, 1), date(2026, 12, 31))
    return plan(
        organisations=orgs,
        subscribers=subs,
        occurrences=occs,
        lineage=lineage,
        window_start=at(start),
        now=at(now),
        policy=POLICY,
    )


def summary(found: list[PlannedReminder]) -> list[tuple[str, str, str, int, str]]:
    return [
        (r.key.kind.value, r.key.subject, r.key.occurrence.isoformat(), r.key.lead, r.status.value)
        for r in found
    ]


# --- due rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "year", "month", "due"),
    [
        (DueRule(), 2023, 2, date(2023, 2, 2)),  # default: day 2 (Cẩm Phả 02/02/2023)
        (DueRule(DueKind.DAY_OF_MONTH, 31), 2023, 2, date(2023, 2, 28)),
        (DueRule(DueKind.DAY_OF_MONTH, 31), 2024, 2, date(2024, 2, 29)),
        (DueRule(DueKind.DAY_OF_MONTH, 31), 2023, 4, date(2023, 4, 30)),
        (DueRule(DueKind.DAY_OF_MONTH, 30), 2023, 2, date(2023, 2, 28)),
        (DueRule(DueKind.DAYS_BEFORE, 5), 2023, 3, date(2023, 2, 24)),
        (DueRule(DueKind.DAYS_BEFORE, 5), 2024, 3, date(2024, 2, 25)),
        (DueRule(DueKind.DAYS_BEFORE, 1), 2024, 1, date(2023, 12, 31)),
        (DueRule(DueKind.DAYS_BEFORE, 4), 2016, 10, date(2016, 9, 27)),
    ],
)
def test_due_date(rule: DueRule, year: int, month: int, due: date) -> None:
    assert rule.due_date(year, month) == due


@pytest.mark.parametrize(
    ("kind", "n"),
    [
        (DueKind.DAY_OF_MONTH, 0),
        (DueKind.DAY_OF_MONTH, 32),
        (DueKind.DAYS_BEFORE, 0),
        (DueKind.DAYS_BEFORE, 61),
    ],
)
def test_due_rule_out_of_range(kind: DueKind, n: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        DueRule(kind, n)


@pytest.mark.parametrize(
    ("rule", "vi", "en"),
    [
        (DueRule(), "ngày 2 của tháng", "day 2 of the month"),
        (DueRule(DueKind.DAYS_BEFORE, 5), "5 ngày trước tháng", "5 days before the month"),
    ],
)
def test_due_rule_label(rule: DueRule, vi: str, en: str) -> None:
    assert (rule.label("vi"), rule.label("en")) == (vi, en)


@given(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 31))
def test_day_of_month_rule_stays_in_its_month(year: int, month: int, n: int) -> None:
    due = DueRule(DueKind.DAY_OF_MONTH, n).due_date(year, month)
    assert (due.year, due.month) == (year, month)
    assert due.day == n or due.day < n  # clamped to the month's last day


@given(st.integers(2, 9999), st.integers(1, 12), st.integers(1, 60))
def test_days_before_rule_is_exactly_n_days_before_the_first(year: int, month: int, n: int) -> None:
    due = DueRule(DueKind.DAYS_BEFORE, n).due_date(year, month)
    assert date(year, month, 1) - due == timedelta(days=n)


# --- values --------------------------------------------------------------------------


def test_organisation_defaults_and_lead_order() -> None:
    org = Organisation("qn", "Ban", "province:quang-ninh", leads=(3, 10))
    assert org.due == DueRule(DueKind.DAY_OF_MONTH, 2)
    assert org.leads == (10, 3)
    assert QN.leads == (10, 3)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "Quang Ninh"}, "not a slug"),
        ({"name": "  "}, "empty"),
        ({"name": "Ban\r\nBcc: x@evil.example"}, "control character"),
        ({"scope": "quang ninh"}, "scope"),
        ({"leads": (10, 10)}, "repeat"),
        ({"leads": (0,)}, "out of range"),
        ({"leads": (367,)}, "out of range"),
    ],
)
def test_organisation_validation(fields: dict, message: str) -> None:  # type: ignore[type-arg]
    base = {"id": "qn", "name": "Ban", "scope": "national"}
    with pytest.raises(ValueError, match=message):
        Organisation(**{**base, **fields})


def test_subscriber_address_is_kept_lower_case_and_defaults() -> None:
    sub = Subscriber("Can-Bo@Example.ORG", "Cán bộ", organisation="qn")
    assert sub.email == "can-bo@example.org"
    assert (sub.lang, sub.leads, sub.categories, sub.active) == ("vi", (90, 30, 7), (), True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-address"}, "not an e-mail"),
        ({"email": "a@b"}, "not an e-mail"),
        ({"email": "cán-bộ@example.org"}, "not an e-mail"),
        ({"email": "a@example.org\r\nBcc: x@evil.example"}, "not an e-mail"),
        ({"name": "Cán bộ\nBcc: x@evil.example"}, "control character"),
        ({"organisation": None}, "either an organisation or a scope"),
        ({"scope": "national"}, "either an organisation or a scope"),
        ({"lang": "fr"}, "language"),
        ({"leads": (7, 7)}, "repeat"),
    ],
)
def test_subscriber_validation(fields: dict, message: str) -> None:  # type: ignore[type-arg]
    base = {"email": "a@example.org", "name": "A", "organisation": "qn"}
    with pytest.raises(ValueError, match=message):
        Subscriber(**{**base, **fields})


def test_digest_key_is_on_the_first_of_its_month() -> None:
    with pytest.raises(ValueError, match="first day"):
        ReminderKey(ReminderKind.DIGEST, "qn", date(2023, 2, 2), 10, "a@example.org")
    with pytest.raises(ValueError, match="at least one day"):
        ReminderKey(ReminderKind.EVENT, "x", date(2023, 2, 2), 0, "a@example.org")


# --- send moments and windows ------------------------------------------------------


def test_send_moment_is_the_configured_local_time() -> None:
    assert POLICY.send_at(date(2023, 1, 23)) == at("2023-01-23 08:00")
    assert POLICY.send_at(date(2023, 1, 23)).utcoffset() == timedelta(hours=7)
    late = SendPolicy(HCM, time(17, 30))
    assert late.send_at(date(2023, 1, 23)) == at("2023-01-23 17:30")
    assert POLICY.day_start(date(2023, 2, 2)) == at("2023-02-02 00:00")


@pytest.mark.parametrize(
    ("planned_until", "now", "start"),
    [
        (None, "2023-01-23 08:00", "2023-01-23 00:00"),  # first planning: today only
        ("2023-01-20 08:01", "2023-01-23 08:00", "2023-01-20 08:01"),  # catch up
        ("2023-01-23 07:00", "2023-01-23 08:00", "2023-01-23 00:00"),  # at least today
        ("2023-02-20 08:00", "2023-01-23 08:00", "2023-01-23 00:00"),  # clock went back
        ("2020-01-01 08:00", "2023-01-23 08:00", "2022-01-22 00:00"),  # at most 366 days
    ],
)
def test_window_start(planned_until: str | None, now: str, start: str) -> None:
    last = at(planned_until) if planned_until else None
    assert window_start(last, at(now), POLICY) == at(start)


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        plan(
            organisations=[QN],
            subscribers=[CAN_BO],
            occurrences=[],
            lineage=lineage,
            window_start=datetime(2023, 1, 23),
            now=at("2023-01-23 08:00"),
            policy=POLICY,
        )


# --- plans -----------------------------------------------------------------------------


def test_new_user_scenario_plans_exactly_the_february_digest() -> None:
    found = run("2023-01-23 00:00", "2023-01-23 08:00")
    assert summary(found) == [("digest", "quang-ninh", "2023-02-01", 10, "pending")]
    (digest,) = found
    assert digest.key.recipient == "can-bo@example.org"
    assert digest.send_at == at("2023-01-23 08:00")
    assert digest.deadline == at("2023-02-02 00:00")


def test_nothing_before_the_send_time() -> None:
    assert run("2023-01-23 00:00", "2023-01-23 07:59") == []


def test_march_digest_is_due_on_20_february_and_3_days_before_on_27() -> None:
    assert summary(run("2023-02-20 00:00", "2023-02-20 08:00")) == [
        ("digest", "quang-ninh", "2023-03-01", 10, "pending")
    ]
    assert summary(run("2023-02-27 00:00", "2023-02-27 08:00")) == [
        ("digest", "quang-ninh", "2023-03-01", 3, "pending")
    ]


def test_days_before_the_month_rule() -> None:
    org = Organisation("qn", "Ban", "province:quang-ninh", DueRule(DueKind.DAYS_BEFORE, 5))
    sub = Subscriber("a@example.org", "A", organisation="qn", leads=())
    # March 2023 is due 24 February; 10 days before is 14 February.
    found = run("2023-02-14 00:00", "2023-02-14 08:00", orgs=(org,), subs=(sub,))
    assert summary(found) == [("digest", "qn", "2023-03-01", 10, "pending")]
    assert found[0].deadline == at("2023-02-24 00:00")


def test_event_reminders_at_90_30_and_7_days_for_round_counts_only() -> None:
    sub = Subscriber("a@example.org", "A", scope="national")
    found = run("2022-09-01 00:00", "2023-02-10 08:00", subs=(sub,), orgs=())
    paris = [r for r in found if r.key.subject == "hiep-dinh-paris"]  # 50 năm (năm tròn)
    assert [(r.key.lead, r.send_at, r.status) for r in paris] == [
        (90, at("2022-10-29 08:00"), PlanStatus.SKIPPED),
        (30, at("2022-12-28 08:00"), PlanStatus.SKIPPED),
        (7, at("2023-01-20 08:00"), PlanStatus.SKIPPED),
    ]
    assert {r.reason for r in paris} == {STALE}  # the event was on 27/01, before "now"
    assert not [r for r in found if r.key.subject == "thanh-lap-dang"]  # 93 năm: năm khác
    # Huỳnh Tấn Phát: 110 năm on 15/02/2023, still ahead: only the 7-day one is kept.
    htp = [(r.key.lead, r.status) for r in found if r.key.subject == "sinh-huynh-tan-phat"]
    assert htp == [(90, PlanStatus.SKIPPED), (30, PlanStatus.SKIPPED), (7, PlanStatus.PENDING)]


def test_scope_includes_its_parents_not_its_children() -> None:
    city = Subscriber("city@example.org", "C", scope="city:cam-pha", leads=(7,))
    nation = Subscriber("nation@example.org", "N", scope="national", leads=(7,))
    found = run("2023-04-18 00:00", "2023-04-18 08:00", subs=(city, nation), orgs=())
    # Giải phóng Cẩm Phả, 68 năm on 25/04/2023, is năm khác: nothing. Use a round year.
    assert found == []
    found = run("2025-04-18 00:00", "2025-04-18 08:00", subs=(city, nation), orgs=())
    assert [(r.key.subject, r.key.recipient) for r in found] == [
        ("giai-phong-cam-pha", "city@example.org")  # 70 năm, a Cẩm Phả event
    ]


def test_categories_narrow_event_reminders() -> None:
    leaders = Subscriber(
        "l@example.org", "L", scope="national", categories=("ngay-sinh-lanh-dao",), leads=(7,)
    )
    history = Subscriber(
        "h@example.org", "H", scope="national", categories=("su-kien-lich-su",), leads=(7,)
    )
    found = run("2023-02-08 00:00", "2023-02-08 08:00", subs=(leaders, history), orgs=())
    assert [(r.key.subject, r.key.recipient) for r in found] == [
        ("sinh-huynh-tan-phat", "l@example.org")
    ]


def test_inactive_subscribers_and_unknown_organisations_get_nothing() -> None:
    gone = Subscriber("g@example.org", "G", organisation="quang-ninh", active=False)
    orphan = Subscriber("o@example.org", "O", organisation="no-such-org")
    assert run("2023-01-23 00:00", "2023-01-23 08:00", subs=(gone, orphan)) == []


def test_three_day_downtime_catch_up_stale_and_superseded() -> None:
    stale_org = Organisation(
        "due-24", "Ban A", "national", DueRule(DueKind.DAY_OF_MONTH, 24), leads=(1,)
    )
    two_leads = Organisation(
        "due-26", "Ban B", "national", DueRule(DueKind.DAY_OF_MONTH, 26), leads=(3, 2)
    )
    subs = (
        CAN_BO,
        Subscriber("a@example.org", "A", organisation="due-24", leads=()),
        Subscriber("b@example.org", "B", organisation="due-26", leads=()),
    )
    # Last planned 22/01 08:00; back on 25/01 08:00.
    found = run("2023-01-22 08:00", "2023-01-25 08:00", orgs=(QN, stale_org, two_leads), subs=subs)
    assert [(r.key.subject, r.key.lead, r.status.value, r.reason) for r in found] == [
        ("due-24", 1, "skipped", STALE),  # 23/01, due 24/01: too late
        ("due-26", 3, "skipped", "superseded by the 2-day reminder"),  # 23/01
        ("quang-ninh", 10, "pending", ""),  # 23/01, due 02/02: still useful
        ("due-26", 2, "pending", ""),  # 24/01, due 26/01
    ]


def test_digests_go_to_every_member() -> None:
    subs = tuple(
        Subscriber(f"m{i}@example.org", f"M{i}", organisation="quang-ninh", leads=())
        for i in range(3)
    )
    found = run("2023-01-23 00:00", "2023-01-23 08:00", subs=subs)
    assert [r.key.recipient for r in found] == [
        "m0@example.org",
        "m1@example.org",
        "m2@example.org",
    ]


def test_event_range_spans_the_leads() -> None:
    assert event_range([CAN_BO], at("2023-01-23 00:00"), at("2023-01-24 08:00"), POLICY) == (
        date(2023, 1, 30),
        date(2023, 4, 24),
    )
    assert event_range([], at("2023-01-23 00:00"), at("2023-01-24 08:00"), POLICY) is None


_moments = st.datetimes(min_value=datetime(2022, 6, 1), max_value=datetime(2024, 6, 1)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=HCM)
)
_subs = st.lists(
    st.builds(
        Subscriber,
        email=st.sampled_from(["a@example.org", "b@example.org", "c@example.org"]),
        name=st.just("X"),
        scope=st.sampled_from(sorted(LINEAGES)),
        leads=st.sets(st.integers(1, 120), max_size=3).map(tuple),
    ),
    max_size=3,
    unique_by=lambda s: s.email,
)
_orgs = st.lists(
    st.builds(
        Organisation,
        id=st.sampled_from(["o1", "o2"]),
        name=st.just("Ban"),
        scope=st.sampled_from(sorted(LINEAGES)),
        due=st.one_of(
            st.builds(DueRule, st.just(DueKind.DAY_OF_MONTH), st.integers(1, 31)),
            st.builds(DueRule, st.just(DueKind.DAYS_BEFORE), st.integers(1, 60)),
        ),
        leads=st.sets(st.integers(1, 40), max_size=3).map(tuple),
    ),
    max_size=2,
    unique_by=lambda o: o.id,
)


def _plan(orgs, subs, start, now):  # type: ignore[no-untyped-def]
    members = [Subscriber(f"m-{o.id}@example.org", "M", organisation=o.id, leads=()) for o in orgs]
    return plan(
        organisations=orgs,
        subscribers=[*subs, *members],
        occurrences=occurrences(ALL, date(2022, 1, 1), date(2025, 12, 31)),
        lineage=lineage,
        window_start=start,
        now=now,
        policy=POLICY,
    )


@given(_orgs, _subs, _moments, st.integers(0, 20 * 24 * 60))
def test_plan_invariants(orgs, subs, start, minutes) -> None:  # type: ignore[no-untyped-def]
    now = start + timedelta(minutes=minutes)
    found = _plan(orgs, subs, start, now)
    keys = [r.key for r in found]
    assert len(keys) == len(set(keys))
    pending_groups: set[tuple[object, ...]] = set()
    for r in found:
        assert start <= r.send_at <= now
        assert r.send_at.time() == time(8, 0)
        assert r.send_at < r.deadline
        if r.status is PlanStatus.PENDING:
            assert now < r.deadline
            group = (r.key.kind, r.key.subject, r.key.occurrence, r.key.recipient)
            assert group not in pending_groups  # one lead per reminder at a time
            pending_groups.add(group)


@given(_orgs, _subs, _moments, st.integers(0, 10 * 24 * 60), st.integers(0, 10 * 24 * 60))
def test_planning_in_two_steps_finds_the_same_reminders(orgs, subs, start, m1, m2) -> None:  # type: ignore[no-untyped-def]
    middle = start + timedelta(minutes=m1)
    end = middle + timedelta(minutes=m2)
    whole = {r.key for r in _plan(orgs, subs, start, end)}
    split = {r.key for r in _plan(orgs, subs, start, middle)} | {
        r.key for r in _plan(orgs, subs, middle, end)
    }
    assert whole == split


# --- digests -----------------------------------------------------------------------


def test_digest_ranges() -> None:
    assert digest_ranges(2023, 2) == (
        (date(2023, 2, 1), date(2023, 2, 28)),
        (date(2023, 3, 1), date(2024, 2, 29)),
    )
    assert digest_ranges(2023, 12) == (
        (date(2023, 12, 1), date(2023, 12, 31)),
        (date(2024, 1, 1), date(2024, 12, 31)),
    )


def test_february_2023_digest_for_quang_ninh() -> None:
    occs = occurrences(ALL, date(2023, 2, 1), date(2024, 2, 29))
    digest = build_digest(QN, 2023, 2, occs, lineage=LINEAGES["province:quang-ninh"])
    assert digest.due == date(2023, 2, 2)
    assert digest.month_label == "02/2023"
    assert [e.occurrence.anniversary.id for e in digest.entries] == [
        "thanh-lap-dang",
        "sinh-huynh-tan-phat",
    ]
    party = digest.entries[0]
    assert phrase_vi(party.occurrence) == (
        "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)"
    )
    assert party.lunar_vi == "13/1 Quý Mão"
    assert party.lunar_en.startswith("13th day of the 1st lunar month")
    assert digest.line_vi.startswith(
        "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023); 110 năm "
    )
    # Look-ahead: round and half-round in March 2023 … February 2024, in scope.
    assert [(e.occurrence.anniversary.id, e.occurrence.count) for e in digest.lookahead] == [
        ("sinh-chu-huy-man", 110),
        ("thanh-lap-quang-ninh", 60),
    ]


def test_digest_leaves_out_other_scopes_and_categories() -> None:
    occs = occurrences(ALL, date(2025, 4, 1), date(2026, 4, 30))
    national = Organisation("tw", "Ban TW", "national")
    digest = build_digest(national, 2025, 4, occs, lineage=LINEAGES["national"])
    assert digest.entries == ()  # Cẩm Phả's 70 năm is not national
    city = Organisation("cp", "Ban Cẩm Phả", "city:cam-pha")
    digest = build_digest(city, 2025, 4, occs, lineage=LINEAGES["city:cam-pha"])
    assert [e.occurrence.count for e in digest.entries] == [70]
    only = build_digest(
        city, 2025, 4, occs, lineage=LINEAGES["city:cam-pha"], categories=("ngay-le-lon",)
    )
    assert only.entries == () and only.line_vi == ""
