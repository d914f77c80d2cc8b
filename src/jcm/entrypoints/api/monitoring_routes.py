"""Monitoring periods: reports uploaded as XLSX or CSV sheets, their steps, their queues."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query
from fastapi.responses import JSONResponse

from jcm.bootstrap import monitoring_sheets
from jcm.domain import limits
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.documents import DocumentKind
from jcm.domain.identity.cycle_actions import CYCLE as RULES
from jcm.domain.identity.cycle_actions import Machine
from jcm.entrypoints.api import cycle_schemas as cs
from jcm.entrypoints.api.cycle_support import (
    acting,
    attachments,
    body_attachments,
    media_type,
    parse_attachment,
    public_only,
    read_upload,
    upload_name,
)
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, IdempotencyKey, Router, scoped_key
from jcm.service_layer.documents.service import Upload

router = Router(tags=["monitoring"])


@router.endpoint("GET", "/monitoring-periods", access=RULES["list_monitoring_periods"])
def list_monitoring_periods(
    caller: CallerDep,
    project: Annotated[str | None, Query(max_length=16)] = None,
    state: Annotated[
        str | None,
        Query(max_length=40, description="Only periods in this state, e.g. under_verification."),
    ] = None,
) -> JSONResponse:
    """Monitoring periods, e.g. the queue of those waiting for a verifier, the JC or a
    registry manager."""
    return respond(caller.services.cycle.monitoring_periods(project, state))


@router.endpoint("GET", "/monitoring-periods/{period}", access=RULES["show_monitoring_period"])
def show_monitoring_period(
    period: str,
    caller: CallerDep,
    record: Annotated[bool, Query(description="Include the whole calculation record.")] = False,
) -> JSONResponse:
    """A monitoring period: state, calculation, verification, decision and history (its
    documents' public versions)."""
    found = caller.services.cycle.monitoring(period, with_record=record)
    return JSONResponse(public_only(found))


@router.endpoint(
    "POST",
    "/projects/{project}/monitoring-reports",
    access=RULES["submit_report"],
    status_code=201,
)
def submit_report(
    project: str,
    form: Annotated[cs.ReportForm, Form(media_type="multipart/form-data")],
    caller: CallerDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Submit a monitoring report: a multipart upload of the monitoring sheet (XLSX or CSV);
    the methodology calculates the period's reductions. Without a monitoring_report among
    `documents`, the sheet itself is stored as the report."""
    by = acting(caller, Machine.MONITORING, "submit_report", form.role)
    name = upload_name(form.sheet, "monitoring-sheet.csv")
    data = read_upload(form.sheet, limits.MAX_SHEET_BYTES)
    picked = monitoring_sheets().period(data, name, form.row)
    given = [parse_attachment(d) for d in form.documents]
    documents = caller.services.documents.for_request()
    with documents.step():
        refs = attachments(caller, given)
        if not any(kind is DocumentKind.MONITORING_REPORT for kind, _ in given):
            refs += documents.stage(
                Upload(DocumentKind.MONITORING_REPORT, data, media_type(form.sheet), name)
            )
        source = {"sheet": f"Sheet {picked.sheet!r} row {picked.row}", **picked.columns}
        cmd = cc.SubmitMonitoringReport(
            project,
            picked.start,
            picked.end,
            by,
            form.on,
            tuple(picked.values.items()),
            refs,
            source,
            form.reductions,
        )
        result = caller.services.cycle.submit_report(cmd, scoped_key(caller, key))
    return respond(result, 201)


@router.endpoint("POST", "/monitoring-periods/{period}/steps", access=RULES["monitoring_step"])
def monitoring_step(
    period: str, body: cs.MonitoringStepBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Take one step of a monitoring period: verification (TPE), issuance request
    (participant), acceptance (secretariat), decision (JC), issuance (registry manager).
    The caller's organisation acts, in the role the step's table admits; the token needs
    that role's scope (participant cycle:submit, TPE cycle:verify, others cycle:decide)."""
    cmd = cc.MonitoringStep(
        period,
        body.action,
        acting(caller, Machine.MONITORING, body.action, body.role),
        body.on,
        body_attachments(caller, body),
        verified_amount=body.verified_amount,
        amount=body.amount,
        vintage=body.vintage,
        remainder_to=body.remainder_to,
        reference=body.reference,
    )
    return respond(caller.services.cycle.monitoring_step(cmd, scoped_key(caller, key)))
