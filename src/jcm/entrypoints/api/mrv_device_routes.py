"""Digital MRV over HTTP: devices (access rules in ``jcm.domain.identity.mrv_actions``).

The caller's organisation registers and changes devices; the use case checks that it takes
part in the device's project (another organisation's device answers 404, as an absent one).
Decimals are text (``"250.5"``) or whole numbers, never floats; energies are whole Wh.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from jcm.domain.identity.mrv_actions import MRV
from jcm.domain.mrv.device_json import calibration_of_body, device_of_body
from jcm.domain.mrv.devices import DeviceKind, RegisterKind, Replacement
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.api.routing import CallerDep, Router, context
from jcm.entrypoints.api.schemas import Body
from jcm.service_layer.mrv.devices import DeviceService

router = Router(tags=["mrv"])

DecimalText = Annotated[
    str | int,
    Field(description='A decimal number as text, e.g. "250.5" (or a whole number).'),
]
MAX_WH = 2**63 - 1


class LocationBody(Body):
    latitude: DecimalText
    longitude: DecimalText
    timezone: str = Field(max_length=64, description="IANA name, e.g. Africa/Nairobi.")


class CalibrationBody(Body):
    calibrated_on: date
    valid_until: date = Field(description="After this day the meter is overdue.")
    max_permissible_error_pct: DecimalText = Field(description='MPE in %, 0-10, e.g. "0.5".')
    certificate: str = Field("", max_length=200, description="The certificate's reference.")


class DeviceBody(Body):
    id: str = Field(max_length=64, description="The metering point, e.g. KE001-PV-001.")
    project_id: str = Field(max_length=40, description="The project, e.g. KE001.")
    parameter: str = Field(max_length=40, description="Monitored parameter, e.g. EG_p.")
    kind: DeviceKind
    # "register" would shadow a BaseModel attribute: the JSON name is kept by alias
    register_kind: RegisterKind = Field(alias="register")
    interval_minutes: int = Field(ge=-(10**6), le=10**6, description="1-60, dividing 60.")
    nameplate_kw: DecimalText
    location: LocationBody
    meter_serial: str = Field(max_length=64)
    calibration: CalibrationBody
    public_key: str = Field(max_length=64, description="Ed25519 raw public key, base64.")
    register_max_wh: int | None = Field(
        None, ge=-MAX_WH, le=MAX_WH, description="A cumulative register's rollover value."
    )


class ReplacementBody(Body):
    at: datetime = Field(description="With its UTC offset; readings from then are the new meter's.")
    new_serial: str = Field(max_length=64)
    public_key: str = Field(max_length=64, description="The new meter's Ed25519 key, base64.")
    calibration: CalibrationBody
    old_final_wh: int = Field(0, ge=-MAX_WH, le=MAX_WH, description="Cumulative: last reading.")
    new_initial_wh: int = Field(0, ge=-MAX_WH, le=MAX_WH, description="Cumulative: first.")


def devices(request: Request, caller: Caller) -> DeviceService:
    """The device use cases acting for the caller (anonymous callers never reach here)."""
    app = context(request).app
    acting = app.mrv if caller.principal is None else app.acting(caller.principal).mrv
    return acting.devices


@router.endpoint("POST", "/mrv/devices", access=MRV["register_device"], status_code=201)
def register_device(body: DeviceBody, request: Request, caller: CallerDep) -> JSONResponse:
    """Register a meter of a project the caller's organisation takes part in (logged)."""
    assert caller.organisation is not None  # the route's rule admits no anonymous caller
    device = device_of_body(body.model_dump(mode="json", by_alias=True))
    return JSONResponse(devices(request, caller).register(device, caller.organisation), 201)


@router.endpoint("GET", "/mrv/devices", access=MRV["list_devices"])
def list_devices(
    request: Request,
    caller: CallerDep,
    project: Annotated[str | None, Query(max_length=40, description="e.g. KE001.")] = None,
) -> JSONResponse:
    """The devices the caller sees (of its projects, or those it is engaged on)."""
    return JSONResponse({"items": devices(request, caller).list(project)})


@router.endpoint("GET", "/mrv/devices/{device}", access=MRV["get_device"])
def get_device(device: str, request: Request, caller: CallerDep) -> JSONResponse:
    """A device with its calibration, key, replacements and version."""
    return JSONResponse(devices(request, caller).get(device))


@router.endpoint("POST", "/mrv/devices/{device}/recalibrations", access=MRV["recalibrate_device"])
def recalibrate_device(
    device: str, body: CalibrationBody, request: Request, caller: CallerDep
) -> JSONResponse:
    """Record a new calibration of the meter in place (logged; version + 1)."""
    calibration = calibration_of_body(body.model_dump(mode="json"), device)
    return JSONResponse(devices(request, caller).recalibrate(device, calibration))


@router.endpoint("POST", "/mrv/devices/{device}/replacements", access=MRV["replace_device"])
def replace_device(
    device: str, body: ReplacementBody, request: Request, caller: CallerDep
) -> JSONResponse:
    """Record a new meter at the metering point: serial, key and calibration change, the id
    stays; readings are never differenced across the replacement (logged; version + 1)."""
    calibration = calibration_of_body(body.calibration.model_dump(mode="json"), device)
    replacement = Replacement(body.at, "", body.old_final_wh, body.new_serial, body.new_initial_wh)
    return JSONResponse(
        devices(request, caller).replace(device, replacement, body.public_key, calibration)
    )
