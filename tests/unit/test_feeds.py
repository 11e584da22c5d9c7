"""ICS rendering, feed definitions and the feed checker, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import icalendar
import pytest

from calendar_svc.core.model import DateForm, Occurrence
from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.scopes import Scope, ScopeTree
from calendar_svc.feeds import render_calendar
from calendar_svc.feeds.check import check_bytes
from calendar_svc.feeds.definitions import (
    FeedCatalog,
    custom_spec,
    feed_definitions,
    feed_window,
    plain_label,
    scope_feed_name,
    scope_of_feed_name,
)
from calendar_svc.feeds.render import event_description, event_summary, event_uid
from calendar_svc.links import (
    MailLinkError,
    base_url_for,
    is_loopback_host,
    mail_base_url,
    valid_host,
)
from calendar_svc.store.installation import legacy_domain
from helpers import make

REVISION = datetime(2026, 11, 26, 8, 30, 15, 123456, tzinfo=UTC)
SCOPES = ScopeTree(
    [
        Scope("national", None, "Toàn quốc", "Nationwide"),
        Scope("province:quang-ninh", "national", "Tỉnh Quảng Ninh", "Quảng Ninh"),
        Scope("city:cam-pha", "province:quang-ninh", "Thành phố Cẩm Phả", "Cẩm Phả"),
    ]
)


def only(ann, start: str, end: str) -> Occurrence:
    found = occurrences([ann], date.fromisoformat(start), date.fromisoformat(end))
    assert len(found) == 1, found
    return found[0]


def events_of(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def render(occs: list[Occurrence], **kwargs) -> bytes:
    return render_calendar(occs, name="Lịch thử", description="Mô tả", revision=REVISION, **kwargs)


PARTY = make(
    "thanh-lap-dang",
    "1930-02-03",
    category="ngay-le-lon",
    name_vi="Ngày thành lập Đảng Cộng sản Việt Nam",
)


# --- summaries and descriptions -------------------------------------------------------


def test_counted_summary_reads_like_the_directive() -> None:
    occ = only(PARTY, "2023-02-01", "2023-02-28")
    assert event_summary(occ) == (
        "Kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)"
    )
    assert event_summary(occ, "en").startswith("93rd anniversary of Event thanh-lap-dang")


def test_day_form_summary_cites_the_day_only() -> None:
    ann = make(
        "thay-thuoc",
        "1955-02-27",
        category="ngay-truyen-thong",
        name_vi="Ngày Thầy thuốc Việt Nam",
        date_form=DateForm.DAY,
    )
    assert (
        event_summary(only(ann, "2023-02-01", "2023-02-28"))
        == "Kỷ niệm 68 năm Ngày Thầy thuốc Việt Nam (27/02)"
    )


def test_uncounted_lunar_day_gives_name_and_lunar_date() -> None:
    ann = make(
        "gio-to", "--03-10", calendar="lunar", category="ngay-le-lon", name_vi="Giỗ Tổ Hùng Vương"
    )
    occ = only(ann, "2026-01-01", "2026-12-31")
    assert occ.date == date(2026, 4, 26)
    assert event_summary(occ) == "Giỗ Tổ Hùng Vương (10/3 âm lịch năm Bính Ngọ)"


def test_uncounted_solar_day_gives_name_and_day() -> None:
    ann = make("thieu-nhi", "--06-01", category="ngay-quoc-te", name_vi="Ngày Quốc tế Thiếu nhi")
    assert event_summary(only(ann, "2023-01-01", "2023-12-31")) == "Ngày Quốc tế Thiếu nhi (01/06)"


@pytest.mark.parametrize(
    ("origin", "category", "year", "expected"),
    [
        (
            "1930-02-03",
            "ngay-le-lon",
            2030,
            "Quy mô: Lễ kỷ niệm cấp quốc gia (căn cứ: Nghị định 145/2013/NĐ-CP)",
        ),
        (
            "1930-02-03",
            "ngay-le-lon",
            2023,
            "Quy mô: Không tổ chức lễ cấp quốc gia; dâng hương, tuyên truyền (căn cứ: Nghị định 145/2013/NĐ-CP)",
        ),
        (
            "2012-02-21",
            "dia-phuong",
            2022,
            "Quy mô: Tổ chức lễ kỷ niệm (căn cứ: Nghị định 111/2018/NĐ-CP)",
        ),
        (
            "2012-02-21",
            "dia-phuong",
            2023,
            "Quy mô: Chỉ tuyên truyền, không tổ chức lễ kỷ niệm (căn cứ: Nghị định 111/2018/NĐ-CP)",
        ),
        (
            "1913-02-15",
            "ngay-sinh-lanh-dao",
            2023,
            "Quy mô: Kỷ niệm quy mô lớn (căn cứ: Kết luận 88-KL/TW)",
        ),
    ],
)
def test_description_states_count_round_class_and_scale(
    origin: str, category: str, year: int, expected: str
) -> None:
    occ = only(make("x", origin, category=category), f"{year}-01-01", f"{year}-12-31")
    lines = event_description(occ).split("\n")
    assert lines[0] == f"Ngày gốc: {origin[8:10]}/{origin[5:7]}/{origin[:4]}"
    assert expected in lines
    assert lines[-1] == "Nguồn: test"


def test_description_gives_count_class_and_lunar_date() -> None:
    lines = event_description(only(PARTY, "2023-02-01", "2023-02-28")).split("\n")
    assert "Số năm: 93 (năm khác)" in lines
    assert "Âm lịch: 13/1 Quý Mão" in lines
    assert "Loại: Ngày lễ lớn" in lines


# --- events ---------------------------------------------------------------------------


def test_event_is_all_day_with_dtend_the_next_day_and_revision_stamps() -> None:
    data = render([only(PARTY, "2023-02-01", "2023-02-28")])
    assert b"DTSTART;VALUE=DATE:20230203\r\n" in data
    assert b"DTEND;VALUE=DATE:20230204\r\n" in data
    assert b"DTSTAMP:20261126T083015Z\r\n" in data
    assert b"LAST-MODIFIED:20261126T083015Z\r\n" in data
    assert b"UID:thanh-lap-dang-2023@calendar-svc\r\n" in data
    assert "CATEGORIES:Ngày lễ lớn,năm khác\r\n".encode() in data.replace(b"\r\n ", b"")
    assert b"VALARM" not in data


@pytest.mark.parametrize(
    ("origin", "duration", "start", "end"),
    [
        ("1972-12", 1, date(2022, 12, 1), date(2022, 12, 2)),  # month-only: its 1st, one day
        ("1943", 1, date(2023, 1, 1), date(2023, 1, 2)),  # year-only: 1 January, one day
        ("1972-12", 3, date(2022, 12, 1), date(2022, 12, 4)),  # month-only, 3 days
        ("1972-12-18", 12, date(2022, 12, 18), date(2022, 12, 30)),  # 12 days, 18-29/12
        ("2000-02-29", 1, date(2023, 2, 28), date(2023, 3, 1)),  # 29/02 in a common year
    ],
)
def test_periods_span_their_days(origin: str, duration: int, start: date, end: date) -> None:
    ann = make("p", origin, duration_days=duration)
    (event,) = events_of(
        render(occurrences([ann], date(start.year, 1, 1), date(start.year, 12, 31)))
    )
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == end


def test_lunar_uids_use_the_lunar_year_so_two_in_one_solar_year_differ() -> None:
    ann = make("dong-chi", "1950-11-20", calendar="lunar")
    found = occurrences([ann], date(1900, 1, 1), date(2100, 12, 31))
    by_solar_year: dict[int, list[Occurrence]] = {}
    for occ in found:
        by_solar_year.setdefault(occ.date.year, []).append(occ)
    twice = [occs for occs in by_solar_year.values() if len(occs) == 2]
    assert twice, "expected a solar year with two occurrences of lunar 20/11"
    first, second = twice[0]
    assert event_uid(first, "d") != event_uid(second, "d")
    uids = [event_uid(o, "d") for o in found]
    assert len(uids) == len(set(uids))


def test_calendar_properties() -> None:
    data = render([])
    for line in (
        b"VERSION:2.0",
        b"METHOD:PUBLISH",
        b"NAME:L\xe1\xbb\x8bch th\xe1\xbb\xad",
        b"X-WR-CALNAME:L\xe1\xbb\x8bch th\xe1\xbb\xad",
        b"X-WR-CALDESC:M\xc3\xb4 t\xe1\xba\xa3",
        b"REFRESH-INTERVAL;VALUE=DURATION:P1D",
        b"X-PUBLISHED-TTL:P1D",
    ):
        assert line + b"\r\n" in data
    assert b"METHOD" not in render([], method="")


def test_alarm_is_optional() -> None:
    data = render([only(PARTY, "2023-02-01", "2023-02-28")], alarm_days=3)
    (event,) = events_of(data)
    (alarm,) = event.walk("VALARM")
    # 08:00 local three days before the all-day event, not midnight.
    assert alarm.decoded("trigger") == timedelta(days=-3, hours=8)
    assert b"TRIGGER:-P2DT16H\r\n" in data
    assert str(alarm["action"]) == "DISPLAY"


def test_rendering_is_deterministic_and_ignores_sub_second_revision() -> None:
    occs = occurrences([PARTY, make("b", "1979-02-17")], date(2020, 1, 1), date(2030, 12, 31))
    first = render(occs)
    assert first == render(occs)
    assert (
        first
        == render(occs, lang="vi")
        == render_calendar(
            occs, name="Lịch thử", description="Mô tả", revision=REVISION.replace(microsecond=0)
        )
    )
    other_zone = REVISION.astimezone(timezone(timedelta(hours=7)))
    assert first == render_calendar(occs, name="Lịch thử", description="Mô tả", revision=other_zone)


def test_lines_are_crlf_and_at_most_75_octets() -> None:
    long = make("dai", "1930-02-03", name_vi="Ngày kỷ niệm có một cái tên rất dài " * 6)
    data = render([only(long, "2023-01-01", "2023-12-31")])
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75
    assert check_bytes(data, "x").ok


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"revision": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"alarm_days": -1}, "alarm_days"),
        ({"method": "REQUEST"}, "method"),
        ({"lang": "fr"}, "lang"),
        ({"uid_domain": ""}, "uid_domain"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict, message: str) -> None:
    args = {"name": "n", "description": "d", "revision": REVISION, **kwargs}
    with pytest.raises(ValueError, match=message):
        render_calendar([], **args)


@pytest.mark.parametrize(
    ("base_url", "domain"),
    [
        ("https://lich.example.vn/x", "lich.example.vn"),
        ("http://127.0.0.1:8080", "127.0.0.1"),
        ("", "127.0.0.1"),  # the default of web.base_url before the domain was stored
    ],
)
def test_legacy_domain_is_what_earlier_versions_put_in_uids(base_url: str, domain: str) -> None:
    assert legacy_domain(base_url) == domain


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("lich.example.vn", "lich.example.vn"),
        ("Lich.Example.VN:8443", "lich.example.vn:8443"),
        ("127.0.0.1:18473", "127.0.0.1:18473"),
        ("[::1]:8080", "[::1]:8080"),
        ("evil.example/x", None),
        ("user@host", None),
        ("a b", None),
        ('x"><script>', None),
        ("host:99999", None),
        ("[zz::1]", None),
        ("", None),
        (None, None),
    ],
)
def test_host_header_is_checked(header: str | None, expected: str | None) -> None:
    assert valid_host(header) == expected


def test_links_follow_the_request_unless_a_base_url_is_set() -> None:
    assert base_url_for("", "http", "127.0.0.1:18473", "0.0.0.0:1") == "http://127.0.0.1:18473"
    assert base_url_for("", "https", "lich.example.vn", "x:1") == "https://lich.example.vn"
    assert base_url_for("", "http", "bad host", "10.0.0.5:8080") == "http://10.0.0.5:8080"
    assert base_url_for("https://lich.example.vn/", "http", "a:1", "b:2") == (
        "https://lich.example.vn"
    )


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
        ("lich.example.vn", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    "base_url", ["", "http://127.0.0.1:8080", "http://localhost", "http://[::1]/"]
)
def test_mails_refuse_links_to_this_machine(base_url: str) -> None:
    with pytest.raises(MailLinkError, match=r"web\.base_url") as err:
        mail_base_url(base_url)
    assert "\n" not in str(err.value)
    assert mail_base_url("https://lich.example.vn/") == "https://lich.example.vn"


# --- definitions ----------------------------------------------------------------------


def test_feed_names() -> None:
    names = [s.name for s in feed_definitions(SCOPES)]
    assert names == [
        "all",
        "national",
        "province/quang-ninh",
        "city/cam-pha",
        "ngay-le-lon",
        "su-kien-lich-su",
        "ngay-sinh-lanh-dao",
        "ngay-truyen-thong",
        "ngay-quoc-te",
        "dia-phuong",
        "le-hoi",
        "round",
    ]


def test_scope_feeds_include_parents_and_units_inside_and_round_keeps_round_classes() -> None:
    anns = [
        make("n", "1930-02-03", scope="national"),
        make("q", "1963-10-30", scope="province:quang-ninh"),
        make("c", "2012-02-21", scope="city:cam-pha"),
        make("t", "1993-01-01", scope="national", category="ngay-truyen-thong"),
    ]
    occs = occurrences(anns, date(2023, 1, 1), date(2023, 12, 31))
    specs = {s.name: s for s in feed_definitions(SCOPES)}
    ids = {name: [o.anniversary.id for o in spec.select(occs)] for name, spec in specs.items()}
    # A scope feed is scope after scope (by id), each scope's events in date order.
    assert ids["all"] == ["c", "t", "n", "q"]
    assert ids["city/cam-pha"] == ["c", "t", "n", "q"]
    assert ids["province/quang-ninh"] == ["c", "t", "n", "q"]  # and the units inside it
    assert ids["national"] == ["t", "n"]  # nationwide rows only: "all" has the rest
    assert ids["ngay-truyen-thong"] == ["t"]
    assert ids["round"] == ["t", "q"]  # 30 years, 60 years


def test_custom_spec_filters() -> None:
    spec = custom_spec(SCOPES, "province:quang-ninh", ("dia-phuong",), round_only=True)
    assert spec.filter.scopes == {"province:quang-ninh", "national"}
    assert spec.filter.categories == {"dia-phuong"}
    assert spec.filter.round_only
    assert spec.title == "Lịch kỷ niệm: Tỉnh Quảng Ninh · Sự kiện địa phương · năm tròn và năm lẻ 5"
    for text in (spec.title, spec.description):
        assert not set(text) & set(",;\\")


def test_names_resolve_to_scopes_in_every_spelling() -> None:
    tree = ScopeTree(
        [
            Scope("national", None, "Toàn quốc", "N"),
            Scope("province:quang-ninh", "national", "Tỉnh Quảng Ninh", "Q"),
            Scope("commune:quang-ninh/cua-ong", "province:quang-ninh", "Phường Cửa Ông", "C"),
            Scope("city:round", "national", "X", "X"),
            Scope("city:cua-ong", "national", "Y", "Y"),
        ]
    )
    catalog = FeedCatalog(tree)
    for name in ("commune/quang-ninh/cua-ong", "commune:quang-ninh/cua-ong"):
        spec = catalog.resolve(name)
        assert spec is not None and spec.name == "commune/quang-ninh/cua-ong"
        assert spec.filter.scopes == {
            "commune:quang-ninh/cua-ong",
            "province:quang-ninh",
            "national",
        }
    assert catalog.canonical("quang-ninh") == "province/quang-ninh"  # an earlier name
    assert catalog.canonical("round") == "round"  # never the scope city:round
    assert catalog.canonical("cua-ong") == "city/cua-ong"
    assert catalog.resolve("province/nowhere") is None
    assert catalog.resolve("custom") is None
    assert scope_of_feed_name("province/quang-ninh") == "province:quang-ninh"
    assert scope_feed_name("commune:quang-ninh/cua-ong") == "commune/quang-ninh/cua-ong"


@pytest.mark.parametrize(
    ("text", "plain"),
    [("A, B", "A · B"), ("A; B", "A · B"), ("A,B", "A · B"), ("C:\\x", "C:/x"), ("Tết", "Tết")],
)
def test_plain_labels_hold_nothing_parsers_show_escaped(text: str, plain: str) -> None:
    assert plain_label(text) == plain


def test_window_is_whole_years() -> None:
    window = feed_window(date(2026, 11, 26), 1, 5)
    assert (window.start, window.end) == (date(2025, 1, 1), date(2031, 12, 31))
    assert feed_window(date(2026, 1, 1), 0, 0).label() == "01/01/2026 - 31/12/2026"
    with pytest.raises(ValueError):
        feed_window(date(2026, 1, 1), -1, 0)


# --- checker --------------------------------------------------------------------------

GOOD_EVENT = "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20230203\r\nDTEND;VALUE=DATE:{end}\r\nSUMMARY:x\r\nEND:VEVENT\r\n"


def calendar(*events: str) -> bytes:
    body = "".join(events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def problems(data: bytes) -> list[str]:
    return [str(p) for p in check_bytes(data, "f").problems]


def test_check_accepts_a_good_feed() -> None:
    report = check_bytes(calendar(GOOD_EVENT.format(uid="a", end="20230204")), "f")
    assert report.ok and report.events == 1


def test_check_reports_missing_properties_with_lines() -> None:
    event = "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20230203\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
    assert problems(calendar(event)) == [
        "line 4: VEVENT without UID",
        "line 4: VEVENT without DTSTAMP",
        "line 4: VEVENT without DTEND",
    ]


def test_check_reports_dtend_not_after_dtstart_and_duplicates() -> None:
    data = calendar(
        GOOD_EVENT.format(uid="a", end="20230203"),
        GOOD_EVENT.format(uid="a", end="20230204"),
    )
    assert problems(data) == [
        "line 8: DTEND 20230203 is not after DTSTART 20230203",
        "line 12: duplicate UID a (first at line 5)",
    ]


def test_check_reports_long_lines_and_lf_endings() -> None:
    long_summary = "SUMMARY:" + "x" * 80
    data = calendar(GOOD_EVENT.format(uid="a", end="20230204").replace("SUMMARY:x", long_summary))
    assert problems(data) == ["line 9: 88 octets, over the 75-octet line limit"]
    lf = calendar(GOOD_EVENT.format(uid="a", end="20230204")).replace(b"\r\n", b"\n")
    assert problems(lf) == ["line 1: line ends with LF, not CRLF", "11 lines end with LF, not CRLF"]


def test_check_reports_broken_structure() -> None:
    assert problems(b"") == ["the feed is empty"]
    unclosed = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n"
    found = problems(unclosed)
    assert "line 4: BEGIN:VEVENT is never closed" in found
    assert "line 1: BEGIN:VCALENDAR is never closed" in found
    assert any(p.startswith("icalendar cannot parse it") for p in found) or len(found) >= 2
