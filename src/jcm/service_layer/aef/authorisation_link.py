"""Authorising units names a registered authorisation: the registry's ``authorise``
handler asks here for the uses and trigger the authorisation gives, after its checks
(``jcm.domain.aef.authorising``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from jcm.domain.aef import register_rules as rules
from jcm.domain.aef.authorising import UnitsToAuthorise, check_units, terms
from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger
from jcm.domain.registry.blocks import UnitBlock
from jcm.domain.registry.commands import Authorise
from jcm.domain.registry.issuance import IssuanceDecision
from jcm.service_layer.aef.ports import AefUnitOfWork
from jcm.service_layer.ports import UnitOfWork


def registered_terms(
    uow: UnitOfWork,
    cmd: Authorise,
    blocks: Iterable[tuple[IssuanceDecision, UnitBlock, str]],
) -> tuple[frozenset[AuthorisedUse], FirstTransferTrigger]:
    """The uses and first-transfer trigger of the latest version of the authorisation
    ``cmd.reference`` names, once the ``blocks`` (decision, block, serial text) may be
    authorised under it; refused otherwise (``R2_*``)."""
    register = cast(AefUnitOfWork, uow).aef_register
    versions = register.authorisation_versions(cmd.reference.strip(), lock=True)
    if not versions:
        raise rules.unknown_authorisation(cmd.reference.strip())
    latest = versions[-1]
    uses, trigger = terms(latest, cmd.uses, cmd.trigger)
    units = [
        UnitsToAuthorise(
            decision.partner,
            decision.vintage,
            block.quantity,
            serial,
            block.article6.authorisation_ref,
        )
        for decision, block, serial in blocks
    ]
    check_units(latest, units, register.authorised_quantity(latest.id))
    return uses, trigger
