"""Every label exists in Vietnamese and in English, with the same fields."""

from __future__ import annotations

import string

import pytest

from calendar_svc.core.labels import LABELS, LANGS, label, localized


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(LABELS))
def test_each_label_exists_in_both_languages_with_the_same_fields(key: str) -> None:
    vi, en = LABELS[key]
    assert vi.strip() and en.strip(), key
    assert fields(vi) == fields(en), key
    assert vi == vi.strip() and en == en.strip(), key


def test_languages_and_lookup() -> None:
    assert LANGS == ("vi", "en")
    assert label("month.2", "vi") == "Tháng 02"
    assert label("month.2", "en") == "February"
    assert label("due.days_before", "vi", n=5) == "5 ngày trước tháng"
    assert label("due.days_before", "en", n=5) == "5 days before the month"
    assert label("event.commemoration", "vi", phrase="93 năm X") == "Kỷ niệm 93 năm X"


def test_localized_falls_back_to_vietnamese() -> None:
    assert localized("en", "Tết", "Lunar New Year") == "Lunar New Year"
    assert localized("en", "Tết", "") == "Tết"
    assert localized("vi", "Tết", "Lunar New Year") == "Tết"


def test_no_module_outside_the_labels_compares_lang_to_vi() -> None:
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "calendar_svc"
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if 'lang == "vi"' in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
