"""``/annual/YYYY.docx?scope=…``: the annual guide's .docx for a scope, from the web.

The month page's year view links here ("Tải dự thảo hướng dẫn năm"). The web knows
scopes, not organisations, so the issuer is the scope's usual propaganda department
(:func:`issuer_name`); everything else follows the organisation defaults of
:func:`~calendar_svc.directive.profile.build_profile`, and the staff fill in the rest.
The guide is dated today in the configured zone.
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from calendar_svc.core.scopes import ScopeTree
from calendar_svc.directive.profile import DirectiveProfile, build_profile, place_from_scope_name
from calendar_svc.services.annual import draft_annual
from calendar_svc.web.feedservice import FeedService
from calendar_svc.web.queries import check_known, parse_filters

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: The propaganda department of each kind of scope, since 2025 (Ban Tuyên giáo và Dân vận).
_ISSUERS = {
    "national": "Ban Tuyên giáo và Dân vận Trung ương",
    "province": "Ban Tuyên giáo và Dân vận Tỉnh ủy {place}",
    "city": "Ban Tuyên giáo Thành ủy {place}",
}

#: Years the page offers a guide for: the lunar table and the dataset's counts hold there.
MIN_YEAR, MAX_YEAR = 1901, 2099


def issuer_name(scope_id: str, scopes: ScopeTree) -> str:
    """Return the department that drafts a scope's guide ("Ban Tuyên giáo và Dân vận Tỉnh ủy
    Quảng Ninh"); other kinds are named after the scope."""
    kind = scope_id.partition(":")[0]
    name = scopes[scope_id].name_vi
    template = _ISSUERS.get(kind, "Ban Tuyên giáo và Dân vận {name}")
    return template.format(place=place_from_scope_name(name), name=name)


def scope_profile(scope_id: str, scopes: ScopeTree) -> DirectiveProfile:
    """Return the default profile of a scope's department."""
    slug = "-".join(part for part in re.split(r"[^a-z0-9]+", scope_id.lower()) if part)
    return build_profile(
        slug, issuer_name(scope_id, scopes), scope_id, scope_name=scopes[scope_id].name_vi
    )


def annual_docx(request: Request) -> Response:
    """``GET /annual/YYYY.docx``: the guide of year YYYY for ``scope`` (default national)."""
    from calendar_svc.directive.annual_word import annual_document_bytes

    service: FeedService = request.app.state.feeds
    text = request.path_params["year"]
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise HTTPException(404, f"'{text}' không phải năm / is not a year")
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise HTTPException(404, f"năm {year} ngoài {MIN_YEAR}-{MAX_YEAR} / year out of range")
    check_known(request.query_params, ("scope",))
    scope = parse_filters(request.query_params, service.scopes).scope or "national"
    profile = scope_profile(scope, service.scopes)
    draft = draft_annual(service.reader(), service.scopes, profile, year, service.today())
    name = f"huong-dan-{year:04d}-{profile.org_id}.docx"
    return Response(
        annual_document_bytes(draft),
        media_type=DOCX_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
