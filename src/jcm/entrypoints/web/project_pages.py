"""Public project pages: the project list (funded portfolio and JCM cycle) with its CSV and
XLSX exports, a project's page, and the partner countries' pages. No sign-in needed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from jcm.domain.identity.access import PUBLIC
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.web import project_labels as labels
from jcm.entrypoints.web.i18n import N_
from jcm.entrypoints.web.listing import Column, export
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import locale_of, page
from jcm.service_layer.public.project_results import CountryView, ProjectFilter, ProjectRow

router = PageRouter()
# A country page lists this many projects; the project list, filtered, pages through all.
COUNTRY_PAGE_ROWS = 100
PAGE_SIZE = 50
EXPORT_CHUNK = 500

COLUMNS: tuple[Column[ProjectRow], ...] = (
    Column("id", N_("Project"), lambda r: r.id),
    Column("title_en", N_("Title (English)"), lambda r: r.title_en),
    Column("title_ja", N_("Title (Japanese)"), lambda r: r.title_ja),
    Column("country", N_("Partner country"), lambda r: r.country),
    Column("kind", N_("Kind"), lambda r: r.kind),
    Column("sector", N_("Sector"), lambda r: r.sector),
    Column("technology", N_("Technology"), lambda r: r.technology),
    Column("methodology", N_("Methodology"), lambda r: r.methodology),
    Column("state", N_("State"), lambda r: r.state),
    Column("support_scheme", N_("Support scheme"), lambda r: r.support_scheme),
    Column("capacity_mw", N_("Capacity (MW)"), lambda r: r.capacity_mw, numeric=True),
    Column("cycle_project", N_("JCM project"), lambda r: r.cycle_project_id),
    Column("registered_on", N_("Registration date"), lambda r: r.registered_on),
    Column("credits_issued", N_("Credits issued"), lambda r: r.credits_issued, numeric=True),
)

COUNTRY_COLUMNS: tuple[Column[CountryView], ...] = (
    Column("order", N_("Partner number"), lambda v: v.country.order, numeric=True),
    Column("country", N_("Partner country"), lambda v: v.country.code),
    Column("name_en", N_("Name (English)"), lambda v: v.country.name_en),
    Column("name_ja", N_("Name (Japanese)"), lambda v: v.country.name_ja),
    Column("region_ja", N_("Region (Japanese)"), lambda v: v.country.region_ja),
    Column("signed_on", N_("Signed on"), lambda v: v.country.signed_on),
    Column("signed_place_ja", N_("Signed in"), lambda v: v.country.signed_place_ja),
    Column("projects", N_("Projects"), lambda v: v.projects, numeric=True),
    Column("credits_issued", N_("Credits issued"), lambda v: v.credits_issued, numeric=True),
)

Country = Annotated[str | None, Query(max_length=2, description="Partner country (alpha-2).")]
SectorQ = Annotated[str | None, Query(max_length=40)]
TechnologyQ = Annotated[str | None, Query(max_length=40)]
MethodologyQ = Annotated[str | None, Query(max_length=20)]
StateQ = Annotated[str | None, Query(max_length=40)]
ColumnsQ = Annotated[str | None, Query(alias="_columns", max_length=2000)]
SortQ = Annotated[
    str | None,
    Query(max_length=20, description="country, capacity, credits, state; -key descends."),
]
SORTS = {
    "country": N_("Partner country"),
    "-capacity": N_("Largest capacity first"),
    "-credits": N_("Most credits issued first"),
    "state": N_("State"),
}


def _filters(
    country: Country = None,
    sector: SectorQ = None,
    technology: TechnologyQ = None,
    methodology: MethodologyQ = None,
    state: StateQ = None,
) -> ProjectFilter:
    """The list's filters from the query string (an empty form field is no filter)."""
    return ProjectFilter(
        country=country or None,
        sector=sector or None,
        technology=technology or None,
        methodology=methodology or None,
        state=state or None,
    )


Filters = Annotated[ProjectFilter, Depends(_filters)]


