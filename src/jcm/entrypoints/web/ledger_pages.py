"""The public ledger, for anyone: issuances, cancellations and retirements (HTML a page at a
time, CSV and XLSX streamed with the same filters), the serial search, each registry's
statistics and the transparency log's page.

The filters are the pages' declared query parameters (anything else is a 400); an empty
form field means "any" and is dropped by a redirect to the canonical URL, so every list
view has one bookmarkable address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from jcm.domain.errors import InvalidInput, NotFound, UnitRuleViolation
from jcm.domain.identity.access import PUBLIC
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.web.export import csv_response
from jcm.entrypoints.web.ledger_columns import (
    ACCOUNT_TYPE_COLUMNS,
    ANNUAL_COLUMNS,
    ISSUANCE_COLUMNS,
    RETIREMENT_COLUMNS,
)
from jcm.entrypoints.web.listing import (
    COLUMNS_PARAMETER,
    chosen_columns,
    export,
    export_pages,
    table,
)
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import page
from jcm.service_layer.public.ledger import MAX_PAGE
from jcm.service_layer.public.ledger_results import (
    RETIREMENT_CELLS,
    IssuanceFilter,
    RetirementFilter,
)

router = PageRouter()
MAX_INT = (1 << 63) - 1
CURSOR = "_cursor"
SIZE = "_size"
API = "/api/v1"

CountryCode = Annotated[
    str | None,
    Query(max_length=2, pattern=r"^([A-Za-z]{2})?$", description="ISO 3166-1 alpha-2"),
]
ProjectId = Annotated[
    str | None, Query(max_length=5, pattern=r"^([A-Za-z]{2}[0-9]{3})?$", description="KE001")
]
Year = Annotated[str | None, Query(max_length=4, pattern=r"^([0-9]{4})?$")]
Kind = Annotated[str | None, Query(max_length=12, pattern=r"^(cancellation|retirement)?$")]
Purpose = Annotated[str | None, Query(max_length=9, pattern=r"^(ndc|oimp|voluntary)?$")]
Cursor = Annotated[int | None, Query(alias=CURSOR, ge=1, le=MAX_INT)]
Size = Annotated[int | None, Query(alias=SIZE, ge=1, le=MAX_PAGE)]
Columns = Annotated[str | None, Query(alias=COLUMNS_PARAMETER, max_length=2000)]
RegistryCode = Annotated[str, Path(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")]


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def issuance_filter(
    registry: CountryCode = None,
    country: CountryCode = None,
    project: ProjectId = None,
    year: Year = None,
) -> IssuanceFilter:
    return IssuanceFilter(
        _upper(registry), _upper(country), _upper(project), int(year) if year else None
    )


def retirement_filter(
    registry: CountryCode = None,
    kind: Kind = None,
    purpose: Purpose = None,
    project: ProjectId = None,
    year: Year = None,
) -> RetirementFilter:
    return RetirementFilter(
        _upper(registry),
        kind or None,
        purpose or None,
        _upper(project),
        int(year) if year else None,
    )


IssuanceFilterDep = Annotated[IssuanceFilter, Depends(issuance_filter)]
RetirementFilterDep = Annotated[RetirementFilter, Depends(retirement_filter)]


def canonical(request: Request) -> RedirectResponse | None:
    """A redirect to the same list without its empty parameters (what a filter form sends
    for "any"), or None when the address is already canonical."""
    items = request.query_params.multi_items()
    kept = [(key, value) for key, value in items if value != ""]
    if len(kept) == len(items):
        return None
    return RedirectResponse(request.url.path + _query(kept), status_code=303)


def _query(items: list[tuple[str, str]]) -> str:
    return f"?{urlencode(items)}" if items else ""


def filters_query(request: Request) -> str:
    """The list's filters alone (no paging): what its exports and its first page take."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in (CURSOR, SIZE)]
    return _query(kept)


def next_page(request: Request, cursor: int | None) -> str | None:
    if cursor is None:
        return None
    items = [(k, v) for k, v in request.query_params.multi_items() if k != CURSOR]
    return request.url.path + _query([*items, (CURSOR, str(cursor))])


def _list_context(
    request: Request, cursor: int | None, next_cursor: int | None
) -> dict[str, object]:
    query = filters_query(request)
    return {
        "first_page": request.url.path + query if cursor is not None else None,
        "next_page": next_page(request, next_cursor),
        "csv_url": f"{request.url.path}.csv{query}",
        "xlsx_url": f"{request.url.path}.xlsx{query}",
    }


def _list_page(
    request: Request,
    caller: Caller,
    name: str,
    filters: IssuanceFilter | RetirementFilter,
    cursor: int | None,
    size: int | None,
    read: Callable[..., Any],
) -> Response:
    """A paged list (issuances, or cancellations and retirements) at its canonical URL."""
    redirect = canonical(request)
    if redirect is not None:
        return redirect
    result = read(filters, cursor=cursor, size=size)
    context = {
        "result": result,
        "filters": filters,
        "registries": caller.services.registry.registries(),
        **_list_context(request, cursor, result.next_cursor),
    }
    return page(request, f"ledger/{name}.html", context)


# -- issuances ----------------------------------------------------------------------------------
@router.page("GET", "/issuances", access=PUBLIC)
def issuances(
    request: Request,
    caller: WebCallerDep,
    filters: IssuanceFilterDep,
    cursor: Cursor = None,
    size: Size = None,
) -> Response:
    views = caller.services.public.ledger
    return _list_page(request, caller, "issuances", filters, cursor, size, views.issuances)


