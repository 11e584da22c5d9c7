"""The words of the web pages, in Vietnamese and English (one table, no logic)."""

from __future__ import annotations

WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

_TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "brand": "Lịch kỷ niệm",
        "heading": "Ngày kỷ niệm",
        "count_suffix": "ngày kỷ niệm",
        "prev": "‹ Tháng trước",
        "next": "Tháng sau ›",
        "scope": "Phạm vi",
        "province": "Tỉnh, thành phố",
        "unit": "Xã, phường, đặc khu",
        "whole_province": "Cả tỉnh, thành phố",
        "nationwide": "Toàn quốc",
        "until": "đến",
        "category": "Loại",
        "all": "Tất cả",
        "all_scopes": "Tất cả phạm vi",
        "round_only": "Chỉ năm tròn và năm lẻ 5",
        "show": "Xem",
        "years": "năm",
        "lunar_prefix": "ÂL",
        "lunar_title": "Âm lịch",
        "period": "cả kỳ",
        "directive": "Dòng định hướng",
        "empty": "Không có ngày kỷ niệm nào trong tháng này.",
        "subscribe_heading": "Đăng ký lịch",
        "subscribe_help": (
            "Mỗi lịch tự cập nhật hằng ngày. Lịch Apple, Outlook trên máy tính và Thunderbird: "
            "bấm “Đăng ký”. Google Lịch: bấm “Google” (mở “Thêm lịch → Từ URL”). Outlook trên "
            "web: bấm “Outlook.com” hoặc “Microsoft 365”. Ứng dụng khác: chép địa chỉ https."
        ),
        "subscribe": "Đăng ký",
        "google": "Google",
        "outlook": "Outlook.com",
        "outlook_work": "Microsoft 365",
        "download": "Tải tệp .ics",
        "copy": "Chép",
        "copied": "Đã chép",
        "feed_url": "Địa chỉ lịch",
        "other_lang": "English",
        "footer": (
            "Số năm và loại năm (năm tròn, năm lẻ 5) theo Nghị định 145/2013/NĐ-CP; quy mô "
            "theo Nghị định 145/2013/NĐ-CP, 111/2018/NĐ-CP và Kết luận 88-KL/TW."
        ),
        "back": "Về trang tháng này",
        "error": "Lỗi",
    },
    "en": {
        "brand": "Commemoration calendar",
        "heading": "Anniversaries of",
        "count_suffix": "anniversaries",
        "prev": "‹ Previous month",
        "next": "Next month ›",
        "scope": "Scope",
        "province": "Province or city",
        "unit": "Ward, commune or special zone",
        "whole_province": "The whole province",
        "nationwide": "Nationwide",
        "until": "until",
        "category": "Category",
        "all": "All",
        "all_scopes": "All scopes",
        "round_only": "Round and half-round (5) years only",
        "show": "Show",
        "years": "years",
        "lunar_prefix": "Lunar",
        "lunar_title": "Lunar date",
        "period": "whole period",
        "directive": "Directive line",
        "empty": "No anniversaries this month.",
        "subscribe_heading": "Subscribe",
        "subscribe_help": (
            "Each calendar updates itself daily. Apple Calendar, Outlook for Windows or Mac and "
            "Thunderbird: press “Subscribe”. Google Calendar: press “Google” (it opens “Add "
            "calendar → From URL”). Outlook on the web: press “Outlook.com” or “Microsoft 365”. "
            "Any other app: copy the https address."
        ),
        "subscribe": "Subscribe",
        "google": "Google",
        "outlook": "Outlook.com",
        "outlook_work": "Microsoft 365",
        "download": "Download .ics",
        "copy": "Copy",
        "copied": "Copied",
        "feed_url": "Calendar address",
        "other_lang": "Tiếng Việt",
        "footer": (
            "Counts and round classes per Decree 145/2013/NĐ-CP; scales per Decrees "
            "145/2013/NĐ-CP and 111/2018/NĐ-CP and Conclusion 88-KL/TW."
        ),
        "back": "Back to this month's page",
        "error": "Error",
    },
}


def page_texts(lang: str) -> dict[str, str]:
    """Return the page words of ``lang`` (``vi`` or ``en``)."""
    return _TEXTS["en" if lang == "en" else "vi"]
