"""The mails of self-subscription: the confirmation link and the "my subscriptions" link.

Rendering is pure (:func:`render_link_mail`), with the reminders' template environment:
``templates/mail/subscribe_link.{txt,html}`` hold the parts of each language
(``<lang>/_subscribe_confirm`` and ``_subscribe_manage``; the HTML autoescaped).
:func:`build_link_mail` makes the MIME message with the stdlib (``policy.SMTP``: CRLF,
RFC 2047 for non-ASCII text); every value that reaches a header is refused if it holds a
line break or NUL, and the recipient must be a plain address. Sending is
:func:`send_link_mail`, one message on its own connection (these mails are few and are
sent off the request path).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from calendar_svc.core.recipients import EMAIL_RE
from calendar_svc.mail.content import DEFAULT_SENDER_NAME, Outgoing
from calendar_svc.mail.message import HeaderInjectionError, domain_of
from calendar_svc.mail.render import Rendered, environment
from calendar_svc.mail.send import SmtpPool, SmtpSettings, Verdict
from calendar_svc.web.subscribe_texts import MAIL_SUBJECTS, subscribe_texts

log = logging.getLogger(__name__)


def render_link_mail(
    kind: str, lang: str, *, link: str, email: str, organisation: str = ""
) -> Rendered:
    """Return the mail that carries ``link`` (``kind`` ``confirm`` or ``manage``).

    Vietnamese first and English second in one mail, or English alone when the form was
    in English (``lang`` ``en``).
    """
    langs = ["en"] if lang == "en" else ["vi", "en"]
    subject = MAIL_SUBJECTS[(kind, langs[0])]
    context = {
        "kind": kind,
        "langs": langs,
        "link": link,
        "email": email,
        "organisation": organisation,
        "subject": subject,
        "texts": {code: subscribe_texts(code) for code in ("vi", "en")},
    }
    env = environment()
    return Rendered(
        subject=subject,
        text=env.get_template("subscribe_link.txt").render(context),
        html=env.get_template("subscribe_link.html").render(context),
    )


def _header(field: str, value: str) -> str:
    if "\r" in value or "\n" in value or "\x00" in value:
        raise HeaderInjectionError(field, value)
    return value


def build_link_mail(
    mail: Rendered, *, sender: str, recipient: str, now: datetime, lang: str
) -> Outgoing:
    """Return the message ready for SMTP.

    Args:
        mail: What :func:`render_link_mail` gave.
        sender: ``smtp.from`` (``Name <addr>`` or ``addr``).
        recipient: The address the link is for.
        now: The Date header.
        lang: The Content-Language.

    Raises:
        HeaderInjectionError: a header value holds CR, LF or NUL.
        ValueError: the recipient is not a plain address.
    """
    _header("To", recipient)
    if not EMAIL_RE.match(recipient):
        raise ValueError(f"header To: {recipient!r} is not a plain ASCII address")
    name, addr = parseaddr(_header("From", sender))
    addr = addr or sender
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = f"{_header('From', name or DEFAULT_SENDER_NAME)} <{addr}>"
    msg["To"] = recipient
    msg["Subject"] = _header("Subject", mail.subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=domain_of(addr))
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.text, charset="utf-8")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8")
    msg["Content-Language"] = lang  # after: making the alternative moves Content-* down
    return Outgoing(
        row_id=0,
        message_id=str(msg["Message-ID"]),
        sender=addr,
        recipient=recipient,
        data=msg.as_bytes(),
    )


async def send_link_mail(settings: SmtpSettings, message: Outgoing) -> bool:
    """Send one message; log and return False when the server did not take it."""
    async with SmtpPool(replace(settings, concurrency=1)) as pool:
        delivery = await pool.send(message)
    if delivery.verdict is not Verdict.SENT:
        log.warning("link mail %s not sent: %s", message.message_id, delivery.reason)
        return False
    return True
