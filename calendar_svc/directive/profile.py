"""An organisation's directive profile: who issues the draft, to whom, who signs, how it reads.

An organisation record stores only what differs from the defaults
(:class:`~calendar_svc.core.directive_settings.DirectiveSettings`, every field
optional). :func:`build_profile` derives the rest from the organisation's name, the way
the bodies themselves write their headers:

* "Ban Tuyên giáo Thành ủy Cẩm Phả" splits at its party committee ("Thành ủy") into the
  issuing body "BAN TUYÊN GIÁO" and the body above it, "THÀNH ỦY CẨM PHẢ";
* the document code is "CV/" + the issuing body's initials + the committee's code
  ("CV/BTGTU"), the place is what follows the committee ("Cẩm Phả");
* recipients, the distribution list and the signature follow Công văn 581-CV/BTGTU
  (Cẩm Phả, 02/02/2023), the reference directive, with the committee's level words.

Pure: stdlib only, no I/O.

References:
    Hướng dẫn 36-HD/VPTW (2018) on the party's documents: the party committee above the
    issuing body, "ĐẢNG CỘNG SẢN VIỆT NAM", the number "Số …-CV/…".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from calendar_svc.core.directive_settings import (
    DEFAULT_LOOKAHEAD_MONTHS,
    MAX_LOOKAHEAD_MONTHS,
    DirectiveSettings,
    ProfileError,
)

__all__ = [
    "COMMITTEES",
    "DEFAULT_LOOKAHEAD_MONTHS",
    "MAX_LOOKAHEAD_MONTHS",
    "Committee",
    "DirectiveProfile",
    "DirectiveSettings",
    "ProfileError",
    "build_profile",
    "initials",
    "split_name",
]

#: Signature lines of the reference directive (a deputy head signs for the head).
DEFAULT_SIGNER_LINES = ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")


@dataclass(frozen=True, slots=True)
class Committee:
    """A party committee as its name is written, and what it implies for the directive.

    Attributes:
        words: how the committee is written in the organisation's name ("Thành ủy").
        locality: how the text names its area ("Thành phố": "trên địa bàn Thành phố").
        code: the committee's letters in the document code ("TU" in "CV/BTGTU").
        higher: the committee above it ("Tỉnh ủy"), None at the top.
    """

    words: str
    locality: str
    code: str
    higher: str | None


#: Committees recognised in organisation names, checked in this order.
COMMITTEES: tuple[Committee, ...] = (
    Committee("Tỉnh ủy", "Tỉnh", "TU", "Trung ương"),
    Committee("Thành ủy", "Thành phố", "TU", "Tỉnh ủy"),
    Committee("Huyện ủy", "Huyện", "HU", "Tỉnh ủy"),
    Committee("Quận ủy", "Quận", "QU", "Thành ủy"),
    Committee("Thị ủy", "Thị xã", "TU", "Tỉnh ủy"),
    Committee("Đảng ủy", "Xã", "ĐU", "Tỉnh ủy"),
    Committee("Trung ương", "cả nước", "TW", None),
)

#: Words that a document code leaves out of the initials ("Ban Tuyên giáo và Dân vận" → BTGDV).
_LINK_WORDS = frozenset({"và", "của"})


def _committee_pattern(words: str) -> re.Pattern[str]:
    """Match a committee's words in either tone placement ("ủy" or "uỷ"), any case."""
    escaped = re.escape(words).replace("ủy", "(?:ủy|uỷ)")
    return re.compile(rf"(?<!\w){escaped}(?!\w)", re.IGNORECASE)


_PATTERNS = tuple((c, _committee_pattern(c.words)) for c in COMMITTEES)

_SCOPE_NAME_PREFIXES = ("Thành phố ", "Tỉnh ", "Huyện ", "Thị xã ", "Quận ", "Phường ", "Xã ")


