"""A use towards an NDC records the NDC year it counts for, and every action takes its date
from the unit of work's clock, through the service, the CLI and the HTTP API (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aef_support import register_authorisation
from api_support import api_world, is_problem
from ledger_facts_support import (
    JP_GOV,
    NDC,
    Clock,
    World,
    at,
    clocked_app,
    entries,
    kenyan_units_on_both_sides,
    verify_log,
)
from typer.testing import CliRunner

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.domain.errors import JcmError
from jcm.domain.identity.credentials import allowed_scopes
from jcm.domain.identity.principal import OPERATOR
from jcm.domain.identity.register import GrantRole, RegisterOrganisation
from jcm.domain.registry import commands as c
from jcm.domain.registry.batch_file import parse_batch
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind
from jcm.entrypoints.cli import cli

NDC_USE = CancellationPurpose.NDC


@pytest.fixture
def clock() -> Clock:
    return Clock(at(2026, 2, 10))


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[App]:
    application = clocked_app(database_url, tmp_path, clock)
    yield application
    application.close()


@pytest.fixture
def world(app: App) -> World:
    """Kenyan units on both sides; 100 of Japan's share authorised by Kenya (ITMOs)."""
    world = kenyan_units_on_both_sides(app)
    app.registry.authorise(c.Authorise(JP_GOV, NDC, "KE-LoA-1", quantity=100))
    return world


def refused(action: Any, code: str) -> JcmError:
    with pytest.raises(JcmError) as caught:
        action()
    assert caught.value.code == code, caught.value.message
    return caught.value


# -- the service -----------------------------------------------------------------------------


def test_a_use_towards_an_ndc_counts_for_the_year_of_its_action_unless_an_earlier_one_is_given(
    app: App, world: World
) -> None:
    default = app.registry.cancel(c.Move(JP_GOV, quantity=10, purpose=NDC_USE))
    earlier = app.registry.cancel(c.Move(JP_GOV, quantity=10, purpose=NDC_USE, ndc_year=2025))

    assert default.detail == {"purpose": "ndc", "ndc_year": 2026}
    assert earlier.detail == {"purpose": "ndc", "ndc_year": 2025}
    assert verify_log(app)["ok"] is True


def test_an_ndc_year_after_the_action_or_before_2013_is_refused_t8(app: App, world: World) -> None:
    later = refused(
        lambda: app.registry.cancel(c.Move(JP_GOV, quantity=1, purpose=NDC_USE, ndc_year=2027)),
        "T8_BAD_NDC_YEAR",
    )
    refused(
        lambda: app.registry.cancel(c.Move(JP_GOV, quantity=1, purpose=NDC_USE, ndc_year=2012)),
        "T8_BAD_NDC_YEAR",
    )

    assert later.details == {"ndc_year": 2027, "action_year": 2026, "earliest": 2013}


def test_an_ndc_year_is_refused_for_other_purposes_and_other_moves_t8(
    app: App, world: World
) -> None:
    voluntary = CancellationPurpose.VOLUNTARY
    refused(
        lambda: app.registry.cancel(c.Move(world.ke, quantity=1, purpose=voluntary, ndc_year=2025)),
        "T8_NDC_YEAR_NOT_USE",
    )
    refused(
        lambda: app.registry.transfer(c.Move(world.ke, "KE-GOV-0001", quantity=1, ndc_year=2025)),
        "T8_NDC_YEAR_NOT_USE",
    )
    refused(
        lambda: app.registry.retire(c.Move(world.ke, quantity=1, ndc_year=2025)),
        "T8_NDC_YEAR_NOT_USE",
    )
    plain = app.registry.cancel(c.Move(world.ke, quantity=1, purpose=voluntary))
    assert "ndc_year" not in plain.detail


def test_a_batch_file_gives_the_ndc_year_of_its_uses_in_an_optional_column(
    app: App, world: World
) -> None:
    moves = parse_batch(
        "kind,from,to,quantity,serials,purpose,beneficiary,note,ndc_year\n"
        f"cancel,{JP_GOV},,5,,ndc,,,2024\n"
        f"cancel,{JP_GOV},,5,,ndc,,,\n",
        "uses.csv",
    )

    app.registry.batch(moves)

    rows = app.registry.transactions(kind=TransactionKind.CANCELLATION.value)
    assert sorted(int(str(r.detail["ndc_year"])) for r in rows) == [2024, 2026]


def test_transactions_and_their_log_entries_take_the_date_of_the_unit_of_works_clock(
    app: App, clock: Clock
) -> None:
    world = kenyan_units_on_both_sides(app)
    clock.now = march = at(2025, 3, 1)
    authorised = app.registry.authorise(c.Authorise(JP_GOV, NDC, "KE-LoA-1", quantity=20))
    clock.now = february = at(2026, 2, 10)
    used = app.registry.cancel(c.Move(JP_GOV, quantity=20, purpose=NDC_USE))
    clock.now = later = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    moved = app.registry.external_transfer(c.Move(world.ke, world.jp, quantity=3))

    when = {r.id: r.created_at for r in app.registry.transactions(limit=10)}
    stamped = {
        e["change"]["transaction"]: datetime.fromisoformat(e["timestamp"])
        for e in entries(app)
        if isinstance(e["change"], dict) and "transaction" in e["change"]
    }
    expected = {authorised.transaction: march, used.transaction: february, moved.transaction: later}
    for transaction, moment in expected.items():
        assert when[transaction] == moment
        assert stamped[transaction] == moment
    assert used.detail["ndc_year"] == 2026
    assert verify_log(app)["ok"] is True


