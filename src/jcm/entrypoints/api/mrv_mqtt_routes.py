"""Digital MRV over HTTP: a device's MQTT credentials (access rule in
``jcm.domain.identity.mrv_actions``). The password is in this one answer only; the registry
keeps its hash for the broker's password file."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from jcm.bootstrap import mqtt_broker
from jcm.domain.identity.mrv_actions import MRV
from jcm.entrypoints.api.routing import CallerDep, Router, context
from jcm.service_layer.results import to_json_object

router = Router(tags=["mrv"])


@router.endpoint(
    "POST",
    "/mrv/devices/{device}/mqtt-credentials",
    access=MRV["issue_device_credentials"],
    status_code=201,
)
def issue_device_credentials(device: str, request: Request, caller: CallerDep) -> JSONResponse:
    """A new MQTT password for a device of a project the caller's organisation takes part in
    (logged without the secret). It is shown in this answer only; the previous one stops
    working when the broker re-reads its files (`jcm mrv broker-config`)."""
    issued = mqtt_broker(context(request).app, caller.principal).issue_credentials(device)
    return JSONResponse(to_json_object(issued), 201, headers={"Cache-Control": "no-store"})