@dataclass(frozen=True, slots=True)
class DirectiveProfile:
    """Everything the draft says about the organisation that issues it.

    Attributes:
        org_id: the organisation's id (``cam-pha``).
        name: its full name ("Ban Tuyên giáo Thành ủy Cẩm Phả").
        scope: the scope whose anniversaries it lists (``city:cam-pha``).
        parent_body: the body above the issuer, as the header writes it.
        issuing_body: the issuer, as the header writes it.
        short_name: how the text names the issuer ("Ban Tuyên giáo Thành ủy").
        higher_body: whose monthly briefing the directive implements
            ("Ban Tuyên giáo Tỉnh ủy"); empty when unknown.
        locality: how the text names its area ("Thành phố").
        doc_code: the number's code ("CV/BTGTU").
        place: the place in the date line ("Cẩm Phả").
        recipients: the "Kính gửi" lines.
        distribution: the "Nơi nhận" lines; "(báo cáo)" is set in italics.
        signer_lines: the signature's authority and title lines.
        signer_name: who signs; empty leaves a space to fill.
        round_first: put năm tròn and năm lẻ 5 first rather than mark them in date order.
        lookahead_months: months the look-ahead covers (0: no look-ahead item).
        attach_docx: attach the .docx draft to the reminder digest.
        templates: a directory whose templates replace the bundled ones, or None.
    """

    org_id: str
    name: str
    scope: str
    parent_body: str
    issuing_body: str
    short_name: str
    higher_body: str
    locality: str
    doc_code: str
    place: str
    recipients: tuple[str, ...]
    distribution: tuple[str, ...]
    signer_lines: tuple[str, ...]
    signer_name: str = ""
    round_first: bool = False
    lookahead_months: int = DEFAULT_LOOKAHEAD_MONTHS
    attach_docx: bool = False
    templates: str | None = None
    settings: DirectiveSettings = field(default_factory=DirectiveSettings)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ProfileError("the organisation's name is empty")
        if not self.recipients:
            raise ProfileError("a directive needs at least one recipient ('Kính gửi')")
        if not self.signer_lines:
            raise ProfileError("a directive needs a signature line")
        if not 0 <= self.lookahead_months <= MAX_LOOKAHEAD_MONTHS:
            raise ProfileError(
                f"lookahead_months must be 0-{MAX_LOOKAHEAD_MONTHS}, not {self.lookahead_months}"
            )


@dataclass(frozen=True, slots=True)
class _NameParts:
    issuing: str
    parent: str
    committee: Committee | None
    place: str


def split_name(name: str) -> tuple[str, str, Committee | None, str]:
    """Split an organisation's name at its party committee.

    Returns:
        ``(issuing body, parent body, committee, place)`` as written in the name:
        "Ban Tuyên giáo Thành ủy Cẩm Phả" gives ``("Ban Tuyên giáo", "Thành ủy Cẩm Phả",
        <Thành ủy>, "Cẩm Phả")``. Without a known committee the whole name is the
        issuing body and the others are empty.
    """
    parts = _split(name)
    return parts.issuing, parts.parent, parts.committee, parts.place


def _split(name: str) -> _NameParts:
    text = " ".join(name.split())
    best: tuple[int, Committee, re.Match[str]] | None = None
    for committee, pattern in _PATTERNS:
        match = pattern.search(text)
        if match is not None and match.start() > 0 and (best is None or match.start() < best[0]):
            best = (match.start(), committee, match)
    if best is None:
        return _NameParts(text, "", None, "")
    start, committee, match = best
    issuing = text[:start].strip()
    parent = text[start:].strip()
    place = text[match.end() :].strip()
    if committee.code == "ĐU":
        level, _, rest = place.partition(" ")
        if level.lower() in {"xã", "phường"}:
            committee = replace(committee, locality=level.capitalize())
            place = rest.strip()
    if committee.code == "TW":
        parent = "Ban Chấp hành Trung ương"
        place = "Hà Nội"
    return _NameParts(issuing, parent, committee, place)


def initials(words: str) -> str:
    """Return the upper-case initials of a body's name: "Ban Tuyên giáo" → "BTG".

    A symbol carries no tone or vowel marks (Hướng dẫn 36-HD/VPTW): "Ủy ban" → "UB";
    Đ stays Đ, as in "ĐU".
    """
    letters = "".join(w[0].upper() for w in words.split() if w.lower() not in _LINK_WORDS)
    return symbol_letters(letters)


