"""A year-only năm tròn ("80 năm Đề cương về văn hóa Việt Nam", 1943 - 2023) reaches the
year's first monthly directive and digest, and the annual guide (issue 13, item 3)."""

from __future__ import annotations

from datetime import date

from calendar_svc.catalog import load_scopes
from calendar_svc.core.occurrences import month_range, occurrences, year_range
from calendar_svc.core.recipients import Organisation
from calendar_svc.core.schedule import build_digest, digest_ranges
from calendar_svc.directive.profile import build_profile
from calendar_svc.services.directive import draft_directive
from calendar_svc.store.memory import MemoryReader
from helpers import make

DE_CUONG = make("de-cuong-van-hoa", "1943", name_vi="Đề cương về văn hóa Việt Nam")
PARIS = make("hiep-dinh-paris", "1973-01-27", name_vi="Ngày ký Hiệp định Paris")
ENTRY = "80 năm Đề cương về văn hóa Việt Nam (1943 - 2023)"


def test_a_year_only_occurrence_belongs_to_january_of_its_year() -> None:
    (occ,) = occurrences([DE_CUONG], *year_range(2023))
    assert occ.date == occ.last_day == date(2023, 1, 1)
    assert occurrences([DE_CUONG], *month_range(2023, 1)) == [occ]
    assert not any(occurrences([DE_CUONG], *month_range(2023, m)) for m in range(2, 13))


def test_the_january_digest_lists_it_in_the_line() -> None:
    org = Organisation("tw", "Ban Tuyên giáo Trung ương", "national")
    (start, _), (_, end) = digest_ranges(2023, 1)
    occs = occurrences([DE_CUONG, PARIS], start, end)
    digest = build_digest(org, 2023, 1, occs, lineage=["national"])
    assert [e.occurrence.anniversary.id for e in digest.entries] == [
        "de-cuong-van-hoa",
        "hiep-dinh-paris",
    ]
    assert digest.line_vi.startswith(ENTRY + "; 50 năm Ngày ký Hiệp định Paris")
    (start, _), (_, end) = digest_ranges(2023, 2)
    february = build_digest(org, 2023, 2, occurrences([DE_CUONG], start, end), lineage=["national"])
    assert february.entries == ()


def test_the_january_directive_lists_it_with_its_scale() -> None:
    scopes = load_scopes()
    profile = build_profile("tw", "Ban Tuyên giáo Trung ương", "national")
    draft = draft_directive(
        MemoryReader([DE_CUONG, PARIS]), scopes, profile, 2023, 1, date(2023, 1, 2)
    )
    assert draft.entries[0].text == ENTRY
    assert draft.round_entries[0].scale == "Lễ kỷ niệm cấp quốc gia"
    february = draft_directive(MemoryReader([DE_CUONG]), scopes, profile, 2023, 2, date(2023, 2, 2))
    assert february.entries == ()


def test_a_look_ahead_that_reaches_january_announces_it() -> None:
    scopes = load_scopes()
    profile = build_profile("tw", "Ban Tuyên giáo Trung ương", "national")
    reader = MemoryReader([DE_CUONG, PARIS])
    december = draft_directive(reader, scopes, profile, 2022, 12, date(2022, 12, 2))
    assert [e.text for e in december.lookahead] == [
        ENTRY,
        "50 năm Ngày ký Hiệp định Paris (27/01/1973 - 27/01/2023)",
    ]
    october = draft_directive(reader, scopes, profile, 2022, 10, date(2022, 10, 2))
    assert october.lookahead == december.lookahead  # November to January reaches 01/01/2023
    september = draft_directive(reader, scopes, profile, 2022, 9, date(2022, 9, 2))
    assert september.lookahead == ()  # October to December does not
