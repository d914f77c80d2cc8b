"""Registries, organisations and accounts: jcm init, registry, org, account."""

from __future__ import annotations

from typing import Annotated

import typer

from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import (
    parse_account_status,
    parse_account_type,
    parse_organisation_kind,
)
from jcm.entrypoints.cli.common import (
    JsonOpt,
    KeyOpt,
    cli,
    console_registry,
    out,
    print_summary,
    print_table,
    run,
    safe_url,
    state,
)
from jcm.service_layer.registry.results import (
    AccountStatusChanged,
    OrganisationCreated,
    RegistryCreated,
)

registry_cli = typer.Typer(help="Registries: one per side (JP and each partner).")
org_cli = typer.Typer(help="Organisations that hold accounts.")
account_cli = typer.Typer(help="Accounts: government/entity holding, cancellation, retirement.")
cli.add_typer(registry_cli, name="registry")
cli.add_typer(org_cli, name="org")
cli.add_typer(account_cli, name="account")

# -- set-up ----------------------------------------------------------------------------------


@cli.command()
def init(json_out: JsonOpt = False) -> None:
    """Create or upgrade the registry database (runs the migrations)."""
    run(
        json_out,
        lambda: {"database": safe_url(state.app().settings.database_url), "schema": "current"},
        lambda r: out.print(f"[green]✓[/] database ready: {r['database']}"),
    )


@registry_cli.command("create")
def registry_create(
    code: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 code, e.g. JP, KE, ID.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Create a registry with its government organisation and its three system accounts."""

    def render(r: RegistryCreated) -> None:
        out.print(f"[green]✓[/] registry {r.registry}: {r.name}")
        print_table("accounts", r.accounts, ["account", "type", "name"])

    run(
        json_out,
        lambda: console_registry().create_registry(c.CreateRegistry(code, name), key),
        render,
    )


ReasonOpt = Annotated[str | None, typer.Option(help="Why (kept in the log).")]
RegistryArg = Annotated[str, typer.Argument(help="Registry code.")]


def _set_registry_active(
    code: str, active: bool, reason: str | None, key: str | None, json_out: bool
) -> None:
    cmd = c.SetRegistryActive(code, active, reason)
    run(json_out, lambda: console_registry().set_registry_active(cmd, key), print_summary)


@registry_cli.command("suspend")
def registry_suspend(
    code: RegistryArg, reason: ReasonOpt = None, key: KeyOpt = None, json_out: JsonOpt = False
) -> None:
    """Suspend a registry: no transaction may involve it until it is reactivated."""
    _set_registry_active(code, False, reason, key, json_out)


@registry_cli.command("activate")
def registry_activate(
    code: RegistryArg, reason: ReasonOpt = None, key: KeyOpt = None, json_out: JsonOpt = False
) -> None:
    """Reactivate a suspended registry."""
    _set_registry_active(code, True, reason, key, json_out)


@registry_cli.command("list")
def registry_list(json_out: JsonOpt = False) -> None:
    """List registries."""
    run(
        json_out,
        lambda: state.app().registry.registries(),
        lambda rows: print_table("registries", rows, ["registry", "name", "active"]),
    )


@org_cli.command("create")
def org_create(
    name: Annotated[str, typer.Argument(help="Legal name.")],
    registry: Annotated[str, typer.Option("--registry", "-r", help="Registry code.")],
    kind: Annotated[str, typer.Option(help="company, government or other.")] = "company",
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Register an organisation that may hold accounts."""

    def action() -> OrganisationCreated:
        org_kind = parse_organisation_kind(kind)
        return console_registry().create_organisation(
            c.CreateOrganisation(registry, name, org_kind), key
        )

    run(json_out, action, print_summary)


@account_cli.command("create")
def account_create(
    registry: Annotated[str, typer.Option("--registry", "-r")],
    org: Annotated[str, typer.Option("--org", help="Organisation id, e.g. JP-ORG-0002.")],
    account_type: Annotated[
        str,
        typer.Option(
            "--type", help="government_holding, entity_holding, cancellation, retirement."
        ),
    ] = "entity_holding",
    name: Annotated[str, typer.Option(help="Account name (default: the organisation's).")] = "",
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Open an account."""
    run(
        json_out,
        lambda: console_registry().open_account(
            c.OpenAccount(registry, org, parse_account_type(account_type), name), key
        ),
        print_summary,
    )


@account_cli.command("set-status")
def account_set_status(
    account: Annotated[str, typer.Argument(help="Account id, e.g. JP-ENT-0004.")],
    status: Annotated[str, typer.Option("--status", help="open, blocked or closed.")],
    reason: ReasonOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Block, reopen or close an account (closing needs an empty account; it is final)."""

    def action() -> AccountStatusChanged:
        cmd = c.SetAccountStatus(account.upper(), parse_account_status(status), reason)
        return console_registry().set_account_status(cmd, key)

    run(json_out, action, print_summary)


@account_cli.command("list")
def account_list(
    registry: Annotated[str | None, typer.Option("--registry", "-r")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List accounts."""
    run(
        json_out,
        lambda: state.app().registry.accounts(registry),
        lambda rows: print_table(
            "accounts", rows, ["account", "registry", "type", "organisation", "name", "status"]
        ),
    )