def symbol_letters(text: str) -> str:
    """Return ``text`` without tone and vowel marks, keeping Đ: "ĐỦ" → "ĐU"."""
    out = []
    for ch in text:
        if ch in "Đđ":
            out.append(ch)
            continue
        out.append(unicodedata.normalize("NFD", ch)[0])
    return "".join(out)


#: Signature of a directive a party committee issues itself (on behalf of its standing body).
COMMITTEE_SIGNER_LINES = {
    "ĐU": ("T/M ĐẢNG ỦY", "BÍ THƯ"),
    "TU": ("T/M BAN THƯỜNG VỤ", "BÍ THƯ"),
}


def _committee_issued(name: str) -> tuple[Committee, str] | None:
    """Return (committee, place) when the committee itself issues: "Đảng ủy phường Cửa Ông"."""
    text = " ".join(name.split())
    for committee, pattern in _PATTERNS:
        match = pattern.match(text)
        if match is not None and committee.code != "TW":
            return committee, text[match.end() :].strip()
    return None


def place_from_scope_name(scope_name: str) -> str:
    """Return a scope's place name without its level: "Thành phố Cẩm Phả" → "Cẩm Phả"."""
    for prefix in _SCOPE_NAME_PREFIXES:
        if scope_name.startswith(prefix):
            return scope_name[len(prefix) :].strip()
    return scope_name.strip()


def default_recipients(committee: Committee | None) -> tuple[str, ...]:
    """Return the "Kính gửi" lines of the reference directive for a committee's level."""
    if committee is None:
        return ("Các cơ quan, đơn vị liên quan",)
    area, body = committee.locality, committee.words
    return (
        f"Ủy ban nhân dân {area}",
        f"Ủy ban MTTQ và các tổ chức CT-XH {area}",
        f"Các chi, đảng bộ trực thuộc {body}",
        f"Các Ban xây dựng Đảng, Văn phòng {body}",
        f"Các đồng chí báo cáo viên {area}",
    )


def default_distribution(
    issuing: str, committee: Committee | None, higher_body: str
) -> tuple[str, ...]:
    """Return the "Nơi nhận" lines of the reference directive."""
    lines: list[str] = []
    if higher_body:
        lines.append(f"{higher_body} (báo cáo)")
    if committee is not None and committee.higher is not None:
        lines.append(f"Thường trực {committee.words} (báo cáo)")
    lines.append("Như trên")
    short = initials(issuing)
    lines.append(f"Lưu {short}" if short else "Lưu")
    return tuple(lines)


def build_profile(
    org_id: str,
    name: str,
    scope: str,
    settings: DirectiveSettings | None = None,
    *,
    scope_name: str = "",
    party_above: str = "",
) -> DirectiveProfile:
    """Return the directive profile of an organisation: its settings over derived defaults.

    A party committee that issues the directive itself ("Đảng ủy phường Cửa Ông", "Đảng
    ủy Khối các cơ quan tỉnh Quảng Ninh") is headed by the party organisation above it
    and itself ("ĐẢNG BỘ TỈNH QUẢNG NINH" / "ĐẢNG ỦY PHƯỜNG CỬA ÔNG"), numbered
    "CV/ĐU" and signed on behalf of the committee by its secretary (Hướng dẫn
    36-HD/VPTW); a body of a committee ("Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh")
    is headed by the committee and itself and numbered with both ("CV/BTGDVTU").

    Args:
        org_id: the organisation's id.
        name: its full name, e.g. "Ban Tuyên giáo Thành ủy Cẩm Phả".
        scope: the scope whose anniversaries it lists.
        settings: what its record overrides.
        scope_name: the scope's Vietnamese name, used for the place when the name has no
            committee ("Thành phố Cẩm Phả" → "Cẩm Phả").
        party_above: the party organisation above a committee that issues itself
            ("Đảng bộ tỉnh Quảng Ninh"), from the scope's province.

    Raises:
        ProfileError: the result is not a usable profile (no recipients, bad horizon).
    """
    s = settings or DirectiveSettings()
    issued = _committee_issued(name)
    if issued is not None:
        return _committee_profile(org_id, name, scope, s, issued, party_above=party_above)
    parts = _split(name)
    committee = parts.committee
    issuing = parts.issuing
    higher = ""
    if committee is not None and committee.higher is not None:
        higher = f"{issuing} {committee.higher}"
    short_name = f"{issuing} {committee.words}" if committee is not None else issuing
    code = f"CV/{initials(issuing)}{committee.code if committee else ''}"
    place = parts.place or place_from_scope_name(scope_name)
    return DirectiveProfile(
        org_id=org_id,
        name=" ".join(name.split()),
        scope=scope,
        parent_body=s.parent_body or parts.parent.upper(),
        issuing_body=s.issuing_body or issuing.upper(),
        short_name=short_name,
        higher_body=higher,
        locality=committee.locality if committee is not None else "",
        doc_code=s.doc_code or code,
        place=s.place or place,
        recipients=s.recipients or default_recipients(committee),
        distribution=s.distribution or default_distribution(issuing, committee, higher),
        signer_lines=s.signer_lines or DEFAULT_SIGNER_LINES,
        signer_name=s.signer_name or "",
        round_first=bool(s.round_first),
        lookahead_months=(
            DEFAULT_LOOKAHEAD_MONTHS if s.lookahead_months is None else s.lookahead_months
        ),
        attach_docx=bool(s.attach_docx),
        templates=s.templates,
        settings=s,
    )


