"""The host Party authorises its units held in Japan's registry: they are first-transferred
at the authorisation, only the host's registry administrator may do it, and `jcm log verify`
rebuilds and judges it (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aef_support import register_authorisation
from ledger_facts_support import (
    JP_GOV,
    NDC,
    OIMP,
    Clock,
    World,
    acting,
    api,
    article6_of,
    at,
    clocked_app,
    entries,
    kenyan_units_on_both_sides,
    verify_log,
)
from sqlalchemy import update

from jcm.adapters import schema
from jcm.bootstrap import App
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.article6 import FirstTransferTrigger
from jcm.domain.registry.transactions import CancellationPurpose
from jcm.service_layer.registry import handlers as registry_handlers


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[App]:
    application = clocked_app(database_url, tmp_path, Clock(at(2026, 2, 10)))
    yield application
    application.close()


@pytest.fixture
def world(app: App) -> World:
    return kenyan_units_on_both_sides(app)


def refusal(app: App, action: object, code: str) -> JcmError:
    """The action is refused with ``code`` and the log (so the ledger) does not grow."""
    before = len(entries(app))
    with pytest.raises(JcmError) as caught:
        action()  # type: ignore[operator]
    assert caught.value.code == code, caught.value.message
    assert len(entries(app)) == before
    return caught.value


def test_kenyas_registry_administrator_authorises_kenyan_units_in_japans_registry_and_they_are_first_transferred(  # noqa: E501
    app: App, world: World
) -> None:
    result = acting(app, "ke-admin").authorise(c.Authorise(JP_GOV, NDC, "KE-LoA-1", quantity=100))

    assert (result.registry, result.source, result.quantity) == ("JP", JP_GOV, 100)
    assert result.detail == {
        "uses": "ndc",
        "reference": "KE-LoA-1",
        "first_transfer_at": "international_transfer",
        "first_transferred": 100,
    }
    assert article6_of(app, JP_GOV) == [
        ("", False, "not_required", 400),
        ("ndc", True, "pending", 100),
    ]
    assert entries(app)[-1]["actor"]["organisation"] == "ke-admin"
    assert verify_log(app)["ok"] is True


def test_japans_registry_administrator_cannot_authorise_kenyan_units_even_in_japans_registry(
    app: App, world: World
) -> None:
    authorise = c.Authorise(JP_GOV, NDC, "JP-LoA-1", quantity=100)

    refusal(app, lambda: acting(app, "jp-admin").authorise(authorise), "K4_NOT_VISIBLE")
    refusal(app, lambda: acting(app, world.ke_holder).authorise(authorise), "K2_FORBIDDEN")
    assert article6_of(app, JP_GOV) == [("", False, "not_required", 500)]


def test_kenyas_administrator_still_authorises_in_kenyas_registry_where_the_holder_cannot(
    app: App, world: World
) -> None:
    authorise = c.Authorise(world.ke, NDC, "KE-LoA-1", quantity=50)

    refusal(app, lambda: acting(app, "jp-admin").authorise(authorise), "K4_NOT_VISIBLE")
    result = acting(app, "ke-admin").authorise(authorise)

    assert "first_transferred" not in result.detail  # at the international transfer
    assert article6_of(app, world.ke) == [
        ("", False, "not_required", 450),
        ("ndc", False, "not_required", 50),
    ]


def test_an_oimp_authorisation_first_transferring_at_use_is_refused_for_units_held_in_japan_t6(
    app: App, world: World
) -> None:
    use = FirstTransferTrigger.USE
    error = refusal(
        app,
        lambda: app.registry.authorise(c.Authorise(JP_GOV, OIMP, "KE-LoA-2", use, quantity=10)),
        "T6_BAD_TRIGGER",
    )

    assert "held outside" in error.message
    at_home = app.registry.authorise(c.Authorise(world.ke, OIMP, "KE-LoA-2", use, quantity=10))
    assert "first_transferred" not in at_home.detail


@pytest.mark.parametrize(
    ("trigger", "first_transferred"),
    [(FirstTransferTrigger.AUTHORISATION, 10), (FirstTransferTrigger.ISSUANCE, 10)],
)
def test_an_authorisation_at_home_that_first_transfers_says_how_many_units(
    app: App, world: World, trigger: FirstTransferTrigger, first_transferred: int
) -> None:
    register_authorisation(app, "KE", "KE-LoA-3", uses=OIMP, trigger=trigger)
    result = app.registry.authorise(c.Authorise(world.ke, OIMP, "KE-LoA-3", trigger, quantity=10))

    assert result.detail["first_transferred"] == first_transferred


def test_units_first_transferred_at_authorisation_are_not_first_transferred_again_and_get_their_adjustment(  # noqa: E501
    app: App, world: World
) -> None:
    authorised = acting(app, "ke-admin").authorise(
        c.Authorise(JP_GOV, NDC, "KE-LoA-1", quantity=100)
    )
    (serials,) = authorised.serials

    home = app.registry.external_transfer(c.Move(JP_GOV, world.ke, serials=serials))
    back = app.registry.external_transfer(c.Move(world.ke, world.jp, serials=serials))

    assert (home.first_transfer, back.first_transfer) == (False, False)
    assert "first_transferred" not in home.detail | back.detail
    assert article6_of(app, world.jp) == [("ndc", True, "pending", 100)]
    adjusted = acting(app, "ke-admin").apply_corresponding_adjustment(
        c.ApplyCorrespondingAdjustment(serials, 2026)
    )
    assert adjusted.quantity == 100
    assert article6_of(app, world.jp) == [("ndc", True, "applied", 100)]
    used = app.registry.cancel(c.Move(world.jp, quantity=100, purpose=CancellationPurpose.NDC))
    assert used.detail == {"purpose": "ndc", "ndc_year": 2026}
    assert verify_log(app)["ok"] is True


def test_log_verify_rebuilds_an_authorisation_abroad_and_catches_an_edit_of_its_first_transfer(
    app: App, world: World
) -> None:
    acting(app, "ke-admin").authorise(c.Authorise(JP_GOV, NDC, "KE-LoA-1", quantity=100))
    assert verify_log(app)["ok"] is True

    blocks = schema.unit_blocks
    with app.engine.begin() as conn:
        conn.execute(
            update(blocks)
            .where(blocks.c.account_id == JP_GOV, blocks.c.first_transferred.is_(True))
            .values(first_transferred=False)
        )

    verdict = verify_log(app)
    assert verdict["ok"] is False
    problem = verdict["problem"]
    assert (problem["table"], problem["column"]) == ("unit_blocks", "first_transferred")
    assert (problem["expected"], problem["found"]) == (True, False)


def test_an_authorisation_abroad_attributed_to_japans_administrator_fails_verification(
    app: App, world: World
) -> None:
    with app.unit_of_work() as uow:  # an insider logs it as Japan's administrator's
        uow.ledger.log.actor = api("jp-admin").attribution()
        registry_handlers.authorise(uow, c.Authorise(JP_GOV, NDC, "KE-LoA-1", quantity=5))
        uow.commit()

    problem = verify_log(app)["problem"]
    assert (problem["field"], problem["expected"]) == ("actor", "an administrator of registry KE")
    assert problem["entity"].endswith(f"(authorisation from {JP_GOV})")
