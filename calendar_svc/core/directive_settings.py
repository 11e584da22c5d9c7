"""What an organisation's record says about its monthly directive: only what it overrides.

Every field is optional; None means "derive it" (see
:func:`calendar_svc.directive.profile.build_profile`). The settings live on the
organisation record (:class:`calendar_svc.core.recipients.Organisation`), stored as one
JSON object (:meth:`DirectiveSettings.to_json`), and are validated on the way in and out.

Pure: stdlib only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from calendar_svc.errors import CalendarSvcError

#: Longest look-ahead, in months.
MAX_LOOKAHEAD_MONTHS = 12

#: Default look-ahead, in months after the directive's month.
DEFAULT_LOOKAHEAD_MONTHS = 3


class ProfileError(CalendarSvcError, ValueError):
    """A directive setting is not valid; the message names the setting."""


@dataclass(frozen=True, slots=True)
class DirectiveSettings:
    """What an organisation record overrides; None (or empty) means "derive it".

    Attributes:
        parent_body: the body above the issuer, upper case ("THÀNH ỦY CẨM PHẢ").
        issuing_body: the issuer, upper case ("BAN TUYÊN GIÁO").
        doc_code: the number's code ("CV/BTGTU").
        place: where the document is issued ("Cẩm Phả").
        recipients: the "Kính gửi" lines.
        distribution: the "Nơi nhận" lines.
        signer_lines: the signature's authority and title lines.
        signer_name: who signs.
        round_first: put năm tròn and năm lẻ 5 first instead of marking them in date order.
        lookahead_months: months after the directive's month that the look-ahead covers.
        attach_docx: attach the .docx draft to the reminder digest.
        templates: a directory of jinja2 templates that replace the bundled ones.
    """

    parent_body: str | None = None
    issuing_body: str | None = None
    doc_code: str | None = None
    place: str | None = None
    recipients: tuple[str, ...] | None = None
    distribution: tuple[str, ...] | None = None
    signer_lines: tuple[str, ...] | None = None
    signer_name: str | None = None
    round_first: bool | None = None
    lookahead_months: int | None = None
    attach_docx: bool | None = None
    templates: str | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str) and not value.strip():
                raise ProfileError(f"directive setting '{f.name}' is empty")
            if isinstance(value, tuple) and not all(
                isinstance(v, str) and v.strip() for v in value
            ):
                raise ProfileError(f"directive setting '{f.name}' has an empty line")
        months = self.lookahead_months
        if months is not None and not 0 <= months <= MAX_LOOKAHEAD_MONTHS:
            raise ProfileError(
                f"directive setting 'lookahead_months' must be 0-{MAX_LOOKAHEAD_MONTHS}, "
                f"not {months}"
            )

    def merged(self, other: DirectiveSettings) -> DirectiveSettings:
        """Return these settings with every field that ``other`` sets replaced."""
        changes = {
            f.name: getattr(other, f.name)
            for f in fields(other)
            if getattr(other, f.name) is not None
        }
        return replace(self, **changes)

    def to_json(self) -> str:
        """Return the set fields as a JSON object (the organisation record's column)."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                data[f.name] = list(value) if isinstance(value, tuple) else value
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> DirectiveSettings:
        """Read settings written by :meth:`to_json`; empty text gives no overrides.

        Raises:
            ProfileError: the text is not a JSON object of known, well-typed settings.
        """
        if text is None or not text.strip():
            return cls()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProfileError(f"directive settings are not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ProfileError("directive settings must be a JSON object")
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> DirectiveSettings:
        """Build settings from plain values (lists for line lists).

        Raises:
            ProfileError: a key is unknown or a value has the wrong type.
        """
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ProfileError(f"unknown directive setting '{key}' (known: {', '.join(known)})")
            values[key] = _typed(key, value)
        return cls(**values)


_LINE_LISTS = frozenset({"recipients", "distribution", "signer_lines"})
_FLAGS = frozenset({"round_first", "attach_docx"})


def _typed(key: str, value: Any) -> Any:
    """Check one stored value's type; return it as the dataclass holds it."""
    if value is None:
        return None
    if key in _LINE_LISTS:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ProfileError(f"directive setting '{key}' must be a list of lines")
        return tuple(value)
    if key in _FLAGS:
        if not isinstance(value, bool):
            raise ProfileError(f"directive setting '{key}' must be true or false")
        return value
    if key == "lookahead_months":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProfileError(f"directive setting '{key}' must be a whole number")
        return value
    if not isinstance(value, str):
        raise ProfileError(f"directive setting '{key}' must be text")
    return value
