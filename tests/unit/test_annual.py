"""The annual guide's pure parts: groups, order and marks, focus, Tết's name, look-ahead."""

from __future__ import annotations

from datetime import date

import pytest

from calendar_svc.core.model import DateForm
from calendar_svc.core.occurrences import occurrences, year_range
from calendar_svc.directive.annual import (
    DIA_PHUONG,
    LANH_DAO,
    LE_LON,
    LICH_SU,
    QUOC_TE,
    AnnualDraft,
    compose_annual,
    group_of,
)
from calendar_svc.directive.profile import DirectiveSettings, build_profile
from helpers import make

QN = "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh"
KINDS = ("national", "province")

ROWS = [
    make("tet", "--01-01", calendar="lunar", category="ngay-le-lon", name_vi="Tết Nguyên đán"),
    make("dang", "1930-02-03", category="ngay-le-lon",
         name_vi="Ngày thành lập Đảng Cộng sản Việt Nam"),
    make("truong-chinh", "1907-02-09", category="ngay-sinh-lanh-dao",
         name_vi="Ngày sinh đồng chí Trường Chinh"),
    make("le-van-luong", "1912-03-28", category="ngay-sinh-lanh-dao",
         name_vi="Ngày sinh đồng chí Lê Văn Lương"),
    make("young-leader", "1930-05-05", category="ngay-sinh-lanh-dao"),
    make("de-cuong", "1943", name_vi="Đề cương về văn hóa Việt Nam"),
    make("lhq", "1977-09-20", name_vi="Ngày Việt Nam trở thành thành viên Liên hợp quốc"),
    make("thuong-binh", "1947-07-27", category="ngay-truyen-thong",
         name_vi="Ngày Thương binh - Liệt sĩ"),
    make("thay-thuoc", "1955-02-27", category="ngay-truyen-thong",
         name_vi="Ngày Thầy thuốc Việt Nam", date_form=DateForm.DAY),
    make("nga", "1917-11-07", category="ngay-quoc-te", name_vi="Cách mạng Tháng Mười Nga"),
    make("qn", "1963-10-30", category="dia-phuong", scope="province:quang-ninh",
         name_vi="Ngày thành lập tỉnh Quảng Ninh"),
    make("cua-ong", "--02-03", calendar="lunar", category="le-hoi",
         scope="province:quang-ninh", name_vi="Lễ hội xuân đền Cửa Ông"),
    make("mau-than", "1968-01-31", name_vi="Cuộc Tổng tiến công và nổi dậy Xuân Mậu Thân 1968"),
    make("ngo-gia-tu", "1908-12-03", category="ngay-sinh-lanh-dao",
         name_vi="Ngày sinh đồng chí Ngô Gia Tự"),
]  # fmt: skip


def _draft(year: int = 2027, settings: DirectiveSettings | None = None) -> AnnualDraft:
    profile = build_profile("qn", QN, "province:quang-ninh", settings)
    return compose_annual(
        profile,
        year,
        date(2026, 12, 1),
        year_occurrences=occurrences(ROWS, *year_range(year)),
        next_year_occurrences=occurrences(ROWS, *year_range(year + 1)),
        scope_kinds=KINDS,
    )


def _ids(entries: object) -> list[str]:
    return [e.occurrence.anniversary.id for e in entries]  # type: ignore[attr-defined]


def test_each_occurrence_goes_to_its_group() -> None:
    groups = {g.number: _ids(g.entries) for g in _draft().groups}
    assert groups == {
        LE_LON: ["dang", "tet"],  # Tết Đinh Mùi falls on 06/02/2027
        LICH_SU: ["de-cuong", "mau-than", "thuong-binh", "lhq"],
        LANH_DAO: ["truong-chinh", "le-van-luong"],
        QUOC_TE: ["thay-thuoc", "nga"],
        DIA_PHUONG: ["qn"],
    }


def test_group_rules() -> None:
    (occ,) = occurrences([make("x", "1990-01-05", category="unknown-cat")], *year_range(2027))
    assert group_of(occ) == QUOC_TE
    (fest,) = occurrences([ROWS[11]], *year_range(2027))
    assert group_of(fest) is None
    local_leader = make("l", "1927-03-03", category="ngay-sinh-lanh-dao", scope="province:x")
    (occ,) = occurrences([local_leader], *year_range(2027))
    assert group_of(occ) == LANH_DAO


