"""``jcm a6 approach|authorisation|entity``: the cooperative-approach register.

The operator's console registers approaches as its own act; authorisations and entities as
the operator's own act too, or for the authorising Party's registry administrator
(``--as ORG``). ``amend`` starts from the latest version and changes what its options give.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import typer

from jcm.domain.aef.register import Authorisation, AuthorisedEntity, CooperativeApproach
from jcm.domain.aef.register_commands import (
    RegisterApproach,
    RegisterAuthorisation,
    RegisterEntity,
    command_of,
    parse_years,
)
from jcm.entrypoints.cli.common import (
    JsonOpt,
    KeyOpt,
    out,
    parse_date_option,
    print_table,
    run,
    state,
)
from jcm.entrypoints.cli.moves import a6_cli
from jcm.entrypoints.console import on_behalf_of
from jcm.service_layer.aef.register import RegisterService
from jcm.service_layer.aef.register_results import (
    ApproachRegistered,
    AuthorisationHistory,
    AuthorisationRegistered,
    EntityRegistered,
)

approach_cli = typer.Typer(help="Cooperative approaches: one per bilateral JCM (CANNNN).")
authorisation_cli = typer.Typer(help="Authorisations of the first transferring Party.")
entity_cli = typer.Typer(help="Entities authorised to use or cancel ITMOs.")
a6_cli.add_typer(approach_cli, name="approach")
a6_cli.add_typer(authorisation_cli, name="authorisation")
a6_cli.add_typer(entity_cli, name="entity")

AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="The Party's registry administrator (default: the operator)."),
]
PartyOpt = Annotated[
    str | None, typer.Option("--party", help="Alpha-2 of the Party (default: the partner).")
]
DateOpt = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today).")]


def _register(organisation: str | None = None) -> RegisterService:
    return on_behalf_of(state.app(), organisation).aef.register


# -- approaches -------------------------------------------------------------------------------


def _say_approach(approach: CooperativeApproach) -> None:
    parties = ", ".join(
        f"{p.party_id} ({p.registry_id}, NDC {p.ndc_first_year}-{p.ndc_last_year})"
        for p in approach.parties
    )
    out.print(f"{approach.id} {approach.name}: {parties}")


@approach_cli.command("register")
def approach_register(
    approach_id: Annotated[str, typer.Argument(help="CARP's id, e.g. CA0001.")],
    partner: Annotated[str, typer.Option(help="The partner country (alpha-2), e.g. KE.")],
    japan_ndc: Annotated[str, typer.Option(help="Japan's NDC period, e.g. 2021-2030.")],
    partner_ndc: Annotated[str, typer.Option(help="The partner's NDC period.")],
    name: Annotated[str, typer.Option(help="Default: the JCM between Japan and …")] = "",
    japan_registry_id: Annotated[str | None, typer.Option(help="Default JPN01.")] = None,
    partner_registry_id: Annotated[str | None, typer.Option(help="Default e.g. KEN01.")] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Register the cooperative approach of Japan and a partner (the platform's act)."""

    def action() -> ApproachRegistered:
        cmd = RegisterApproach(
            approach_id,
            partner,
            parse_years(japan_ndc, "Japan's NDC period", "R1_BAD_NDC_PERIOD"),
            parse_years(partner_ndc, "The partner's NDC period", "R1_BAD_NDC_PERIOD"),
            name,
            japan_registry_id,
            partner_registry_id,
        )
        return _register().register_approach(cmd, key)

    run(json_out, action, lambda r: _say_approach(r.approach))


@approach_cli.command("list")
def approach_list(json_out: JsonOpt = False) -> None:
    """Every registered cooperative approach."""

    def render(approaches: list[CooperativeApproach]) -> None:
        for approach in approaches:
            _say_approach(approach)

    run(json_out, lambda: _register().approaches(), render)


@approach_cli.command("show")
def approach_show(
    approach_id: Annotated[str, typer.Argument(help="e.g. CA0001.")], json_out: JsonOpt = False
) -> None:
    """One cooperative approach and its Parties."""
    run(json_out, lambda: _register().approach(approach_id), _say_approach)


# -- authorisations ---------------------------------------------------------------------------

