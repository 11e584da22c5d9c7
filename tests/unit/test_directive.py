"""The directive's pure parts: profile defaults, the commemoration item, look-ahead, scales."""

from __future__ import annotations

from datetime import date

import pytest

from calendar_svc.core.model import DateForm, Occurrence
from calendar_svc.core.occurrences import occurrences
from calendar_svc.core.policy import BASIS_88, BASIS_111, BASIS_145
from calendar_svc.directive.draft import (
    Draft,
    add_months,
    compose_draft,
    document_date,
    levels_phrase,
    lookahead_range,
)
from calendar_svc.directive.profile import (
    DirectiveSettings,
    ProfileError,
    build_profile,
    initials,
    split_name,
)
from calendar_svc.directive.render import Span, parse_marks
from calendar_svc.errors import CalendarSvcError
from helpers import make

CAM_PHA = "Ban Tuyên giáo Thành ủy Cẩm Phả"
CITY_KINDS = ("national", "province", "city")

#: The five anniversaries of item 9 of Công văn 581-CV/BTGTU, and the month's others.
FEBRUARY = [
    make("thanh-lap-dang", "1930-02-03", category="ngay-le-lon",
         name_vi="Ngày thành lập Đảng Cộng sản Việt Nam"),
    make("bien-gioi", "1979-02-17",
         name_vi="Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc"),
    make("thay-thuoc", "1955-02-27", category="ngay-truyen-thong",
         name_vi="Ngày Thầy thuốc Việt Nam", date_form=DateForm.DAY),
    make("huynh-tan-phat", "1913-02-15", category="ngay-sinh-lanh-dao",
         name_vi="Ngày sinh đồng chí Huỳnh Tấn Phát"),
    make("tp-cam-pha", "2012-02-21", category="dia-phuong", scope="city:cam-pha",
         name_vi="Ngày thành lập Thành phố Cẩm Phả"),
    make("nguyen-duc-canh", "1908-02-02", category="ngay-sinh-lanh-dao",
         name_vi="Ngày sinh đồng chí Nguyễn Đức Cảnh"),
    make("cua-ong", "--02-03", calendar="lunar", category="le-hoi",
         scope="province:quang-ninh", name_vi="Lễ hội xuân đền Cửa Ông"),
]  # fmt: skip

AHEAD = [
    make("chu-huy-man", "1913-03-17", category="ngay-sinh-lanh-dao",
         name_vi="Ngày sinh đồng chí Chu Huy Mân"),
    make("khcn", "1963-05-18", category="ngay-truyen-thong",
         name_vi="Ngày Khoa học và Công nghệ Việt Nam", date_form=DateForm.DAY),
    make("giai-phong", "1975-04-30", category="ngay-le-lon",
         name_vi="Ngày Giải phóng miền Nam, thống nhất đất nước"),
    make("quang-ninh", "1963-10-30", category="dia-phuong", scope="province:quang-ninh",
         name_vi="Ngày thành lập tỉnh Quảng Ninh"),
    make("cua-ong-thu", "--08-03", calendar="lunar", category="le-hoi",
         scope="province:quang-ninh", name_vi="Lễ hội thu đền Cửa Ông"),
]  # fmt: skip


def _occs(start: str, end: str, anns: list = FEBRUARY) -> list[Occurrence]:
    return occurrences(anns, date.fromisoformat(start), date.fromisoformat(end))


def _draft(settings: DirectiveSettings | None = None, *, ahead_until: str = "2023-12-31") -> Draft:
    profile = build_profile("cam-pha", CAM_PHA, "city:cam-pha", settings)
    return compose_draft(
        profile,
        2023,
        2,
        date(2023, 2, 2),
        month_occurrences=_occs("2023-02-01", "2023-02-28"),
        ahead_occurrences=_occs("2023-03-01", ahead_until, AHEAD),
        scope_kinds=CITY_KINDS,
    )


# --- profile -----------------------------------------------------------------------------


