"""The cooperative-approach register over HTTP and from the command line: who may register
what (401/403/404), problem+json codes, versions, and the public reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aef_support import register_approach, register_authorisation, register_entity
from api_support import ApiWorld, api_world, is_problem
from typer.testing import CliRunner

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.domain.identity.principal import OPERATOR
from jcm.domain.identity.register import GrantRole, RegisterOrganisation
from jcm.entrypoints.cli import cli

API = "/api/v1"
APPROACH = {"id": "CA0001", "partner": "KE", "japan_ndc": [2021, 2030], "partner_ndc": [2021, 2030]}
AUTHORISATION = {
    "id": "KE-LoA-1",
    "approach_id": "CA0001",
    "purposes": "NDC",
    "sectors": ["Energy generation"],
    "activity_types": ["Solar"],
    "quantity": 100,
    "timeframe": [2021, 2030],
}


def registry_admin_of(w: ApiWorld, app: App, organisation: str, registry: str) -> dict[str, str]:
    app.identity.register_organisation(RegisterOrganisation(organisation, organisation), OPERATOR)
    app.identity.grant_role(
        GrantRole(organisation, Role.REGISTRY_ADMIN, partner=registry), OPERATOR
    )
    return w.identity.add(organisation, organisation, Role.REGISTRY_ADMIN)


@pytest.fixture
def world(app: App) -> ApiWorld:
    return api_world(app)


def test_the_administrator_registers_the_approach_and_kenyas_administrator_its_terms(
    app: App, world: ApiWorld
) -> None:
    client = world.client
    admin = world.identity.add("root", "root", Role.ADMINISTRATOR)
    kenya = registry_admin_of(world, app, "ke-registry", "KE")
    japan = registry_admin_of(world, app, "jp-registry", "JP")

    assert is_problem(client.post(API + "/a6/approaches", json=APPROACH), 401)
    assert is_problem(
        client.post(API + "/a6/approaches", json=APPROACH, headers=kenya), 403, "K2_FORBIDDEN"
    )
    approach = client.post(API + "/a6/approaches", json=APPROACH, headers=admin)
    assert approach.status_code == 201, approach.text
    assert approach.json()["approach"]["parties"][1]["registry_id"] == "KEN01"

    posted = client.post(API + "/a6/authorisations", json=AUTHORISATION, headers=japan)
    assert is_problem(posted, 404, "K4_NOT_VISIBLE")
    posted = client.post(API + "/a6/authorisations", json=AUTHORISATION, headers=world.holder)
    assert is_problem(posted, 403, "K2_FORBIDDEN")
    created = client.post(
        API + "/a6/authorisations", json=AUTHORISATION, headers={**kenya, "Idempotency-Key": "a"}
    )
    assert created.status_code == 201, created.text
    again = client.post(
        API + "/a6/authorisations", json=AUTHORISATION, headers={**kenya, "Idempotency-Key": "a"}
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    terms = {k: v for k, v in AUTHORISATION.items() if k != "id"}
    version = client.post(
        API + "/a6/authorisations/KE-LoA-1/versions", json={**terms, "quantity": 300}, headers=kenya
    )
    assert version.status_code == 201, version.text
    assert (version.json()["authorisation"]["version"], version.json()["event"]) == (
        2,
        "aef.authorisation_amended",
    )
    entity = {"id": "JP-BUYER-1", "approach_id": "CA0001", "name": "Buyer KK", "country": "JPN"}
    assert client.post(API + "/a6/entities", json=entity, headers=kenya).status_code == 201


def test_the_register_is_public_and_answers_unknown_ids_with_their_codes(
    app: App, world: ApiWorld
) -> None:
    register_authorisation(app, "KE", "KE-LoA-1", quantity=10)
    register_entity(app, "JP-BUYER-1")
    client = world.client

    listed: Any = client.get(API + "/a6/authorisations", params={"party": "KE"}).json()
    assert [a["id"] for a in listed["items"]] == ["KE-LoA-1"]
    one = client.get(API + "/a6/authorisations/KE-LoA-1").json()
    assert (one["latest"]["quantity"], len(one["versions"])) == (10, 1)
    assert client.get(API + "/a6/approaches").json()["items"][0]["id"] == "CA0001"
    assert client.get(API + "/a6/approaches/CA0001").json()["name"].startswith("Joint")
    assert client.get(API + "/a6/entities").json()["items"][0]["id"] == "JP-BUYER-1"
    assert client.get(API + "/a6/entities/JP-BUYER-1").json()["country"] == "JPN"
    assert is_problem(client.get(API + "/a6/approaches/CA0009"), 404, "R1_UNKNOWN_APPROACH")
    assert is_problem(client.get(API + "/a6/authorisations/X"), 404, "R2_UNKNOWN_AUTHORISATION")
    assert is_problem(client.get(API + "/a6/entities/X"), 404, "R3_UNKNOWN_ENTITY")


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"purposes": "ndc"}, 422, "R2_BAD_PURPOSES"),
        ({"activity_types": ["CO2 usage"]}, 422, "R2_BAD_ACTIVITY_TYPE"),
        ({"timeframe": [2030, 2021]}, 422, "R2_BAD_TIMEFRAME"),
        ({"approach_id": "CA0009"}, 404, "R1_UNKNOWN_APPROACH"),
        ({"authorised_entities": ["NOPE"]}, 404, "R2_UNKNOWN_ENTITY"),
    ],
)
def test_a_refused_authorisation_is_a_problem_with_its_code(
    app: App, world: ApiWorld, change: dict[str, Any], status: int, code: str
) -> None:
    register_approach(app, "KE")
    kenya = registry_admin_of(world, app, "ke-registry", "KE")

    posted = world.client.post(
        API + "/a6/authorisations", json={**AUTHORISATION, **change}, headers=kenya
    )

    assert is_problem(posted, status, code), posted.text


def test_units_are_authorised_over_the_api_by_reference_alone(app: App, world: ApiWorld) -> None:
    register_authorisation(app, "KE", "KE-LoA-1", quantity=10)
    kenya = registry_admin_of(world, app, "ke-registry", "KE")
    body = {"account": world.accounts["ke"], "reference": "KE-LoA-1", "quantity": 10}

    done = world.client.post(API + "/authorisations", json=body, headers=kenya)
    beyond = {
        "account": body["account"],
        "reference": "KE-LoA-1",
        "serials": "KE-KE-JCM-KE001-2023-1-600",
    }
    over = world.client.post(API + "/authorisations", json=beyond, headers=kenya)
    other = world.client.post(
        API + "/authorisations", json={**body, "uses": ["oimp"]}, headers=kenya
    )

    assert done.status_code == 201, done.text
    assert done.json()["detail"]["uses"] == "ndc"
    assert is_problem(over, 409, "R2_OVER_QUANTITY"), over.text
    assert is_problem(other, 422, "R2_USES_DIFFER")


# -- the command line ---------------------------------------------------------------------------

runner = CliRunner()


def test_the_register_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    def jcm(*args: str) -> tuple[int, Any]:
        base = ["--data-dir", str(tmp_path / "d"), "--database-url", database_url]
        result = runner.invoke(cli, [*base, *args, "--json"])
        return result.exit_code, json.loads(result.stdout) if result.stdout else None

    assert jcm("registry", "create", "KE")[0] == 0
    approach = ("a6", "approach", "register", "CA0001", "--partner", "KE")
    code, made = jcm(*approach, "--japan-ndc", "2021-2030", "--partner-ndc", "2021 - 2030")
    assert (code, made["approach"]["parties"][1]["party_id"]) == (0, "KEN")
    code, entity = jcm(
        "a6", "entity", "register", "JP-BUYER-1", "--approach", "CA0001", "--name", "Buyer KK",
        "--country", "JPN",
    )  # fmt: skip
    assert (code, entity["event"]) == (0, "aef.entity_registered")
    code, first = jcm(
        "a6", "authorisation", "register", "KE-LoA-1", "--approach", "CA0001",
        "--purposes", "NDC", "--sector", "Energy generation", "--activity-type", "C02 usage",
        "--entity", "JP-BUYER-1", "--timeframe", "2021-2030", "--quantity", "100",
    )  # fmt: skip
    assert (code, first["authorisation"]["activity_types"]) == (0, ["C02 usage"])
    code, second = jcm("a6", "authorisation", "amend", "KE-LoA-1", "--unlimited")
    assert (code, second["authorisation"]["version"], second["authorisation"]["quantity"]) == (
        0,
        2,
        None,
    )
    assert second["authorisation"]["authorised_entities"] == ["JP-BUYER-1"]  # kept
    code, shown = jcm("a6", "authorisation", "show", "KE-LoA-1")
    assert [v["version"] for v in shown["versions"]] == [1, 2]
    assert [a["id"] for a in jcm("a6", "authorisation", "list", "--party", "KE")[1]] == ["KE-LoA-1"]
    assert jcm("a6", "entity", "show", "JP-BUYER-1")[1]["name"] == "Buyer KK"
    assert [a["id"] for a in jcm("a6", "approach", "list")[1]] == ["CA0001"]
    code, refused = jcm("a6", "authorisation", "amend", "KE-LoA-9", "--quantity", "5")
    assert (code, refused["error"]["code"]) == (1, "R2_UNKNOWN_AUTHORISATION")
    assert refused["error"]["hint"] == "register it first with `jcm a6 authorisation register`"
    code, refused = jcm("a6", "approach", "register", "CA01", "--partner", "KE",
                        "--japan-ndc", "2021", "--partner-ndc", "2021-2030")  # fmt: skip
    assert (code, refused["error"]["code"]) == (1, "R1_BAD_NDC_PERIOD")
    assert jcm("log", "verify")[1]["ok"] is True
