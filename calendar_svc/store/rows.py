"""Map ``anniversaries`` rows to :class:`~calendar_svc.core.model.Anniversary` and back.

Both store implementations share these functions, so this module stays pure: it takes
plain column values (as the stdlib ``sqlite3`` module or SQLAlchemy return them) and never
imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from calendar_svc.core.model import Anniversary, Calendar, DateForm, Origin
from calendar_svc.rowfields import COLUMNS as CSV_COLUMNS
from calendar_svc.store.errors import StoredRowError

#: The columns of ``anniversaries`` in the order :func:`anniversary_from_row` reads them:
#: the CSV columns, with the origin's year, month and day after it (for the month index).
_AFTER_ORIGIN = CSV_COLUMNS.index("origin") + 1
COLUMNS: tuple[str, ...] = (
    *CSV_COLUMNS[:_AFTER_ORIGIN],
    *("origin_year", "origin_month", "origin_day"),
    *CSV_COLUMNS[_AFTER_ORIGIN:],
)

#: What the stores select: :data:`COLUMNS`, then the row's own revision.
READ_COLUMNS: tuple[str, ...] = (*COLUMNS, "revised_at")

_ONE_MICROSECOND = timedelta(microseconds=1)


def values_from_anniversary(ann: Anniversary) -> tuple[Any, ...]:
    """Return the column values that store ``ann``, in :data:`COLUMNS` order."""
    origin = ann.origin
    return (
        ann.id,
        ann.name_vi,
        ann.name_en,
        origin.iso(),
        origin.year,
        origin.month,
        origin.day,
        origin.calendar.value,
        origin.leap,
        ann.category,
        ann.scope,
        ann.valid_from,
        ann.valid_to,
        ann.date_form.value,
        ann.duration_days,
        ann.source,
        ";".join(ann.home),
        ann.note,
    )


def row_from_anniversary(ann: Anniversary) -> dict[str, Any]:
    """Return the column values that store ``ann``.

    Args:
        ann: The anniversary to store.

    Returns:
        A mapping of every name in :data:`COLUMNS` to its value.
    """
    return dict(zip(COLUMNS, values_from_anniversary(ann), strict=True))


def _as_date(value: Any) -> date | None:
    """Return a stored date: SQLAlchemy gives ``date``, ``sqlite3`` gives ISO text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_revision(value: Any) -> datetime | None:
    """Return a stored row revision: SQLAlchemy gives ``datetime``, ``sqlite3`` gives text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_revision(str(value))


def anniversary_from_row(values: Sequence[Any]) -> Anniversary:
    """Build the anniversary a row stores.

    Args:
        values: The row's values in :data:`COLUMNS` order, optionally followed by its
            ``revised_at`` (:data:`READ_COLUMNS`).

    Returns:
        The anniversary, validated by the model's constructors.

    Raises:
        StoredRowError: The row does not make a valid anniversary, or its ``origin`` text
            disagrees with its ``origin_year``/``origin_month``/``origin_day`` columns.
    """
    columns = READ_COLUMNS if len(values) == len(READ_COLUMNS) else COLUMNS
    row = dict(zip(columns, values, strict=True))
    try:
        origin = Origin(
            year=row["origin_year"],
            month=row["origin_month"],
            day=row["origin_day"],
            leap=bool(row["leap_month"]),
            calendar=Calendar(row["calendar"]),
        )
        if origin.iso() != row["origin"]:
            raise ValueError(
                f"origin {row['origin']!r} disagrees with its columns ({origin.iso()!r})"
            )
        return Anniversary(
            id=row["id"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            origin=origin,
            category=row["category"],
            scope=row["scope"],
            source=row["source"],
            valid_from=_as_date(row["valid_from"]),
            valid_to=_as_date(row["valid_to"]),
            date_form=DateForm(row["date_form"]),
            duration_days=row["duration_days"],
            home=tuple(scope for scope in (row["home"] or "").split(";") if scope),
            note=row["note"] or "",
            revised_at=_as_revision(row.get("revised_at")),
        )
    except (TypeError, ValueError) as exc:
        raise StoredRowError(row["id"], str(exc)) from exc


def format_revision(when: datetime) -> str:
    """Return the stored text of a revision: fixed-width ISO-8601 in UTC.

    Fixed width (always microseconds, always ``+00:00``) keeps text order equal to time order.
    """
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def parse_revision(text: str) -> datetime:
    """Return the aware UTC datetime of a stored revision (naive text is read as UTC)."""
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def as_utc(now: datetime | None) -> datetime:
    """Return ``now`` in UTC, or the clock's time when it is None.

    Raises:
        ValueError: ``now`` is naive; the store never guesses a zone.
    """
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    return now.astimezone(UTC)


def next_revision(previous: datetime, now: datetime) -> datetime:
    """Return the revision to record for a change at ``now``: later than ``previous``."""
    return max(now, previous + _ONE_MICROSECOND)
