"""The month page and the error pages: server-rendered HTML, Vietnamese or English.

``/`` shows the current month (in the configured time zone), ``/month/2023-02`` a given
one; ``scope``, ``category`` and ``round`` filter as on the command line. ``?lang=en`` or
the ``/en/`` prefix (``/en/``, ``/en/month/2023-02``) gives the English page.

Every feed on the page (the chosen scope's and its lineage's, all, round, the
categories', and the page's own filters as a custom feed) is offered to every client:

* ``webcal://`` (Apple Calendar, Outlook for Windows and Mac, Thunderbird subscribe);
* Google Calendar: ``https://calendar.google.com/calendar/r?cid=<webcal URL>``, which
  opens its "From URL" form filled in;
* Outlook on the web: ``https://outlook.live.com/calendar/0/addfromweb?url=&name=``
  (Outlook.com) and the same on ``outlook.office.com`` (work and school accounts);
* the ``https://`` URL to copy, for any other client.

Links use ``web.base_url`` when it is set, else the address the request came to (its
scheme and validated Host, :func:`calendar_svc.links.base_url_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

import jinja2
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse

from calendar_svc.core.counting import directive_line, format_occurrence_date, round_class_label
from calendar_svc.core.model import Occurrence, Precision
from calendar_svc.core.occurrences import month_range
from calendar_svc.core.policy import CATEGORIES
from calendar_svc.core.scopes import Scope, ScopeError, ScopeNotFoundError, ScopeTree, fold
from calendar_svc.feeds.definitions import FeedSpec, custom_spec, scope_spec
from calendar_svc.formatting import lunar_label, month_heading
from calendar_svc.links import base_url_for
from calendar_svc.services.listing import ListingQuery, list_occurrences
from calendar_svc.web.feedservice import FeedService
from calendar_svc.web.queries import Filters, check_known, parse_filters, parse_lang, parse_month
from calendar_svc.web.security import CSRF_FIELD, csrf_token
from calendar_svc.web.texts import WEEKDAYS, page_texts

PAGE_PARAMS = ("scope", "province", "category", "round", "lang")


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
    """One feed's subscribe links, one per kind of client."""

    title: str
    description: str
    https: str
    webcal: str
    google: str
    outlook: str
    outlook_work: str
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


def feed_links(base_url: str, path: str, title: str, description: str, *, current: bool) -> Link:
    """Return the links of the feed at ``path`` (``/feeds/….ics``) under ``base_url``."""
    https = f"{base_url.rstrip('/')}{path}"
    webcal = "webcal://" + https.split("://", 1)[-1]
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    query = urlencode({"url": https, "name": title}, quote_via=quote)
    outlook = f"https://outlook.live.com/calendar/0/addfromweb?{query}"
    outlook_work = f"https://outlook.office.com/calendar/0/addfromweb?{query}"
    return Link(title, description, https, webcal, google, outlook, outlook_work, current)


def feed_url_path(spec: FeedSpec, query: str = "") -> str:
    """Return the path of a feed: ``/feeds/province/quang-ninh.ics``."""
    path = f"/feeds/{quote(spec.name, safe='/')}.ics"
    return f"{path}?{query}" if query else path


def request_base_url(request: Request, configured: str, allowed: tuple[str, ...] = ()) -> str:
    """Return the base of links for this request (``web.base_url`` or the request's own,
    within ``web.allowed_hosts`` when it is set)."""
    server = request.scope.get("server") or ("127.0.0.1", 80)
    host, port = server[0], server[1]
    fallback = f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    host = request.headers.get("host")
    return base_url_for(configured, request.url.scheme, host, fallback, allowed)


