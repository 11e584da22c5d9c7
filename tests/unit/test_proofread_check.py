"""Checking mentions against their dates and the bundled dataset: each kind of finding."""

from __future__ import annotations

import pytest

from calendar_svc.catalog import load_bundled
from calendar_svc.core.model import Anniversary, Origin
from calendar_svc.core.occurrences import month_range, occurrences
from calendar_svc.proofread.check import Finding, Kind, Report, check_lines

BUNDLED = load_bundled()
DISTRICT = Anniversary(
    id="thanh-lap-quan-mau",
    name_vi="Ngày thành lập quận Mẫu",
    name_en="Founding of Mẫu district",
    origin=Origin(2003, 11, 6),
    category="dia-phuong",
    scope="national",
    source="test row",
)


def check(text: str, year: int, month: int, extra: tuple[Anniversary, ...] = ()) -> Report:
    anns = [*BUNDLED, *extra]
    expected = occurrences(anns, *month_range(year, month))
    return check_lines(
        text.splitlines(), year=year, month=month, anniversaries=anns, expected=expected
    )


def kinds(report: Report, *, advice: bool = False) -> list[tuple[str, int | None]]:
    return [(f.kind.value, f.line) for f in report.findings if advice or f.kind.is_slip]


def one(report: Report, kind: Kind) -> Finding:
    found = [f for f in report.findings if f.kind is kind]
    assert len(found) == 1, report.findings
    return found[0]


def test_national_defence_day_dated_from_the_army_s_founding() -> None:
    report = check("36 năm Ngày hội Quốc phòng toàn dân (22/12/1944 - 22/12/2025)", 2025, 12)
    assert kinds(report) == [("arithmetic", 1), ("origin", 1)]
    origin = one(report, Kind.ORIGIN)
    assert origin.correction == "36 năm Ngày hội Quốc phòng toàn dân (22/12/1989 - 22/12/2025)"
    assert (origin.anniversary_id, origin.match, origin.score) == (
        "ngay-hoi-quoc-phong-toan-dan",
        "Ngày hội Quốc phòng toàn dân",
        1.0,
    )
    assert "22/12/1989" in origin.reason and "1.00" in origin.reason
    assert one(report, Kind.ARITHMETIC).correction == origin.correction
    assert origin.text == "36 năm Ngày hội Quốc phòng toàn dân (22/12/1944 - 22/12/2025)"
    assert not report.ok


def test_last_year_s_end_date_in_a_november_text() -> None:
    report = check("13 năm ngày thành lập quận Mẫu (06/11/2003-06/11/2015)", 2016, 11, (DISTRICT,))
    assert kinds(report) == [("arithmetic", 1), ("date", 1)]
    date_slip = one(report, Kind.DATE)
    assert date_slip.correction == "13 năm ngày thành lập quận Mẫu (06/11/2003 - 06/11/2016)"
    assert "2015" in date_slip.reason and "2016" in date_slip.reason


def test_a_count_that_does_not_match_its_own_dates() -> None:
    report = check("kỷ niệm 92 năm ngày thành lập Đoàn TNCS HCM (26/3/1931-26/3/2025)", 2025, 3)
    finding = one(report, Kind.ARITHMETIC)
    assert finding.correction == "94 năm ngày thành lập Đoàn TNCS HCM (26/03/1931 - 26/03/2025)"
    assert kinds(report) == [("arithmetic", 1)]


def test_an_unknown_anniversary_is_checked_on_its_own_dates() -> None:
    report = check("89 năm Ngày thành lập Câu lạc bộ thơ Mẫu Sơn (28/3/1935 – 28/3/2025)", 2025, 3)
    assert one(report, Kind.ARITHMETIC).correction == (
        "90 năm Ngày thành lập Câu lạc bộ thơ Mẫu Sơn (28/03/1935 - 28/03/2025)"
    )
    assert one(report, Kind.ARITHMETIC).anniversary_id is None


def test_span_dates_that_differ_in_day_or_month() -> None:
    report = check(
        "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 04/02/2023)", 2023, 2
    )
    assert kinds(report) == [("date", 1)]
    assert one(report, Kind.DATE).correction == (
        "93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)"
    )


def test_day_only_and_undated_counts_are_checked_against_the_dataset() -> None:
    report = check(
        "67 năm Ngày Thầy thuốc Việt Nam (27/02); chào mừng 76 năm Ngày thành lập Quân đội "
        "nhân dân Việt Nam, 32 năm Ngày hội Quốc phòng toàn dân",
        2023,
        2,
    )
    found = [f for f in report.findings if f.kind is Kind.ARITHMETIC]
    assert [f.correction for f in found] == [
        "68 năm Ngày Thầy thuốc Việt Nam (27/02)",
        "79 năm Ngày thành lập Quân đội nhân dân Việt Nam",
        "34 năm Ngày hội Quốc phòng toàn dân",
    ]


