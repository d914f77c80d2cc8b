"""Decisions, issuance and moving units: decision, issue, transfer, cancel, retire, batch, a6."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jcm.domain.registry import commands as c
from jcm.domain.registry.allocation import parse_share
from jcm.domain.registry.article6 import parse_trigger, parse_uses
from jcm.domain.registry.batch_file import bad_batch, parse_batch
from jcm.domain.registry.transactions import TransactionKind, parse_purpose
from jcm.entrypoints.cli.common import (
    JsonOpt,
    KeyOpt,
    NoteOpt,
    QuantityOpt,
    SerialsOpt,
    cli,
    console_registry,
    out,
    parse_date_option,
    print_summary,
    print_table,
    read_file,
    run,
    state,
)
from jcm.service_layer.registry.results import (
    BatchResult,
    DecisionInfo,
    DecisionRecorded,
    TransactionResult,
)
from jcm.service_layer.results import ChangeResult

decision_cli = typer.Typer(help="Joint Committee issuance decisions.")
a6_cli = typer.Typer(help="Article 6.2: authorisation and corresponding adjustments.")
cli.add_typer(decision_cli, name="decision")
cli.add_typer(a6_cli, name="a6")

# -- decisions and issuance ------------------------------------------------------------------


def render_decision(r: DecisionInfo) -> None:
    replay = " (replayed: nothing changed)" if isinstance(r, ChangeResult) and r.replayed else ""
    out.print(
        f"[green]✓[/] decision {r.decision}: {r.project} period {r.period_seq} "
        f"({r.period_start} … {r.period_end}), vintage {r.vintage}, "
        f"{r.amount:,} tCO2, {r.status}{replay}"
    )
    print_table(
        "allocation",
        r.lines,
        ["line", "account", "share_pct", "quantity", "serials", "issued_in_transaction"],
    )


@decision_cli.command("record")
def decision_record(
    project: Annotated[str, typer.Option("--project", "-p", help="Project id, e.g. KE001.")],
    start: Annotated[str, typer.Option(help="Monitoring period start, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option(help="Monitoring period end, YYYY-MM-DD.")],
    vintage: Annotated[int, typer.Option(help="Vintage year.")],
    amount: Annotated[int, typer.Option(help="Decided amount in tCO2 (whole units).")],
    share: Annotated[
        list[str], typer.Option("--share", help="ACCOUNT=PERCENT; repeat; must sum to 100.")
    ],
    remainder_to: Annotated[
        str | None, typer.Option(help="Holder who gets the rounding remainder (default: first).")
    ] = None,
    reference: Annotated[str | None, typer.Option(help="JC decision reference.")] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record a Joint Committee issuance decision with its allocation shares."""

    def action() -> DecisionRecorded:
        cmd = c.RecordDecision(
            project,
            parse_date_option(start, "--start"),
            parse_date_option(end, "--end"),
            vintage,
            amount,
            tuple(parse_share(s) for s in share),
            remainder_to,
            reference,
        )
        return console_registry().record_decision(cmd, key)

    run(json_out, action, render_decision)


