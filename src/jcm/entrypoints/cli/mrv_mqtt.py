"""jcm mrv device-credentials, broker-config, subscribe: the MQTT path of digital MRV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jcm.bootstrap import mqtt_broker
from jcm.domain.identity.principal import operator_for
from jcm.domain.mrv.broker import DEFAULT_GROUP, BrokerSettings, check_port
from jcm.entrypoints.cli.common import JsonOpt, err, out, run, state
from jcm.entrypoints.cli.mrv import mrv_cli
from jcm.service_layer.mrv.broker import BrokerConfig, IssuedCredentials

__all__ = ["mrv_cli"]


@mrv_cli.command("device-credentials")
def device_credentials(
    device: Annotated[str, typer.Argument(help="The device id (its MQTT user name).")],
    as_: Annotated[
        str | None,
        typer.Option("--as", help="The participant organisation asking (default: the operator)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Issue a device's MQTT password (shown once; only its hash is stored).

    The previous password stops working when the broker reloads (`jcm mrv broker-config
    DIR` rewrites its files and reloads a running broker)."""

    def issue() -> IssuedCredentials:
        principal = operator_for(as_) if as_ else None
        return mqtt_broker(state.app(), principal).issue_credentials(device)

    def render(issued: IssuedCredentials) -> None:
        out.print(f"MQTT user {issued.username}, publishing to {issued.topic} (QoS 1)")
        out.print(f"password (shown once, not stored): {issued.password}")
        err.print("Run `jcm mrv broker-config DIR` so the broker accepts it.")

    run(json_out, issue, render)


@mrv_cli.command("broker-config")
def broker_config(
    directory: Annotated[Path, typer.Argument(help="Where the broker's files go.")],
    port: Annotated[int, typer.Option("--port", help="Listener port on 127.0.0.1.")] = 1883,
    no_reload: Annotated[
        bool, typer.Option("--no-reload", help="Do not signal a broker running there.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Write the Mosquitto configuration, password file and ACL into DIRECTORY.

    The password file holds every device's stored hash and the subscriber's; the ACL lets a
    device publish only to jcm/meters/<its id>/readings. A broker started there
    (scripts/start-mosquitto) re-reads them."""

    def write() -> BrokerConfig:
        settings = BrokerSettings(port=check_port(port))
        return mqtt_broker(state.app()).write_config(directory, settings, reload=not no_reload)

    def render(config: BrokerConfig) -> None:
        out.print(f"wrote {config.config} ({config.accounts} accounts), {config.acl_file}")
        if config.reloaded_pid is not None:
            out.print(f"the broker (pid {config.reloaded_pid}) re-read its files")
        out.print(f"start it with: scripts/start-mosquitto DATA_DIR {port}  → {config.url}")

    run(json_out, write, render)


GroupOpt = Annotated[
    str, typer.Option("--group", help="Shared-subscription group: its members share the load.")
]


@mrv_cli.command("subscribe")
def subscribe(
    broker: Annotated[
        str, typer.Option("--broker", help="The broker, mqtt://HOST:PORT.")
    ] = "mqtt://127.0.0.1:1883",
    group: GroupOpt = DEFAULT_GROUP,
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client-id",
            help="MQTT client id; its session (and messages queued while it is down) "
            "resumes under the same id. Default: <group>-<host name>; give each process "
            "on one host its own.",
        ),
    ] = None,
    max_batch: Annotated[
        int, typer.Option("--max-batch", min=1, max=5000, help="Messages stored per commit.")
    ] = 500,
    max_wait_ms: Annotated[
        int, typer.Option("--max-wait-ms", min=0, max=60_000, help="Longest wait to fill one.")
    ] = 50,
    json_out: JsonOpt = False,
) -> None:
    """Take signed batches from the MQTT broker into intake, exactly once.

    Subscribes to jcm/meters/+/readings at QoS 1 through the MQTT 5 shared subscription
    $share/GROUP/…; a message is acknowledged only after it is stored (or refused and
    recorded). Runs until SIGTERM or Ctrl-C, then prints counts."""
    from jcm.entrypoints.mqtt.subscriber import SubscriberOptions, run_subscriber

    def start() -> SubscriberOptions:
        return SubscriberOptions.parse(broker, group, client_id, max_batch, max_wait_ms)

    run_subscriber(state, start, json_out)
