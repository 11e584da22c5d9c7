"""The words of the sign-in and management pages, in Vietnamese and English (no logic)."""

from __future__ import annotations

_TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "signin": "Đăng nhập",
        "signin_title": "Đăng nhập trang quản lý",
        "signin_help": (
            "Nhập địa chỉ email của bạn. Nếu địa chỉ có quyền quản lý, một thư có liên kết "
            "đăng nhập (dùng một lần, trong 15 phút) sẽ được gửi tới. Không cần mật khẩu."
        ),
        "email": "Địa chỉ email",
        "send_link": "Gửi liên kết đăng nhập",
        "sent_title": "Hãy kiểm tra hộp thư",
        "sent_body": (
            "Nếu {email} có quyền quản lý, một thư có liên kết đăng nhập vừa được gửi tới. "
            "Liên kết dùng được một lần, trong 15 phút. Không thấy thư? Hãy xem thư mục thư "
            "rác, hoặc gửi lại sau ít phút."
        ),
        "link_title": "Đăng nhập",
        "link_body": "Bấm nút dưới đây để đăng nhập. Liên kết chỉ dùng được một lần.",
        "invalid_title": "Liên kết không dùng được",
        "invalid_body": (
            "Liên kết đăng nhập này sai, đã dùng hoặc đã hết hạn (sau 15 phút). "
            "Hãy yêu cầu liên kết mới."
        ),
        "new_link": "Yêu cầu liên kết mới",
        "limited_title": "Quá nhiều yêu cầu",
        "limited_body": "Đã có quá nhiều yêu cầu đăng nhập. Hãy thử lại sau ít phút.",
        "signout": "Đăng xuất",
        "signed_in_as": "Đăng nhập với",
        "manage": "Quản lý",
        "organisations": "Các tổ chức",
        "overview": "Tổng quan",
        "anniversaries": "Ngày kỷ niệm của địa phương",
        "subscribers": "Người nhận thư nhắc",
        "settings": "Thiết lập văn bản định hướng",
        "digest": "Xem trước thư nhắc kỳ tới",
        "drafts": "Dự thảo văn bản (.docx)",
        "audit": "Nhật ký thay đổi",
        "scope": "Phạm vi",
        "due": "Hạn văn bản",
        "leads": "Nhắc trước (ngày)",
        "save": "Lưu",
        "add": "Thêm",
        "edit": "Sửa",
        "remove": "Xóa",
        "import": "Nhập tệp CSV",
        "import_help": (
            "Tệp CSV theo mẫu của lệnh calendar-svc import (cột id, name_vi, origin, "
            "category, scope, source…), tối đa 2 MiB. Tệp được kiểm tra toàn bộ; nếu có "
            "dòng sai thì không dòng nào được lưu."
        ),
        "file": "Tệp CSV",
        "none": "Chưa có.",
        "id": "Mã (id)",
        "name_vi": "Tên tiếng Việt",
        "name_en": "Tên tiếng Anh",
        "origin": "Ngày gốc (YYYY-MM-DD, YYYY-MM hoặc YYYY)",
        "calendar": "Lịch",
        "solar": "Dương lịch",
        "lunar": "Âm lịch",
        "category": "Loại",
        "source": "Nguồn (số văn bản hoặc địa chỉ web)",
        "note": "Ghi chú",
        "date": "Ngày",
        "name": "Tên",
        "lang": "Ngôn ngữ thư",
        "state": "Trạng thái",
        "active": "đang nhận",
        "inactive": "đã ngừng",
        "pending": "chờ duyệt",
        "approve": "Duyệt",
        "reject": "Từ chối",
        "subscribers_help": "Người nhận trong tổ chức nhận thư nhắc trước hạn văn bản.",
        "due_day": "Hạn là ngày thứ N của tháng",
        "due_before": "hoặc N ngày trước đầu tháng",
        "recipients": "Kính gửi (mỗi dòng một nơi)",
        "signer_lines": "Quyền hạn, chức vụ người ký (mỗi dòng một dòng)",
        "signer_name": "Người ký",
        "attach_docx": "Đính kèm dự thảo .docx vào thư nhắc",
        "monthly_draft": "Dự thảo định hướng tháng",
        "annual_draft": "Dự thảo hướng dẫn năm",
        "download": "Tải về",
        "subject": "Tiêu đề",
        "at": "Lúc",
        "who": "Ai",
        "action": "Việc",
        "target": "Đối tượng",
        "before": "Trước",
        "after": "Sau",
        "saved": "Đã lưu.",
        "added": "Đã thêm.",
        "removed": "Đã xóa.",
        "imported": (
            "Đã nhập {count} dòng: {inserted} mới, {updated} cập nhật, {unchanged} không đổi."
        ),
        "errors_title": "Chưa lưu: có lỗi cần sửa",
        "back": "Quay lại",
        "confirm_remove": "Xóa {what}?",
        "skip": "Bỏ qua, tới nội dung chính",
        "month": "Tháng",
        "year": "Năm",
        "preview_for": "Thư nhắc tháng {month}, hạn {due}, còn {days} ngày",
    },
    "en": {
        "signin": "Sign in",
        "signin_title": "Sign in to manage your organisation",
        "signin_help": (
            "Enter your e-mail address. If it may manage an organisation, a message with a "
            "sign-in link (single use, valid 15 minutes) is sent to it. No password needed."
        ),
        "email": "E-mail address",
        "send_link": "Send me a sign-in link",
        "sent_title": "Check your mailbox",
        "sent_body": (
            "If {email} may manage an organisation, a message with a sign-in link has just "
            "been sent to it. The link works once, for 15 minutes. No message? Look in the "
            "spam folder, or ask again in a few minutes."
        ),
        "link_title": "Sign in",
        "link_body": "Press the button below to sign in. The link works only once.",
        "invalid_title": "This link cannot be used",
        "invalid_body": (
            "This sign-in link is wrong, was used already or has expired (after 15 minutes). "
            "Ask for a new one."
        ),
        "new_link": "Ask for a new link",
        "limited_title": "Too many requests",
        "limited_body": "There were too many sign-in requests. Try again in a few minutes.",
        "signout": "Sign out",
        "signed_in_as": "Signed in as",
        "manage": "Manage",
        "organisations": "Organisations",
        "overview": "Overview",
        "anniversaries": "Local anniversaries",
        "subscribers": "Reminder subscribers",
        "settings": "Directive settings",
        "digest": "Preview of the next reminder",
        "drafts": "Draft documents (.docx)",
        "audit": "Audit log",
        "scope": "Scope",
        "due": "Directive due",
        "leads": "Remind before (days)",
        "save": "Save",
        "add": "Add",
        "edit": "Edit",
        "remove": "Remove",
        "import": "Import a CSV file",
        "import_help": (
            "A CSV file in the format of calendar-svc import (columns id, name_vi, origin, "
            "category, scope, source…), at most 2 MiB. The whole file is checked; if any "
            "row is wrong, no row is saved."
        ),
        "file": "CSV file",
        "none": "None yet.",
        "id": "Id",
        "name_vi": "Vietnamese name",
        "name_en": "English name",
        "origin": "Origin date (YYYY-MM-DD, YYYY-MM or YYYY)",
        "calendar": "Calendar",
        "solar": "Solar",
        "lunar": "Lunar",
        "category": "Category",
        "source": "Source (document number or web address)",
        "note": "Note",
        "date": "Date",
        "name": "Name",
        "lang": "Mail language",
        "state": "State",
        "active": "active",
        "inactive": "unsubscribed",
        "pending": "awaiting approval",
        "approve": "Approve",
        "reject": "Reject",
        "subscribers_help": "The organisation's subscribers get reminders before the due date.",
        "due_day": "Due on day N of the month",
        "due_before": "or N days before the month starts",
        "recipients": "Recipients (one per line)",
        "signer_lines": "Signer's authority and title (one per line)",
        "signer_name": "Signer",
        "attach_docx": "Attach the .docx draft to the reminder",
        "monthly_draft": "Monthly directive draft",
        "annual_draft": "Annual guide draft",
        "download": "Download",
        "subject": "Subject",
        "at": "At",
        "who": "Who",
        "action": "Action",
        "target": "Target",
        "before": "Before",
        "after": "After",
        "saved": "Saved.",
        "added": "Added.",
        "removed": "Removed.",
        "imported": (
            "Imported {count} rows: {inserted} new, {updated} updated, {unchanged} unchanged."
        ),
        "errors_title": "Not saved: please correct the errors",
        "back": "Back",
        "confirm_remove": "Remove {what}?",
        "skip": "Skip to the main content",
        "month": "Month",
        "year": "Year",
        "preview_for": "Reminder for {month}, due {due}, {days} days left",
    },
}


def account_texts(lang: str) -> dict[str, str]:
    """Return the words of the account pages in ``lang`` ('vi' or 'en')."""
    return _TEXTS["en" if lang == "en" else "vi"]