def _row(occ: Occurrence, service: FeedService, lang: str) -> Row:
    ann = occ.anniversary
    policy = CATEGORIES.get(ann.category)
    scale = policy.scale(occ.round_class) if policy else None
    scale_text = ""
    if scale is not None and policy is not None:
        scale_text = (scale.en if lang == "en" else scale.vi) + (
            f" ({policy.basis})" if policy.basis else ""
        )
    if occ.precision is Precision.DAY:
        day, weekday = f"{occ.date:%d/%m}", WEEKDAYS[lang][occ.date.weekday()]
    else:
        # A month-only or year-only origin: its day is the 1st, its period what is known.
        day, weekday = format_occurrence_date(occ), page_texts(lang)["period"]
    if occ.last_day != occ.date:
        day += f"–{occ.last_day:%d/%m}"
    scopes = service.scopes
    scope_name = ann.scope
    if ann.scope in scopes:
        found = scopes[ann.scope]
        scope_name = found.name_en if lang == "en" else found.name_vi
    return Row(
        day=day,
        weekday=weekday,
        lunar=lunar_label(occ, lang),
        count=occ.count,
        round_label=round_class_label(occ.round_class, lang),
        round_class=occ.round_class.value if occ.round_class else "none",
        name=(ann.name_en or ann.name_vi) if lang == "en" else ann.name_vi,
        scope=scope_name,
        scale=scale_text,
    )