def test_profile_of_cam_pha_matches_the_reference_directive() -> None:
    p = build_profile("cam-pha", CAM_PHA, "city:cam-pha")
    assert p.parent_body == "THÀNH ỦY CẨM PHẢ"
    assert p.issuing_body == "BAN TUYÊN GIÁO"
    assert p.doc_code == "CV/BTGTU"
    assert p.place == "Cẩm Phả"
    assert p.short_name == "Ban Tuyên giáo Thành ủy"
    assert p.higher_body == "Ban Tuyên giáo Tỉnh ủy"
    assert p.locality == "Thành phố"
    assert p.recipients == (
        "Ủy ban nhân dân Thành phố",
        "Ủy ban MTTQ và các tổ chức CT-XH Thành phố",
        "Các chi, đảng bộ trực thuộc Thành ủy",
        "Các Ban xây dựng Đảng, Văn phòng Thành ủy",
        "Các đồng chí báo cáo viên Thành phố",
    )
    assert p.distribution == (
        "Ban Tuyên giáo Tỉnh ủy (báo cáo)",
        "Thường trực Thành ủy (báo cáo)",
        "Như trên",
        "Lưu BTG",
    )
    assert p.signer_lines == ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")
    assert (p.round_first, p.lookahead_months, p.attach_docx, p.templates) == (
        False,
        3,
        False,
        None,
    )


@pytest.mark.parametrize(
    ("name", "issuing", "parent", "place", "code"),
    [
        (CAM_PHA, "Ban Tuyên giáo", "Thành ủy Cẩm Phả", "Cẩm Phả", "CV/BTGTU"),
        ("Ban Tuyên giáo Thành uỷ Cẩm Phả", "Ban Tuyên giáo", "Thành uỷ Cẩm Phả", "Cẩm Phả",
         "CV/BTGTU"),
        ("Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "Ban Tuyên giáo và Dân vận",
         "Tỉnh ủy Quảng Ninh", "Quảng Ninh", "CV/BTGDVTU"),
        ("Ban Tuyên giáo Huyện ủy Vân Đồn", "Ban Tuyên giáo", "Huyện ủy Vân Đồn", "Vân Đồn",
         "CV/BTGHU"),
        ("Ban Tuyên giáo Quận ủy Long Biên", "Ban Tuyên giáo", "Quận ủy Long Biên", "Long Biên",
         "CV/BTGQU"),
        ("Ban Xây dựng Đảng Đảng ủy phường Cẩm Phả", "Ban Xây dựng Đảng",
         "Đảng ủy phường Cẩm Phả", "Cẩm Phả", "CV/BXDĐĐU"),
        ("Ban Tuyên giáo và Dân vận Trung ương", "Ban Tuyên giáo và Dân vận",
         "Ban Chấp hành Trung ương", "Hà Nội", "CV/BTGDVTW"),
        ("Hội Cựu chiến binh", "Hội Cựu chiến binh", "", "", "CV/HCCB"),
    ],
)  # fmt: skip
def test_names_split_at_their_party_committee(
    name: str, issuing: str, parent: str, place: str, code: str
) -> None:
    got_issuing, got_parent, _, got_place = split_name(name)
    assert (got_issuing, got_parent, got_place) == (issuing, parent, place)
    assert build_profile("x", name, "national").doc_code == code


def test_a_ward_committee_names_its_area_phuong() -> None:
    p = build_profile("p", "Ban Xây dựng Đảng Đảng ủy phường Cẩm Phả", "city:cam-pha")
    assert p.locality == "Phường"
    assert p.recipients[0] == "Ủy ban nhân dân Phường"
    assert p.parent_body == "ĐẢNG ỦY PHƯỜNG CẨM PHẢ"


def test_a_name_without_committee_takes_its_place_from_the_scope() -> None:
    p = build_profile("x", "Hội Cựu chiến binh", "city:cam-pha", scope_name="Thành phố Cẩm Phả")
    assert (p.parent_body, p.issuing_body, p.place) == ("", "HỘI CỰU CHIẾN BINH", "Cẩm Phả")
    assert p.higher_body == ""
    assert p.recipients == ("Các cơ quan, đơn vị liên quan",)


