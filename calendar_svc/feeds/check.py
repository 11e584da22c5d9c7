"""Check an iCalendar feed the way strict clients read it, with line numbers.

Reported problems: text that is not UTF-8; lines over 75 octets or not ending in CRLF;
content lines that do not parse; unbalanced BEGIN/END; a VCALENDAR without VERSION or
PRODID; a VEVENT without UID, DTSTAMP or DTEND (Outlook drops all-day events without
DTEND); DTEND not after DTSTART; duplicate UIDs (the same UID and RECURRENCE-ID twice:
one such line is enough for some clients, Nextcloud among them, to drop the
subscription); anything icalendar itself refuses; and, for a URL, a Content-Type other
than ``text/calendar`` or a charset other than UTF-8.
"""

from __future__ import annotations

import contextlib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import icalendar
from icalendar.parser import Contentline
from icalendar.prop import vDDDTypes

from calendar_svc.errors import CalendarSvcError

MAX_OCTETS = 75
MAX_FETCH_BYTES = 64 * 1024 * 1024
FETCH_TIMEOUT = 30.0
_REQUIRED_EVENT = ("UID", "DTSTAMP", "DTEND")


class FeedFetchError(CalendarSvcError):
    """A feed URL could not be fetched."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        self.plain_http = False
        super().__init__(f"không tải được / cannot fetch {url}: {reason}")


class FeedCheckError(CalendarSvcError):
    """A checked feed has problems (they are printed before this error)."""

    def __init__(self, source: str, count: int) -> None:
        self.source = source
        self.count = count
        super().__init__(f"{source}: {count} lỗi / problem(s)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem, at a line (1-based) when it has one."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass(slots=True)
class CheckReport:
    """What a check found."""

    source: str
    events: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether no problem was found."""
        return not self.problems

    def add(self, line: int | None, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(line, message))


@dataclass(slots=True)
class _Component:
    name: str
    line: int
    props: dict[str, tuple[int, dict[str, str], str]] = field(default_factory=dict)


