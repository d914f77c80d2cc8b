"""jcm mrv fleet … and jcm mrv simulate: the PV fleet simulator (a client, jcm.fleet).

The simulator stands for meters in the field: it needs no registry, database or key of the
platform, only its fleet file. Its secrets come from the environment, never the command
line (``ps`` shows command lines): ``JCM_FLEET_TOKEN`` or ``JCM_FLEET_TOKEN_FILE`` (the
participant's API token, for HTTP) and ``JCM_FLEET_MQTT_PASSWORDS_FILE`` (a private JSON
object device → MQTT password).
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from jcm.domain.errors import InvalidInput
from jcm.entrypoints.cli.common import JsonOpt, out, parse_date_option, run
from jcm.entrypoints.cli.mrv import mrv_cli

fleet_cli = typer.Typer(help="Simulated PV meters: a fleet of devices with their own keys.")
mrv_cli.add_typer(fleet_cli, name="fleet")


def _decimal(text: str, option: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise InvalidInput("D11_BAD_FLEET", f"{option} {text!r} is not a number.", value=text)
    return value


@fleet_cli.command("create")
def fleet_create(
    project: Annotated[str, typer.Option("--project", help="The project, e.g. KE001.")],
    out_file: Annotated[Path, typer.Option("--out", help="The fleet file to write (0600).")],
    devices: Annotated[int, typer.Option("--devices", help="How many meters.")] = 4,
    lat: Annotated[str, typer.Option("--lat", help="The site's latitude.")] = "-1.29",
    lon: Annotated[str, typer.Option("--lon", help="The site's longitude.")] = "36.82",
    tz: Annotated[str, typer.Option("--tz", help="The site's IANA time zone.")] = (
        "Africa/Nairobi"
    ),
    nameplate_kw: Annotated[
        str, typer.Option("--nameplate-kw", help="Each meter's AC nameplate, kW.")
    ] = "200",
    register: Annotated[
        str,
        typer.Option("--register", help="interval, cumulative or mixed (every second one)."),
    ] = "interval",
    register_max_wh: Annotated[
        int, typer.Option("--register-max-wh", help="Where cumulative registers wrap, Wh.")
    ] = 999_999_999,
    interval: Annotated[int, typer.Option("--interval", help="Minutes per reading.")] = 15,
    parameter: Annotated[str, typer.Option("--parameter", help="Monitored parameter.")] = "EG_p",
    seed: Annotated[int, typer.Option("--seed", help="Seeds the meters' locations.")] = 1,
    json_out: JsonOpt = False,
) -> None:
    """Define a fleet of meters scattered around a site, each with a fresh Ed25519 key.

    The fleet file holds the private keys: it is written readable by you only; never
    commit it."""

    def action() -> dict[str, Any]:
        from jcm.fleet.definition import create_fleet, save_fleet

        fleet = create_fleet(
            project,
            devices,
            _decimal(lat, "--lat"),
            _decimal(lon, "--lon"),
            tz,
            _decimal(nameplate_kw, "--nameplate-kw"),
            register=register,
            register_max_wh=register_max_wh,
            interval_minutes=interval,
            parameter=parameter,
            seed=seed,
        )
        save_fleet(fleet, out_file)
        return {
            "fleet_file": str(out_file),
            "project": fleet.project,
            "devices": [{"id": d.id, "register": d.register.value} for d in fleet.devices],
        }

    def render(result: dict[str, Any]) -> None:
        out.print(
            f"[green]✓[/] {len(result['devices'])} meters of {result['project']} in "
            f"{result['fleet_file']} (private keys: keep it private, never commit it)"
        )
        for device in result["devices"]:
            out.print(f"  {device['id']}  {device['register']}")

    run(json_out, action, render)


@fleet_cli.command("registrations")
def fleet_registrations(
    fleet_file: Annotated[Path, typer.Argument(help="The fleet file.")],
    json_out: JsonOpt = False,
) -> None:
    """Print the registration body of every meter (JSON: what the devices API takes)."""

    def action() -> list[dict[str, Any]]:
        from jcm.fleet.definition import load_fleet, registration_bodies

        return registration_bodies(load_fleet(fleet_file))

    def render(bodies: list[dict[str, Any]]) -> None:
        import json

        out.print_json(json.dumps(bodies))

    run(json_out, action, render)


@mrv_cli.command("simulate")
def mrv_simulate(
    fleet_file: Annotated[Path, typer.Argument(help="The fleet file.")],
    first_day: Annotated[str, typer.Option("--from", help="First local day, YYYY-MM-DD.")],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="mqtt://HOST:PORT, http://HOST:PORT (the API) or file:PATH.csv|.parquet.",
        ),
    ],
    days: Annotated[int, typer.Option("--days", help="How many days.")] = 7,
    faults: Annotated[
        str | None,
        typer.Option(
            "--faults",
            help="KIND:DEVICE\\[@YYYY-MM-DDTHH:MM]\\[/N], comma-separated; kinds gap, stuck, "
            "drift, rollover, forged, replay, night (docs/mrv.md).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Weather noise seed.")] = 1,
    batch: Annotated[str, typer.Option("--batch", help="day or hour per batch.")] = "day",
    processes: Annotated[int, typer.Option("--processes", help="MQTT publisher processes.")] = 2,
    json_out: JsonOpt = False,
) -> None:
    """Generate a fleet's signed readings and send them to MQTT, the HTTP API or files.

    Secrets from the environment only: JCM_FLEET_TOKEN or JCM_FLEET_TOKEN_FILE (HTTP) and
    JCM_FLEET_MQTT_PASSWORDS_FILE (MQTT, a JSON object device → password)."""

    def action() -> dict[str, Any]:
        from jcm.fleet.definition import load_fleet
        from jcm.fleet.faults import parse_faults
        from jcm.fleet.generate import simulate
        from jcm.fleet.sinks import credentials_from_env, send

        if not 1 <= processes <= 64:
            raise InvalidInput("D11_BAD_TARGET", "Use 1 to 64 publisher processes.")
        start = parse_date_option(first_day, "--from")
        credentials = credentials_from_env(os.environ)
        simulation = simulate(
            load_fleet(fleet_file),
            start,
            days,
            seed=seed,
            faults=parse_faults(faults),
            batch=batch,
        )
        report = send(simulation, to, credentials, processes=processes)
        return simulation.summary() | {"sent": report.as_json()}

    run(json_out, action, _render_simulation)


def _render_simulation(result: dict[str, Any]) -> None:
    sent = result["sent"]
    out.print(
        f"[green]✓[/] {result['batches']:,} batches, {result['readings']:,} readings of "
        f"{result['devices']} meters ({result['from']}, {result['days']} days) → "
        f"{sent['target']}: {sent['acknowledged']:,} acknowledged in {sent['seconds']} s"
    )
    for outcome, count in sent["outcomes"].items():
        out.print(f"  {outcome}: {count:,}")
    for path in sent["files"]:
        out.print(f"  wrote {path}")
    for fault in result["faults"]:
        out.print(
            f"  fault {fault['kind']} on {fault['device']} ×{fault['count']} "
            f"{fault['first']} … {fault['last']} (seq {', '.join(map(str, fault['seqs']))}) "
            f"→ expect {', '.join(fault['expect'])}",
            soft_wrap=True,
        )