def test_initials_skip_linking_words() -> None:
    assert initials("Ban Tuyên giáo và Dân vận") == "BTGDV"


def test_settings_override_every_derived_field() -> None:
    settings = DirectiveSettings(
        parent_body="ĐẢNG BỘ TỈNH QUẢNG NINH",
        issuing_body="BAN TUYÊN GIÁO VÀ DÂN VẬN",
        doc_code="HD/BTGDVTU",
        place="Hạ Long",
        recipients=("Các huyện ủy, thị ủy, thành ủy",),
        distribution=("Lưu VT",),
        signer_lines=("TRƯỞNG BAN",),
        signer_name="Nguyễn Văn A",
        round_first=True,
        lookahead_months=6,
        attach_docx=True,
        templates="/srv/mau",
    )
    p = build_profile("qn", "Ban Tuyên giáo Tỉnh ủy Quảng Ninh", "province:quang-ninh", settings)
    assert (p.parent_body, p.issuing_body, p.doc_code, p.place) == (
        "ĐẢNG BỘ TỈNH QUẢNG NINH",
        "BAN TUYÊN GIÁO VÀ DÂN VẬN",
        "HD/BTGDVTU",
        "Hạ Long",
    )
    assert p.recipients == ("Các huyện ủy, thị ủy, thành ủy",)
    assert (p.distribution, p.signer_lines, p.signer_name) == (
        ("Lưu VT",),
        ("TRƯỞNG BAN",),
        "Nguyễn Văn A",
    )
    assert (p.round_first, p.lookahead_months, p.attach_docx, p.templates) == (
        True,
        6,
        True,
        "/srv/mau",
    )


def test_settings_round_trip_through_json_and_merge() -> None:
    settings = DirectiveSettings(recipients=("A", "B"), lookahead_months=0, round_first=False)
    text = settings.to_json()
    assert text == '{"lookahead_months": 0, "recipients": ["A", "B"], "round_first": false}'
    assert DirectiveSettings.from_json(text) == settings
    assert DirectiveSettings.from_json("") == DirectiveSettings()
    merged = settings.merged(DirectiveSettings(lookahead_months=4, signer_name="B"))
    assert (merged.lookahead_months, merged.signer_name, merged.recipients) == (4, "B", ("A", "B"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "must be a JSON object"),
        ("{", "not valid JSON"),
        ('{"colour": "red"}', "unknown directive setting 'colour'"),
        ('{"recipients": "A"}', "'recipients' must be a list of lines"),
        ('{"round_first": 1}', "'round_first' must be true or false"),
        ('{"lookahead_months": "3"}', "'lookahead_months' must be a whole number"),
        ('{"lookahead_months": 13}', "'lookahead_months' must be 0-12, not 13"),
        ('{"place": 5}', "'place' must be text"),
        ('{"place": "  "}', "'place' is empty"),
        ('{"recipients": ["A", ""]}', "'recipients' has an empty line"),
    ],
)
def test_bad_settings_are_refused_with_the_setting_named(text: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message) as info:
        DirectiveSettings.from_json(text)
    assert isinstance(info.value, CalendarSvcError)


# --- the commemoration item --------------------------------------------------------------


def test_the_item_lists_item_9_in_date_order_with_counts_and_dates() -> None:
    draft = _draft()
    assert [e.text for e in draft.entries] == [
        "115 năm Ngày sinh đồng chí Nguyễn Đức Cảnh (02/02/1908 - 02/02/2023)",
        "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)",
        "110 năm Ngày sinh đồng chí Huỳnh Tấn Phát (15/02/1913 - 15/02/2023)",
        "44 năm Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc (17/02/1979 - 17/02/2023)",
        "11 năm Ngày thành lập Thành phố Cẩm Phả (21/02/2012 - 21/02/2023)",
        "68 năm Ngày Thầy thuốc Việt Nam (27/02)",
    ]
    assert draft.mark_round
    assert [(e.round_label, e.big) for e in draft.entries] == [
        ("năm lẻ 5", True),
        ("năm khác", False),
        ("năm tròn", True),
        ("năm khác", False),
        ("năm khác", False),
        ("năm khác", False),
    ]
    assert draft.levels == "của đất nước, của Tỉnh và Thành phố"


