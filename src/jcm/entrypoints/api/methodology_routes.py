"""Methodologies: the executable catalogue (list, show, eligibility, calculation, monitoring
sheets) and the approval process in the cycle (proposals, revisions, steps)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Form, Query
from fastapi.responses import JSONResponse, Response

from jcm.bootstrap import monitoring_sheets
from jcm.domain import limits
from jcm.domain.cycle import commands as cc
from jcm.domain.identity.cycle_actions import METHODOLOGIES as RULES
from jcm.domain.identity.cycle_actions import Machine
from jcm.entrypoints.api import cycle_schemas as cs
from jcm.entrypoints.api.cycle_support import (
    acting,
    body_attachments,
    fact_values,
    quantities,
    read_upload,
    upload_name,
)
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, IdempotencyKey, Router, scoped_key
from jcm.service_layer.methodologies import service as ms

router = Router(tags=["methodologies"])
Version = Annotated[
    str | None, Query(max_length=16, description="Version, e.g. 2.0 (default: the latest).")
]
SHEET_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


# -- the executable catalogue -----------------------------------------------------------------
@router.endpoint("GET", "/methodologies", access=RULES["list_methodologies"])
def list_methodologies(
    caller: CallerDep,
    country: Annotated[str | None, Query(max_length=2, description="Partner ISO code.")] = None,
) -> JSONResponse:
    """The executable methodologies (illustrative ones marked)."""
    return respond(ms.list_methodologies(country.upper() if country else None))


@router.endpoint("GET", "/methodologies/{methodology}", access=RULES["show_methodology"])
def show_methodology(methodology: str, caller: CallerDep, version: Version = None) -> JSONResponse:
    """A methodology's criteria, parameters, equations and default tables."""
    return JSONResponse(ms.describe(methodology, version))


@router.endpoint(
    "GET",
    "/methodologies/{methodology}/sheet",
    access=RULES["methodology_sheet"],
    responses={200: {"content": {v: {} for v in SHEET_TYPES.values()}}},
)
def methodology_sheet(
    methodology: str,
    caller: CallerDep,
    version: Version = None,
    sheet_format: Annotated[
        Literal["xlsx", "csv"], Query(alias="format", description="Sheet format.")
    ] = "xlsx",
) -> Response:
    """A blank monitoring sheet for the methodology: one row per monitoring period."""
    name = f"{methodology.strip().upper()}-monitoring.{sheet_format}"
    data, made = monitoring_sheets().template(methodology, version, name)
    return Response(
        data,
        media_type=SHEET_TYPES[sheet_format],
        headers={
            "Content-Disposition": f'attachment; filename="{made["methodology"]}.{sheet_format}"'
        },
    )


@router.endpoint("POST", "/methodologies/{methodology}/eligibility", access=RULES["eligibility"])
def eligibility(methodology: str, body: cs.EligibilityBody, caller: CallerDep) -> JSONResponse:
    """Check a proposed project's facts against the eligibility criteria."""
    return respond(ms.eligibility(methodology, fact_values(body.facts), body.version))


@router.endpoint("POST", "/methodologies/{methodology}/calculation", access=RULES["calculate"])
def calculate(methodology: str, body: cs.CalculationBody, caller: CallerDep) -> JSONResponse:
    """Reference and project emissions and the reductions, with the calculation record."""
    result = ms.calculate(
        methodology,
        fact_values(body.facts),
        quantities(body.fixed),
        quantities(body.monitored),
        body.start,
        body.end,
        body.version,
    )
    return respond(result)


@router.endpoint(
    "POST", "/methodologies/{methodology}/sheet-calculation", access=RULES["calculate_sheet"]
)
def calculate_sheet(
    methodology: str,
    form: Annotated[cs.SheetCalculationForm, Form(media_type="multipart/form-data")],
    caller: CallerDep,
) -> JSONResponse:
    """The reductions of every monitoring period of an uploaded sheet (XLSX or CSV)."""
    result = monitoring_sheets().calculate(
        methodology,
        dict(map(ms.parse_fact, form.facts)),
        dict(map(ms.parse_quantity, form.fixed)),
        read_upload(form.sheet, limits.MAX_SHEET_BYTES),
        upload_name(form.sheet, "monitoring-sheet.csv"),
        form.version,
    )
    return respond(result)


# -- approval in the cycle --------------------------------------------------------------------
@router.endpoint("GET", "/methodology-proposals", access=RULES["list_methodology_proposals"])
def list_methodology_proposals(caller: CallerDep) -> JSONResponse:
    """Methodologies going through (or through with) approval in the cycle."""
    return respond(caller.services.cycle.methodologies())


@router.endpoint(
    "GET",
    "/methodology-proposals/{methodology}/{version}",
    access=RULES["show_methodology_proposal"],
)
def show_methodology_proposal(methodology: str, version: str, caller: CallerDep) -> JSONResponse:
    return JSONResponse(caller.services.cycle.methodology(methodology, version))


@router.endpoint(
    "POST", "/methodology-proposals", access=RULES["propose_methodology"], status_code=201
)
def propose_methodology(
    body: cs.ProposalBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Propose a new methodology (form and spreadsheet attached): a participant, a TPE or
    a JC member, with that role's scope (`role` says which when the caller holds several)."""
    cmd = cc.ProposeMethodology(
        body.proposal_id.strip().upper(),
        body.title,
        body.scope,
        acting(caller, Machine.METHODOLOGY, "propose", body.role),
        body.on,
        body_attachments(caller, body),
        body.rule_book,
    )
    return respond(caller.services.cycle.propose_methodology(cmd, scoped_key(caller, key)), 201)


@router.endpoint(
    "POST",
    "/methodology-proposals/{methodology}/{version}/revisions",
    access=RULES["revise_methodology"],
    status_code=201,
)
def revise_methodology(
    methodology: str,
    version: str,
    body: cs.RevisionBody,
    caller: CallerDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Propose a revision of a valid methodology version: the next major version."""
    cmd = cc.ReviseMethodology(
        methodology,
        version,
        acting(caller, Machine.METHODOLOGY, "propose_revision", body.role),
        body.on,
        body_attachments(caller, body),
        body.title,
        body.rule_book,
    )
    return respond(caller.services.cycle.revise_methodology(cmd, scoped_key(caller, key)), 201)


@router.endpoint(
    "POST",
    "/methodology-proposals/{methodology}/{version}/steps",
    access=RULES["methodology_step"],
)
def methodology_step(
    methodology: str,
    version: str,
    body: cs.MethodologyStepBody,
    caller: CallerDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Take one step of a methodology's approval (public input: the secretariat; approval,
    rejection: a JC member), with the step role's scope."""
    cmd = cc.MethodologyStep(
        methodology,
        version,
        body.action,
        acting(caller, Machine.METHODOLOGY, body.action, body.role),
        body.on,
        body_attachments(caller, body),
        body.approved_id,
    )
    return respond(caller.services.cycle.methodology_step(cmd, scoped_key(caller, key)))
