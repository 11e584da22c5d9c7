"""Render reminders with jinja2: subject, plain text and HTML. Pure (templates are package data).

Templates live in ``calendar_svc/templates/mail/<lang>/`` (``digest.txt``,
``digest.html``, ``event.txt``, ``event.html``). HTML is autoescaped, text is not; every
template runs with ``StrictUndefined``, so a missing value is an error, never a blank.
Vietnamese is the default language, English the alternative.

The context is split in two: a *shared* part built once per digest (or event), lead time
and language, and a *personal* part (name, unsubscribe link) per recipient, so that ten
thousand reminders of one digest compute the digest once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import escape

from calendar_svc.core.counting import format_occurrence_date, is_big, phrase, round_class_label
from calendar_svc.core.labels import LANGS, localized
from calendar_svc.core.model import Occurrence
from calendar_svc.core.policy import CATEGORIES
from calendar_svc.core.recipients import ReminderKind
from calendar_svc.core.schedule import Digest, DigestEntry, entry_of

if TYPE_CHECKING:
    from calendar_svc.directive.annual import AnnualDraft

SUBJECTS: dict[tuple[ReminderKind, str], str] = {
    (ReminderKind.DIGEST, "vi"): "[Nhắc lịch] Định hướng tuyên truyền tháng {month} — hạn {due}",
    (ReminderKind.DIGEST, "en"): "[Reminder] Information directive for {month} — due {due}",
    (ReminderKind.EVENT, "vi"): "[Nhắc lịch] {left}: {text}",
    (ReminderKind.EVENT, "en"): "[Reminder] {left}: {text}",
    (
        ReminderKind.ANNUAL,
        "vi",
    ): "[Nhắc lịch] Hướng dẫn tuyên truyền kỷ niệm năm {year} — hạn {due}",
    (ReminderKind.ANNUAL, "en"): "[Reminder] Commemoration guide for {year} — due {due}",
}


def days_left_label(days: int, lang: str) -> str:
    """Return how long is left, as a reminder's subject says it: "Còn 1 ngày", "Hôm nay"."""
    if lang == "en":
        if days <= 0:
            return "Today"
        return "1 day to go" if days == 1 else f"{days} days to go"
    return "Hôm nay" if days <= 0 else f"Còn {days} ngày"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered reminder."""

    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Return the mail templates' environment (autoescape for .html, StrictUndefined)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("calendar_svc", "templates/mail"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGS)}")
    return lang


def entry_view(entry: DigestEntry, lang: str) -> dict[str, Any]:
    """Return what the templates show of one occurrence."""
    occ = entry.occurrence
    ann = occ.anniversary
    policy = CATEGORIES.get(ann.category)
    scale = policy.scale(occ.round_class) if policy is not None else None
    return {
        "date": format_occurrence_date(occ),
        "lunar": localized(lang, entry.lunar_vi, entry.lunar_en),
        "count": occ.count,
        "round_label": round_class_label(occ.round_class, lang),
        "big": is_big(occ.round_class),
        "name": localized(lang, ann.name_vi, ann.name_en),
        "text": phrase(occ, lang),
        "scope": ann.scope,
        "scale": "" if scale is None else localized(lang, scale.vi, scale.en),
    }


def digest_context(
    digest: Digest, *, days_left: int, lang: str, month_url: str, sender_name: str
) -> dict[str, Any]:
    """Return the shared context of a digest reminder sent ``days_left`` days before its due date.

    The count is the one at the moment of sending, so a reminder sent late (after downtime)
    states the days actually left, not its planned lead.
    """
    lang = _check_lang(lang)
    month, due = digest.month_label, digest.due.strftime("%d/%m/%Y")
    return {
        "lang": lang,
        "kind": ReminderKind.DIGEST.value,
        "subject": SUBJECTS[(ReminderKind.DIGEST, lang)].format(month=month, due=due),
        "org_name": digest.organisation.name,
        "scope": digest.organisation.scope,
        "due_rule": digest.organisation.due.label(lang),
        "month": month,
        "due": due,
        "days_left": max(days_left, 0),
        "entries": [entry_view(e, lang) for e in digest.entries],
        # The line is pasted into a Vietnamese directive, whatever the reader's language.
        "directive_line": digest.line_vi,
        "lookahead": [entry_view(e, lang) for e in digest.lookahead],
        "month_url": month_url,
        "sender_name": sender_name,
    }


def event_context(
    occ: Occurrence, *, days_left: int, lang: str, month_url: str, sender_name: str
) -> dict[str, Any]:
    """Return the shared context of an event reminder sent ``days_left`` days before ``occ``."""
    lang = _check_lang(lang)
    view = entry_view(entry_of(occ), lang)
    left = days_left_label(days_left, lang)
    return {
        "lang": lang,
        "kind": ReminderKind.EVENT.value,
        "subject": SUBJECTS[(ReminderKind.EVENT, lang)].format(left=left, text=view["text"]),
        "event": view,
        "days_left": max(days_left, 0),
        "left": left,
        "month_url": month_url,
        "sender_name": sender_name,
    }


def annual_context(
    draft: AnnualDraft,
    *,
    due: date,
    due_rule: str,
    lang: str,
    month_url: str,
    sender_name: str,
) -> dict[str, Any]:
    """Return the shared context of the annual guide's reminder (the draft is attached).

    The directive entries stay Vietnamese in both languages: they are the text to paste.
    """
    lang = _check_lang(lang)
    due_text = due.strftime("%d/%m/%Y")
    return {
        "lang": lang,
        "kind": ReminderKind.ANNUAL.value,
        "subject": SUBJECTS[(ReminderKind.ANNUAL, lang)].format(year=draft.year, due=due_text),
        "org_name": draft.profile.name,
        "year": draft.year,
        "next_year": draft.next_year,
        "due": due_text,
        "due_rule": due_rule,
        "groups": [(g.number, g.title, len(g.entries)) for g in draft.groups],
        "focus": [e.text for e in draft.focus],
        "lookahead": [e.text for e in draft.lookahead],
        "month_url": month_url,
        "sender_name": sender_name,
    }


#: Stand-ins for the personal values in a :class:`Prototype`. They hold a NUL, which no
#: subscriber name or URL can (names are refused with control characters).
NAME_SLOT = "\x00recipient-name\x00"
URL_SLOT = "\x00unsubscribe-url\x00"


@dataclass(frozen=True, slots=True)
class Prototype:
    """A reminder rendered once with stand-ins for the name and the unsubscribe link.

    :meth:`personalise` puts each recipient's values in, escaped for HTML exactly as
    autoescaping would (``markupsafe.escape``), so it gives what :func:`render` gives for
    that recipient, for the cost of two string replacements instead of two renderings.
    """

    subject: str
    text: str
    html: str

    def personalise(self, *, name: str, unsubscribe_url: str) -> Rendered:
        """Return the reminder for one recipient."""
        html_name, html_url = str(escape(name)), str(escape(unsubscribe_url))
        return Rendered(
            self.subject,
            self.text.replace(NAME_SLOT, name).replace(URL_SLOT, unsubscribe_url),
            self.html.replace(NAME_SLOT, html_name).replace(URL_SLOT, html_url),
        )


def prototype(shared: Mapping[str, Any]) -> Prototype:
    """Render a shared context once, with stand-ins for the personal values.

    Raises:
        ValueError: a template transforms a personal value (a filter on it), so stand-ins
            would not survive; such a template must be rendered per recipient.
    """
    out = render(shared, name=NAME_SLOT, unsubscribe_url=URL_SLOT)
    for part in (out.text, out.html):
        if NAME_SLOT not in part or URL_SLOT not in part:
            raise ValueError("a mail template must show the name and unsubscribe link as is")
    return Prototype(out.subject, out.text, out.html)


def render(shared: Mapping[str, Any], *, name: str, unsubscribe_url: str) -> Rendered:
    """Render a reminder for one recipient from its shared context.

    Raises:
        jinja2.UndefinedError: a template uses a value the context lacks.
    """
    env = environment()
    context = {**shared, "recipient_name": name, "unsubscribe_url": unsubscribe_url}
    folder = f"{shared['lang']}/{shared['kind']}"
    text = env.get_template(f"{folder}.txt").render(context)
    html = env.get_template(f"{folder}.html").render(context)
    return Rendered(str(shared["subject"]), text, html)
