"""Digital MRV over HTTP: verification (access rules in ``jcm.domain.identity.mrv_actions``).

A participant of a project asks for the automatic verification of a monitoring period; the
verification record and its evidence bundle (a zip: bundle.json plus the Parquet files it
covers) are public, so anyone can recompute the period with ``jcm mrv verify-bundle``.
"""

from __future__ import annotations

from datetime import date

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from jcm.domain.cycle import commands as cc
from jcm.domain.identity.mrv_actions import MRV
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, IdempotencyKey, Router, context, scoped_key
from jcm.entrypoints.api.schemas import Body

router = Router(tags=["mrv"])


class PeriodBody(Body):
    start: date = Field(description="The period's first day (UTC).")
    end: date = Field(description="The period's last day (UTC), inclusive.")


@router.endpoint(
    "POST",
    "/mrv/projects/{project}/verifications",
    access=MRV["verify_period"],
    status_code=201,
)
def verify_period(
    project: str,
    body: PeriodBody,
    request: Request,
    caller: CallerDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Verify a monitoring period automatically; a passing period enters the project cycle
    as the caller's monitoring report, with the verification record as its evidence."""
    assert caller.organisation is not None
    assert caller.principal is not None
    service = context(request).app.acting(caller.principal).mrv.verification
    result = service.verify_period(
        project, body.start, body.end, cc.ActingAs(caller.organisation), scoped_key(caller, key)
    )
    return respond(result, 201)


@router.endpoint("GET", "/mrv/verifications/{verification}", access=MRV["verifications"])
def get_verification(verification: str, request: Request) -> JSONResponse:
    """A verification record with its digest, log entry and monitoring period (public)."""
    return JSONResponse(context(request).app.mrv.verification.get(verification))


@router.endpoint(
    "GET",
    "/mrv/verifications/{verification}/bundle",
    access=MRV["evidence_bundle"],
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def get_bundle(verification: str, request: Request) -> Response:
    """The evidence bundle as a zip: check it offline with ``jcm mrv verify-bundle``."""
    data = context(request).app.mrv.verification.bundle_zip(verification)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{verification}.zip"'},
    )
