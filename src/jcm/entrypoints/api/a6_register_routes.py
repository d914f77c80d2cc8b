"""Article 6.2 over HTTP: the cooperative-approach register (approaches, authorisations,
authorised entities). Access rules in ``jcm.domain.identity.aef_actions``.

Registering an approach is the platform administrator's act; an authorisation, a new version
of one and an authorised entity the authorising Party's registry administrator's (the use
case checks that the caller administers the partner's registry: otherwise 404). The
register is public. A new version (``POST /a6/authorisations/{id}/versions``) is whole: what
the body leaves out takes its default, not the last version's value.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import Field

from jcm.domain.aef.register_commands import (
    RegisterApproach,
    RegisterAuthorisation,
    RegisterEntity,
)
from jcm.domain.identity.aef_actions import REGISTER
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, IdempotencyKey, Router, scoped_key
from jcm.entrypoints.api.schemas import Body
from jcm.service_layer.aef.register import RegisterService

router = Router(tags=["article6"])

Years = Annotated[tuple[int, int], Field(description="First and last year, e.g. [2021, 2030].")]
PartyQuery = Annotated[
    str | None, Query(max_length=2, description="Alpha-2 of the authorising Party, e.g. KE.")
]


class ApproachBody(Body):
    id: str = Field(max_length=20, description="CARP's id, CANNNN, e.g. CA0001.")
    partner: str = Field(max_length=20, description="The partner country (alpha-2), e.g. KE.")
    japan_ndc: Years
    partner_ndc: Years
    name: str = Field("", max_length=300, description="Default: the JCM of Japan and …")
    japan_registry_id: str | None = Field(None, max_length=20, description="Default JPN01.")
    partner_registry_id: str | None = Field(None, max_length=20, description="e.g. KEN01.")


class AuthorisationTermsBody(Body):
    """An authorisation's terms, in the nomenclature's words (Table 2 of the AEF)."""

    approach_id: str = Field(max_length=20, description="e.g. CA0001.")
    purposes: str = Field(max_length=40, description="NDC, OIMP, IMP, OP, NDC and OIMP, …")
    sectors: list[str] = Field(default_factory=list, description="Default: the projects'.")
    activity_types: list[str] = Field(default_factory=list, description='e.g. ["Solar"].')
    projects: list[str] = Field(
        default_factory=list, description="Cycle projects whose methodologies give sectors."
    )
    authorised_on: date | None = Field(None, description="Default: today.")
    party: str | None = Field(None, max_length=20, description="Default: the partner.")
    quantity: int | None = Field(None, description="Authorised quantity; none: not limited.")
    metric: str = "GHG"
    gwp: str = ""
    mitigation_type: str = "Emission reductions"
    authorised_parties: list[str] = Field(default_factory=list, description="Alpha-3 codes.")
    authorised_entities: list[str] = Field(default_factory=list, description="Entity ids.")
    oimp_authorised: str = Field("", description="e.g. CORSIA (OIMP, IMP or OP only).")
    timeframe: tuple[int, int] | None = Field(None, description="First and last vintage.")
    terms: str = ""
    first_transfer_definition: str | None = Field(
        None, description="Authorisation, Issuance or Use or Cancellation (OIMP, IMP, OP)."
    )
    explanation: str = ""

    def command(self, authorisation_id: str) -> RegisterAuthorisation:
        return RegisterAuthorisation(
            authorisation_id,
            self.approach_id,
            self.purposes,
            tuple(self.sectors),
            tuple(self.activity_types),
            tuple(self.projects),
            self.authorised_on,
            self.party,
            self.quantity,
            self.metric,
            self.gwp,
            self.mitigation_type,
            tuple(self.authorised_parties),
            tuple(self.authorised_entities),
            self.oimp_authorised,
            self.timeframe,
            self.terms,
            self.first_transfer_definition,
            self.explanation,
        )


class AuthorisationBody(AuthorisationTermsBody):
    id: str = Field(max_length=100, description="The authorisation's id.")


class EntityBody(Body):
    id: str = Field(max_length=100, description="The entity's identification number.")
    approach_id: str = Field(max_length=20)
    name: str
    country: str = Field("", max_length=20, description="Alpha-3; default: its organisation's.")
    organisation_id: str | None = Field(None, max_length=100)
    party: str | None = Field(None, max_length=20, description="Default: the partner.")
    authorised_on: date | None = None
    conditions: str = ""
    change_conditions: str = ""
    explanation: str = ""


def _register(caller: CallerDep) -> RegisterService:
    return caller.services.aef.register


# -- approaches ---------------------------------------------------------------------------------


@router.endpoint("POST", "/a6/approaches", access=REGISTER["register_approach"], status_code=201)
def register_approach(
    body: ApproachBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Register the cooperative approach of Japan and a partner (logged)."""
    cmd = RegisterApproach(
        body.id,
        body.partner,
        body.japan_ndc,
        body.partner_ndc,
        body.name,
        body.japan_registry_id,
        body.partner_registry_id,
    )
    return respond(_register(caller).register_approach(cmd, scoped_key(caller, key)), 201)


