"""Article 6.2 over HTTP: each Party's AEF reports (build, check, submit, export, verify)
and the public's view of what has been submitted. Access rules in
``jcm.domain.identity.aef_actions``.

A Party's own acts and its drafts are for its registry's administrator (Japan's for
Japan's report across every partnership, each partner's for its own); another caller is
told the report does not exist (404). Submitted and superseded versions, their exports and
their verification against the log are public.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Response
from fastapi.responses import JSONResponse

from jcm.domain.aef.submissions import SubmissionStatus
from jcm.domain.errors import Forbidden, NotFound, Unauthenticated
from jcm.domain.identity.access import decide
from jcm.domain.identity.aef_actions import AEF
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, Router

router = Router(tags=["article6"])

Version = Annotated[
    str | None,
    Query(max_length=12, pattern=r"^\d+\.\d+$", description="A version X.Y (default: current)."),
]
_BASE = "/a6/reports/{party}/{year}"


def _guard(caller: Caller, action: str, party: str) -> None:
    decide(AEF[action], caller.principal, caller.roles, admin_of=caller.admin_of, registry=party)


def _sees_drafts(caller: Caller, party: str) -> bool:
    try:
        _guard(caller, "read_draft_report", party)
    except (Unauthenticated, Forbidden, NotFound):
        return False
    return True


@router.endpoint("POST", _BASE, access=AEF["build_report"], status_code=201)
def build_report(party: str, year: int, caller: CallerDep) -> JSONResponse:
    """Derive and check the Party's report for the year from the ledger; it becomes the
    draft (replacing the one there). The failures found are in the answer."""
    party = party.upper()
    _guard(caller, "build_report", party)
    return respond(caller.services.aef.reports.build(party, year), 201)


@router.endpoint("GET", _BASE + "/checks", access=AEF["check_report"])
def check_report(party: str, year: int, caller: CallerDep) -> JSONResponse:
    """Every consistency check on the report the ledger gives now: rule, table, row, column."""
    party = party.upper()
    _guard(caller, "check_report", party)
    return respond(caller.services.aef.reports.check(party, year))


@router.endpoint("POST", _BASE + "/submissions", access=AEF["submit_report"], status_code=201)
def submit_report(party: str, year: int, caller: CallerDep) -> JSONResponse:
    """Submit the draft: refused before the year is over, when checks fail (the failures
    are in the problem's details) or when the ledger changed since the draft was built."""
    party = party.upper()
    _guard(caller, "submit_report", party)
    return respond(caller.services.aef.reports.submit(party, year), 201)


@router.endpoint("GET", "/a6/reports", access=AEF["list_reports"])
def list_reports(
    caller: CallerDep,
    party: Annotated[str | None, Query(max_length=2)] = None,
    year: Annotated[int | None, Query(ge=1990, le=9999)] = None,
    status: SubmissionStatus | None = None,
) -> JSONResponse:
    """The reports: submitted and superseded versions for everyone, and the drafts of the
    Parties whose registry the caller administers."""
    rows = caller.services.aef.reports.list(party.upper() if party else None, year, status)
    visible = [
        r for r in rows if r.status != SubmissionStatus.DRAFT.value or _sees_drafts(caller, r.party)
    ]
    return respond(visible)


@router.endpoint("GET", _BASE, access=AEF["read_report"])
def show_report(party: str, year: int, caller: CallerDep, version: Version = None) -> JSONResponse:
    """A report with its five tables (the ``jcm-aef/2`` JSON form): the version asked for,
    else the current submitted one, else (for the Party's administrator) the draft."""
    party = party.upper()
    drafts = _sees_drafts(caller, party)
    return respond(caller.services.aef.reports.show(party, year, version, drafts=drafts))


@router.endpoint(
    "GET",
    _BASE + "/export.{fmt}",
    access=AEF["export_report"],
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/json": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
def export_report(
    party: str,
    year: int,
    fmt: Literal["csv", "xlsx", "json"],
    caller: CallerDep,
    version: Version = None,
) -> Response:
    """The report as a file: the stacked CSV, the XLSX workbook or the JSON form. The
    ``X-JCM-Report-Digest`` header is the SHA-256 of the CSV bytes followed by the JSON bytes."""
    party = party.upper()
    drafts = _sees_drafts(caller, party)
    exported = caller.services.aef.reports.export(party, year, fmt, version, drafts=drafts)
    return Response(
        exported.data,
        media_type=exported.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{exported.name}"',
            "X-JCM-Report-Digest": exported.digest,
            "X-JCM-Report-Status": exported.status,
        },
    )


@router.endpoint("GET", _BASE + "/verification", access=AEF["verify_report"])
def verify_report(
    party: str, year: int, caller: CallerDep, version: Version = None
) -> JSONResponse:
    """The submitted report derived again from the transparency log alone and compared:
    ``valid``, the digests, and each difference (R5 code, table, row, column)."""
    return respond(caller.services.aef.reports.verify(party.upper(), year, version))
