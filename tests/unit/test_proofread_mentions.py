"""Finding mentions: every form directives use, split lines, counts, "hướng tới"."""

from __future__ import annotations

import pytest

from calendar_svc.proofread.mentions import Document, Mention, WrittenDate, find_mentions
from calendar_svc.proofread.names import Name, fold, normalise, similarity
from calendar_svc.proofread.period import named_month


def mentions(*lines: str) -> list[Mention]:
    return find_mentions(Document.of(lines))


def only(*lines: str) -> Mention:
    found = mentions(*lines)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "dates",
    [
        "(03/02/1930 - 03/02/2023)",
        "(03/02/1930-03/02/2023)",
        "(3/2/1930 – 3/2/2023)",
        "(3/2/1930— 3/2/2023)",
        "( 03/02/1930 – 03/02/2023 )",
        "(3.2.1930 - 3.2.2023)",
        "(3-2-1930 -3-2-2023)",
        "(3-2-1930 / 3-2-2023)",
    ],
)
def test_span_with_any_dash_spacing_and_separator(dates: str) -> None:
    m = only(f"kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản Việt Nam {dates};")
    assert m.count == 93
    assert m.name == "Ngày thành lập Đảng Cộng sản Việt Nam"
    assert m.start_date == WrittenDate(3, 2, 1930)
    assert m.end_date == WrittenDate(3, 2, 2023)
    assert m.form == "dmy-dmy"
    assert m.text == f"93 năm Ngày thành lập Đảng Cộng sản Việt Nam {dates}"


def test_day_only_month_only_and_year_only() -> None:
    day, month, year = mentions(
        "68 năm Ngày Thầy thuốc Việt Nam (27/02); 50 năm Chiến thắng “Hà Nội - Điện Biên Phủ "
        "trên không” (12/1972 - 12/2022); 80 năm Đề cương về văn hóa Việt Nam (1943 - 2023)."
    )
    assert (day.form, day.end_date, day.start_date) == ("dm", WrittenDate(27, 2, None), None)
    assert (month.form, month.start_date, month.end_date) == (
        "my-my",
        WrittenDate(None, 12, 1972),
        WrittenDate(None, 12, 2022),
    )
    assert month.name == "Chiến thắng “Hà Nội - Điện Biên Phủ trên không”"
    assert (year.form, year.start_date, year.end_date) == (
        "y-y",
        WrittenDate(None, None, 1943),
        WrittenDate(None, None, 2023),
    )


def test_day_before_a_year_span() -> None:
    m = only("chào mừng kỷ niệm 60 năm Ngày thành lập tỉnh Quảng Ninh 30/10 (1963 – 2023) trong")
    assert m.name == "Ngày thành lập tỉnh Quảng Ninh"
    assert (m.start_date, m.end_date) == (WrittenDate(30, 10, 1963), WrittenDate(30, 10, 2023))


def test_ordinal_count_and_lunar_dates() -> None:
    ordinal, lunar = mentions(
        "kỷ niệm lần thứ 78 Ngày Quốc khánh (2/9/1945 - 2/9/2023); "
        "Giỗ Tổ Hùng Vương (10/3 âm lịch, 29/04/2023)."
    )
    assert (ordinal.count, ordinal.name) == (78, "Ngày Quốc khánh")
    assert lunar.count is None and lunar.name == "Giỗ Tổ Hùng Vương"
    assert lunar.start_date == WrittenDate(10, 3, None, lunar=True)
    assert lunar.end_date == WrittenDate(29, 4, 2023)


def test_a_mention_split_over_lines_starts_on_its_first_line() -> None:
    found = mentions(
        "hoạt động trong dịp Kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản Việt Nam",
        "",
        "(03/02/1930-03/02/2023) gắn với thông tin; 44 năm",
        "Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc (17/02/1979 - 17/02/2023).",
    )
    assert [(m.line, m.count, m.name) for m in found] == [
        (1, 93, "Ngày thành lập Đảng Cộng sản Việt Nam"),
        (3, 44, "Cuộc chiến đấu bảo vệ biên giới phía Bắc của Tổ quốc"),
    ]