@router.endpoint("GET", "/a6/approaches", access=REGISTER["list_approaches"])
def list_approaches(caller: CallerDep) -> JSONResponse:
    """Every cooperative approach with its Parties, NDC periods and ITMO registry ids."""
    return respond({"items": _register(caller).approaches()})


@router.endpoint("GET", "/a6/approaches/{approach}", access=REGISTER["get_approach"])
def get_approach(approach: str, caller: CallerDep) -> JSONResponse:
    return respond(_register(caller).approach(approach))


# -- authorisations -----------------------------------------------------------------------------


@router.endpoint(
    "POST", "/a6/authorisations", access=REGISTER["register_authorisation"], status_code=201
)
def register_authorisation(
    body: AuthorisationBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Register version 1 of the partner's authorisation (logged)."""
    result = _register(caller).register_authorisation(
        body.command(body.id), scoped_key(caller, key)
    )
    return respond(result, 201)


@router.endpoint(
    "POST",
    "/a6/authorisations/{authorisation}/versions",
    access=REGISTER["amend_authorisation"],
    status_code=201,
)
def amend_authorisation(
    authorisation: str,
    body: AuthorisationTermsBody,
    caller: CallerDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Register the next version of an authorisation, whole (logged; never a rewrite)."""
    result = _register(caller).amend_authorisation(
        body.command(authorisation), scoped_key(caller, key)
    )
    return respond(result, 201)


@router.endpoint("GET", "/a6/authorisations", access=REGISTER["list_authorisations"])
def list_authorisations(caller: CallerDep, party: PartyQuery = None) -> JSONResponse:
    """The latest version of each authorisation (of one Party), by id."""
    return respond({"items": _register(caller).authorisations(party)})


@router.endpoint("GET", "/a6/authorisations/{authorisation}", access=REGISTER["get_authorisation"])
def get_authorisation(authorisation: str, caller: CallerDep) -> JSONResponse:
    """An authorisation's latest version and every version, oldest first."""
    return respond(_register(caller).authorisation(authorisation))


# -- authorised entities ------------------------------------------------------------------------


@router.endpoint("POST", "/a6/entities", access=REGISTER["register_entity"], status_code=201)
def register_entity(
    body: EntityBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Register an entity the partner authorises to use or cancel ITMOs (logged)."""
    cmd = RegisterEntity(
        body.id,
        body.approach_id,
        body.name,
        body.country,
        body.organisation_id,
        body.party,
        body.authorised_on,
        body.conditions,
        body.change_conditions,
        body.explanation,
    )
    return respond(_register(caller).register_entity(cmd, scoped_key(caller, key)), 201)


@router.endpoint("GET", "/a6/entities", access=REGISTER["list_entities"])
def list_entities(caller: CallerDep, party: PartyQuery = None) -> JSONResponse:
    return respond({"items": _register(caller).entities(party)})


@router.endpoint("GET", "/a6/entities/{entity}", access=REGISTER["get_entity"])
def get_entity(entity: str, caller: CallerDep) -> JSONResponse:
    return respond(_register(caller).entity(entity))
