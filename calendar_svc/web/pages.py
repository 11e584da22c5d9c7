"""The month page: a server-rendered Vietnamese listing with subscribe links.

``/`` shows the current month (in the configured time zone), ``/month/2023-02`` a given
one; ``scope``, ``category`` and ``round`` filter as on the command line. Every feed is
offered as a ``webcal://`` link (calendar apps subscribe), an ``https://`` link and a
URL to copy; Google Calendar gets its own "add by URL" link.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from calendar_svc.core.counting import phrase_vi, round_class_label
from calendar_svc.core.model import Occurrence, Precision
from calendar_svc.core.occurrences import month_range
from calendar_svc.core.policy import CATEGORIES
from calendar_svc.feeds.definitions import FeedSpec
from calendar_svc.formatting import lunar_label
from calendar_svc.services.listing import ListingQuery, list_occurrences
from calendar_svc.web.feedservice import FeedService
from calendar_svc.web.queries import Filters, check_known, parse_filters, parse_month

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
PAGE_PARAMS = ("scope", "category", "round")


def template_environment() -> jinja2.Environment:
    """Return the Jinja2 environment of the web templates (autoescaped)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("calendar_svc", "templates/web"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True, slots=True)
class Link:
    """One feed's subscribe links."""

    title: str
    description: str
    https: str
    webcal: str
    google: str
    current: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """One occurrence as the page shows it."""

    day: str
    weekday: str
    lunar: str
    count: int | None
    round_label: str
    round_class: str
    name: str
    scope: str
    scale: str
    phrase: str


def feed_links(
    base_url: str, path: str, spec_title: str, description: str, *, current: bool
) -> Link:
    """Return the links of the feed at ``path`` under the public base URL."""
    base = base_url.rstrip("/")
    https = f"{base}{path}"
    webcal = "webcal://" + https.split("://", 1)[-1]
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    return Link(spec_title, description, https, webcal, google, current)


def _row(occ: Occurrence, service: FeedService) -> Row:
    ann = occ.anniversary
    policy = CATEGORIES.get(ann.category)
    scale = policy.scale(occ.round_class) if policy else None
    scale_text = ""
    if scale is not None and policy is not None:
        scale_text = scale.vi + (f" ({policy.basis})" if policy.basis else "")
    if occ.precision is Precision.MONTH:
        day, weekday = "Cả tháng", ""
    else:
        day, weekday = f"{occ.date:%d/%m}", WEEKDAYS_VI[occ.date.weekday()]
        if occ.last_day != occ.date:
            day += f"–{occ.last_day:%d/%m}"
    scopes = service.scopes
    return Row(
        day=day,
        weekday=weekday,
        lunar=lunar_label(occ),
        count=occ.count,
        round_label=round_class_label(occ.round_class),
        round_class=occ.round_class.value if occ.round_class else "none",
        name=ann.name_vi,
        scope=scopes[ann.scope].name_vi if ann.scope in scopes else ann.scope,
        scale=scale_text,
        phrase=phrase_vi(occ),
    )


def _links(service: FeedService, filters: Filters) -> list[Link]:
    base = service.settings.web_base_url
    current_name = filters.scope.rsplit(":", 1)[-1] if filters.scope else "all"
    links = []
    specs: list[FeedSpec] = list(service.specs.values())
    specs.sort(key=lambda s: s.name != current_name)
    for spec in specs:
        links.append(
            feed_links(
                base,
                f"/feeds/{spec.filename}",
                spec.title,
                spec.description,
                current=spec.name == current_name,
            )
        )
    if filters.categories or filters.round_only:
        query = _query(filters)
        links.insert(
            0,
            feed_links(
                base,
                f"/feeds/custom.ics?{query}",
                "Lịch theo bộ lọc đang chọn",
                "Đúng các ngày kỷ niệm đang hiện trên trang này, mọi tháng",
                current=True,
            ),
        )
    return links


def _query(filters: Filters, **extra: str) -> str:
    pairs: list[tuple[str, str]] = []
    if filters.scope:
        pairs.append(("scope", filters.scope))
    pairs.extend(("category", c) for c in filters.categories)
    if filters.round_only:
        pairs.append(("round", "1"))
    pairs.extend(extra.items())
    return urlencode(pairs)


def _month_href(year: int, month: int, filters: Filters) -> str:
    query = _query(filters)
    return f"/month/{year:04d}-{month:02d}" + (f"?{query}" if query else "")


def _annual_href(year: int, filters: Filters) -> str:
    """Return the link of the year's guide (.docx) for the chosen scope (default national)."""
    query = urlencode([("scope", filters.scope)]) if filters.scope else ""
    return f"/annual/{year:04d}.docx" + (f"?{query}" if query else "")


def render_month(request: Request, year: int, month: int) -> HTMLResponse:
    """Render one month's page (runs in a worker thread: it reads the store)."""
    service: FeedService = request.app.state.feeds
    env: jinja2.Environment = request.app.state.templates
    check_known(request.query_params, PAGE_PARAMS)
    filters = parse_filters(request.query_params, service.scopes)
    start, end = month_range(year, month)
    query = ListingQuery(start, end, filters.scope, filters.categories, filters.round_only)
    occs = list_occurrences(service.reader(), service.scopes, query)
    prev_y, prev_m = (year - 1, 12) if month == 1 else (year, month - 1)
    next_y, next_m = (year + 1, 1) if month == 12 else (year, month + 1)
    scopes = service.scopes
    html = env.get_template("month.html").render(
        year=year,
        month=month,
        rows=[_row(o, service) for o in occs],
        directive="; ".join(phrase_vi(o) for o in occs),
        filters=filters,
        scope_options=[(s, scopes[s].name_vi) for s in scopes.ids()],
        category_options=[(p.slug, p.name_vi) for p in CATEGORIES.values()],
        prev_href=_month_href(prev_y, prev_m, filters),
        next_href=_month_href(next_y, next_m, filters),
        links=_links(service, filters),
        scope_name=scopes[filters.scope].name_vi if filters.scope else "Tất cả phạm vi",
        annual_href=_annual_href(year, filters),
    )
    return HTMLResponse(html, headers={"X-Content-Type-Options": "nosniff"})


def month_page(request: Request) -> HTMLResponse:
    """``/month/YYYY-MM``."""
    year, month = parse_month(request.path_params["month"])
    return render_month(request, year, month)


def index_page(request: Request) -> HTMLResponse:
    """``/``: the current month in the configured time zone."""
    today = request.app.state.feeds.today()
    return render_month(request, today.year, today.month)
