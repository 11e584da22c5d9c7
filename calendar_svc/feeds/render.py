"""Render occurrences as an iCalendar (RFC 5545) document with icalendar.

The output is deterministic: the same occurrences, names and revision give the same bytes.
Nothing here reads the clock or draws random numbers:

* ``UID`` is ``<anniversary id>-<year>@<uid_domain>``, where the year is the occurrence's
  year in the anniversary's own calendar (the lunar year for a lunar anniversary, which can
  fall twice in one solar year), so it is stable per (anniversary, year);
* ``DTSTAMP`` and ``LAST-MODIFIED`` are the anniversary row's own revision
  (``Anniversary.revised_at``; the ``revision`` argument for a row read from no store),
  never the time of rendering: editing one row changes that row's events only;
* events come in the order given (the core sorts by date, then id) and icalendar writes
  properties in its canonical order.

Text (names, sources, descriptions) goes through :mod:`calendar_svc.feeds.text`: any
string a store may hold gives a valid TEXT value that parsers read back exactly (line
breaks as ``\\n``, other control characters replaced).

Every event is all-day: ``DTSTART;VALUE=DATE`` and ``DTEND;VALUE=DATE`` the day after the
occurrence's last day (Outlook drops all-day events without DTEND). An event lasts its
anniversary's ``duration_days`` (one day by default): a month-only or year-only origin is
one day, the 1st of its month or 1 January, with its period in the SUMMARY
(``… (12/1972 - 12/2026)``), never a banner across the month or the year.

References:
    RFC 5545 (iCalendar); RFC 7986 (NAME, REFRESH-INTERVAL); Nghị định 145/2013/NĐ-CP and
    111/2018/NĐ-CP, Kết luận 88-KL/TW for the ceremony scale named in each description.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import icalendar

from calendar_svc.core import lunar
from calendar_svc.core.counting import (
    format_origin,
    phrase,
    round_class_label,
)
from calendar_svc.core.labels import label, localized
from calendar_svc.core.model import Calendar, Occurrence
from calendar_svc.core.policy import CATEGORIES
from calendar_svc.errors import LunarDateError
from calendar_svc.feeds.text import IcsText, ics_categories

PRODID = "-//calendar-svc//Lich ky niem//VI"
#: How often clients should refetch a subscription (RFC 7986 and Microsoft's X- name).
REFRESH = timedelta(days=1)
METHODS = ("PUBLISH", "")


def _lunar_date(occ: Occurrence) -> lunar.LunarDate | None:
    """Return the lunar date of the occurrence's first day, None outside the table."""
    try:
        return lunar.to_lunar(occ.date)
    except LunarDateError:
        return None


def uid_year(occ: Occurrence) -> int:
    """Return the year that identifies an occurrence: the lunar year for a lunar anniversary.

    A lunar anniversary in lunar month 11 or 12 can fall in January and in December of
    the same solar year; its lunar year tells the two apart.
    """
    if occ.anniversary.calendar is Calendar.LUNAR:
        ld = _lunar_date(occ)
        if ld is not None:
            return ld.year
    return occ.date.year


def event_uid(occ: Occurrence, uid_domain: str) -> str:
    """Return the stable UID of an occurrence: ``<anniversary id>-<year>@<uid_domain>``."""
    return f"{occ.anniversary.id}-{uid_year(occ)}@{uid_domain}"


def _lunar_text(occ: Occurrence, lang: str) -> str:
    """Return the lunar date as a summary cites it: ``10/3 âm lịch năm Bính Ngọ``."""
    ld = _lunar_date(occ)
    if ld is None:
        return format_origin(occ.anniversary.origin)
    if lang == "en":
        return ld.label_en()
    leap = " nhuận" if ld.leap else ""
    tail = f" ({label('lunar.estimated')})" if ld.estimated or occ.estimated else ""
    return f"{ld.day}/{ld.month}{leap} âm lịch năm {lunar.can_chi(ld.year)}{tail}"


