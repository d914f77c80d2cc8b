"""The transparency log: checkpoints, proofs, verification."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from jcm.bootstrap import proof_checker
from jcm.domain.errors import InvalidInput
from jcm.domain.limits import MAX_KEY_FILE_BYTES
from jcm.entrypoints.cli.common import (
    EXIT_REFUSED,
    JsonOpt,
    as_operator,
    cli,
    emit,
    err,
    out,
    print_summary,
    print_table,
    read_file,
    refusals,
    run,
    state,
    upload_limit,
    write_file,
    write_or_print,
)
from jcm.service_layer.transparency.results import BundleVerdict, InclusionBundle, LogVerification

log_cli = typer.Typer(help="The tamper-evident transparency log: checkpoints, proofs, verify.")
cli.add_typer(log_cli, name="log")

# -- transparency log ------------------------------------------------------------------------


@log_cli.command("checkpoint")
def log_checkpoint(json_out: JsonOpt = False) -> None:
    """Sign a checkpoint of the log as it is now."""
    run(
        json_out,
        lambda: state.app().log.sign_checkpoint(),
        lambda r: out.print(f"[green]✓[/] checkpoint of size {r.size}\n{r.note}"),
    )


@log_cli.command("checkpoints")
def log_checkpoints(json_out: JsonOpt = False) -> None:
    """List the signed checkpoints."""
    run(
        json_out,
        lambda: state.app().log.checkpoints(),
        lambda rows: print_table(
            "checkpoints", rows, ["size", "root_hash", "key_id", "created_at"]
        ),
    )


@log_cli.command("public-key")
def log_public_key(json_out: JsonOpt = False) -> None:
    """Print the log's verifier keys (the active one last); publish them."""

    def render(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            out.print(row["verifier"])

    run(json_out, lambda: state.app().log.public_keys(), render)


@log_cli.command("rotate-key")
def log_rotate_key(json_out: JsonOpt = False) -> None:
    """Hand signing over to a new key: a log entry signed by the old and the new key."""
    run(json_out, lambda: as_operator().log.rotate_key(), print_summary)


@log_cli.command("proof")
def log_proof(
    transaction: Annotated[int | None, typer.Option("--tx", help="A transaction id.")] = None,
    index: Annotated[int | None, typer.Option("--index", help="A log entry index.")] = None,
    serial_text: Annotated[
        str | None,
        typer.Option("--serial", help="A serial or serial range: every entry that touched it."),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Accepted: the output is JSON.")] = True,
) -> None:
    """Inclusion proof bundle(s) to a signed checkpoint, as JSON."""

    def action() -> InclusionBundle | list[InclusionBundle]:
        chosen = [v for v in (transaction, index, serial_text) if v is not None]
        if len(chosen) != 1:
            raise InvalidInput("G1_SELECT_ENTRY", "Give exactly one of --tx, --index, --serial.")
        log = state.app().log
        if serial_text is not None:
            return log.inclusion_proofs_for_serial(serial_text)
        return log.inclusion_proof(index=index, transaction=transaction)

    with refusals(True):
        result = action()
    write_or_print(result, output)


@log_cli.command("consistency")
def log_consistency(
    old_size: Annotated[int, typer.Option("--from", help="Size of the older checkpoint.")],
    new_size: Annotated[
        int | None, typer.Option("--to", help="Size of the newer checkpoint (default: latest).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Accepted: the output is JSON.")] = True,
) -> None:
    """Consistency proof bundle between two signed checkpoints, as JSON."""
    with refusals(True):
        result = state.app().log.consistency_proof(old_size, new_size)
    write_or_print(result, output)


@log_cli.command("verify-proof")
def log_verify_proof(
    bundle: Annotated[Path, typer.Argument(help="A proof bundle file ('-' for stdin).")],
    public_key: Annotated[
        str, typer.Option("--public-key", help="Verifier key string, or a file holding it.")
    ],
    trusted: Annotated[
        Path | None,
        typer.Option(
            "--trusted-checkpoint",
            help="The last checkpoint you accepted (a file). The bundle must extend it; on "
            "success the file is advanced to the newest checkpoint proven (created if missing).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Check a proof bundle offline with nothing but the log's public key."""
    checker = proof_checker()
    with refusals(json_out):
        key_text = read_key_option(public_key)
        data = read_bundle(bundle)
        kept = read_trusted(trusted)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        verdict = BundleVerdict(False, (), "cannot read: not UTF-8")
    else:
        verdict = checker.check(text, key_text, kept)
    if trusted is not None and verdict.ok and verdict.trusted_checkpoint != kept:
        with refusals(json_out):
            write_file(trusted, str(verdict.trusted_checkpoint).encode("utf-8"))
        kept_note = f"kept the newest checkpoint in {trusted}"
        verdict = replace(verdict, checks=(*verdict.checks, kept_note))

    def render(v: BundleVerdict) -> None:
        for step in v.checks:
            out.print(f"[green]✓[/] {step}")
        if v.ok:
            out.print("[bold green]VALID[/]")
        else:
            out.print(f"[bold red]INVALID[/]: {v.failure}")

    emit(verdict, json_out, render)
    if not verdict.ok:
        raise typer.Exit(EXIT_REFUSED)


def read_key_option(value: str) -> str:
    """A verifier key string given as such or as a file holding it (read, never echoed)."""
    path = Path(value)
    try:
        from_file = path.exists()
    except (OSError, ValueError):  # a key string too long for a file name
        from_file = False
    if not from_file:
        return value
    data = read_file(path, "Public key file", "G1_NO_FILE", MAX_KEY_FILE_BYTES)
    return data.decode("utf-8", "replace").strip()


def read_bundle(bundle: Path) -> bytes:
    """The bundle's bytes from a file or stdin ('-'), within the upload limit."""
    if str(bundle) != "-":
        return read_file(bundle, "Bundle", "G1_NO_FILE")
    data = sys.stdin.buffer.read(upload_limit() + 1)
    if len(data) > upload_limit():
        raise InvalidInput(
            "G1_FILE_TOO_LARGE",
            f"The bundle on stdin is larger than {upload_limit():,} bytes.",
            max_bytes=upload_limit(),
        )
    return data


def read_trusted(path: Path | None) -> str | None:
    """The kept checkpoint: None when not asked, "" when the file does not exist yet."""
    if path is None:
        return None
    if not path.exists():
        return ""
    return read_file(path, "Trusted checkpoint", "G1_NO_FILE", MAX_KEY_FILE_BYTES).decode(
        "utf-8", "replace"
    )


@log_cli.command("verify")
def log_verify(
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            help="Pin the key you were given (string or file): it must be in the log's key chain.",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Recompute the tree, check every checkpoint and the chain of keys, replay every entry,
    compare with the DB."""
    from rich.progress import Progress

    with refusals(json_out):
        try:
            pinned = read_key_option(public_key) if public_key is not None else None
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInput(
                "L7_BAD_PUBLIC_KEY", "The public key file cannot be read.", problem=str(error)
            ) from None
        log = state.app().log
        if json_out or state.json:
            result = log.verify(pinned_key=pinned)
        else:
            with Progress(console=err, transient=True) as bar:
                task = bar.add_task("verifying the log", total=None)
                result = log.verify(
                    progress=lambda n: bar.update(task, completed=n), pinned_key=pinned
                )

    def render(r: LogVerification) -> None:
        if r.problem is None:
            out.print(
                f"[bold green]✓ log verified[/]: {r.entries:,} entries, "
                f"{r.checkpoints} checkpoints, root {r.root_hash}; replay matches "
                "the database"
            )
        else:
            out.print(f"[bold red]✗ log verification failed[/]: {r.problem.message}")

    emit(result, json_out, render)
    if not result.ok:
        raise typer.Exit(EXIT_REFUSED)