def test_a_wrong_day_in_the_day_form_is_an_origin_slip() -> None:
    report = check("68 năm Ngày Thầy thuốc Việt Nam (28/02)", 2023, 2)
    assert kinds(report) == [("origin", 1)]
    assert one(report, Kind.ORIGIN).correction == "68 năm Ngày Thầy thuốc Việt Nam (27/02)"


def test_names_alike_on_the_same_day_are_told_apart_by_their_origins() -> None:
    report = check(
        "79 năm Ngày thành lập QĐND Việt Nam (22/12/1944 - 22/12/2023) và 34 năm Ngày hội "
        "Quốc phòng toàn dân (22/12/1989 - 22/12/2023)",
        2023,
        12,
    )
    assert [f for f in report.findings if f.kind is not Kind.OMISSION] == []
    assert [c.match.anniversary.id for c in report.mentions if c.match] == [
        "thanh-lap-quan-doi-nhan-dan",
        "ngay-hoi-quoc-phong-toan-dan",
    ]


def test_strays_and_the_look_ahead() -> None:
    report = check(
        "1. kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023); "
        "60 năm Ngày thành lập tỉnh Quảng Ninh (30/10/1963-30/10/2023).\n"
        "2. Chuẩn bị hướng tới kỷ niệm 60 năm Ngày thành lập tỉnh Quảng Ninh (30/10/1963 - "
        "30/10/2023); 95 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2025).",
        2023,
        2,
    )
    assert [f for f in report.findings if f.kind is not Kind.OMISSION] == [
        one(report, Kind.STRAY),
        one(report, Kind.DATE),
    ]
    assert one(report, Kind.STRAY).line == 1
    assert one(report, Kind.STRAY).text.startswith("60 năm Ngày thành lập tỉnh Quảng Ninh")
    assert one(report, Kind.DATE).line == 2  # 02/2025 is more than 12 months ahead


def test_omissions_name_what_to_add_unless_the_text_names_it() -> None:
    text = "9. kỷ niệm các ngày lễ lớn: 93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)."
    report = check(text, 2023, 2)
    added = [f.correction for f in report.findings if f.kind is Kind.OMISSION]
    assert "68 năm Ngày Thầy thuốc Việt Nam (27/02)" in added
    assert all(f.line == 1 for f in report.findings if f.kind is Kind.OMISSION)
    assert report.ok
    named = check(text + " Ngày Thầy thuốc Việt Nam cũng vậy.", 2023, 2)
    assert "68 năm Ngày Thầy thuốc Việt Nam (27/02)" not in [
        f.correction for f in named.findings if f.kind is Kind.OMISSION
    ]


def test_lunar_days_are_checked_on_their_solar_date() -> None:
    good = check("Giỗ Tổ Hùng Vương (10/3 âm lịch, 29/04/2023)", 2023, 4)
    assert good.ok
    bad = check("Giỗ Tổ Hùng Vương (10/3 âm lịch, 28/04/2023)", 2023, 4)
    assert kinds(bad) == [("date", 1)]
    assert one(bad, Kind.DATE).correction == "Giỗ Tổ Hùng Vương (10/3 âm lịch, 29/04/2023)"


@pytest.mark.parametrize(
    "line",
    [
        "Trải qua 81 năm xây dựng, chiến đấu và trưởng thành",
        "Hội nghị lần thứ 14 Ủy ban Công tác liên hợp",
        "Sáng nay (01.8), tổ chức về nguồn",
        "Cẩm Phả, ngày 02 tháng 02 năm 2023",
    ],
)
def test_text_that_is_not_a_mention_gives_no_finding(line: str) -> None:
    report = check(line, 2023, 9)
    assert [f for f in report.findings if f.kind is not Kind.OMISSION] == []
    assert report.mentions == ()


def test_month_precision_and_year_only_origins_agree_with_a_written_day() -> None:
    report = check(
        "50 năm Chiến thắng “Hà Nội - Điện Biên Phủ trên không” (18/12/1972 - 18/12/2022)", 2022, 12
    )
    assert report.ok and not [f for f in report.findings if f.kind is Kind.STRAY]


def test_digits_that_are_no_date_are_a_date_slip() -> None:
    report = check(
        "50 năm Chiến thắng “Hà Nội - Điện Biên Phủ trên không” (18/12/1972 - 18/12//2022); "
        "Hướng dẫn ngày (10-10-2022); giai đoạn (1961-1975)",
        2022,
        12,
    )
    assert kinds(report) == [("date", 1)]
    assert one(report, Kind.DATE).correction == (
        "50 năm Chiến thắng “Hà Nội - Điện Biên Phủ trên không” (12/1972 - 12/2022)"
    )


def test_a_look_ahead_mention_in_the_past_is_a_date_slip() -> None:
    report = check(
        "Hướng tới kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - "
        "03/02/2023); 80 năm Đề cương về văn hóa Việt Nam (1943 - 2023).",
        2023,
        3,
    )
    assert kinds(report) == [("date", 1)]
    assert one(report, Kind.DATE).text.startswith("93 năm Ngày thành lập Đảng")