IdArg = Annotated[str, typer.Argument(help="The authorisation's id, e.g. KE-LoA-2024-001.")]
SectorOpt = Annotated[
    list[str] | None, typer.Option("--sector", help="A sector (repeat), nomenclature's words.")
]
ActivityOpt = Annotated[
    list[str] | None,
    typer.Option("--activity-type", help="An activity type (repeat), e.g. Solar."),
]
ProjectOpt = Annotated[
    list[str] | None,
    typer.Option("--project", help="A project (repeat): sectors default to its methodology's."),
]
PartiesOpt = Annotated[
    list[str] | None, typer.Option("--authorised-party", help="Alpha-3 (repeat), e.g. JPN.")
]
EntitiesOpt = Annotated[
    list[str] | None, typer.Option("--entity", help="A registered authorised entity (repeat).")
]
QuantityOpt = Annotated[int | None, typer.Option(help="Authorised quantity, tCO2e.")]
TimeframeOpt = Annotated[str | None, typer.Option(help="First and last vintage: 2021-2030.")]
TextOpt = Annotated[str | None, typer.Option()]


def _say_authorisation(a: Authorisation) -> None:
    limit = "unlimited" if a.quantity is None else f"{a.quantity:,} t"
    out.print(
        f"{a.id} v{a.version} ({a.party}, {a.approach_id}, {a.authorised_on.isoformat()}): "
        f"{a.purposes}; {', '.join(a.sectors)} / {', '.join(a.activity_types)}; {limit}"
        + (f"; vintages {a.timeframe_text}" if a.timeframe else "")
        + (
            f"; first transfer at {a.first_transfer_definition}"
            if a.first_transfer_definition
            else ""
        )
    )


def _say_change(result: AuthorisationRegistered) -> None:
    replay = " (replayed: nothing changed)" if result.replayed else ""
    out.print(f"[green]✓[/] {result.event}{replay}")
    _say_authorisation(result.authorisation)


def _terms(given: dict[str, Any]) -> dict[str, Any]:
    """The options a door gave, as command fields (lists as tuples, years parsed)."""
    fields: dict[str, Any] = {}
    for name, value in given.items():
        if value is None:
            continue
        if name == "timeframe":
            value = parse_years(value, "The timeframe", "R2_BAD_TIMEFRAME")
        elif name == "authorised_on":
            value = parse_date_option(value, "--date")
        elif isinstance(value, list):
            value = tuple(value)
        fields[name] = value
    return fields


