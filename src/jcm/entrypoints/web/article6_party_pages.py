"""A Party's AEF reports, for its registry's administrator: pick a year, build the draft,
read its five tables and the failed checks, submit it, and see the earlier versions.

The rules are the API's (``jcm.domain.identity.aef_actions``): Japan's administrator acts
on Japan's report across every partnership, each partner's administrator on its own; any
other caller is told the Party's reports do not exist (404). Building and submitting are
form posts with the CSRF field, answered by a redirect back to the year's page; a refusal
(the year is not over, a check fails, the draft is stale) is shown on that page with its
code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from jcm.domain.aef.submissions import SubmissionStatus
from jcm.domain.errors import JcmError
from jcm.domain.identity.aef_actions import AEF
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.web.article6_pages import (
    MAX_ROWS,
    STATUS_LABELS,
    PartyCode,
    guard,
    report_links,
    shown_tables,
)
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import page
from jcm.service_layer.aef.report_results import Failure

router = PageRouter()

ChosenYear = Annotated[int | None, Query(ge=1990, le=9999)]
YearField = Annotated[int, Form(ge=1990, le=9999)]
NO_STORE = {"Cache-Control": "no-store"}


def default_year() -> int:
    """The last year that is over: the one a Party reports on next."""
    return datetime.now(UTC).year - 1


def party_path(party: str, year: int) -> str:
    return f"/article6/party/{party}?year={year}"


def _context(caller: Caller, party: str, year: int) -> dict[str, Any]:
    """What the year's page shows: the draft (tables and failures) and every version."""
    reports = caller.services.aef.reports
    versions = reports.list(party, year)
    draft = next((r for r in versions if r.status == SubmissionStatus.DRAFT.value), None)
    published = [r for r in versions if r.status != SubmissionStatus.DRAFT.value]
    tables: list[dict[str, Any]] = []
    failures: tuple[Failure, ...] = ()
    if draft is not None:
        tables = shown_tables(reports.show(party, year, draft.version))
        failures = draft.failures
    return {
        "party": party,
        "year": year,
        "draft": draft,
        "draft_links": report_links(party, year, draft.version) if draft else None,
        "tables": tables,
        "failures": failures,
        "versions": [(r, report_links(party, year, r.version)) for r in reversed(published)],
        "statuses": STATUS_LABELS,
        "max_rows": MAX_ROWS,
    }


def _render(
    request: Request, caller: Caller, party: str, year: int, error: JcmError | None = None
) -> Response:
    context = {**_context(caller, party, year), "error": error}
    status = error.http_status if error is not None else 200
    return page(request, "article6/party.html", context, status_code=status, headers=NO_STORE)


@router.page("GET", "/article6/party/{party}", access=AEF["read_draft_report"])
def party_reports(
    request: Request, caller: WebCallerDep, party: PartyCode, year: ChosenYear = None
) -> Response:
    """The Party's report for ``year`` (default: last year): draft, checks and versions."""
    party = party.upper()
    guard(caller, "read_draft_report", party)
    return _render(request, caller, party, year or default_year())


@router.page("POST", "/article6/party/{party}/build", access=AEF["build_report"])
def build(request: Request, caller: WebCallerDep, party: PartyCode, year: YearField) -> Response:
    """Derive and check the year's report from the ledger: the new draft."""
    party = party.upper()
    guard(caller, "build_report", party)
    try:
        caller.services.aef.reports.build(party, year)
    except JcmError as refusal:
        return _render(request, caller, party, year, refusal)
    return RedirectResponse(party_path(party, year), status_code=303)


@router.page("POST", "/article6/party/{party}/submit", access=AEF["submit_report"])
def submit(request: Request, caller: WebCallerDep, party: PartyCode, year: YearField) -> Response:
    """Submit the draft; a refusal is shown on the year's page."""
    party = party.upper()
    guard(caller, "submit_report", party)
    try:
        caller.services.aef.reports.submit(party, year)
    except JcmError as refusal:
        return _render(request, caller, party, year, refusal)
    return RedirectResponse(party_path(party, year), status_code=303)
