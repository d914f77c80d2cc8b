"""Public project pages: the project list (funded portfolio and JCM cycle) with its CSV and
XLSX exports, a project's page, and the partner countries' pages. No sign-in needed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from jcm.domain.identity.access import PUBLIC
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.web import project_labels as labels
from jcm.entrypoints.web.export import csv_response, xlsx_response
from jcm.entrypoints.web.i18n import N_
from jcm.entrypoints.web.listing import Column, chosen_columns, table
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import locale_of, page
from jcm.service_layer.public.project_results import ProjectFilter, ProjectRow

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
    country: str | None,
    sector: str | None,
    technology: str | None,
    methodology: str | None,
    state: str | None,
) -> ProjectFilter:
    """The filters given (an empty form field is no filter)."""
    return ProjectFilter(
        country=country or None,
        sector=sector or None,
        technology=technology or None,
        methodology=methodology or None,
        state=state or None,
    )


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
    country: Country = None,
    sector: SectorQ = None,
    technology: TechnologyQ = None,
    methodology: MethodologyQ = None,
    state: StateQ = None,
    sort: SortQ = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    filters = _filters(country, sector, technology, methodology, state)
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


def _export_rows(
    caller: Caller, filters: ProjectFilter, columns: str | None, sort: str | None
) -> tuple[list[str], Iterator[list[Any]]]:
    chosen = chosen_columns(COLUMNS, columns)
    order = sort or "country"
    # Refuse a bad filter or sort before the response starts streaming.
    caller.services.public.projects.projects(filters, 1, 0, order)
    return [c.key for c in chosen], iter(table(_all_rows(caller, filters, order), chosen))


@router.page("GET", "/projects.csv", access=PUBLIC, response_class=StreamingResponse)
def projects_csv(
    caller: WebCallerDep,
    country: Country = None,
    sector: SectorQ = None,
    technology: TechnologyQ = None,
    methodology: MethodologyQ = None,
    state: StateQ = None,
    sort: SortQ = None,
    columns: ColumnsQ = None,
) -> StreamingResponse:
    filters = _filters(country, sector, technology, methodology, state)
    header, rows = _export_rows(caller, filters, columns, sort)
    return csv_response("jcm-projects.csv", header, rows)


@router.page("GET", "/projects.xlsx", access=PUBLIC, response_class=StreamingResponse)
def projects_xlsx(
    caller: WebCallerDep,
    country: Country = None,
    sector: SectorQ = None,
    technology: TechnologyQ = None,
    methodology: MethodologyQ = None,
    state: StateQ = None,
    sort: SortQ = None,
    columns: ColumnsQ = None,
) -> StreamingResponse:
    filters = _filters(country, sector, technology, methodology, state)
    header, rows = _export_rows(caller, filters, columns, sort)
    return xlsx_response("jcm-projects.xlsx", "projects", header, rows)


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