@router.page("GET", "/issuances.csv", access=PUBLIC, response_class=StreamingResponse)
def issuances_csv(
    caller: WebCallerDep, filters: IssuanceFilterDep, columns: Columns = None
) -> StreamingResponse:
    rows = caller.services.public.ledger.issuance_rows(filters)
    return export("csv", "issuances", ISSUANCE_COLUMNS, columns, rows)


@router.page("GET", "/issuances.xlsx", access=PUBLIC, response_class=StreamingResponse)
def issuances_xlsx(
    caller: WebCallerDep, filters: IssuanceFilterDep, columns: Columns = None
) -> StreamingResponse:
    rows = caller.services.public.ledger.issuance_rows(filters)
    return export("xlsx", "issuances", ISSUANCE_COLUMNS, columns, rows)


# -- cancellations and retirements ----------------------------------------------------------------
@router.page("GET", "/retirements", access=PUBLIC)
def retirements(
    request: Request,
    caller: WebCallerDep,
    filters: RetirementFilterDep,
    cursor: Cursor = None,
    size: Size = None,
) -> Response:
    views = caller.services.public.ledger
    return _list_page(request, caller, "retirements", filters, cursor, size, views.retirements)


@router.page("GET", "/retirements.csv", access=PUBLIC, response_class=StreamingResponse)
def retirements_csv(
    caller: WebCallerDep, filters: RetirementFilterDep, columns: Columns = None
) -> StreamingResponse:
    pages = caller.services.public.ledger.retirement_table(filters)
    return export_pages("csv", "retirements", RETIREMENT_COLUMNS, columns, RETIREMENT_CELLS, pages)


@router.page("GET", "/retirements.xlsx", access=PUBLIC, response_class=StreamingResponse)
def retirements_xlsx(
    caller: WebCallerDep, filters: RetirementFilterDep, columns: Columns = None
) -> StreamingResponse:
    pages = caller.services.public.ledger.retirement_table(filters)
    return export_pages("xlsx", "retirements", RETIREMENT_COLUMNS, columns, RETIREMENT_CELLS, pages)


# -- serial search --------------------------------------------------------------------------------
@router.page("GET", "/serials", access=PUBLIC)
def serials(
    request: Request,
    caller: WebCallerDep,
    q: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    """The search form, and the result when ``q`` is given; a malformed serial (U6) or one
    never issued (U1) is shown beside the form with its code."""
    context: dict[str, object] = {"q": q or "", "result": None, "error": None}
    status = 200
    if q and q.strip():
        try:
            context["result"] = caller.services.public.ledger.search_serials(q)
        except (InvalidInput, UnitRuleViolation) as error:
            context["error"] = error
            status = error.http_status
    return page(request, "ledger/serials.html", context, status_code=status)


# -- registry statistics --------------------------------------------------------------------------
@router.page("GET", "/registries/{code}", access=PUBLIC)
def registry_statistics(request: Request, caller: WebCallerDep, code: RegistryCode) -> Response:
    """What Japan's JCM registry publishes, for any registry: units per account type and the
    annual transaction summary (``RegistryService.statistics``)."""
    statistics = caller.services.public.statistics.of(code)
    return page(request, "ledger/registry.html", {"statistics": statistics})


@router.page(
    "GET", "/registries/{code}/accounts.csv", access=PUBLIC, response_class=StreamingResponse
)
def registry_accounts_csv(
    caller: WebCallerDep, code: RegistryCode, columns: Columns = None
) -> StreamingResponse:
    chosen = chosen_columns(ACCOUNT_TYPE_COLUMNS, columns)
    statistics = caller.services.public.statistics.of(code)
    rows = [
        row
        for amount in statistics.accounts
        for row in [
            (amount, None, amount.quantity),
            *((amount, p.partner, p.quantity) for p in amount.by_partner),
        ]
    ]
    filename = f"jcm-{statistics.registry.lower()}-accounts.csv"
    return csv_response(filename, [c.key for c in chosen], table(rows, chosen))


@router.page(
    "GET", "/registries/{code}/annual.csv", access=PUBLIC, response_class=StreamingResponse
)
def registry_annual_csv(
    caller: WebCallerDep, code: RegistryCode, columns: Columns = None
) -> StreamingResponse:
    chosen = chosen_columns(ANNUAL_COLUMNS, columns)
    statistics = caller.services.public.statistics.of(code)
    filename = f"jcm-{statistics.registry.lower()}-annual.csv"
    return csv_response(filename, [c.key for c in chosen], table(statistics.annual, chosen))


# -- the transparency log -------------------------------------------------------------------------
@router.page("GET", "/transparency", access=PUBLIC)
def transparency(request: Request, caller: WebCallerDep) -> Response:
    """The latest signed checkpoint, the public keys, where the proofs are, and how to check
    them offline with nothing but the CLI and the public key."""
    log = caller.services.log
    try:
        latest = log.latest_checkpoint()
    except NotFound:
        latest = None
    context = {
        "latest": latest,
        "keys": log.signing_keys(),
        "base": str(request.base_url).rstrip("/"),
        "api": API,
    }
    return page(request, "ledger/transparency.html", context)


@router.page("GET", "/transparency/proof", access=PUBLIC)
def transparency_proof(
    transaction: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    serial: Annotated[str | None, Query(max_length=120)] = None,
) -> RedirectResponse:
    """The proof download forms' target: redirects to the API's bundle for a transaction or
    for every transaction that touched a serial range."""
    serial = serial.strip() if serial else None
    if (transaction is None) == (serial is None):
        raise InvalidInput("G1_SELECT_ENTRY", "Give exactly one of a transaction or a serial.")
    if transaction is not None:
        return RedirectResponse(
            f"{API}/log/transactions/{transaction}/inclusion-proof", status_code=303
        )
    return RedirectResponse(
        f"{API}/log/serials/{quote(str(serial), safe='')}/inclusion-proofs", status_code=303
    )