def _links(service: FeedService, filters: Filters, base: str) -> list[Link]:
    """Return the page's feeds: its filters' own, the scope's lineage, all, round,
    categories (the chosen scope's feed first)."""
    scopes = service.scopes
    specs: list[FeedSpec] = []
    if filters.scope:
        specs.extend(
            scope_spec(scopes, s, service.catalog.children) for s in scopes.lineage(filters.scope)
        )
    elif "national" in scopes:
        specs.append(scope_spec(scopes, "national", service.catalog.children))
    fixed = service.catalog.fixed
    specs.extend([fixed["all"], fixed["round"]])
    specs.extend(spec for name, spec in fixed.items() if name not in ("all", "round"))
    current = specs[0].name if filters.scope else "all"
    links = [
        feed_links(base, feed_url_path(s), s.title, s.description, current=s.name == current)
        for s in specs
    ]
    if filters.categories or filters.round_only:
        spec = custom_spec(scopes, filters.scope, filters.categories, round_only=filters.round_only)
        query = _query(filters)
        links.insert(
            0,
            feed_links(
                base, feed_url_path(spec, query), spec.title, spec.description, current=True
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


def _month_href(year: int, month: int, filters: Filters, lang: str) -> str:
    query = _query(filters)
    prefix = "/en" if lang == "en" else ""
    return f"{prefix}/month/{year:04d}-{month:02d}" + (f"?{query}" if query else "")


def page_lang(request: Request, default: str) -> str:
    """Return the page's language: ``/en/…`` or ``?lang=en`` give English."""
    if request.url.path == "/en" or request.url.path.startswith("/en/"):
        return "en"
    return parse_lang(request.query_params, default)


def _annual_href(year: int, filters: Filters) -> str:
    """Return the link of the year's guide (.docx) for the chosen scope (default national)."""
    query = urlencode([("scope", filters.scope)]) if filters.scope else ""
    return f"/annual/{year:04d}.docx" + (f"?{query}" if query else "")


@dataclass(frozen=True, slots=True)
class Picker:
    """The scope picker: a province, then a unit of it (both current, plus user scopes)."""

    province: str
    provinces: list[tuple[str, str]]
    units: list[tuple[str, str]]


def province_of(scopes: ScopeTree, scope_id: str | None) -> str:
    """Return the province (current or former) a scope lies in; "" for national or none."""
    if scope_id is None:
        return ""
    for ancestor in scopes.lineage(scope_id):
        if scopes[ancestor].level == "province":
            return ancestor
    return ""


def pick(
    scopes: ScopeTree, params: QueryParams, filters: Filters, lang: str = "vi"
) -> tuple[Filters, Picker]:
    """Return the filters the picker means and the picker's choices.

    Choosing another province (``province``) while the unit (``scope``) lies elsewhere
    lists that province; the unit list holds the province's current units and the user
    scopes below it. A former unit that is chosen stays in the lists, marked with its end.
    """
    chosen = (params.get("province") or "").strip()
    province = province_of(scopes, filters.scope)
    if "province" in params and not chosen and province:
        filters, province = replace(filters, scope=None), ""  # "every scope" chosen
    if chosen:
        try:
            chosen = scopes.resolve(chosen)
        except ScopeError as exc:
            raise ScopeNotFoundError(chosen, str(exc)) from None
        if chosen != province:
            filters = replace(filters, scope=chosen)
            province = province_of(scopes, chosen)
    until = page_texts(lang)["until"]

    def label(scope: Scope, text: str) -> str:
        ended = f" ({until} {scope.valid_to:%d/%m/%Y})" if scope.valid_to else ""
        return text + ended

    def name(scope: Scope) -> str:
        return scope.name_en if lang == "en" and scope.name_en else scope.name_vi

    provinces = [
        (s.id, s.bare_name) for s in scopes if s.level == "province" and s.valid_to is None
    ]
    provinces.sort(key=lambda item: fold(item[1]))
    if province and scopes[province].valid_to is not None:
        former = scopes[province]
        provinces.insert(0, (former.id, label(former, former.bare_name)))
    units: list[tuple[str, str]] = []
    if province:
        below = [scopes[i] for i in scopes.descendants(province)]
        now = [s for s in below if s.valid_to is None]
        now.sort(key=lambda s: (s.user, fold(s.bare_name)))
        units = [(s.id, name(s)) for s in now]
        current = scopes.get(filters.scope) if filters.scope else None
        if current is not None and current.valid_to is not None and current.id != province:
            units.insert(0, (current.id, label(current, name(current))))
    return filters, Picker(province, provinces, units)


def render_month(request: Request, year: int, month: int) -> HTMLResponse:
    """Render one month's page (runs in a worker thread: it reads the store)."""
    service: FeedService = request.app.state.feeds
    env: jinja2.Environment = request.app.state.templates
    check_known(request.query_params, PAGE_PARAMS)
    lang = page_lang(request, "vi")
    filters = parse_filters(request.query_params, service.scopes)
    filters, picker = pick(service.scopes, request.query_params, filters, lang)
    start, end = month_range(year, month)
    query = ListingQuery(start, end, filters.scope, filters.categories, filters.round_only)
    occs = list_occurrences(service.reader(), service.scopes, query)
    prev_y, prev_m = (year - 1, 12) if month == 1 else (year, month - 1)
    next_y, next_m = (year + 1, 1) if month == 12 else (year, month + 1)
    scopes = service.scopes
    t = page_texts(lang)

    def name_of(scope_id: str) -> str:
        scope = scopes[scope_id]
        return scope.name_en if lang == "en" else scope.name_vi

    base = request_base_url(
        request, service.settings.web_base_url, service.settings.web_allowed_hosts
    )
    other = "vi" if lang == "en" else "en"
    html = env.get_template("month.html").render(
        lang=lang,
        t=t,
        year=year,
        month=month,
        month_name=month_heading(month, "en") if lang == "en" else f"tháng {month:02d}",
        rows=[_row(o, service, lang) for o in occs],
        directive=directive_line(occs, lang),
        filters=filters,
        form_action=_month_href(year, month, Filters(), lang),
        picker=picker,
        category_options=[
            (p.slug, p.name_en if lang == "en" else p.name_vi) for p in CATEGORIES.values()
        ],
        prev_href=_month_href(prev_y, prev_m, filters, lang),
        next_href=_month_href(next_y, next_m, filters, lang),
        other_href=_month_href(year, month, filters, other),
        home_href="/en/" if lang == "en" else "/",
        links=_links(service, filters, base),
        scope_name=name_of(filters.scope) if filters.scope else t["all_scopes"],
        annual_href=_annual_href(year, filters),
        csrf=csrf_token(request),
        csrf_field=CSRF_FIELD,
    )
    return HTMLResponse(
        html, headers={"X-Content-Type-Options": "nosniff", "Content-Language": lang}
    )


def month_page(request: Request) -> HTMLResponse:
    """``/month/YYYY-MM`` and ``/en/month/YYYY-MM``."""
    year, month = parse_month(request.path_params["month"])
    return render_month(request, year, month)


def index_page(request: Request) -> HTMLResponse:
    """``/`` and ``/en/``: the current month in the configured time zone."""
    today = request.app.state.feeds.today()
    return render_month(request, today.year, today.month)