def test_group_titles_name_the_area() -> None:
    titles = [g.title for g in _draft().groups]
    assert titles[-1] == "Kỷ niệm các ngày truyền thống, sự kiện lịch sử của Tỉnh"


def test_entries_in_the_official_form_with_scale() -> None:
    entries = {e.occurrence.anniversary.id: e for e in _draft().entries}
    assert entries["dang"].text == (
        "97 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2027)"
    )
    assert entries["truong-chinh"].text == (
        "120 năm Ngày sinh đồng chí Trường Chinh (09/02/1907 - 09/02/2027)"
    )
    assert entries["truong-chinh"].scale == "Kỷ niệm quy mô lớn"
    assert entries["truong-chinh"].basis == "Kết luận 88-KL/TW"
    assert entries["lhq"].scale == "Lễ kỷ niệm cấp quốc gia"
    assert entries["thuong-binh"].basis == "Nghị định 111/2018/NĐ-CP"
    assert entries["tet"].text == "Tết Nguyên đán Đinh Mùi (1/1 âm lịch, 06/02/2027)"
    assert entries["de-cuong"].text == "84 năm Đề cương về văn hóa Việt Nam (1943 - 2027)"
    assert entries["nga"].scale is None  # international days: no rule, no scale


def test_focus_is_the_year_s_round_entries_with_a_ceremony() -> None:
    assert _ids(_draft().focus) == ["truong-chinh", "thuong-binh", "lhq"]
    # "110 năm Cách mạng Tháng Mười Nga" is năm tròn but no rule implies a ceremony.


def test_year_only_round_anniversary_is_in_the_guide_of_its_year() -> None:
    draft = _draft(2023)
    (de_cuong,) = [e for e in draft.entries if e.occurrence.anniversary.id == "de-cuong"]
    assert de_cuong.text == "80 năm Đề cương về văn hóa Việt Nam (1943 - 2023)"
    assert de_cuong.big and de_cuong in draft.focus
    assert _ids(_draft(2022).lookahead)[0] == "de-cuong"


def test_round_first_orders_each_group() -> None:
    draft = _draft(settings=DirectiveSettings(round_first=True))
    assert not draft.mark_round
    leaders = next(g for g in draft.groups if g.number == LANH_DAO)
    assert _ids(leaders.entries) == ["truong-chinh", "le-van-luong"]
    history = next(g for g in draft.groups if g.number == LICH_SU)
    assert _ids(history.entries) == ["thuong-binh", "lhq", "de-cuong", "mau-than"]
    assert _ids(history.round_entries) == ["thuong-binh", "lhq"]


def test_lookahead_lists_the_next_year_s_round_ones() -> None:
    ahead = _draft().lookahead
    assert _ids(ahead) == ["mau-than", "ngo-gia-tu"]
    assert ahead[1].text == "120 năm Ngày sinh đồng chí Ngô Gia Tự (03/12/1908 - 03/12/2028)"


def test_national_guide_has_no_local_group_and_its_code() -> None:
    profile = build_profile("tw", "Ban Tuyên giáo và Dân vận Trung ương", "national")
    national = [r for r in ROWS if r.scope == "national"]
    draft = compose_annual(
        profile, 2027, date(2026, 12, 31), year_occurrences=occurrences(national, *year_range(2027))
    )
    assert DIA_PHUONG not in [g.number for g in draft.groups]
    assert draft.doc_code == "HD/BTGDVTW"
    assert _draft().doc_code == "HD/BTGDVTU"


def test_an_occurrence_outside_the_year_is_refused() -> None:
    profile = build_profile("qn", QN, "province:quang-ninh")
    with pytest.raises(ValueError, match="not in 2027"):
        compose_annual(
            profile, 2027, date(2026, 12, 1), year_occurrences=occurrences(ROWS, *year_range(2026))
        )


def test_a_commune_s_own_group_names_its_province_and_itself() -> None:
    profile = build_profile("cua-ong", "Ban Xây dựng Đảng Đảng ủy phường Cửa Ông", "ward:x")
    draft = compose_annual(
        profile,
        2027,
        date(2026, 12, 1),
        year_occurrences=occurrences(ROWS, *year_range(2027)),
        scope_kinds=("national", "province", "ward"),
    )
    assert draft.groups[-1].title == (
        "Kỷ niệm các ngày truyền thống, sự kiện lịch sử của Tỉnh và của phường"
    )
