"""The words of the subscription pages and mails, in Vietnamese and English (no logic)."""

from __future__ import annotations

_TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Nhận nhắc việc qua email",
        "intro": (
            "Thư nhắc trước hạn văn bản định hướng tuyên truyền hằng tháng và trước các ngày "
            "kỷ niệm năm tròn, năm lẻ 5 của tổ chức bạn chọn. Chúng tôi gửi một thư xác nhận; "
            "chỉ khi bạn bấm xác nhận, địa chỉ mới được đăng ký."
        ),
        "organisation": "Tổ chức",
        "email": "Địa chỉ email",
        "name": "Họ tên (không bắt buộc)",
        "submit": "Gửi thư xác nhận",
        "none_open": (
            "Chưa có tổ chức nào ở phạm vi này nhận đăng ký qua trang web. Hãy liên hệ cơ quan "
            "của bạn để được thêm vào danh sách nhận thư."
        ),
        "approval_note": "cần duyệt",
        "sent_title": "Đã nhận yêu cầu",
        "sent": (
            "Nếu địa chỉ hợp lệ, chúng tôi đã gửi một thư xác nhận tới địa chỉ đó. Hãy mở thư "
            "và bấm vào liên kết trong 48 giờ. Nếu không thấy thư, hãy xem cả thư mục thư rác."
        ),
        "manage_sent": (
            "Nếu địa chỉ này đang nhận thư nhắc, chúng tôi đã gửi tới đó một liên kết để xem và "
            "hủy các đăng ký. Liên kết dùng được trong 2 giờ."
        ),
        "bad_email": "Địa chỉ email không hợp lệ (dạng ten@ten-mien.vn, chỉ chữ không dấu).",
        "bad_name": "Họ tên không hợp lệ (tối đa 200 ký tự, không xuống dòng).",
        "bad_org": "Hãy chọn một tổ chức trong danh sách.",
        "confirm_title": "Xác nhận đăng ký",
        "confirm_body": "Nhận thư nhắc của {org} tại địa chỉ {email}?",
        "confirm_button": "Xác nhận đăng ký",
        "subscribed_title": "Đã đăng ký",
        "subscribed": "Từ nay địa chỉ này nhận thư nhắc của {org}.",
        "awaiting_title": "Đang chờ duyệt",
        "awaiting": (
            "Đã xác nhận địa chỉ. {org} duyệt từng người đăng ký; bạn sẽ nhận thư nhắc khi được "
            "duyệt."
        ),
        "already_title": "Đã đăng ký từ trước",
        "already": (
            "Địa chỉ này đã có đăng ký (hoặc đang chờ duyệt); không có gì thay đổi. Xem và hủy "
            "đăng ký ở trang “Quản lý đăng ký”."
        ),
        "closed_title": "Không nhận đăng ký",
        "closed": "{org} hiện không nhận đăng ký qua trang web; không có gì thay đổi.",
        "invalid_title": "Liên kết không dùng được",
        "invalid": (
            "Liên kết không đúng, đã hết hạn hoặc đã được dùng. Hãy gửi yêu cầu mới từ trang "
            "đăng ký."
        ),
        "manage_title": "Quản lý đăng ký",
        "manage_intro": (
            "Nhập địa chỉ email; chúng tôi gửi tới đó một liên kết mở trang các đăng ký của "
            "địa chỉ, nơi bạn hủy từng đăng ký."
        ),
        "manage_submit": "Gửi liên kết",
        "manage_list": "Các đăng ký của {email}",
        "manage_none": "Địa chỉ này không còn đăng ký nào.",
        "state_active": "đang nhận thư",
        "state_awaiting": "đang chờ duyệt",
        "leave": "Hủy đăng ký",
        "left_title": "Đã hủy đăng ký",
        "left": "Địa chỉ này không còn nhận thư nhắc của tổ chức đó.",
        "too_many_title": "Quá nhiều yêu cầu",
        "too_many": "Bạn đã gửi quá nhiều yêu cầu. Hãy thử lại sau một giờ.",
        "manage_link": "Quản lý đăng ký của tôi",
        "mail_footer": (
            "Thư tự động của dịch vụ Lịch kỷ niệm / An automatic mail of the Lịch kỷ niệm service."
        ),
        "back": "Về trang lịch",
    },
    "en": {
        "title": "Email reminders",
        "intro": (
            "Reminders before the monthly information directive is due and before the round "
            "and half-round anniversaries of the organisation you choose. We send a "
            "confirmation mail; the address is subscribed only once you confirm."
        ),
        "organisation": "Organisation",
        "email": "Email address",
        "name": "Name (optional)",
        "submit": "Send the confirmation mail",
        "none_open": (
            "No organisation of this scope takes subscriptions on the web. Ask your office to "
            "add you to its list."
        ),
        "approval_note": "needs approval",
        "sent_title": "Request received",
        "sent": (
            "If the address is valid, we have sent a confirmation mail to it. Open it and "
            "follow its link within 48 hours. If you do not see it, look in the spam folder."
        ),
        "manage_sent": (
            "If this address receives reminders, we have sent it a link to see and cancel its "
            "subscriptions. The link works for 2 hours."
        ),
        "bad_email": "The email address is not valid (name@domain.vn, plain ASCII letters).",
        "bad_name": "The name is not valid (at most 200 characters, no line breaks).",
        "bad_org": "Choose an organisation from the list.",
        "confirm_title": "Confirm the subscription",
        "confirm_body": "Receive the reminders of {org} at {email}?",
        "confirm_button": "Confirm",
        "subscribed_title": "Subscribed",
        "subscribed": "From now on this address receives the reminders of {org}.",
        "awaiting_title": "Awaiting approval",
        "awaiting": (
            "The address is confirmed. {org} approves each subscriber; the reminders start "
            "once you are approved."
        ),
        "already_title": "Already subscribed",
        "already": (
            "This address is subscribed already (or awaits approval); nothing changed. See and "
            "cancel subscriptions on the “Manage my subscriptions” page."
        ),
        "closed_title": "Not taking subscriptions",
        "closed": "{org} does not take subscriptions on the web now; nothing changed.",
        "invalid_title": "This link cannot be used",
        "invalid": (
            "The link is wrong, has expired or was used already. Ask for a new one on the "
            "subscription page."
        ),
        "manage_title": "Manage my subscriptions",
        "manage_intro": (
            "Enter your email address; we send it a link to the page of its subscriptions, "
            "where you cancel each one."
        ),
        "manage_submit": "Send the link",
        "manage_list": "Subscriptions of {email}",
        "manage_none": "This address has no subscriptions left.",
        "state_active": "receiving reminders",
        "state_awaiting": "awaiting approval",
        "leave": "Unsubscribe",
        "left_title": "Unsubscribed",
        "left": "This address no longer receives that organisation's reminders.",
        "too_many_title": "Too many requests",
        "too_many": "You have sent too many requests. Try again in an hour.",
        "manage_link": "Manage my subscriptions",
        "mail_footer": "An automatic mail of the Lịch kỷ niệm service.",
        "back": "Back to the calendar",
    },
}

#: Subjects of the mails, by kind and language: Vietnamese then English, or English alone
#: when the form was in English (as every mail's body).
MAIL_SUBJECTS: dict[tuple[str, str], str] = {
    ("confirm", "vi"): "Xác nhận đăng ký nhận nhắc việc / Confirm your reminder subscription",
    ("confirm", "en"): "Confirm your reminder subscription",
    ("manage", "vi"): "Liên kết quản lý đăng ký nhận nhắc việc / Your subscriptions link",
    ("manage", "en"): "Your link to manage your reminder subscriptions",
}


def subscribe_texts(lang: str) -> dict[str, str]:
    """Return the words of ``lang`` (``vi`` or ``en``)."""
    return _TEXTS["en" if lang == "en" else "vi"]