def test_list_items_and_sentences_bound_a_name() -> None:
    found = mentions(
        "- Tuyên truyền ngày pháp luật nước CHXHCN Việt Nam ( 9/11).",
        "- Kỷ niệm 31 năm ngày Nhà giáo Việt Nam ( 20/11/1982 – 20/11/2013 ).",
    )
    assert [m.name for m in found] == [
        "Tuyên truyền ngày pháp luật nước CHXHCN Việt Nam",
        "ngày Nhà giáo Việt Nam",
    ]


def test_counts_without_dates_are_candidates_with_their_comma_parts() -> None:
    found = mentions(
        "chào mừng 77 năm Ngày thành lập Quân đội nhân dân Việt Nam, 38 năm ngày giải phóng "
        "miền Nam, thống nhất đất nước; ngày 02 tháng 02 năm 2023"
    )
    assert [(m.count, m.names, m.form) for m in found] == [
        (77, ("Ngày thành lập Quân đội nhân dân Việt Nam",), "none"),
        (38, ("ngày giải phóng miền Nam", "ngày giải phóng miền Nam, thống nhất đất nước"), "none"),
    ]


def test_brackets_that_are_not_dates_are_not_mentions() -> None:
    assert mentions("quy mô cấp tỉnh (căn cứ Nghị định 145/2013/NĐ-CP); (Có đề cương)") == []
    (invalid,) = mentions("10 năm ngày X (32/13/2023 - 32/13/2024)")
    assert (invalid.form, invalid.start_date, invalid.end_date) == ("invalid", None, None)


def test_ahead_in_the_paragraph_and_in_its_list() -> None:
    found = mentions(
        "7. kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023).",
        "- Quy mô:",
        "+ 93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023) – năm tròn.",
        "8. Chuẩn bị hướng tới kỷ niệm: 55 năm Ngày thành lập Hải quân nhân dân Việt Nam "
        "(07/05/1955 - 07/05/2023).",
        "- Quy mô:",
        "+ 68 năm Ngày thành lập Hải quân nhân dân Việt Nam (07/05/1955 - 07/05/2023) – năm lẻ 5.",
        "Đề nghị các cơ quan, đơn vị 10 năm (01/01/2013 - 01/01/2023).",
    )
    assert [m.ahead for m in found] == [False, False, True, True, False]


def test_places_are_lines_and_offsets_map_back() -> None:
    doc = Document.of(["dòng một", "68 năm Ngày Thầy thuốc Việt Nam (27/02)"])
    (m,) = find_mentions(doc)
    assert m.line == 2
    assert doc.column_of(m.start) == 0
    assert doc.text[m.start : m.end] == "68 năm Ngày Thầy thuốc Việt Nam (27/02)"


def test_names_fold_tone_marks_abbreviations_and_case() -> None:
    assert fold("Đề cương về văn hóa") == "De cuong ve van hoa"
    assert normalise("kỷ niệm “Đề cương về văn hoá Việt Nam”") == "đề cương về văn hóa việt nam"
    assert normalise("ngày thành lập QĐND VN") == "ngày thành lập quân đội nhân dân việt nam"
    assert similarity(Name.of("Ngày Thầy thuốc Việt Nam"), Name.of("ngày thầy thuốc việt nam")) == 1
    unaccented = similarity(
        Name.of("Ngay Thay thuoc Viet Nam"), Name.of("Ngày Thầy thuốc Việt Nam")
    )
    assert 0.95 < unaccented < 1
    inside = similarity(
        Name.of("ngày Bác Hồ ra Lời kêu gọi toàn quốc kháng chiến"),
        Name.of("Ngày Toàn quốc kháng chiến"),
    )
    assert 0.8 < inside < 0.95


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["V/v định hướng trọng tâm công tác", "thông tin, tuyên truyền trong tháng 02/2023"],
            (2023, 2),
        ),
        (["Cẩm Phả, ngày 02 tháng 02 năm 2023", "V/v tuyên truyền tháng 3/2023"], (2023, 3)),
        (["Hướng dẫn nội dung tuyên truyền tháng 09/2019"], (2019, 9)),
        (["trong tháng 9 năm 2019 như:"], (2019, 9)),
        (["Cẩm Phả, ngày 02 tháng 02 năm 2023"], None),
        (["không có tháng"], None),
    ],
)
def test_the_month_a_text_names(lines: list[str], expected: tuple[int, int] | None) -> None:
    assert named_month(lines) == expected
