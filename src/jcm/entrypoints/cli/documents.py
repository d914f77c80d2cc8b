"""The content-addressed document store: put, get, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from jcm.entrypoints.cli.common import (
    JsonOpt,
    cli,
    err,
    out,
    run,
    state,
    write_file,
)
from jcm.entrypoints.cli.cycle_options import (
    document_kind,
    media_type_of,
    read_upload,
)

document_cli = typer.Typer(help="The content-addressed document store (SHA-256).")
cli.add_typer(document_cli, name="document")


@document_cli.command("put")
def document_put(
    kind: Annotated[str, typer.Argument(help="Document kind, e.g. pdd.")],
    file: Annotated[Path, typer.Argument(help="The public version.")],
    confidential: Annotated[
        Path | None, typer.Option(help="The confidential version, if any.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Store a document; prints the SHA-256 to attach it with --doc KIND=sha256:HEX."""

    def action() -> dict[str, Any]:
        stored = state.app().documents.put_document(
            document_kind(kind),
            read_upload(file),
            media_type=media_type_of(file),
            filename=file.name,
            confidential=read_upload(confidential) if confidential else None,
            confidential_filename=confidential.name if confidential else None,
        )
        return {
            "kind": stored.kind.value,
            "public": stored.public.to_json(),
            "confidential": stored.confidential.to_json() if stored.confidential else None,
        }

    run(json_out, action, lambda r: out.print(f"{r['kind']} sha256:{r['public']['sha256']}"))


@document_cli.command("get")
def document_get(
    sha256: Annotated[str, typer.Argument(help="The document's SHA-256.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write it.")],
    project: Annotated[
        str | None, typer.Option(help="Project the document belongs to (confidential ones).")
    ] = None,
    as_: Annotated[
        str | None,
        typer.Option("--as", help="Reader organisation (any of its cycle roles may admit it)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a stored document to a file; confidential versions only for permitted readers.

    A document the reader may not see is refused exactly as one that does not exist."""

    def action() -> dict[str, Any]:
        app = state.app()
        data = app.documents.read(sha256, as_, project)
        write_file(output, data)
        return {"sha256": sha256, "bytes": len(data), "output": str(output)}

    run(json_out, action, lambda r: err.print(f"[green]✓[/] {r['bytes']:,} bytes → {r['output']}"))


@document_cli.command("verify")
def document_verify(
    sweep: Annotated[
        bool,
        typer.Option(
            "--sweep",
            help="Remove orphans (files of crashed or refused uploads) and finish uploads of "
            "committed steps. Run it when no other command is uploading.",
        ),
    ] = False,
    sweep_unreferenced: Annotated[
        bool,
        typer.Option(
            "--sweep-unreferenced",
            help="With --sweep, also remove whole documents no step refers to.",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Check every document a step refers to against the log (bytes and every metadata
    field); list orphans apart from damage."""
    found: dict[str, Any] = {}

    def action() -> dict[str, Any]:
        report = state.app().documents.verify(sweep, sweep and sweep_unreferenced)
        found.update(report.to_dict())
        return found

    def render(r: dict[str, Any]) -> None:
        if r["ok"]:
            out.print("[green]✓[/] every document a step refers to matches its hash and the log")
        for item in r["damaged"]:
            out.print(f"[red]✗[/] {item['sha256']} is damaged: {'; '.join(item['problems'])}")
        for sha in r["pending"]:
            out.print(f"[yellow]![/] {sha}: a committed step's upload is not yet in the store")
        for name in r["orphans"]:
            out.print(f"  orphan (no step refers to it): {name}")
        if r["unreferenced"]:
            out.print(f"  {len(r['unreferenced'])} stored document(s) not attached to any step")
        for name in r["swept"]:
            out.print(f"  swept: {name}")
        if not r["ok"]:
            err.print("restore damaged documents from a backup; --sweep finishes pending uploads")

    run(json_out, action, render)
    if not found["ok"]:
        raise typer.Exit(1)