@decision_cli.command("list")
def decision_list(
    project: Annotated[str | None, typer.Option("--project", "-p")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List decisions with their allocation lines."""

    def render(rows: list[DecisionInfo]) -> None:
        for row in rows:
            render_decision(row)

    run(json_out, lambda: state.app().registry.decisions(project), render)


@cli.command()
def issue(
    decision: Annotated[int, typer.Argument(help="Decision number.")],
    registry: Annotated[str, typer.Option("--registry", "-r", help="The side that issues.")],
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Issue one registry's share of a decision into its holders' accounts."""
    run(
        json_out,
        lambda: console_registry().issue(c.Issue(decision, registry), key),
        print_summary,
    )


# -- moving units ----------------------------------------------------------------------------


@cli.command()
def transfer(
    source: Annotated[str, typer.Option("--from", help="Sending account.")],
    destination: Annotated[str, typer.Option("--to", help="Receiving account.")],
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    note: NoteOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Transfer units between two accounts of one registry."""
    cmd = c.Move(source, destination, quantity, serials, note=note)
    run(json_out, lambda: console_registry().transfer(cmd, key), print_summary)


@cli.command("external-transfer")
def external_transfer(
    source: Annotated[str, typer.Option("--from", help="Sending account.")],
    destination: Annotated[str, typer.Option("--to", help="Account in the other registry.")],
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    note: NoteOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Transfer units between Japan's registry and a partner's (records first transfers)."""
    cmd = c.Move(source, destination, quantity, serials, note=note)
    run(
        json_out,
        lambda: console_registry().external_transfer(cmd, key),
        _print_external,
    )


def _print_external(result: TransactionResult) -> None:
    print_summary(result)
    first = result.detail.get("first_transferred", 0)
    if result.first_transfer:
        out.print(f"  first transfer: yes ({first:,} units became ITMOs; adjustment pending)")
    else:
        out.print("  first transfer: no (no unit moved was authorised and not yet transferred)")


@cli.command()
def cancel(
    source: Annotated[str, typer.Option("--from", help="Holding account.")],
    purpose: Annotated[str, typer.Option(help="ndc, oimp or voluntary.")],
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    beneficiary: Annotated[
        str | None, typer.Option(help="Using entity / beneficiary of the cancellation.")
    ] = None,
    note: NoteOpt = None,
    ndc_year: Annotated[
        int | None,
        typer.Option(
            "--ndc-year",
            help="With --purpose ndc: the NDC year the use counts for, YYYY (default: the "
            "year of the action; not after it).",
        ),
    ] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Cancel units into the registry's cancellation account (final)."""

    def action() -> TransactionResult:
        cmd = c.Move(
            source,
            None,
            quantity,
            serials,
            parse_purpose(purpose),
            beneficiary,
            note,
            ndc_year=ndc_year,
        )
        return console_registry().cancel(cmd, key)

    run(json_out, action, print_summary)


@cli.command()
def retire(
    source: Annotated[str, typer.Option("--from", help="Holding account.")],
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    beneficiary: Annotated[str | None, typer.Option(help="On whose behalf.")] = None,
    note: NoteOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Retire units into the registry's retirement account (final)."""
    cmd = c.Move(source, None, quantity, serials, beneficiary=beneficiary, note=note)
    run(json_out, lambda: console_registry().retire(cmd, key), print_summary)


def read_batch(path: Path) -> list[tuple[c.Move, TransactionKind]]:
    """Read moves from a CSV or JSON-lines file (jcm.domain.registry.batch_file)."""
    data = read_file(path, "Batch file", "G1_NO_FILE")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise bad_batch(path.name, f"not UTF-8 text (byte {error.start}).") from None
    json_lines = path.suffix.lower() in (".jsonl", ".json")
    return parse_batch(text, path.name, json_lines=json_lines)


@cli.command()
def batch(
    path: Annotated[Path, typer.Argument(help="CSV or JSON-lines file of moves.")],
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Run many transfers/cancellations/retirements in one transaction: all or nothing."""

    def render(r: BatchResult) -> None:
        replay = " (replayed: nothing changed)" if r.replayed else ""
        out.print(f"[green]✓[/] {r.count:,} transactions, {r.quantity:,} units{replay}")

    def action() -> BatchResult:
        moves = read_batch(path)
        return console_registry().batch(moves, key)

    run(json_out, action, render)


# -- Article 6 -------------------------------------------------------------------------------


@a6_cli.command("authorise")
def a6_authorise(
    account: Annotated[
        str,
        typer.Option(
            "--account",
            help="Holding account in the host Party's registry or in Japan's (units held in "
            "Japan's are first-transferred at the authorisation).",
        ),
    ],
    reference: Annotated[
        str, typer.Option(help="Id of the registered authorisation the units fall under.")
    ],
    uses: Annotated[
        str | None,
        typer.Option(help="ndc, oimp or ndc,oimp; default and only choice: the authorisation's."),
    ] = None,
    first_transfer_at: Annotated[
        str | None,
        typer.Option(
            help="international_transfer, authorisation, issuance or use; default and only "
            "choice: the authorisation's."
        ),
    ] = None,
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record the host Party's authorisation of units under a registered authorisation
    (they become ITMOs)."""

    def action() -> TransactionResult:
        cmd = c.Authorise(
            account,
            None if uses is None else parse_uses(uses),
            reference,
            None if first_transfer_at is None else parse_trigger(first_transfer_at),
            quantity,
            serials,
        )
        return console_registry().authorise(cmd, key)

    run(json_out, action, print_summary)


@a6_cli.command("adjust")
def a6_adjust(
    serials: Annotated[str, typer.Option("--serials", "-s", help="First-transferred serials.")],
    year: Annotated[int, typer.Option(help="Reporting year of the adjustment.")],
    note: NoteOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record that the corresponding adjustment for first-transferred units was applied."""
    cmd = c.ApplyCorrespondingAdjustment(serials, year, note)
    run(
        json_out,
        lambda: console_registry().apply_corresponding_adjustment(cmd, key),
        print_summary,
    )
