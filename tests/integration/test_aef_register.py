"""The cooperative-approach register as a use case: stored, logged, attributed, replayed by
log verification; and units authorised only under a registered authorisation."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

import pytest
from aef_support import register_approach, register_authorisation, register_entity
from api_support import ApiWorld, api_world
from sqlalchemy import select, update

from jcm.adapters import schema
from jcm.adapters.aef import tables as aef_tables
from jcm.bootstrap import App
from jcm.domain.aef.register_commands import (
    RegisterApproach,
    RegisterAuthorisation,
    RegisterEntity,
)
from jcm.domain.cycle.actors import Role
from jcm.domain.errors import JcmError
from jcm.domain.identity.principal import OPERATOR, Channel, Principal
from jcm.domain.identity.register import GrantRole, RegisterOrganisation
from jcm.domain.registry import commands as c
from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger
from jcm.service_layer.aef.ports import AefUnitOfWork
from jcm.service_layer.aef.register import register_authorisation as register_handler
from jcm.service_layer.results import to_json_object

TERMS = RegisterAuthorisation(
    "KE-LoA-1", "CA0001", "NDC", ("Energy generation",), ("Solar",), quantity=100
)
NDC = frozenset({AuthorisedUse.NDC})


def code_of(action: Callable[[], object]) -> str:
    with pytest.raises(JcmError) as raised:
        action()
    return raised.value.code


def entries(app: App) -> list[dict[str, Any]]:
    with app.engine.connect() as conn:
        rows = conn.execute(select(schema.events.c.entry).order_by(schema.events.c.log_index))
        return [json.loads(entry) for (entry,) in rows]


def verify(app: App) -> dict[str, Any]:
    result = to_json_object(app.log.verify(dict(app.log_verifiers())))
    return {"ok": result["ok"], "problem": result["problem"]}


def registry_admin(app: App, organisation: str, registry: str) -> Principal:
    """An organisation administering ``registry``, acting through the API."""
    app.identity.register_organisation(RegisterOrganisation(organisation, organisation), OPERATOR)
    app.identity.grant_role(
        GrantRole(organisation, Role.REGISTRY_ADMIN, partner=registry), OPERATOR
    )
    return Principal(organisation, "alice", Channel.API)


@pytest.fixture
def world(app: App) -> ApiWorld:
    w = api_world(app)
    app.aef.register.register_approach(RegisterApproach("CA0001", "KE", (2021, 2030), (2021, 2030)))
    return w


def test_a_register_is_stored_logged_with_its_own_kinds_and_rebuilt_by_log_verify(
    app: App, world: ApiWorld
) -> None:
    register = app.aef.register
    register_entity(app, "JP-BUYER-1", organisation_id="JP-ORG-0002", country="")
    first = register.register_authorisation(replace(TERMS, authorised_entities=("JP-BUYER-1",)))
    second = register.amend_authorisation(replace(TERMS, quantity=200))

    assert (first.authorisation.version, second.authorisation.version) == (1, 2)
    assert register.entity("JP-BUYER-1").country == "JPN"  # its organisation's registry
    history = register.authorisation("KE-LoA-1")
    assert [v.quantity for v in history.versions] == [100, 200]  # never a rewrite
    assert history.latest == second.authorisation
    assert [a.version for a in register.authorisations("KE")] == [2]
    kinds = [e["type"] for e in entries(app)[-4:]]
    assert kinds == [
        "aef.approach_registered",
        "aef.entity_registered",
        "aef.authorisation_registered",
        "aef.authorisation_amended",
    ]
    assert entries(app)[-1]["change"]["quantity"] == 200
    assert verify(app) == {"ok": True, "problem": None}
    facts = app.aef.register
    assert facts.approach("CA0001").partner == "KE"


@pytest.mark.parametrize(
    ("table", "key", "column", "value", "entity"),
    [
        (aef_tables.aef_approaches, {"id": "CA0001"}, "name", "Other", "cooperative approach"),
        (
            aef_tables.aef_approach_parties,
            {"approach_id": "CA0001", "party": "KE"},
            "registry_id",
            "KEN02",
            "cooperative approach CA0001 Party KE",
        ),
        (
            aef_tables.aef_authorisations,
            {"id": "KE-LoA-1", "version": 1},
            "body",
            "{}",
            "authorisation KE-LoA-1 version 1",
        ),
        (aef_tables.aef_entities, {"id": "JP-BUYER-1"}, "party", "JP", "authorised entity"),
    ],
)
def test_a_tampered_register_row_is_named_by_log_verify(
    app: App, world: ApiWorld, table: Any, key: dict[str, Any], column: str, value: Any,
    entity: str,
) -> None:  # fmt: skip
    register_entity(app, "JP-BUYER-1")
    app.aef.register.register_authorisation(TERMS)
    with app.engine.begin() as conn:
        where = [table.c[k] == v for k, v in key.items()]
        conn.execute(update(table).where(*where).values({column: value}))

    problem = verify(app)["problem"]

    assert problem is not None
    assert (problem["table"], problem["column"]) == (table.name, column)
    assert problem["entity"].startswith(entity)
    assert problem["found"] == value


def test_a_repeated_idempotency_key_replays_the_first_result(app: App, world: ApiWorld) -> None:
    first = app.aef.register.register_authorisation(TERMS, key="k-1")
    again = app.aef.register.register_authorisation(TERMS, key="k-1")

    assert again.replayed is True
    assert again.authorisation == first.authorisation
    assert len(app.aef.register.authorisation("KE-LoA-1").versions) == 1


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (
            lambda r: r.register_approach(
                RegisterApproach("CA0001", "ID", (2021, 2030), (2021, 2030))
            ),
            "R1_APPROACH_EXISTS",
        ),
        (
            lambda r: r.register_approach(
                RegisterApproach("CA0002", "KE", (2021, 2030), (2021, 2030))
            ),
            "R1_PARTNER_HAS_APPROACH",
        ),
        (
            lambda r: r.register_authorisation(replace(TERMS, approach_id="CA0009")),
            "R1_UNKNOWN_APPROACH",
        ),
        (lambda r: r.register_authorisation(TERMS), "R2_AUTHORISATION_EXISTS"),
        (
            lambda r: r.amend_authorisation(replace(TERMS, id="KE-LoA-9")),
            "R2_UNKNOWN_AUTHORISATION",
        ),
        (lambda r: r.amend_authorisation(replace(TERMS, party="ID")), "R2_NOT_PARTNER"),
        (
            lambda r: r.register_authorisation(replace(TERMS, id="B", authorised_entities=("X",))),
            "R2_UNKNOWN_ENTITY",
        ),
        (
            lambda r: r.register_authorisation(
                replace(TERMS, id="B", sectors=(), projects=("ID001",))
            ),
            "P4_UNKNOWN_PROJECT",
        ),
        (lambda r: r.register_authorisation(replace(TERMS, id="B", sectors=())), "R2_NO_SECTORS"),
        (
            lambda r: r.register_entity(
                RegisterEntity("E-1", "CA0001", "Buyer", organisation_id="NOPE")
            ),
            "R3_UNKNOWN_ORGANISATION",
        ),
        (
            lambda r: r.register_entity(RegisterEntity("JP-BUYER-1", "CA0001", "Buyer", "JPN")),
            "R3_ENTITY_EXISTS",
        ),
        (lambda r: r.entity("E-9"), "R3_UNKNOWN_ENTITY"),
        (lambda r: r.approach("CA0009"), "R1_UNKNOWN_APPROACH"),
    ],
)
def test_a_register_change_is_refused_with_its_code_and_changes_nothing(
    app: App, world: ApiWorld, action: Callable[[Any], object], code: str
) -> None:
    register_entity(app, "JP-BUYER-1")
    app.aef.register.register_authorisation(TERMS)
    before = len(entries(app))

    assert code_of(lambda: action(app.aef.register)) == code
    assert len(entries(app)) == before


def test_only_the_partners_registry_administrator_registers_its_authorisations(
    app: App, world: ApiWorld
) -> None:
    kenya = app.acting(registry_admin(app, "ke-registry", "KE")).aef.register
    japan = app.acting(registry_admin(app, "jp-registry", "JP")).aef.register
    holder = app.acting(Principal("KE-ORG-0002", "bob", Channel.API)).aef.register

    assert code_of(lambda: japan.register_authorisation(TERMS)) == "K4_NOT_VISIBLE"
    assert code_of(lambda: holder.register_authorisation(TERMS)) == "K2_FORBIDDEN"
    assert code_of(lambda: kenya.register_approach(
        RegisterApproach("CA0002", "ID", (2021, 2030), (2021, 2030))
    )) == "K2_FORBIDDEN"  # fmt: skip
    kenya.register_authorisation(TERMS)
    kenya.register_entity(RegisterEntity("JP-BUYER-1", "CA0001", "Buyer KK", "JPN"))

    assert entries(app)[-1]["actor"]["organisation"] == "ke-registry"
    assert verify(app)["ok"] is True


def test_an_authorisation_logged_for_another_partys_administrator_is_named_by_verify(
    app: App, world: ApiWorld
) -> None:
    japan = registry_admin(app, "jp-registry", "JP")
    with app.unit_of_work() as uow:  # an insider logs it anyway, as Japan's administrator
        uow.ledger.log.actor = japan.attribution()
        register_handler(cast(AefUnitOfWork, uow), TERMS, amend=False)
        uow.commit()

    problem = verify(app)["problem"]

    assert problem["field"] == "actor"
    assert problem["expected"] == "an administrator of registry KE"
    assert "aef.authorisation_registered" in problem["entity"]


# -- authorising units under a registered authorisation ------------------------------------


def test_units_are_authorised_with_the_registered_uses_and_trigger(
    app: App, world: ApiWorld
) -> None:
    register_authorisation(
        app, "KE", "KE-OIMP", uses={AuthorisedUse.OIMP}, trigger=FirstTransferTrigger.USE
    )

    done = app.registry.authorise(
        c.Authorise(world.accounts["ke"], reference="KE-OIMP", quantity=5)
    )

    assert done.detail == {"uses": "oimp", "reference": "KE-OIMP", "first_transfer_at": "use"}
    assert verify(app)["ok"] is True


@pytest.mark.parametrize(
    ("authorise", "code"),
    [
        (c.Authorise("KE-ENT-0004", reference="KE-LoA-9", quantity=5), "R2_UNKNOWN_AUTHORISATION"),
        (
            c.Authorise("KE-ENT-0004", NDC | {AuthorisedUse.OIMP}, "KE-LoA-1", quantity=5),
            "R2_USES_DIFFER",
        ),
        (
            c.Authorise("KE-ENT-0004", NDC, "KE-LoA-1", FirstTransferTrigger.USE, 5),
            "R2_USES_DIFFER",
        ),
        (c.Authorise("KE-ENT-0004", reference="ID-LoA-1", quantity=5), "R2_NOT_AUTHORISING_PARTY"),
        (c.Authorise("KE-ENT-0004", reference="KE-2024", quantity=5), "R2_OUTSIDE_TIMEFRAME"),
        (c.Authorise("KE-ENT-0004", reference="KE-LoA-1", quantity=101), "R2_OVER_QUANTITY"),
        (c.Authorise("KE-ENT-0004", reference=" ", quantity=5), "G1_NO_REFERENCE"),
    ],
)
def test_authorising_units_is_refused_unless_the_registered_authorisation_allows_it(
    app: App, world: ApiWorld, authorise: c.Authorise, code: str
) -> None:
    assert world.accounts["ke"] == "KE-ENT-0004"
    app.aef.register.register_authorisation(TERMS)
    register_authorisation(app, "ID", "ID-LoA-1")
    register_authorisation(app, "KE", "KE-2024", timeframe=(2024, 2030))

    assert code_of(lambda: app.registry.authorise(authorise)) == code


def test_the_authorised_quantity_counts_units_already_authorised_under_it(
    app: App, world: ApiWorld
) -> None:
    ke = world.accounts["ke"]
    app.aef.register.register_authorisation(TERMS)  # 100 units
    app.registry.authorise(c.Authorise(ke, reference="KE-LoA-1", quantity=60))
    app.registry.external_transfer(c.Move(ke, world.accounts["jp"], quantity=20))
    # the same units again under the same authorisation are not counted twice
    app.registry.authorise(c.Authorise(ke, reference="KE-LoA-1", quantity=80))

    assert code_of(
        lambda: app.registry.authorise(c.Authorise(ke, reference="KE-LoA-1", quantity=81))
    ) == "R2_OVER_QUANTITY"  # fmt: skip
    app.aef.register.amend_authorisation(replace(TERMS, quantity=500))
    assert app.registry.authorise(c.Authorise(ke, reference="KE-LoA-1", quantity=81)).quantity == 81
    assert verify(app)["ok"] is True


def test_the_shared_helper_registers_the_partners_approach_once(app: App) -> None:
    first = register_approach(app, "KE")
    register_authorisation(app, "KE", "A-1")
    register_authorisation(app, "ID", "B-1")

    assert first.id == "CA0001"
    assert [a.id for a in app.aef.register.approaches()] == ["CA0001", "CA0002"]


@pytest.mark.timeout(600)
def test_the_demo_registers_kenyas_approach_entity_and_authorisation_with_the_projects_sector(
    app: App,
) -> None:
    from jcm.entrypoints.demo import run_demo

    run_demo(
        app.registry, app.cycle, app.documents, app.log,
        identity=app.identity, register=app.aef.register, progress=False,
    )  # fmt: skip
    register = app.aef.register
    authorisation = register.authorisation("KE-LoA-2024-001").latest

    assert (authorisation.sectors, authorisation.activity_types) == (
        ("Energy generation",),
        ("Solar",),
    )
    (entity,) = register.entities("KE")
    assert authorisation.authorised_entities == (entity.id,)
    assert entity.organisation_id is not None
    assert [p.party_id for p in register.approach("CA0001").parties] == ["JPN", "KEN"]
    foreign = replace(TERMS, id="KE-LoA-9", sectors=(), projects=("ID001",))
    assert code_of(lambda: register.register_authorisation(foreign)) == "R2_FOREIGN_PROJECT"
    assert verify(app)["ok"] is True
