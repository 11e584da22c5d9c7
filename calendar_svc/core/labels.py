"""Every fixed label the service shows, in Vietnamese and in English, in one table.

Each key holds its Vietnamese and its English text, with the same ``{fields}``; a test
checks that both exist and agree. :func:`label` picks one for a language; texts that come
with the data (an anniversary's names, a policy's scale) go through :func:`localized`.
"""

from __future__ import annotations

#: The languages of output.
LANGS = ("vi", "en")

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: key → (Vietnamese, English).
LABELS: dict[str, tuple[str, str]] = {
    # round classes (Nghị định 145/2013/NĐ-CP)
    "round.tron": ("năm tròn", "round"),
    "round.le_5": ("năm lẻ 5", "half-round (5)"),
    "round.khac": ("năm khác", "other"),
    # listings
    "column.date": ("Ngày", "Date"),
    "column.lunar": ("Âm lịch", "Lunar date"),
    "column.count": ("Số năm", "Years"),
    "column.round": ("Loại năm", "Class"),
    "column.name": ("Tên", "Name"),
    "column.scope": ("Phạm vi", "Scope"),
    "listing.empty": ("Không có ngày kỷ niệm nào.", "No anniversaries."),
    "listing.no_line": (
        "Dòng định hướng trống: {n} lễ hội trong danh sách không được đưa vào dòng định hướng "
        "(lễ hội không phải ngày kỷ niệm).",
        "The directive's line is empty: the {n} festival(s) listed are left out (festivals "
        "are not commemorations, so not in the directive's line).",
    ),
    "listing.whole_year": ("Cả năm", "Whole year"),
    "lunar.estimated": ("ước tính", "estimated"),
    **{f"month.{n}": (f"Tháng {n:02d}", name) for n, name in enumerate(_MONTHS_EN, 1)},
    # feed events
    "event.commemoration": ("Kỷ niệm {phrase}", "{phrase}"),
    "event.origin": ("Ngày gốc", "Origin"),
    "event.count": ("Số năm", "Years"),
    "event.scale": ("Quy mô", "Scale"),
    "event.basis": ("căn cứ", "basis"),
    "event.lunar": ("Âm lịch", "Lunar date"),
    "event.category": ("Loại", "Category"),
    "event.scope": ("Phạm vi", "Scope"),
    "event.source": ("Nguồn", "Source"),
    "event.estimated": (
        "ngày âm lịch ước tính, có thể lệch một ngày",
        "estimated lunar date, may be off by one day",
    ),
    "event.days": ("{n} ngày", "{n} days"),
    # directive due rules
    "due.day_of_month": ("ngày {n} của tháng", "day {n} of the month"),
    "due.days_before": ("{n} ngày trước tháng", "{n} days before the month"),
}


def label(key: str, lang: str = "vi", **fields: object) -> str:
    """Return the label ``key`` in ``lang`` ('en', else Vietnamese), filled with ``fields``."""
    vi, en = LABELS[key]
    text = en if lang == "en" else vi
    return text.format(**fields) if fields else text


def localized(lang: str, vi: str, en: str) -> str:
    """Return the English text for 'en' when there is one, else the Vietnamese."""
    return en if lang == "en" and en else vi