def _committee_profile(
    org_id: str,
    name: str,
    scope: str,
    s: DirectiveSettings,
    issued: tuple[Committee, str],
    *,
    party_above: str,
) -> DirectiveProfile:
    committee, rest = issued
    level, _, place = rest.partition(" ")
    locality = committee.locality
    if committee.code == "ĐU" and level.lower() in {"xã", "phường", "đặc"}:
        locality = {"xã": "xã", "phường": "phường", "đặc": "đặc khu"}[level.lower()]
        place = place.removeprefix("khu ").strip() if level.lower() == "đặc" else place
    elif committee.code == "ĐU":
        locality, place = "đơn vị", ""
    else:
        place = rest
    code = committee.code
    if committee.code == "ĐU" and level.lower() == "khối":
        code = "ĐUK"
    above_type, _, above_place = party_above.removeprefix("Đảng bộ ").partition(" ")
    if not place:
        place = above_place.removeprefix("phố ").strip()
    full = " ".join(name.split())
    short = committee.words
    recipients: tuple[str, ...] = (
        f"Các chi bộ, đảng bộ trực thuộc {short}",
        f"Các đồng chí Ủy viên Ban Chấp hành {short}",
    )
    if committee.code == "ĐU" and locality in ("xã", "phường", "đặc khu"):
        recipients = (
            f"Ủy ban nhân dân {locality}",
            f"Ủy ban MTTQ Việt Nam và các tổ chức chính trị - xã hội {locality}",
            *recipients,
        )
    above_committee = {"tỉnh": "Tỉnh ủy", "thành": "Thành ủy"}.get(above_type.lower(), "")
    if above_committee == "Thành ủy":
        above_place = above_place.removeprefix("phố ").strip()
    report = f"Ban Thường vụ {above_committee} {above_place} (báo cáo)" if above_committee else ""
    distribution = (
        *((report,) if report else ()),
        "Như trên",
        f"Lưu Văn phòng {short}",
    )
    return DirectiveProfile(
        org_id=org_id,
        name=full,
        scope=scope,
        parent_body=s.parent_body or party_above.upper(),
        issuing_body=s.issuing_body or full.upper(),
        short_name=short,
        higher_body="",
        locality=locality,
        doc_code=s.doc_code or f"CV/{code}",
        place=s.place or place,
        recipients=s.recipients or recipients,
        distribution=s.distribution or distribution,
        signer_lines=s.signer_lines
        or COMMITTEE_SIGNER_LINES.get(committee.code, DEFAULT_SIGNER_LINES),
        signer_name=s.signer_name or "",
        round_first=bool(s.round_first),
        lookahead_months=(
            DEFAULT_LOOKAHEAD_MONTHS if s.lookahead_months is None else s.lookahead_months
        ),
        attach_docx=bool(s.attach_docx),
        templates=s.templates,
        settings=s,
    )
