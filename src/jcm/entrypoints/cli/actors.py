"""Who acts in the cycle: actors and rule books."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from jcm.domain.cycle import (
    Role,
    RuleBook,
    codec,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.identity.principal import operator_for
from jcm.domain.identity.register import PLATFORM_ORGANISATION
from jcm.entrypoints.cli.common import (
    JsonOpt,
    KeyOpt,
    cli,
    console_cycle,
    print_table,
    run,
    shown,
    state,
)
from jcm.entrypoints.cli.cycle_options import (
    AsOpt,
    OnOpt,
    RoleOpt,
    acting_as,
    parse_function,
    parse_role,
    parse_scopes,
    parse_side,
    say_step,
    step_date,
)
from jcm.service_layer.cycle.results import RuleBookDefined, TpeDesignated
from jcm.service_layer.identity.results import RoleGranted

actor_cli = typer.Typer(help="Who acts in the project cycle: participants, TPEs, JC, registries.")
rule_book_cli = typer.Typer(help="Versions of a partner's rule set (PCP) the cycle runs under.")
cli.add_typer(actor_cli, name="actor")
cli.add_typer(rule_book_cli, name="rule-book")

# -- actors, rule books, documents -------------------------------------------------------------


@actor_cli.command("register")
def actor_register(
    organisation: Annotated[str, typer.Argument(help="Organisation id, e.g. jqa or KE-PP-01.")],
    role: Annotated[str, typer.Option("--role", help=", ".join(r.value for r in Role))],
    name: Annotated[str, typer.Option("--name", help="Full name (used if the id is new).")],
    side: Annotated[str | None, typer.Option(help="japan or partner.")] = None,
    partner: Annotated[
        str | None, typer.Option(help="Partnership served (partner ISO code), e.g. KE.")
    ] = None,
    decision: Annotated[
        str | None,
        typer.Option(help="The JC decision appointing a JC member (required for jc_member)."),
    ] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Register the organisation if new and grant it one cycle role (as `org register` and
    `org grant`): refused when it already holds the role. TPE designations are the JC's
    decision: `jcm actor designate`."""

    def action() -> RoleGranted:
        acting = parse_role(role)
        assert acting is not None
        return state.app().identity.register_actor(
            cc.RegisterActor(
                organisation,
                acting,
                name,
                parse_side(side) if side else None,
                partner.upper() if partner else None,
                decision=decision,
            ),
            operator_for(PLATFORM_ORGANISATION),
            key,
        )

    run(json_out, action, lambda r: say_step(r, f"{organisation} registered as {role}"))


@actor_cli.command("designate")
def actor_designate(
    tpe: Annotated[str, typer.Argument(help="The TPE's organisation id.")],
    partner: Annotated[str, typer.Option(help="The designating JC's partner, e.g. KE.")],
    scope: Annotated[str, typer.Option(help="Sectoral scopes, e.g. 1-3 or 1,3.")],
    function: Annotated[list[str], typer.Option(help="validation and/or verification (repeat).")],
    as_: AsOpt,
    role: RoleOpt = None,
    on: OnOpt = None,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="Withdraw these designations instead.")
    ] = False,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record the JC's decision designating a TPE (or withdrawing the designation)."""

    def action() -> TpeDesignated:
        return console_cycle().designate_tpe(
            cc.DesignateTpe(
                tpe,
                partner.upper(),
                parse_scopes(scope),
                tuple(parse_function(f) for f in function),
                acting_as(as_, role),
                step_date(on),
                withdraw,
            ),
            key,
        )

    def render(r: TpeDesignated) -> None:
        designations = sorted(codec.actor_from_json(r.actor).designations)
        held = [f"{d.partner} scope {d.scope} {d.function}" for d in designations]
        say_step(r, f"{tpe} now holds: {', '.join(held) or 'no designation'}")

    run(json_out, action, render)


@actor_cli.command("list")
def actor_list(json_out: JsonOpt = False) -> None:
    """List the registered actors and their designations."""

    def render(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            row["designations"] = [
                f"{d['partner']} scope {d['scope']} {d['function']}" for d in row["designations"]
            ]
        print_table(
            "actors", rows, ["organisation", "role", "name", "side", "partner", "designations"]
        )

    run(json_out, lambda: state.app().cycle.actors(), render)


@rule_book_cli.command("define")
def rule_book_define(
    version: Annotated[str, typer.Argument(help="e.g. 'KE PCP ver03.0'.")],
    pdd_public_input_days: int = 30,
    methodology_public_input_days: int = 15,
    pin_required: Annotated[bool, typer.Option("--pin-required/--no-pin")] = True,
    verifier_may_be_validator: Annotated[
        bool, typer.Option("--verifier-may-be-validator/--verifier-must-differ")
    ] = True,
    allow_illustrative_methodologies: Annotated[
        bool,
        typer.Option(
            "--allow-illustrative-methodologies/--confirmed-methodologies-only",
            help="Let periods calculated with an unconfirmed methodology id or placeholder "
            "defaults be verified and decided (demonstrations only).",
        ),
    ] = False,
    automatic_verification: Annotated[
        bool,
        typer.Option(
            "--automatic-verification/--tpe-verification",
            help="Accept the platform's automatic verification of metered data (jcm mrv "
            "verify-period) as a period's verification.",
        ),
    ] = False,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Define a rule-book version (it never changes afterwards)."""

    def action() -> RuleBookDefined:
        rules = RuleBook(
            version,
            pdd_public_input_days=pdd_public_input_days,
            methodology_public_input_days=methodology_public_input_days,
            pin_required=pin_required,
            verifier_may_be_validator=verifier_may_be_validator,
            allow_illustrative_methodologies=allow_illustrative_methodologies,
            automatic_verification=automatic_verification,
        )
        return console_cycle().define_rule_book(cc.DefineRuleBook(rules), key)

    run(json_out, action, lambda r: say_step(r, f"rule book {shown(repr(version))} defined"))


@rule_book_cli.command("list")
def rule_book_list(json_out: JsonOpt = False) -> None:
    """List the rule-book versions."""
    run(
        json_out,
        lambda: state.app().cycle.rule_books(),
        lambda rows: print_table(
            "rule books",
            rows,
            [
                "version",
                "pdd_public_input_days",
                "methodology_public_input_days",
                "pin_required",
                "verifier_may_be_validator",
                "allow_illustrative_methodologies",
            ],
        ),
    )
