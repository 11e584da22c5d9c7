"""Spreadsheet formula injection (the OWASP "CSV Injection" list), for CSV in and out.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and
one that starts with a tab or a line break after dropping it. Free-text cells that
start so are refused on import; on export (data stored before the check, or the listing's
CSV) such a cell is written with a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

#: First characters that make a spreadsheet cell a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def looks_like_formula(value: str) -> bool:
    """Return whether a spreadsheet would read ``value`` as a formula."""
    return value.startswith(FORMULA_START)


def neutralised(value: str) -> str:
    """Return ``value`` as a spreadsheet shows it as text: ``'`` before a formula start.

    A carriage return inside becomes a line feed: the csv module quotes a cell holding
    the line terminator (LF) but not a lone CR, which readers take for the end of a row.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return f"'{value}" if looks_like_formula(value) else value