def test_festivals_are_kept_apart_from_the_item() -> None:
    draft = _draft()
    assert [e.text for e in draft.festivals] == [
        "Lễ hội xuân đền Cửa Ông (3/2 âm lịch, 22/02/2023)"
    ]
    assert all(e.occurrence.anniversary.category != "le-hoi" for e in draft.entries)


def test_uncounted_ngay_le_lon_stays_in_the_item() -> None:
    tet = make("tet", "--01-01", calendar="lunar", category="ngay-le-lon", name_vi="Tết Nguyên đán")
    profile = build_profile("cam-pha", CAM_PHA, "city:cam-pha")
    occs = occurrences([tet], date(2023, 1, 1), date(2023, 1, 31))
    draft = compose_draft(profile, 2023, 1, date(2023, 1, 2), month_occurrences=occs)
    assert [e.text for e in draft.entries] == ["Tết Nguyên đán (1/1 âm lịch, 22/01/2023)"]
    assert (draft.entries[0].round_label, draft.entries[0].big) == ("", False)


def test_round_first_puts_nam_tron_then_nam_le_5_first_each_in_date_order() -> None:
    draft = _draft(DirectiveSettings(round_first=True))
    assert not draft.mark_round
    assert [e.count for e in draft.entries] == [110, 115, 93, 44, 11, 68]


def test_round_entries_are_in_date_order_whatever_the_item_order() -> None:
    assert [e.count for e in _draft(DirectiveSettings(round_first=True)).round_entries] == [
        115,
        110,
    ]


def test_an_occurrence_outside_the_month_is_refused() -> None:
    profile = build_profile("cam-pha", CAM_PHA, "city:cam-pha")
    march = _occs("2023-03-01", "2023-03-31", AHEAD)
    with pytest.raises(ValueError, match="chu-huy-man on 2023-03-17 is not in 02/2023"):
        compose_draft(profile, 2023, 2, date(2023, 2, 2), month_occurrences=march)


# --- look-ahead ---------------------------------------------------------------------------


def test_lookahead_keeps_round_anniversaries_of_the_next_months() -> None:
    draft = _draft()
    # 48 năm Giải phóng miền Nam (năm khác) is left out; October is beyond three months.
    assert [e.text for e in draft.lookahead] == [
        "110 năm Ngày sinh đồng chí Chu Huy Mân (17/03/1913 - 17/03/2023)",
        "60 năm Ngày Khoa học và Công nghệ Việt Nam (18/05)",
    ]
    assert (draft.lookahead_start, draft.lookahead_end) == (date(2023, 3, 1), date(2023, 5, 31))


def test_a_longer_horizon_reaches_the_province_s_60th_anniversary() -> None:
    draft = _draft(DirectiveSettings(lookahead_months=9))
    assert [e.count for e in draft.lookahead] == [110, 60, 60]
    assert (
        draft.lookahead[-1].text
        == "60 năm Ngày thành lập tỉnh Quảng Ninh (30/10/1963 - 30/10/2023)"
    )
    assert draft.lookahead_end == date(2023, 11, 30)


def test_a_zero_horizon_has_no_lookahead() -> None:
    draft = _draft(DirectiveSettings(lookahead_months=0))
    assert draft.lookahead == ()
    assert draft.lookahead_start is None and draft.lookahead_end is None


@pytest.mark.parametrize(
    ("year", "month", "months", "expected"),
    [
        (2023, 2, 1, (date(2023, 3, 1), date(2023, 3, 31))),
        (2023, 2, 3, (date(2023, 3, 1), date(2023, 5, 31))),
        (2023, 11, 3, (date(2023, 12, 1), date(2024, 2, 29))),
        (2023, 12, 12, (date(2024, 1, 1), date(2024, 12, 31))),
        (2023, 2, 0, None),
    ],
)
def test_lookahead_range(
    year: int, month: int, months: int, expected: tuple[date, date] | None
) -> None:
    assert lookahead_range(year, month, months) == expected


