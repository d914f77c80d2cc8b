"""The register of organisations: registering, granting and revoking roles, listing.

The CLI is the operator's console on the server: it acts as the platform's administrator
(``Channel.OPERATOR``), and the log records it as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import typer

from jcm.domain.cycle.actors import Role
from jcm.domain.errors import InvalidInput
from jcm.domain.identity import register as reg
from jcm.domain.identity.principal import Principal, operator_for
from jcm.domain.registry.accounts import OrganisationKind
from jcm.entrypoints.cli.common import JsonOpt, KeyOpt, print_table, run, state
from jcm.entrypoints.cli.cycle_options import parse_role, parse_side, say_step
from jcm.entrypoints.cli.registry import org_cli
from jcm.service_layer.identity.results import (
    OrganisationRegistered,
    OrganisationSummary,
    RoleGranted,
    RoleRevoked,
)

# One `jcm org` group: `org create` (registry.py) numbers an account-holding organisation in
# its registry; the commands here keep the register and its roles.

RoleArg = Annotated[str, typer.Option("--role", help="The role, e.g. tpe or jc_member.")]


def operator() -> Principal:
    return operator_for(reg.PLATFORM_ORGANISATION)


def _kind(text: str) -> OrganisationKind:
    try:
        return OrganisationKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "K5_BAD_ORGANISATION",
            f"--kind {text!r} must be one of {', '.join(k.value for k in OrganisationKind)}.",
            kind=text[:40],
        ) from None


def _role(text: str) -> Role:
    role = parse_role(text)
    assert role is not None
    return role


@org_cli.command("register")
def org_register(
    organisation: Annotated[str, typer.Argument(help="Organisation id, e.g. pacific-pv.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    registry: Annotated[
        str | None,
        typer.Option("--registry", "-r", help="Home registry, for one holding accounts."),
    ] = None,
    kind: Annotated[str, typer.Option(help="company, government or other.")] = "other",
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Register a new organisation (an existing id is refused, never overwritten)."""

    def action() -> OrganisationRegistered:
        cmd = reg.RegisterOrganisation(
            organisation, name, registry.upper() if registry else None, _kind(kind)
        )
        return state.app().identity.register_organisation(cmd, operator(), key)

    run(json_out, action, lambda r: say_step(r, f"organisation {r.organisation} registered"))


@org_cli.command("grant")
def org_grant(
    organisation: Annotated[str, typer.Argument(help="Organisation id.")],
    role: RoleArg,
    side: Annotated[str | None, typer.Option(help="japan or partner.")] = None,
    partner: Annotated[
        str | None,
        typer.Option(help="Partnership served, or the registry a registry_admin administers."),
    ] = None,
    decision: Annotated[
        str | None, typer.Option(help="The JC decision appointing a JC member.")
    ] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Grant a role the organisation does not hold (logged)."""

    def action() -> RoleGranted:
        cmd = reg.GrantRole(
            organisation,
            _role(role),
            parse_side(side) if side else None,
            partner.upper() if partner else None,
            decision,
        )
        return state.app().identity.grant_role(cmd, operator(), key)

    run(json_out, action, lambda r: say_step(r, f"{r.organisation} granted {r.role}"))


@org_cli.command("revoke")
def org_revoke(
    organisation: Annotated[str, typer.Argument(help="Organisation id.")],
    role: RoleArg,
    reason: Annotated[str | None, typer.Option(help="Why (logged).")] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Revoke a role (logged); the organisation can no longer act in it."""

    def action() -> RoleRevoked:
        cmd = reg.RevokeRole(organisation, _role(role), reason)
        return state.app().identity.revoke_role(cmd, operator(), key)

    run(json_out, action, lambda r: say_step(r, f"{r.organisation} no longer holds {r.role}"))


@org_cli.command("list")
def org_list(
    registry: Annotated[
        str | None, typer.Option("--registry", "-r", help="Only this home registry's.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the register: each organisation with its home registry and its roles."""

    def render(rows: list[OrganisationSummary]) -> None:
        table = [
            {
                "organisation": o.organisation,
                "name": o.name,
                "registry": o.registry or "",
                "kind": o.kind.value,
                "roles": ", ".join(_describe(r) for r in o.roles),
            }
            for o in rows
        ]
        print_table("organisations", table, ["organisation", "name", "registry", "kind", "roles"])

    run(json_out, lambda: state.app().identity.organisations(registry), render)


def _describe(role: Mapping[str, object]) -> str:
    extra = [str(role[k]) for k in ("side", "partner") if role.get(k)]
    return f"{role['role']}" + (f" ({', '.join(extra)})" if extra else "")
