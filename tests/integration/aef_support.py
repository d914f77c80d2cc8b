"""Registering what an authorisation of units names, for tests of any area.

Units are authorised under a registered authorisation (``Authorise.reference``), so a test
that authorises first registers the partner's cooperative approach and an authorisation:

    from aef_support import register_authorisation
    register_authorisation(app, "KE", "LoA-1")                      # NDC, unlimited
    register_authorisation(app, "KE", "LoA-2", uses={OIMP}, trigger=FirstTransferTrigger.USE)

``app`` is anything with ``.aef.register`` (``App`` or ``app.acting(principal)``). The
approach is registered once per partner (``CA0001`` for the first, then ``CA0002`` …), with
demo NDC periods 2021-2030.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Protocol

from jcm.domain.aef.register import Authorisation, CooperativeApproach
from jcm.domain.aef.register_commands import (
    RegisterApproach,
    RegisterAuthorisation,
    RegisterEntity,
)
from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger
from jcm.service_layer.aef.register import RegisterService

NDC = frozenset({AuthorisedUse.NDC})
DEFINITIONS = {
    FirstTransferTrigger.AUTHORISATION: "Authorisation",
    FirstTransferTrigger.ISSUANCE: "Issuance",
    FirstTransferTrigger.USE: "Use or Cancellation",
}


class _Aef(Protocol):
    @property
    def register(self) -> RegisterService: ...


class HasAef(Protocol):
    @property
    def aef(self) -> _Aef: ...


def purposes_of(uses: Collection[AuthorisedUse]) -> str:
    """The nomenclature's purposes for the registry's uses (NDC, OIMP, NDC and OIMP)."""
    words = [w for u, w in ((AuthorisedUse.NDC, "NDC"), (AuthorisedUse.OIMP, "OIMP")) if u in uses]
    return " and ".join(words)


def register_approach(
    app: HasAef, partner: str = "KE", approach_id: str | None = None
) -> CooperativeApproach:
    """The partner's cooperative approach, registered now if it is not yet."""
    register = app.aef.register
    for approach in register.approaches():
        if approach.partner == partner:
            return approach
    number = len(register.approaches()) + 1
    cmd = RegisterApproach(approach_id or f"CA{number:04d}", partner, (2021, 2030), (2021, 2030))
    return register.register_approach(cmd).approach


def register_authorisation(
    app: HasAef,
    partner: str = "KE",
    authorisation_id: str = "LoA-1",
    *,
    uses: Collection[AuthorisedUse] = NDC,
    trigger: FirstTransferTrigger | None = None,
    quantity: int | None = None,
    timeframe: tuple[int, int] | None = None,
    authorised_on: date | None = None,
    entities: tuple[str, ...] = (),
) -> Authorisation:
    """An authorisation of ``partner`` for ``uses`` (OIMP needs ``trigger``: authorisation,
    issuance or use), in the energy-generation sector, solar."""
    approach = register_approach(app, partner)
    other = AuthorisedUse.OIMP in uses
    cmd = RegisterAuthorisation(
        authorisation_id,
        approach.id,
        purposes_of(uses),
        ("Energy generation",),
        ("Solar",),
        authorised_on=authorised_on,
        quantity=quantity,
        timeframe=timeframe,
        authorised_entities=entities,
        oimp_authorised="CORSIA" if other else "",
        first_transfer_definition=DEFINITIONS[trigger] if other and trigger else None,
    )
    return app.aef.register.register_authorisation(cmd).authorisation


def register_entity(
    app: HasAef,
    entity_id: str,
    partner: str = "KE",
    *,
    name: str = "Buyer Co",
    organisation_id: str | None = None,
    country: str = "JPN",
) -> None:
    approach = register_approach(app, partner)
    cmd = RegisterEntity(entity_id, approach.id, name, country, organisation_id)
    app.aef.register.register_entity(cmd)