# -- the CLI ---------------------------------------------------------------------------------


def jcm(app: App, tmp_path: Path, database_url: str, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "--database-url", database_url, *args, "--json"]
    )
    return result.exit_code, json.loads(result.stdout)


def test_jcm_cancel_records_the_ndc_year_given_or_the_current_one_and_refuses_others(
    app: App, world: World, tmp_path: Path, database_url: str
) -> None:
    cancel = ("cancel", "--from", JP_GOV, "-q", "2")

    before = datetime.now(UTC).year
    code, default = jcm(app, tmp_path, database_url, *cancel, "--purpose", "ndc")
    assert code == 0
    assert default["detail"]["ndc_year"] in {before, datetime.now(UTC).year}
    code, given = jcm(
        app, tmp_path, database_url, *cancel, "--purpose", "ndc", "--ndc-year", "2025"
    )
    assert (code, given["detail"]) == (0, {"purpose": "ndc", "ndc_year": 2025})

    code, late = jcm(app, tmp_path, database_url, *cancel, "--purpose", "ndc", "--ndc-year", "2999")
    assert code == 1
    assert late["error"]["code"] == "T8_BAD_NDC_YEAR"
    assert late["error"]["details"]["ndc_year"] == 2999
    assert late["error"]["hint"].startswith("give --ndc-year from 2013 to ")
    code, other = jcm(
        app, tmp_path, database_url, *cancel, "--purpose", "voluntary", "--ndc-year", "2025"
    )
    assert (code, other["error"]["code"]) == (1, "T8_NDC_YEAR_NOT_USE")


def test_jcm_a6_authorise_takes_an_account_in_japans_registry(
    app: App, tmp_path: Path, database_url: str
) -> None:
    kenyan_units_on_both_sides(app)
    code, result = jcm(
        app,
        tmp_path,
        database_url,
        *("a6", "authorise", "--account", JP_GOV, "--uses", "ndc"),
        *("--reference", "KE-LoA-1", "-q", "50"),
    )

    assert code == 0
    assert (result["registry"], result["detail"]["first_transferred"]) == ("JP", 50)


# -- the HTTP API ----------------------------------------------------------------------------

API = "/api/v1"


def japans_registry_administrator(app: App) -> dict[str, str]:
    identity = app.identity
    identity.register_organisation(RegisterOrganisation("jp-admin", "jp-admin"), OPERATOR)
    identity.grant_role(GrantRole("jp-admin", Role.REGISTRY_ADMIN, partner="JP"), OPERATOR)
    scopes = allowed_scopes(identity.roles_of("jp-admin"))
    token = identity.create_token(OPERATOR, "jp-admin", "jp-admin", scopes, 30).token
    return {"Authorization": f"Bearer {token}"}


def test_over_the_api_only_the_hosts_administrator_authorises_kenyan_units_in_japans_registry(
    app: App,
) -> None:
    w = api_world(app)
    register_authorisation(app, "KE", "KE-LoA-1")
    ke_admin = w.identity.add("ke-admin", "ke-admin", Role.REGISTRY_ADMIN)  # Kenya's registry
    jp_admin = japans_registry_administrator(app)
    body = {"account": JP_GOV, "uses": ["ndc"], "reference": "KE-LoA-1", "quantity": 100}
    authorise = API + "/authorisations"

    assert is_problem(w.client.post(authorise, json=body, headers=w.holder), 403, "K2_FORBIDDEN")
    assert is_problem(w.client.post(authorise, json=body, headers=jp_admin), 404, "K4_NOT_VISIBLE")
    created = w.client.post(authorise, json=body, headers=ke_admin)

    assert created.status_code == 201, created.text
    assert (created.json()["registry"], created.json()["detail"]["first_transferred"]) == (
        "JP",
        100,
    )
    assert verify_log(app)["ok"] is True


def test_over_the_api_a_cancellation_records_its_ndc_year_or_is_refused(app: App) -> None:
    w = api_world(app)  # this file's clock: 10 February 2026
    register_authorisation(app, "KE", "KE-LoA-1")
    app.registry.authorise(c.Authorise(JP_GOV, NDC, "KE-LoA-1", quantity=100))
    jp_admin = japans_registry_administrator(app)
    use = {"source": JP_GOV, "quantity": 5, "purpose": "ndc"}
    cancel = API + "/cancellations"

    given = w.client.post(cancel, json={**use, "ndc_year": 2025}, headers=jp_admin)
    default = w.client.post(cancel, json=use, headers=jp_admin)
    late = w.client.post(cancel, json={**use, "ndc_year": 2027}, headers=jp_admin)
    moved = w.client.post(
        API + "/transfers",
        json={
            "source": w.accounts["ke"],
            "destination": "KE-GOV-0001",
            "quantity": 1,
            "ndc_year": 2025,
        },
        headers=w.holder,
    )

    assert given.status_code == 201, given.text
    assert given.json()["detail"] == {"purpose": "ndc", "ndc_year": 2025}
    assert default.json()["detail"] == {"purpose": "ndc", "ndc_year": 2026}
    assert is_problem(late, 422, "T8_BAD_NDC_YEAR")
    assert late.json()["details"] == {"ndc_year": 2027, "action_year": 2026, "earliest": 2013}
    assert is_problem(moved, 422, "T8_NDC_YEAR_NOT_USE")
