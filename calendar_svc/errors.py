"""One exception tree for calendar_svc; each exception builds its own message.

The module is pure (stdlib only) so the core may raise these too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class CalendarSvcError(Exception):
    """Base of every error that is the user's to fix; the CLI prints it as one line."""


class ConfigError(CalendarSvcError):
    """A configuration value is wrong; ``problems`` lists every one found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class DataError(CalendarSvcError):
    """Anniversary data is invalid."""


class UnknownNameError(DataError, LookupError):
    """A name (a scope, a category) that is not defined; the message lists the known ones.

    ``detail`` is the English part alone, for messages that name their place otherwise
    (a CSV column).
    """

    what_vi = "tên"
    what_en = "name"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(known)
        self.detail = f"unknown {self.what_en} {name!r} (known: {', '.join(self.known)})"
        super().__init__(f"{self.what_vi} không có / {self.detail}")


class UnknownScopeError(UnknownNameError):
    """No scope has that id."""

    what_vi = "phạm vi"
    what_en = "scope"


class UnknownCategoryError(UnknownNameError):
    """No category has that slug."""

    what_vi = "loại"
    what_en = "category"


@dataclass(frozen=True)
class RowProblem:
    """One problem in one row of a CSV file (or one field of a command)."""

    source: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        if self.column is not None:
            return f"{where}: column '{self.column}': {self.message}"
        return f"{where}: {self.message}"


MAX_LISTED_PROBLEMS = 20


class CsvImportError(DataError):
    """Every problem found in a file; nothing was written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = list(problems)
        shown = [str(p) for p in self.problems[:MAX_LISTED_PROBLEMS]]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            shown.append(f"… và {rest} lỗi khác / and {rest} more")
        super().__init__("\n".join(shown))


class LunarDateError(CalendarSvcError, ValueError):
    """A lunar date does not exist or is out of the supported range."""


#: English names of the record kinds that errors name in Vietnamese.
KIND_EN: dict[str, str] = {
    "ngày kỷ niệm": "anniversary",
    "tổ chức": "organisation",
    "người nhận": "subscriber",
    "dòng hàng đợi": "outbox row",
}


#: The command that changes a record of each kind.
EDIT_COMMANDS: dict[str, str] = {
    "ngày kỷ niệm": "calendar-svc edit",
    "tổ chức": "calendar-svc org edit",
    "người nhận": "calendar-svc subscribers edit",
}


def _kind_en(kind: str) -> str:
    return KIND_EN.get(kind, kind)


class NotFoundError(CalendarSvcError, LookupError):
    """A named record does not exist."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"không tìm thấy {kind} '{key}' / no {_kind_en(kind)} '{key}'")


class AlreadyExistsError(CalendarSvcError):
    """A record with that key exists already."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        edit = EDIT_COMMANDS.get(kind, "edit")
        super().__init__(
            f"{kind} '{key}' đã có / {_kind_en(kind)} '{key}' already exists "
            f"(use '{edit}' to change it)"
        )


class DeliveryError(CalendarSvcError):
    """A message could not be delivered."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        self.reason = reason
        self.permanent = permanent
        super().__init__(reason)
