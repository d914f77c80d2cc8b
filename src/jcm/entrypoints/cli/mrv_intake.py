"""jcm mrv import | intake | refusals: files of signed readings, intake counts, refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jcm.domain.identity.principal import operator_for
from jcm.entrypoints.cli.common import JsonOpt, out, print_table, run, state
from jcm.entrypoints.cli.hints import hint_for
from jcm.entrypoints.cli.mrv import mrv_cli
from jcm.service_layer.mrv.intake_ports import IntakeCounts, IntakeSummary, RefusalRecord

__all__ = ["mrv_cli"]


@mrv_cli.command("import")
def mrv_import(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="A CSV or Parquet file with columns device, seq, timestamp, wh, signature "
            "(one row per reading; the rows of one device and seq form one signed batch).",
        ),
    ],
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="The project participant importing (each batch's device must belong to one "
            "of its projects); without it the operator imports for any project.",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import signed batches from a file: each is accepted once, a duplicate, or refused."""

    def action() -> dict[str, object]:
        by = operator_for(as_) if as_ is not None else None
        results = state.app().mrv.intake.import_file(file.read_bytes(), by=by)
        return IntakeSummary.of(results).to_json()

    def render(summary: dict[str, object]) -> None:
        out.print(
            f"[green]✓[/] {summary['accepted']} batch(es) accepted ({summary['readings']} "
            f"readings), {summary['duplicates']} duplicate(s), {summary['refused']} refused"
        )
        results = summary["results"]
        assert isinstance(results, list)
        for r in results:
            if r["outcome"] != "refused":
                continue
            out.print(
                f"  refused batch {r['seq']} of {r['device']}: error[{r['code']}]: {r['message']}",
                markup=False,
            )
            hint = hint_for(str(r["code"]), {"device": r["device"], "seq": r["seq"]})
            if hint:
                out.print(f"    hint: {hint}", markup=False)

    run(json_out, action, render)


@mrv_cli.command("intake")
def mrv_intake(
    project: Annotated[str | None, typer.Option("--project", help="Only this project's.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Counts of intake: accepted batches and readings, duplicates, refusals by code."""

    def render(counts: IntakeCounts) -> None:
        out.print(f"accepted batches: {counts.batches:,}")
        out.print(f"accepted readings: {counts.readings:,}")
        out.print(f"duplicates (acknowledged again): {counts.duplicates:,}")
        out.print(f"refused: {sum(counts.refusals.values()):,}")
        for code, n in counts.refusals.items():
            out.print(f"  {code}: {n:,}")

    run(json_out, lambda: state.app().mrv.intake.counts(project), render)


@mrv_cli.command("refusals")
def mrv_refusals(
    device: Annotated[str | None, typer.Option("--device", help="Only this device's.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="How many.")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """The latest refused batches, each with its device, sequence number and rule."""

    def render(rows: list[RefusalRecord]) -> None:
        print_table(
            "refused batches",
            rows,
            ["received_at", "device", "seq", "code", "channel", "message"],
        )

    run(json_out, lambda: state.app().mrv.intake.refusals(device, limit), render)