def _physical_lines(data: bytes, report: CheckReport) -> list[tuple[int, str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        report.add(bad_line, f"not UTF-8 (byte 0x{data[exc.start]:02x})")
        text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    raw = text.split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    elif raw:
        report.add(len(raw), "the last line does not end with CRLF")
    lines: list[tuple[int, str]] = []
    bare_lf = 0
    for number, line in enumerate(raw, start=1):
        if line.endswith("\r"):
            line = line[:-1]
        elif number < len(raw) or text.endswith("\n"):
            bare_lf += 1
            if bare_lf == 1:
                report.add(number, "line ends with LF, not CRLF")
        octets = len(line.encode("utf-8"))
        if octets > MAX_OCTETS:
            report.add(number, f"{octets} octets, over the {MAX_OCTETS}-octet line limit")
        lines.append((number, line))
    if bare_lf > 1:
        report.add(None, f"{bare_lf} lines end with LF, not CRLF")
    return lines


def _logical_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for number, line in lines:
        if line[:1] in (" ", "\t") and out:
            first, text = out[-1]
            out[-1] = (first, text + line[1:])
        elif line:
            out.append((number, line))
    return out


def _decode_time(value: str, params: dict[str, str]) -> date | datetime:
    decoded: date | datetime = vDDDTypes.from_ical(value)  # type: ignore[no-untyped-call]
    tzid = params.get("TZID")
    if isinstance(decoded, datetime) and decoded.tzinfo is None and tzid:
        import zoneinfo

        with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
            decoded = decoded.replace(tzinfo=zoneinfo.ZoneInfo(tzid))
    return decoded


def _check_times(comp: _Component, report: CheckReport) -> None:
    start = comp.props.get("DTSTART")
    end = comp.props.get("DTEND")
    if start is None or end is None:
        return
    try:
        begins = _decode_time(start[2], start[1])
        ends = _decode_time(end[2], end[1])
    except (ValueError, TypeError) as exc:
        report.add(end[0], f"DTSTART or DTEND is not a date or date-time: {exc}")
        return
    if isinstance(begins, datetime) != isinstance(ends, datetime):
        report.add(end[0], "DTEND and DTSTART are of different value types (DATE, DATE-TIME)")
        return
    try:
        after = ends > begins
    except TypeError:
        report.add(end[0], "DTEND and DTSTART mix floating and zoned times")
        return
    if not after:
        report.add(end[0], f"DTEND {end[2]} is not after DTSTART {start[2]}")


def _close_event(comp: _Component, report: CheckReport, uids: dict[tuple[str, str], int]) -> None:
    report.events += 1
    for name in _REQUIRED_EVENT:
        if name not in comp.props:
            hint = " (DURATION only; Outlook needs DTEND)" if name == "DTEND" else ""
            if name == "DTEND" and "DURATION" not in comp.props:
                hint = ""
            report.add(comp.line, f"VEVENT without {name}{hint}")
    _check_times(comp, report)
    uid = comp.props.get("UID")
    if uid is not None:
        recurrence = comp.props.get("RECURRENCE-ID")
        key = (uid[2], recurrence[2] if recurrence else "")
        if key in uids:
            report.add(uid[0], f"duplicate UID {uid[2]} (first at line {uids[key]})")
        else:
            uids[key] = uid[0]


def _scan(lines: list[tuple[int, str]], report: CheckReport) -> None:
    stack: list[_Component] = []
    uids: dict[tuple[str, str], int] = {}
    calendars = 0
    for number, line in lines:
        try:
            name, params, value = Contentline(line).parts()  # type: ignore[no-untyped-call]
        except (ValueError, TypeError) as exc:
            report.add(number, f"not a valid content line: {exc}")
            continue
        name = name.upper()
        if name == "BEGIN":
            stack.append(_Component(value.upper(), number))
            calendars += value.upper() == "VCALENDAR" and len(stack) == 1
            continue
        if name == "END":
            if not stack or stack[-1].name != value.upper():
                opened = stack[-1].name if stack else "nothing"
                report.add(number, f"END:{value} closes {opened}")
                continue
            comp = stack.pop()
            if comp.name == "VEVENT":
                _close_event(comp, report, uids)
            elif comp.name == "VCALENDAR":
                for required in ("VERSION", "PRODID"):
                    if required not in comp.props:
                        report.add(comp.line, f"VCALENDAR without {required}")
            continue
        if not stack:
            report.add(number, f"{name} outside any component")
            continue
        stack[-1].props.setdefault(
            name, (number, {k.upper(): str(v) for k, v in params.items()}, value)
        )
    for comp in stack:
        report.add(comp.line, f"BEGIN:{comp.name} is never closed")
    if calendars == 0:
        report.add(None, "no VCALENDAR")


def looks_like_html(data: bytes) -> bool:
    """Return whether ``data`` is a web page rather than a calendar."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")) and (
        b"begin:vcalendar" not in data[:65536].lower()
    )


#: The one problem reported for a web page given as a feed.
NOT_A_CALENDAR = (
    "đây là trang web (HTML), không phải lịch / this is a web page (HTML), not a calendar: "
    "check the address (a feed ends in .ics)"
)


def check_bytes(data: bytes, source: str) -> CheckReport:
    """Check a feed's bytes; ``source`` names it in the report.

    A web page is one problem (it is not a calendar), not a problem per line of HTML.
    """
    report = CheckReport(source)
    if not data.strip():
        report.add(None, "the feed is empty")
        return report
    if looks_like_html(data):
        report.add(None, NOT_A_CALENDAR)
        return report
    lines = _physical_lines(data, report)
    _scan(_logical_lines(lines), report)
    try:
        icalendar.Calendar.from_ical(data)
    except Exception as exc:
        report.add(None, f"icalendar cannot parse it: {exc}")
    return report


def _content_type_problems(header: str | None, report: CheckReport) -> None:
    if not header:
        report.add(None, "no Content-Type header (want text/calendar; charset=utf-8)")
        return
    msg = Message()
    msg["content-type"] = header
    if msg.get_content_type() != "text/calendar":
        report.add(None, f"Content-Type is {header!r}, not text/calendar")
    charset = msg.get_param("charset")
    if isinstance(charset, str) and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        report.add(None, f"Content-Type charset is {charset!r}, not utf-8")


def fetch(url: str, *, timeout: float = FETCH_TIMEOUT) -> tuple[bytes, str | None]:
    """Fetch a feed URL; return body and type.

    ``webcal://`` is fetched as ``https://``, and as ``http://`` when the server does not
    speak TLS there (as calendar clients do).

    Raises:
        FeedFetchError: the server cannot be reached or answers with an error status.
    """
    if url.lower().startswith("webcal://"):
        rest = url[len("webcal://") :]
        try:
            return _fetch("https://" + rest, timeout)
        except FeedFetchError as exc:
            if not exc.plain_http:
                raise
        return _fetch("http://" + rest, timeout)
    return _fetch(url, timeout)


def _fetch(url: str, timeout: float) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"User-Agent": "calendar-svc feeds check"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: bytes = response.read(MAX_FETCH_BYTES + 1)
            headers: Any = response.headers
    except urllib.error.HTTPError as exc:
        raise FeedFetchError(url, f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        error = FeedFetchError(url, str(reason))
        # A TLS handshake answered in plain HTTP: the server speaks http on that port.
        error.plain_http = isinstance(reason, ssl.SSLError) and "WRONG_VERSION_NUMBER" in str(
            reason
        ).upper().replace(" ", "_")
        raise error from exc
    if len(body) > MAX_FETCH_BYTES:
        raise FeedFetchError(url, f"larger than {MAX_FETCH_BYTES} bytes")
    return body, headers.get("Content-Type")


def is_url(target: str) -> bool:
    """Return whether ``target`` is an http, https or webcal URL."""
    return target.lower().startswith(("http://", "https://", "webcal://"))


def check_target(target: str) -> CheckReport:
    """Check a file or a URL (whose Content-Type is checked too).

    Raises:
        FeedFetchError: a URL cannot be fetched.
        CalendarSvcError: a file cannot be read.
    """
    if is_url(target):
        body, content_type = fetch(target)
        report = check_bytes(body, target)
        if not looks_like_html(body):
            _content_type_problems(content_type, report)
        return report
    try:
        data = Path(target).read_bytes()
    except OSError as exc:
        raise CalendarSvcError(
            f"không đọc được / cannot read {target}: {exc.strerror or exc}"
        ) from exc
    return check_bytes(data, target)
