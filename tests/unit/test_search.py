"""Search by name, accent-insensitive."""

from __future__ import annotations

from calendar_svc.core.search import fold, search
from helpers import make

BIEN_PHONG = make("bien-phong-toan-dan", "1989-03-03", name_vi="Ngày Biên phòng toàn dân")
DANG = make("thanh-lap-dang", "1930-02-03", name_vi="Ngày thành lập Đảng Cộng sản Việt Nam")


def test_fold_removes_diacritics_case_and_spacing() -> None:
    assert fold("  Ngày  BIÊN phòng ") == "ngay bien phong"
    assert fold("Đảng") == "dang"


def test_search_with_or_without_accents_and_every_word() -> None:
    anns = [BIEN_PHONG, DANG]
    assert search(anns, "biên phòng") == [BIEN_PHONG]
    assert search(anns, "bien phong") == [BIEN_PHONG]
    assert search(anns, "BIÊN PHÒNG") == [BIEN_PHONG]
    assert search(anns, "đảng cộng sản") == [DANG]
    assert search(anns, "phòng toàn") == [BIEN_PHONG]
    assert search(anns, "phòng biên") == []  # a phrase, in order
    assert search(anns, "Event thanh-lap") == [DANG]  # the English name
    assert search(anns, "thanh lap dang") == [DANG]  # the id


def test_words_of_the_phrase_must_be_together() -> None:
    dien_bien = make("dien-bien-giai-phong", "1754", name_vi="Điện Biên được giải phóng")
    assert search([dien_bien, BIEN_PHONG], "biên phòng") == [BIEN_PHONG]