@authorisation_cli.command("register")
def authorisation_register(
    authorisation_id: IdArg,
    approach: Annotated[str, typer.Option(help="The cooperative approach, e.g. CA0001.")],
    purposes: Annotated[str, typer.Option(help="NDC, OIMP, IMP, OP, NDC and OIMP, …")],
    sector: SectorOpt = None,
    activity_type: ActivityOpt = None,
    project: ProjectOpt = None,
    date: DateOpt = None,
    party: PartyOpt = None,
    quantity: QuantityOpt = None,
    metric: TextOpt = None,
    gwp: TextOpt = None,
    mitigation_type: TextOpt = None,
    authorised_party: PartiesOpt = None,
    entity: EntitiesOpt = None,
    oimp_authorised: Annotated[str | None, typer.Option(help="e.g. CORSIA (OIMP only).")] = None,
    timeframe: TimeframeOpt = None,
    terms: TextOpt = None,
    first_transfer_definition: Annotated[
        str | None, typer.Option(help="Authorisation, Issuance or Use or Cancellation (OIMP).")
    ] = None,
    explanation: TextOpt = None,
    as_: AsOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Register an authorisation of the partner (version 1)."""

    def action() -> AuthorisationRegistered:
        given = _terms(
            {
                "sectors": sector,
                "activity_types": activity_type,
                "projects": project,
                "authorised_on": date,
                "party": party,
                "quantity": quantity,
                "metric": metric,
                "gwp": gwp,
                "mitigation_type": mitigation_type,
                "authorised_parties": authorised_party,
                "authorised_entities": entity,
                "oimp_authorised": oimp_authorised,
                "timeframe": timeframe,
                "terms": terms,
                "first_transfer_definition": first_transfer_definition,
                "explanation": explanation,
            }
        )
        cmd = RegisterAuthorisation(authorisation_id, approach, purposes, **given)
        return _register(as_).register_authorisation(cmd, key)

    run(json_out, action, _say_change)


@authorisation_cli.command("amend")
def authorisation_amend(
    authorisation_id: IdArg,
    purposes: TextOpt = None,
    sector: SectorOpt = None,
    activity_type: ActivityOpt = None,
    project: ProjectOpt = None,
    date: DateOpt = None,
    quantity: QuantityOpt = None,
    unlimited: Annotated[bool, typer.Option(help="No authorised quantity any more.")] = False,
    metric: TextOpt = None,
    gwp: TextOpt = None,
    mitigation_type: TextOpt = None,
    authorised_party: PartiesOpt = None,
    entity: EntitiesOpt = None,
    oimp_authorised: TextOpt = None,
    timeframe: TimeframeOpt = None,
    terms: TextOpt = None,
    first_transfer_definition: TextOpt = None,
    explanation: TextOpt = None,
    as_: AsOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Register the next version: the latest one's terms with what the options change."""

    def action() -> AuthorisationRegistered:
        service = _register(as_)
        latest = service.authorisation(authorisation_id).latest
        given = _terms(
            {
                "purposes": purposes,
                "sectors": sector,
                "activity_types": activity_type,
                "projects": project,
                "authorised_on": date,
                "quantity": quantity,
                "metric": metric,
                "gwp": gwp,
                "mitigation_type": mitigation_type,
                "authorised_parties": authorised_party,
                "authorised_entities": entity,
                "oimp_authorised": oimp_authorised,
                "timeframe": timeframe,
                "terms": terms,
                "first_transfer_definition": first_transfer_definition,
                "explanation": explanation,
            }
        )
        if "authorised_on" not in given:
            given["authorised_on"] = None  # the new version is dated today
        if unlimited:
            given["quantity"] = None
        if "projects" in given and "sectors" not in given:
            given.update(sectors=(), activity_types=())  # taken from the projects again
        cmd = replace(command_of(latest), **given)
        return service.amend_authorisation(cmd, key)

    run(json_out, action, _say_change)


@authorisation_cli.command("list")
def authorisation_list(party: PartyOpt = None, json_out: JsonOpt = False) -> None:
    """The latest version of each authorisation (of one Party)."""

    def render(rows: list[Authorisation]) -> None:
        print_table(
            "Authorisations",
            rows,
            ["id", "version", "party", "approach_id", "authorised_on", "purposes", "quantity"],
        )

    run(json_out, lambda: _register().authorisations(party), render)


@authorisation_cli.command("show")
def authorisation_show(authorisation_id: IdArg, json_out: JsonOpt = False) -> None:
    """An authorisation's versions, oldest first."""

    def render(history: AuthorisationHistory) -> None:
        for version in history.versions:
            _say_authorisation(version)

    run(json_out, lambda: _register().authorisation(authorisation_id), render)


# -- authorised entities ----------------------------------------------------------------------

EntityArg = Annotated[str, typer.Argument(help="The entity's identification number.")]


def _say_entity(e: AuthorisedEntity) -> None:
    of = f", organisation {e.organisation_id}" if e.organisation_id else ""
    out.print(
        f"{e.id} {e.name} ({e.country}{of}): authorised by {e.party} under {e.approach_id} "
        f"on {e.authorised_on.isoformat()}"
    )


@entity_cli.command("register")
def entity_register(
    entity_id: EntityArg,
    approach: Annotated[str, typer.Option(help="The cooperative approach, e.g. CA0001.")],
    name: Annotated[str, typer.Option(help="The entity's name.")],
    country: Annotated[
        str, typer.Option(help="Alpha-3 of incorporation (default: its organisation's).")
    ] = "",
    organisation: Annotated[
        str | None, typer.Option(help="The registry organisation it is, if any.")
    ] = None,
    party: PartyOpt = None,
    date: DateOpt = None,
    conditions: Annotated[str, typer.Option()] = "",
    change_conditions: Annotated[str, typer.Option()] = "",
    explanation: Annotated[str, typer.Option()] = "",
    as_: AsOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Register an entity the partner authorises to use or cancel ITMOs."""

    def action() -> EntityRegistered:
        cmd = RegisterEntity(
            entity_id,
            approach,
            name,
            country,
            organisation,
            party,
            None if date is None else parse_date_option(date, "--date"),
            conditions,
            change_conditions,
            explanation,
        )
        return _register(as_).register_entity(cmd, key)

    run(json_out, action, lambda r: _say_entity(r.entity))


@entity_cli.command("list")
def entity_list(party: PartyOpt = None, json_out: JsonOpt = False) -> None:
    """Every authorised entity (of one Party)."""

    def render(rows: list[AuthorisedEntity]) -> None:
        for entity in rows:
            _say_entity(entity)

    run(json_out, lambda: _register().entities(party), render)


@entity_cli.command("show")
def entity_show(entity_id: EntityArg, json_out: JsonOpt = False) -> None:
    """One authorised entity."""
    run(json_out, lambda: _register().entity(entity_id), _say_entity)
