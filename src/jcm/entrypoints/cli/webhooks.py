"""Webhooks: subscriptions, the delivery log, redelivery, and the delivery worker.

The console acts on an organisation's behalf (``--as``), as the operator on the server.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from jcm.bootstrap import utc_now
from jcm.domain.errors import JcmError
from jcm.domain.identity.principal import operator_for
from jcm.domain.webhooks.events import EventType
from jcm.domain.webhooks.subscriptions import DEFAULT_LEASE
from jcm.entrypoints.cli.common import (
    JsonOpt,
    KeyOpt,
    cli,
    emit,
    err,
    out,
    print_summary,
    print_table,
    refusals,
    run,
    state,
)
from jcm.entrypoints.cli.guard import report_refusal
from jcm.service_layer.webhooks.results import DeliveryInfo, DeliveryRound, SubscriptionCreated
from jcm.service_layer.webhooks.service import MAX_ROUND, ROUND_SIZE

webhook_cli = typer.Typer(
    help="Webhooks: signed notices of issuance, transfers, cycle steps and decisions."
)
cli.add_typer(webhook_cli, name="webhook")

AsOrg = Annotated[str, typer.Option("--as", help="The organisation whose webhooks these are.")]
_TYPES = ", ".join(e.value for e in EventType)


@webhook_cli.command("subscribe")
def webhook_subscribe(
    url: Annotated[str, typer.Argument(help="Where to POST (http:// or https://).")],
    organisation: AsOrg,
    events: Annotated[
        list[str],
        typer.Option("--event", "-e", help=f"An event type (repeat; * for all): {_TYPES}."),
    ],
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Subscribe an organisation; prints the signing secret (keep it: it is not listed)."""

    def render(created: SubscriptionCreated) -> None:
        s = created.subscription
        out.print(f"[green]✓[/] subscription {s.subscription} for {s.organisation}")
        out.print(f"  url: {s.url}")
        out.print(f"  events: {', '.join(e.value for e in s.event_types)}")
        out.print(f"  secret: {created.secret}")
        err.print("Keep the secret now: no listing shows it again.")

    run(
        json_out,
        lambda: state.app().webhooks.subscribe(
            operator_for(organisation), url, events, idempotency_key=key
        ),
        render,
    )


@webhook_cli.command("unsubscribe")
def webhook_unsubscribe(
    subscription: Annotated[str, typer.Argument(help="The subscription id (sub_…).")],
    organisation: AsOrg,
    json_out: JsonOpt = False,
) -> None:
    """End a subscription; deliveries not yet made are cancelled."""
    run(
        json_out,
        lambda: state.app().webhooks.unsubscribe(operator_for(organisation), subscription),
        print_summary,
    )


@webhook_cli.command("list")
def webhook_list(organisation: AsOrg, json_out: JsonOpt = False) -> None:
    """An organisation's subscriptions (never their secrets)."""
    run(
        json_out,
        lambda: state.app().webhooks.subscriptions(operator_for(organisation)),
        lambda rows: print_table(
            "webhook subscriptions",
            rows,
            ["subscription", "url", "event_types", "active", "created_at", "ended_at"],
        ),
    )


@webhook_cli.command("deliveries")
def webhook_deliveries(
    organisation: AsOrg,
    subscription: Annotated[
        str | None, typer.Option("--subscription", help="Only this subscription's.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="How many.")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """The delivery log, newest first: each delivery with its attempts."""

    def render(rows: list[DeliveryInfo]) -> None:
        print_table(
            "webhook deliveries",
            rows,
            ["delivery", "event_type", "status", "attempts", "last_status_code", "next_attempt_at"],
        )
        for row in rows:
            for a in row.log:
                outcome = a.status_code if a.status_code is not None else a.error
                out.print(
                    f"  {row.delivery} #{a.attempt} {a.trigger.value} {a.started_at.isoformat()}"
                    f" → {outcome} ({a.duration_ms} ms)"
                )

    run(
        json_out,
        lambda: state.app().webhooks.deliveries(
            operator_for(organisation), subscription=subscription, limit=limit
        ),
        render,
    )


@webhook_cli.command("redeliver")
def webhook_redeliver(
    delivery: Annotated[str, typer.Argument(help="The delivery id (msg_…, the webhook-id).")],
    organisation: AsOrg,
    json_out: JsonOpt = False,
) -> None:
    """Send a delivery again, with the same webhook-id, at the worker's next round."""
    run(
        json_out,
        lambda: state.app().webhooks.redeliver(operator_for(organisation), delivery),
        print_summary,
    )


@webhook_cli.command("deliver")
def webhook_deliver(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit.")] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.05, max=60, help="Seconds between idle rounds.")
    ] = 1.0,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=MAX_ROUND, help="Deliveries claimed per round.")
    ] = ROUND_SIZE,
    lease: Annotated[
        float,
        typer.Option(
            "--lease",
            min=1,
            max=3600,
            help="Seconds a claimed delivery stays this worker's (after a crash it is due "
            "again after this); keep it above --batch × 10 s, the send timeout.",
        ),
    ] = DEFAULT_LEASE,
    json_out: JsonOpt = False,
) -> None:
    """The delivery worker: send due deliveries, record every attempt, retry with backoff.

    Runs until Ctrl-C; several workers may run at once. A refusal (the database is away, a
    busy lock) is reported and the worker carries on at the next round.
    """
    with refusals(json_out):
        service = state.app().webhooks

    def render(done: DeliveryRound) -> None:
        out.print(
            f"attempted {done.attempted}: delivered {done.delivered}, retrying "
            f"{done.retrying}, failed {done.gave_up}"
        )

    try:
        while True:
            if once:
                with refusals(json_out):
                    done = service.deliver_due(utc_now(), limit=batch, lease=lease)
                emit(done, json_out, render)
                return
            try:
                done = service.deliver_due(utc_now(), limit=batch, lease=lease)
            except JcmError as error:
                report_refusal(error, json_out or state.json)
                time.sleep(interval)
                continue
            if done.attempted:
                emit(done, json_out, render)
            else:
                time.sleep(interval)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
