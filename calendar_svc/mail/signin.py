"""The sign-in mail: a single-use link to the organisation pages, Vietnamese then English.

Rendering is pure (the link, the moment it ends → the message's bytes); sending is the
caller's (:class:`calendar_svc.mail.send.SmtpPool`). The message carries no
List-Unsubscribe: it answers a request the reader just made, and is sent only then.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr

from calendar_svc.mail.message import domain_of
from calendar_svc.mail.render import environment

SUBJECT = "Liên kết đăng nhập Lịch kỷ niệm / Your sign-in link"
DEFAULT_SENDER_NAME = "Lịch kỷ niệm"


def signin_message(
    *,
    sender: str,
    recipient: str,
    link: str,
    expires: datetime,
    now: datetime,
    minutes: int,
) -> bytes:
    """Return the whole sign-in message (headers, text and HTML) with CRLF line ends.

    Args:
        sender: ``smtp.from`` (``Name <addr>`` or an address).
        recipient: the user's address.
        link: the sign-in page with its token.
        expires: when the link stops working (shown in the zone it carries).
        now: the message's date.
        minutes: the link's lifetime, as the text states it.

    Raises:
        ValueError: an address or the link holds a line break.
    """
    name, addr = parseaddr(sender)
    addr = addr or sender
    context = {
        "link": link,
        "minutes": minutes,
        "expires": f"{expires.strftime('%H:%M %d/%m/%Y')} {expires.tzname() or ''}".strip(),
        "recipient": recipient,
    }
    env = environment()
    text = env.get_template("signin.txt").render(context)
    html = env.get_template("signin.html").render(context)
    message = EmailMessage(policy=SMTP)
    message["Date"] = format_datetime(now)
    message["From"] = formataddr((name or DEFAULT_SENDER_NAME, addr))
    message["To"] = recipient
    message["Subject"] = SUBJECT
    message["Message-ID"] = f"<signin.{secrets.token_hex(12)}@{domain_of(addr)}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message.as_bytes()