def _all_rows(caller: Caller, filters: ProjectFilter, sort: str) -> Iterator[ProjectRow]:
    """Every matching project, a page of the query at a time (the export streams them)."""
    views = caller.services.public.projects
    offset = 0
    while True:
        found = views.projects(filters, EXPORT_CHUNK, offset, sort).rows
        yield from found
        if len(found) < EXPORT_CHUNK:
            return
        offset += EXPORT_CHUNK


def _query_of(filters: ProjectFilter, sort: str | None) -> str:
    given = {k: v for k, v in vars(filters).items() if v is not None}
    if sort:
        given["sort"] = sort
    return urlencode(given)


@router.page("GET", "/projects", access=PUBLIC)
def projects(
    request: Request,
    caller: WebCallerDep,
    filters: Filters,
    sort: SortQ = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    views = caller.services.public.projects
    found = views.projects(filters, PAGE_SIZE, (page_number - 1) * PAGE_SIZE, sort or "country")
    pages = max(1, -(-found.total // PAGE_SIZE))
    context: dict[str, Any] = {
        "found": found,
        "filters": filters,
        "query": _query_of(filters, sort or None),
        "sort": sort or "country",
        "sorts": SORTS,
        "page_number": page_number,
        "pages": pages,
        "countries": caller.services.public.projects.countries(),
        "methodologies": views.methodologies(),
        "labels": labels,
        "language": locale_of(request),
    }
    return page(request, "projects/list.html", context)


@router.page("GET", "/projects.csv", access=PUBLIC, response_class=StreamingResponse)
def projects_csv(
    caller: WebCallerDep, filters: Filters, sort: SortQ = None, columns: ColumnsQ = None
) -> StreamingResponse:
    order = sort or "country"
    # Refuse a bad filter or sort before the response starts streaming.
    caller.services.public.projects.projects(filters, 1, 0, order)
    return export("csv", "projects", COLUMNS, columns, _all_rows(caller, filters, order))


@router.page("GET", "/projects.xlsx", access=PUBLIC, response_class=StreamingResponse)
def projects_xlsx(
    caller: WebCallerDep, filters: Filters, sort: SortQ = None, columns: ColumnsQ = None
) -> StreamingResponse:
    order = sort or "country"
    # Refuse a bad filter or sort before the response starts streaming.
    caller.services.public.projects.projects(filters, 1, 0, order)
    return export("xlsx", "projects", COLUMNS, columns, _all_rows(caller, filters, order))


@router.page("GET", "/projects/{project_id}", access=PUBLIC)
def project(
    request: Request,
    caller: WebCallerDep,
    project_id: Annotated[str, Path(max_length=40)],
) -> HTMLResponse:
    detail = caller.services.public.projects.project(project_id)
    context = {"detail": detail, "labels": labels, "language": locale_of(request)}
    return page(request, "projects/project.html", context)


@router.page("GET", "/countries", access=PUBLIC)
def countries(request: Request, caller: WebCallerDep) -> HTMLResponse:
    found = caller.services.public.projects.countries()
    return page(request, "projects/countries.html", {"countries": found})


@router.page("GET", "/countries.csv", access=PUBLIC, response_class=StreamingResponse)
def countries_csv(caller: WebCallerDep, columns: ColumnsQ = None) -> StreamingResponse:
    found = caller.services.public.projects.countries()
    return export("csv", "partner-countries", COUNTRY_COLUMNS, columns, found)


@router.page("GET", "/countries.xlsx", access=PUBLIC, response_class=StreamingResponse)
def countries_xlsx(caller: WebCallerDep, columns: ColumnsQ = None) -> StreamingResponse:
    found = caller.services.public.projects.countries()
    return export("xlsx", "partner-countries", COUNTRY_COLUMNS, columns, found)


@router.page("GET", "/countries/{code}", access=PUBLIC)
def country(
    request: Request,
    caller: WebCallerDep,
    code: Annotated[str, Path(max_length=8)],
) -> HTMLResponse:
    detail = caller.services.public.projects.country(code.upper())
    context = {
        "detail": detail,
        "labels": labels,
        "language": locale_of(request),
        "shown": COUNTRY_PAGE_ROWS,
    }
    return page(request, "projects/country.html", context)
