"""The routes of the organisation pages, Vietnamese and ``/en/`` English."""

from __future__ import annotations

from starlette.routing import Route

from calendar_svc.web import manage_anniversaries, manage_subscribers
from calendar_svc.web.manage import (
    annual_docx,
    audit_page,
    digest_page,
    directive_docx,
    organisations_page,
    overview,
    settings_page,
)


def routes() -> list[Route]:
    """Return the management routes (Vietnamese and ``/en/`` English)."""
    found: list[Route] = []
    for prefix in ("", "/en"):
        base = f"{prefix}/manage/{{org}}"
        found += [
            Route(f"{prefix}/manage", organisations_page, methods=["GET"]),
            Route(base, overview, methods=["GET"]),
            Route(f"{base}/settings", settings_page, methods=["GET", "POST"]),
            Route(f"{base}/digest", digest_page, methods=["GET"]),
            Route(f"{base}/directive/{{month}}.docx", directive_docx, methods=["GET"]),
            Route(f"{base}/annual/{{year}}.docx", annual_docx, methods=["GET"]),
            Route(f"{base}/audit", audit_page, methods=["GET"]),
            *manage_anniversaries.routes(base),
            *manage_subscribers.routes(base),
        ]
    return found