def event_summary(occ: Occurrence, lang: str = "vi") -> str:
    """Return the SUMMARY of an occurrence.

    A counted occurrence reads like the directive, after "Kỷ niệm":
    ``Kỷ niệm 93 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2023)``.
    An uncounted lunar day gives its name and lunar date
    (``Giỗ Tổ Hùng Vương (10/3 âm lịch năm Bính Ngọ)``), an uncounted solar day its name
    and day (``Ngày Quốc tế Thiếu nhi (01/06)``).
    """
    ann = occ.anniversary
    if occ.count is not None:
        return label("event.commemoration", lang, phrase=phrase(occ, lang))
    name = localized(lang, ann.name_vi, ann.name_en)
    if ann.calendar is Calendar.LUNAR:
        return f"{name} ({_lunar_text(occ, lang)})"
    return f"{name} ({occ.date.day:02d}/{occ.date.month:02d})"


def event_description(occ: Occurrence, lang: str = "vi") -> str:
    """Return the DESCRIPTION: origin, count and round class, the scale it implies, lunar
    date, category, scope and source, one ``Label: value`` a line."""
    ann = occ.anniversary

    def word(key: str) -> str:
        return label(f"event.{key}", lang)

    lines = [f"{word('origin')}: {format_origin(ann.origin)}"]
    if occ.count is not None:
        lines.append(f"{word('count')}: {occ.count} ({round_class_label(occ.round_class, lang)})")
    policy = CATEGORIES.get(ann.category)
    scale = policy.scale(occ.round_class) if policy is not None else None
    if scale is not None and policy is not None:
        basis = f" ({word('basis')}: {policy.basis})" if policy.basis else ""
        lines.append(f"{word('scale')}: {localized(lang, scale.vi, scale.en)}{basis}")
    ld = _lunar_date(occ)
    if ld is not None and occ.precision.value == "day":
        lines.append(f"{word('lunar')}: {ld.label_in(lang)}")
    if occ.estimated and (ld is None or not ld.estimated):
        lines.append(f"({word('estimated')})")
    if ann.duration_days > 1:
        lines.append(label("event.days", lang, n=ann.duration_days))
    if policy is not None:
        lines.append(f"{word('category')}: {localized(lang, policy.name_vi, policy.name_en)}")
    lines.append(f"{word('scope')}: {ann.scope}")
    if ann.source:
        lines.append(f"{word('source')}: {ann.source}")
    return "\n".join(lines)


def event_categories(occ: Occurrence, lang: str = "vi") -> list[str]:
    """Return the CATEGORIES: the category's display name, then the round class if counted."""
    policy = CATEGORIES.get(occ.anniversary.category)
    if policy is None:
        names = [occ.anniversary.category]
    else:
        names = [localized(lang, policy.name_vi, policy.name_en)]
    if occ.round_class is not None:
        names.append(round_class_label(occ.round_class, lang))
    return names


#: When on its day an alarm fires, after the local midnight of an all-day event's day:
#: 08:00, the hour reminders go out, rather than midnight (a bare -P3D).
ALARM_TIME = timedelta(hours=8)


def _stamp(revision: datetime) -> datetime:
    """Return the revision in UTC, whole seconds (iCalendar has no fractions)."""
    if revision.tzinfo is None:
        raise ValueError("revision must be timezone-aware")
    return revision.astimezone(UTC).replace(microsecond=0)


def build_event(
    occ: Occurrence, *, stamp: datetime, lang: str, alarm_days: int, uid_domain: str
) -> icalendar.Event:
    """Return the VEVENT of one occurrence (see the module docstring for the rules)."""
    event = icalendar.Event()
    summary = event_summary(occ, lang)
    event.add("uid", IcsText(event_uid(occ, uid_domain)))
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("dtstart", occ.date)
    event.add("dtend", occ.last_day + timedelta(days=1))
    event.add("summary", IcsText(summary))
    event.add("description", IcsText(event_description(occ, lang)))
    event.add("categories", ics_categories(event_categories(occ, lang)))
    event.add("transp", "TRANSPARENT")
    if alarm_days > 0:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", IcsText(summary))
        # Relative to an all-day start (00:00 local), so it fires at ALARM_TIME local.
        alarm.add("trigger", -timedelta(days=alarm_days) + ALARM_TIME)
        event.add_component(alarm)
    return event


