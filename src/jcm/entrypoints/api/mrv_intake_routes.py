"""Digital MRV over HTTP: intake (access rules in ``jcm.domain.identity.mrv_actions``).

``POST /mrv/batches`` takes one envelope or ``{"batches": [envelope, ...]}`` (at most
1,000, within the API's JSON body limit) and answers 200 with one result per envelope,
in order: accepted, duplicate, or refused with its code; a refused batch does not make the
request fail. A body that is not a JSON object of that shape is answered 422 H2_BAD_REQUEST
(problem+json), as everywhere in the API.
``POST /mrv/imports`` takes a CSV or Parquet file (multipart field ``file``) and answers
the same way. ``GET /mrv/intake`` counts what intake accepted and refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from jcm.domain.errors import InvalidInput
from jcm.domain.identity.mrv_actions import MRV
from jcm.entrypoints.api.cycle_support import read_upload
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, Router, context
from jcm.service_layer.mrv.intake_ports import IntakeSummary

router = Router(tags=["mrv"])

MAX_BATCHES_PER_REQUEST = 1_000

_BODY = Body(
    description='One envelope {"batch": {...}, "signature": "..."} or {"batches": [envelope, '
    "...]} (at most 1,000). The wire format is in docs/mrv.md.",
    examples=[
        {
            "batch": {
                "device": "KE001-PV-001",
                "seq": 17,
                "readings": [["2026-06-01T10:15:00+03:00", 1234]],
            },
            "signature": "base64 Ed25519 signature of the canonical batch",
        }
    ],
)


def _envelopes(body: dict[str, Any]) -> list[object] | str:
    """The envelopes of a body, or what is wrong with its shape."""
    if "batches" not in body:
        return [body]
    batches = body["batches"]
    if set(body) != {"batches"} or not isinstance(batches, list):
        return 'A body with "batches" holds only that list of envelopes.'
    if len(batches) > MAX_BATCHES_PER_REQUEST:
        return f"At most {MAX_BATCHES_PER_REQUEST:,} batches per request; split the upload."
    return list(batches)


@router.endpoint("POST", "/mrv/batches", access=MRV["submit_batches"])
def submit_batches(
    request: Request, body: Annotated[dict[str, Any], _BODY], caller: CallerDep
) -> JSONResponse:
    """Upload signed batches: each is accepted once, acknowledged as a duplicate, or refused
    with the rule that refused it (recorded and counted). Every device must belong to a
    project the caller's organisation participates in (D6_WRONG_DEVICE otherwise)."""
    envelopes = _envelopes(body)
    if isinstance(envelopes, str):
        raise InvalidInput("H2_BAD_REQUEST", envelopes)
    intake = context(request).app.mrv.intake
    results = intake.accept_envelopes(envelopes, "http", by=caller.principal)
    return JSONResponse(IntakeSummary.of(results).to_json())


@router.endpoint("POST", "/mrv/imports", access=MRV["import_readings"])
def import_readings(
    request: Request,
    file: Annotated[
        UploadFile,
        File(description="CSV or Parquet: device, seq, timestamp, wh, signature per reading."),
    ],
    caller: CallerDep,
) -> JSONResponse:
    """Import a file of signed readings (the rows of one device and seq form one batch)."""
    intake = context(request).app.mrv.intake
    results = intake.import_file(read_upload(file), by=caller.principal)
    return JSONResponse(IntakeSummary.of(results).to_json())


@router.endpoint("GET", "/mrv/intake", access=MRV["intake_statistics"])
def intake_statistics(
    request: Request,
    caller: CallerDep,
    project: Annotated[str | None, Query(max_length=40)] = None,
) -> JSONResponse:
    """Accepted batches and readings, duplicates and refusals by code (all projects, or one)."""
    return respond(context(request).app.mrv.intake.counts(project))
