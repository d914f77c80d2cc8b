"""jcm mrv device …: register, recalibrate and replace metering devices; list and show them.

A participant's organisation takes each change (``--as``, as for cycle steps). ``register``
takes the same JSON body as ``POST /api/v1/mrv/devices`` (``--file``) or options.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from jcm.domain.errors import InvalidInput
from jcm.domain.mrv.device_json import calibration_of_body, device_of_body
from jcm.domain.mrv.devices import Replacement
from jcm.entrypoints.cli.common import JsonOpt, out, print_table, read_file, run, state
from jcm.entrypoints.cli.cycle_options import AsOpt
from jcm.entrypoints.cli.mrv import mrv_cli
from jcm.entrypoints.console import on_behalf_of
from jcm.service_layer.mrv.devices import DeviceService

__all__ = ["device_cli", "mrv_cli"]

device_cli = typer.Typer(help="Metering devices: register, recalibrate, replace, list, show.")
mrv_cli.add_typer(device_cli, name="device")

MAX_DEVICE_FILE = 64 * 1024
ReaderOpt = Annotated[
    str | None, typer.Option("--as", help="Read as this organisation (default: operator).")
]
DeviceArg = Annotated[str, typer.Argument(help="The device id, e.g. KE001-PV-001.")]
CalibratedOpt = Annotated[str, typer.Option("--calibrated-on", help="YYYY-MM-DD.")]
ValidOpt = Annotated[str, typer.Option("--valid-until", help="YYYY-MM-DD.")]
MpeOpt = Annotated[str, typer.Option("--mpe", help="Maximum permissible error in %, e.g. 0.5.")]
CertificateOpt = Annotated[
    str, typer.Option("--certificate", help="Calibration certificate reference.")
]


def _devices(organisation: str | None) -> DeviceService:
    return on_behalf_of(state.app(), organisation).mrv.devices


def _calibration(calibrated_on: str, valid_until: str, mpe: str, certificate: str) -> Any:
    return {
        "calibrated_on": calibrated_on,
        "valid_until": valid_until,
        "max_permissible_error_pct": mpe,
        "certificate": certificate,
    }


def _say(result: dict[str, Any]) -> None:
    calibration = result["calibration"]
    out.print(
        f"{result['id']} v{result['version']} ({result['project_id']}, {result['parameter']}): "
        f"{result['kind']} {result['meter_serial']}, {result['register']} every "
        f"{result['interval_minutes']} min, {result['nameplate_kw']} kW, calibrated "
        f"{calibration['calibrated_on']} valid until {calibration['valid_until']} "
        f"(MPE {calibration['max_permissible_error_pct']} %), "
        f"{len(result['replacements'])} replacement(s)"
    )


def _body_of_file(path: Path) -> object:
    data = read_file(path, "Device file", "D7_BAD_DEVICE", MAX_DEVICE_FILE)
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(
            "D7_BAD_DEVICE",
            f"Device file {str(path)!r} is not JSON: {error}.",
            path=str(path),
            rule="D7_BAD_DEVICE",
        ) from None


@device_cli.command("register")
def device_register(
    as_: AsOpt,
    file: Annotated[
        Path | None, typer.Option("--file", help="The device as JSON (the API's body).")
    ] = None,
    device_id: Annotated[str | None, typer.Option("--id", help="e.g. KE001-PV-001.")] = None,
    project: Annotated[str | None, typer.Option(help="e.g. KE001.")] = None,
    parameter: Annotated[str, typer.Option(help="Monitored parameter.")] = "EG_p",
    kind: Annotated[str, typer.Option(help="meter or inverter.")] = "meter",
    register: Annotated[str, typer.Option(help="interval or cumulative.")] = "interval",
    interval: Annotated[int, typer.Option(help="Reading interval, minutes.")] = 15,
    nameplate_kw: Annotated[str | None, typer.Option(help="AC nameplate, kW.")] = None,
    latitude: Annotated[str | None, typer.Option(help="Degrees, e.g. -1.2864.")] = None,
    longitude: Annotated[str | None, typer.Option(help="Degrees, e.g. 36.8172.")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA name, e.g. Africa/Nairobi.")] = None,
    serial: Annotated[str | None, typer.Option(help="Meter serial number.")] = None,
    calibrated_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    valid_until: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    mpe: Annotated[str, typer.Option(help="Maximum permissible error, %.")] = "0.5",
    certificate: CertificateOpt = "",
    public_key: Annotated[str | None, typer.Option(help="Ed25519 public key, base64.")] = None,
    register_max_wh: Annotated[
        int | None, typer.Option(help="A cumulative register's rollover value, Wh.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Register a metering device of a project as one of its participants (--as)."""

    def action() -> dict[str, Any]:
        if file is not None:
            body = _body_of_file(file)
        else:
            body = {
                "id": device_id,
                "project_id": project,
                "parameter": parameter,
                "kind": kind,
                "register": register,
                "interval_minutes": interval,
                "nameplate_kw": nameplate_kw,
                "location": {"latitude": latitude, "longitude": longitude, "timezone": timezone},
                "meter_serial": serial,
                "calibration": _calibration(
                    calibrated_on or "", valid_until or "", mpe, certificate
                ),
                "public_key": public_key,
                "register_max_wh": register_max_wh,
            }
        return _devices(as_).register(device_of_body(body), as_)

    run(json_out, action, _say)