def _check(lang: str, alarm_days: int, method: str, uid_domain: str) -> None:
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    if alarm_days < 0:
        raise ValueError(f"alarm_days must not be negative, not {alarm_days}")
    if method not in METHODS:
        raise ValueError(f"method must be 'PUBLISH' or '' (none), not {method!r}")
    if not uid_domain or any(ch.isspace() or ch == "@" for ch in uid_domain):
        raise ValueError(f"uid_domain {uid_domain!r} is not a host name")


def render_events(
    occurrences: Sequence[Occurrence],
    *,
    revision: datetime,
    lang: str = "vi",
    alarm_days: int = 0,
    uid_domain: str = "calendar-svc",
) -> list[bytes]:
    """Return each occurrence's VEVENT as serialized by icalendar, in order.

    Feeds that share occurrences share these bytes: a calendar is its frame (see
    :func:`calendar_frame`) around the events it keeps.
    """
    _check(lang, alarm_days, "", uid_domain)
    fallback = _stamp(revision)
    return [
        build_event(
            occ,
            stamp=_stamp(occ.anniversary.revised_at) if occ.anniversary.revised_at else fallback,
            lang=lang,
            alarm_days=alarm_days,
            uid_domain=uid_domain,
        ).to_ical()
        for occ in occurrences
    ]


@functools.lru_cache(maxsize=8192)
def calendar_frame(name: str, description: str, method: str = "PUBLISH") -> tuple[bytes, bytes]:
    """Return the VCALENDAR's opening (with its properties) and its closing line.

    ``head + b"".join(events) + tail`` is byte for byte what icalendar writes for the
    whole calendar: a component serializes as its content lines, then each subcomponent's.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("name", IcsText(name))
    cal.add("x-wr-calname", IcsText(name))
    cal.add("description", IcsText(description))
    cal.add("x-wr-caldesc", IcsText(description))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "P1D")
    data = cal.to_ical()
    tail = b"END:VCALENDAR\r\n"
    if not data.endswith(tail):  # pragma: no cover - icalendar always closes with it
        raise RuntimeError("icalendar did not close the calendar as expected")
    return data[: -len(tail)], tail


def render_calendar(
    occurrences: Sequence[Occurrence],
    *,
    name: str,
    description: str,
    revision: datetime,
    lang: str = "vi",
    alarm_days: int = 0,
    method: str = "PUBLISH",
    uid_domain: str = "calendar-svc",
) -> bytes:
    """Render occurrences as one VCALENDAR, one all-day VEVENT per occurrence.

    Args:
        occurrences: What to include, in the order to write them (the core's order).
        name: Calendar name (NAME and X-WR-CALNAME).
        description: Calendar description (DESCRIPTION and X-WR-CALDESC).
        revision: Aware time of the data's last change: the DTSTAMP and LAST-MODIFIED of
            events whose anniversary carries no ``revised_at`` of its own.
        lang: ``vi`` or ``en``, the language of summaries and descriptions.
        alarm_days: Add a display VALARM this many days before each event; 0 adds none
            (Google and Outlook ignore alarms in subscriptions anyway).
        method: ``PUBLISH`` (the default), or ``""`` to leave METHOD out.
        uid_domain: Right-hand side of every UID: the installation's fixed domain
            (:func:`calendar_svc.store.installation.uid_domain`).

    Returns:
        The document as UTF-8 bytes with CRLF line ends, lines folded at 75 octets.

    Raises:
        ValueError: ``revision`` is naive, ``alarm_days`` is negative, ``lang`` or
            ``method`` is not supported, or ``uid_domain`` is empty.
    """
    _check(lang, alarm_days, method, uid_domain)
    head, tail = calendar_frame(name, description, method)
    events = render_events(
        occurrences, revision=revision, lang=lang, alarm_days=alarm_days, uid_domain=uid_domain
    )
    return head + b"".join(events) + tail