def test_add_months_crosses_years() -> None:
    assert add_months(2023, 12, 1) == (2024, 1)
    assert add_months(2023, 1, 23) == (2024, 12)


# --- basis and scale ----------------------------------------------------------------------


def test_each_round_event_carries_its_basis_and_scale() -> None:
    draft = _draft(DirectiveSettings(lookahead_months=9))
    got = [(e.count, e.round_label, e.basis, e.scale) for e in draft.round_events]
    assert got == [
        (115, "năm lẻ 5", BASIS_88, "Kỷ niệm, tuyên truyền"),
        (110, "năm tròn", BASIS_88, "Kỷ niệm quy mô lớn"),
        (110, "năm tròn", BASIS_88, "Kỷ niệm quy mô lớn"),
        (60, "năm tròn", BASIS_111, "Tổ chức lễ kỷ niệm"),
        (60, "năm tròn", BASIS_111, "Tổ chức lễ kỷ niệm"),
    ]


def test_a_round_national_day_rests_on_decree_145() -> None:
    dang = make("dang", "1930-02-03", category="ngay-le-lon", name_vi="Ngày thành lập Đảng")
    profile = build_profile("cam-pha", CAM_PHA, "city:cam-pha")
    occs = occurrences([dang], date(2030, 2, 1), date(2030, 2, 28))
    (entry,) = compose_draft(profile, 2030, 2, date(2030, 2, 1), month_occurrences=occs).entries
    assert (entry.count, entry.basis, entry.scale) == (100, BASIS_145, "Lễ kỷ niệm cấp quốc gia")


def test_an_international_day_has_no_basis() -> None:
    day = make("qt", "1975-03-08", category="ngay-quoc-te", name_vi="Ngày Quốc tế")
    profile = build_profile("cam-pha", CAM_PHA, "city:cam-pha")
    occs = occurrences([day], date(2025, 3, 1), date(2025, 3, 31))
    (entry,) = compose_draft(profile, 2025, 3, date(2025, 3, 1), month_occurrences=occs).entries
    assert (entry.big, entry.basis, entry.scale) == (True, None, None)


# --- wording helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (("national", "province", "city"), "của đất nước, của Tỉnh và Thành phố"),
        (("national", "province"), "của đất nước và của Tỉnh"),
        (("national",), "của đất nước"),
        (("national", "province", "city", "ward"), "của đất nước, của Tỉnh, của Thành phố và của phường"),
        ((), ""),
    ],
)  # fmt: skip
def test_levels_phrase(kinds: tuple[str, ...], expected: str) -> None:
    assert levels_phrase(kinds) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 2, 2), "ngày 02 tháng 02 năm 2023"),
        (date(2023, 1, 15), "ngày 15 tháng 01 năm 2023"),
        (date(2023, 3, 5), "ngày 05 tháng 3 năm 2023"),
        (date(2023, 12, 31), "ngày 31 tháng 12 năm 2023"),
    ],
)
def test_document_date_follows_decree_30(day: date, expected: str) -> None:
    assert document_date(day) == expected


@pytest.mark.parametrize(
    ("line", "spans"),
    [
        ("plain", [Span("plain")]),
        ("a **b** c", [Span("a "), Span("b", bold=True), Span(" c")]),
        ("về “*Định hướng*”", [Span("về “"), Span("Định hướng", italic=True), Span("”")]),
        ("Số [[…]]-CV/BTGTU", [Span("Số "), Span("…", italic=True, fill=True), Span("-CV/BTGTU")]),
        ("**a *b* c**", [Span("a ", bold=True), Span("b", bold=True, italic=True),
                         Span(" c", bold=True)]),
        ("5 * 3 = 15", [Span("5 * 3 = 15")]),
    ],
)  # fmt: skip
def test_parse_marks(line: str, spans: list[Span]) -> None:
    assert parse_marks(line) == spans
