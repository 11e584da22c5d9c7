"""ICS feeds: rendering with icalendar, feed definitions, atomic publishing, checking.

Modules:
    render: ``render_calendar`` (the shared API: feeds and email attachments), events.
"""

from __future__ import annotations

from calendar_svc.feeds.render import render_calendar

__all__ = ["render_calendar"]
