"""iCalendar TEXT values that any stored text can become, escaped so parsers read them back.

The catalog refuses line breaks and control characters in names (CSV import, ``add``,
``edit``), but a feed must stay valid for whatever a store may hold: a row edited by hand
in the database, an older import. RFC 5545 (section 3.3.11) TEXT carries one kind of line
break, written ``\\n``, and no other control character. So, before escaping:

* CR LF, a lone CR and LF each become one line break (LF), which is written ``\\n``;
* every other ASCII control character (U+0000-U+0008, U+000B-U+001F, U+007F) and a lone
  surrogate (which UTF-8 cannot encode) becomes U+FFFD, the replacement character;
  HTAB is allowed and kept.

Then backslash, semicolon and comma are escaped (``\\\\``, ``\\;``, ``\\,``). Any other
text (Vietnamese, emoji, combining marks) is written as it is, in UTF-8; icalendar folds
lines at 75 octets between characters, never inside one.

icalendar 7's own TEXT escaping first turns the two characters ``\\N`` into a line break,
so ``C:\\Nguyen`` would read back as ``C:``, a line break and ``guyen``; :class:`IcsText`
escapes by itself.
"""

from __future__ import annotations

import re

from icalendar.prop import vCategory, vText

#: What TEXT cannot hold: ASCII controls other than HTAB and LF (CR is handled first),
#: and lone surrogates.
_UNREPRESENTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def ics_text(value: str) -> str:
    """Return ``value`` as a TEXT property can carry it (unescaped): what parsers read back.

    Line breaks become LF; other control characters and lone surrogates become U+FFFD.
    Text without them is returned unchanged.
    """
    if value.isprintable():
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return _UNREPRESENTABLE.sub(REPLACEMENT, text)


def escape_text(value: str) -> str:
    """Return the escaped TEXT value of ``value`` (RFC 5545, section 3.3.11)."""
    return (
        ics_text(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


class IcsText(vText):
    """A TEXT value escaped by :func:`escape_text` instead of icalendar's escaping."""

    __slots__ = ()

    def to_ical(self) -> bytes:
        """Return the escaped value as UTF-8."""
        return escape_text(self).encode("utf-8")


def ics_categories(names: list[str]) -> vCategory:
    """Return a CATEGORIES value whose names are escaped as :class:`IcsText`."""
    value = vCategory(names)
    value.cats = [IcsText(name) for name in names]
    return value
