"""Article 6.2 for anyone: the cooperative approaches, every submitted AEF report with its
downloads and its verification against the transparency log, and the register of
authorisations and authorised entities.

The rules are the API's (``jcm.domain.identity.aef_actions``): submitted and superseded
versions, their exports and verification are public; a draft is shown only to its Party's
registry administrator (anyone else is told there is no such report, 404). The reports'
own pages for a Party's administrator are in ``article6_party_pages``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import Response

from jcm.domain.aef.submissions import SubmissionStatus
from jcm.domain.aef.tables import TABLE_TITLES
from jcm.domain.errors import Forbidden, NotFound, Unauthenticated
from jcm.domain.identity.access import decide
from jcm.domain.identity.aef_actions import AEF, REGISTER
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.web.i18n import N_
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import page
from jcm.service_layer.aef.report_results import ReportView

router = PageRouter()

MAX_ROWS = 100  # rows of a table shown on a page; the downloads have them all
PartyCode = Annotated[str, Path(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")]
Year = Annotated[int, Path(ge=1990, le=9999)]
Version = Annotated[
    str | None, Query(max_length=12, pattern=r"^\d+\.\d+$", description="X.Y (default: current)")
]
Format = Literal["csv", "xlsx", "json"]

# The five AEF tables' titles, as the pages show them (the exports keep the AEF's own).
TABLE_LABELS = dict(
    zip(
        TABLE_TITLES,
        (
            N_("Table 1: Submission"),
            N_("Table 2: Authorizations"),
            N_("Table 3: Actions (first transfers, acquisitions, uses, cancellations)"),
            N_("Table 4: Holdings"),
            N_("Table 5: Authorized entities"),
        ),
        strict=True,
    )
)
STATUS_LABELS = {
    SubmissionStatus.DRAFT.value: N_("Draft"),
    SubmissionStatus.SUBMITTED.value: N_("Submitted"),
    SubmissionStatus.SUPERSEDED.value: N_("Superseded"),
}


def guard(caller: Caller, action: str, party: str) -> None:
    """The AEF rule ``action`` for ``party``'s report (another Party's is a 404)."""
    decide(AEF[action], caller.principal, caller.roles, admin_of=caller.admin_of, registry=party)


def sees_drafts(caller: Caller, party: str) -> bool:
    try:
        guard(caller, "read_draft_report", party)
    except (Unauthenticated, Forbidden, NotFound):
        return False
    return True


def shown_tables(view: ReportView) -> list[dict[str, Any]]:
    """The report's five tables for a page: title, columns, at most ``MAX_ROWS`` rows, and
    how many rows there are."""
    shown = []
    for table in view.document["tables"]:
        rows = table["rows"]
        shown.append(
            {
                "title": table["title"],
                "label": TABLE_LABELS.get(table["title"], table["title"]),
                "columns": table["columns"],
                "rows": rows[:MAX_ROWS],
                "count": len(rows),
            }
        )
    return shown


def report_links(party: str, year: int, version: str) -> dict[str, str]:
    """Where a report version's page and files are."""
    base = f"/article6/reports/{party}/{year}"
    query = f"?version={version}"
    return {
        "page": base + query,
        **{fmt: f"{base}/export.{fmt}{query}" for fmt in ("csv", "xlsx", "json")},
    }


@router.page("GET", "/article6", access=AEF["list_reports"])
def article6(request: Request, caller: WebCallerDep) -> Response:
    """The cooperative approaches and every submitted (or superseded) report."""
    aef = caller.services.aef
    reports = aef.reports.list(drafts=False)
    context = {
        "approaches": aef.register.approaches(),
        "reports": [(r, report_links(r.party, r.year, r.version)) for r in reports],
        "statuses": STATUS_LABELS,
    }
    return page(request, "article6/index.html", context)


@router.page("GET", "/article6/register", access=REGISTER["list_authorisations"])
def register(request: Request, caller: WebCallerDep) -> Response:
    """The authorisations (latest version of each) and the authorised entities."""
    aef = caller.services.aef
    context = {
        "authorisations": aef.register.authorisations(),
        "entities": aef.register.entities(),
    }
    return page(request, "article6/register.html", context)


@router.page("GET", "/article6/reports/{party}/{year}", access=AEF["read_report"])
def report(
    request: Request, caller: WebCallerDep, party: PartyCode, year: Year, version: Version = None
) -> Response:
    """One report version: its summary, its verification against the log (submitted and
    superseded versions), its five tables and its files."""
    party = party.upper()
    reports = caller.services.aef.reports
    view = reports.show(party, year, version, drafts=sees_drafts(caller, party))
    summary = view.summary
    verification = None
    if summary.status != SubmissionStatus.DRAFT.value:
        verification = reports.verify(party, year, summary.version)
    context = {
        "summary": summary,
        "verification": verification,
        "tables": shown_tables(view),
        "links": report_links(party, year, summary.version),
        "statuses": STATUS_LABELS,
        "max_rows": MAX_ROWS,
    }
    return page(request, "article6/report.html", context)


@router.page(
    "GET",
    "/article6/reports/{party}/{year}/export.{fmt}",
    access=AEF["export_report"],
    response_class=Response,
)
def export(
    caller: WebCallerDep, party: PartyCode, year: Year, fmt: Format, version: Version = None
) -> Response:
    """The report as the API exports it: stacked CSV, XLSX workbook or canonical JSON."""
    party = party.upper()
    drafts = sees_drafts(caller, party)
    exported = caller.services.aef.reports.export(party, year, fmt, version, drafts=drafts)
    return Response(
        exported.data,
        media_type=exported.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{exported.name}"',
            "X-JCM-Report-Digest": exported.digest,
            "X-JCM-Report-Status": exported.status,
            "Cache-Control": "no-store" if exported.status == "draft" else "public, max-age=60",
        },
    )