@device_cli.command("recalibrate")
def device_recalibrate(
    device: DeviceArg,
    as_: AsOpt,
    calibrated_on: CalibratedOpt,
    valid_until: ValidOpt,
    mpe: MpeOpt,
    certificate: CertificateOpt = "",
    json_out: JsonOpt = False,
) -> None:
    """Record a new calibration of the meter (logged; the device's version goes up)."""

    def action() -> dict[str, Any]:
        body = _calibration(calibrated_on, valid_until, mpe, certificate)
        return _devices(as_).recalibrate(device, calibration_of_body(body, device))

    run(json_out, action, _say)


@device_cli.command("replace")
def device_replace(
    device: DeviceArg,
    as_: AsOpt,
    at: Annotated[str, typer.Option(help="When, with UTC offset: 2026-03-15T10:00:00+03:00.")],
    new_serial: Annotated[str, typer.Option(help="The new meter's serial.")],
    public_key: Annotated[str, typer.Option(help="The new meter's Ed25519 key, base64.")],
    calibrated_on: CalibratedOpt,
    valid_until: ValidOpt,
    mpe: MpeOpt,
    certificate: CertificateOpt = "",
    old_final_wh: Annotated[int, typer.Option(help="Cumulative: old register's last.")] = 0,
    new_initial_wh: Annotated[int, typer.Option(help="Cumulative: new register's first.")] = 0,
    json_out: JsonOpt = False,
) -> None:
    """Record a new meter at the metering point: serial, key and calibration change."""

    def action() -> dict[str, Any]:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            raise InvalidInput(
                "D7_BAD_REPLACEMENT",
                f"--at {at[:40]!r} must be a time with its UTC offset, e.g. "
                "2026-03-15T10:00:00+03:00.",
                device=device,
                field="at",
                rule="D7_BAD_REPLACEMENT",
            ) from None
        calibration = calibration_of_body(
            _calibration(calibrated_on, valid_until, mpe, certificate), device
        )
        replacement = Replacement(when, "", old_final_wh, new_serial, new_initial_wh)
        return _devices(as_).replace(device, replacement, public_key, calibration)

    run(json_out, action, _say)


@device_cli.command("list")
def device_list(
    project: Annotated[str | None, typer.Option(help="Only this project's, e.g. KE001.")] = None,
    as_: ReaderOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List devices (with --as: those that organisation sees)."""

    def render(rows: list[dict[str, Any]]) -> None:
        flat = [
            {**r, "valid_until": r["calibration"]["valid_until"], "version": str(r["version"])}
            for r in rows
        ]
        columns = ["id", "project_id", "parameter", "register", "meter_serial", "valid_until"]
        print_table("Devices", flat, [*columns, "version"])

    run(json_out, lambda: _devices(as_).list(project), render)


@device_cli.command("show")
def device_show(device: DeviceArg, as_: ReaderOpt = None, json_out: JsonOpt = False) -> None:
    """Show a device: calibration, key, replacements and version."""

    def render(result: dict[str, Any]) -> None:
        _say(result)
        out.print(f"  public key {result['public_key']}; registered by {result['organisation']}")
        for r in result["replacements"]:
            out.print(f"  replaced {r['at']}: {r['old_serial']} → {r['new_serial']}")

    run(json_out, lambda: _devices(as_).get(device), render)
