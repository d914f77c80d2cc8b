"""Authorising units under a registered authorisation (codes ``R2``): the authorisation
gives the uses and the first-transfer trigger; its Party must be the host of the units,
their vintage inside its timeframe, and the units authorised under it within its quantity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jcm.domain.aef.register import Authorisation
from jcm.domain.errors import InvalidInput, RuleViolation
from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger, format_uses


@dataclass(frozen=True, slots=True)
class UnitsToAuthorise:
    """A block of units about to be authorised."""

    host: str  # alpha-2 of the Party hosting the project (the first transferring Party)
    vintage: int
    quantity: int
    serials: str
    current_reference: str | None  # the authorisation the units are under now, if any


def terms(
    authorisation: Authorisation,
    uses: frozenset[AuthorisedUse] | None,
    trigger: FirstTransferTrigger | None,
) -> tuple[frozenset[AuthorisedUse], FirstTransferTrigger]:
    """The authorisation's uses and trigger; those the command gives must be the same."""
    if uses is not None and uses != authorisation.uses:
        raise _differs(authorisation, "uses", format_uses(uses), format_uses(authorisation.uses))
    if trigger is not None and trigger is not authorisation.trigger:
        raise _differs(
            authorisation, "first-transfer trigger", trigger.value, authorisation.trigger.value
        )
    return authorisation.uses, authorisation.trigger


def _differs(authorisation: Authorisation, what: str, given: str, registered: str) -> InvalidInput:
    return InvalidInput(
        "R2_USES_DIFFER",
        f"Authorisation {authorisation.id} (version {authorisation.version}) authorises "
        f"{what} {registered!r}, not {given!r}; leave them out to take the registered ones.",
        authorisation=authorisation.id,
        given=given,
        registered=registered,
    )


def check_units(
    authorisation: Authorisation, units: Iterable[UnitsToAuthorise], authorised_before: int
) -> None:
    """``authorised_before``: units the ledger holds under the authorisation already."""
    added = 0
    for unit in units:
        _check_host(authorisation, unit)
        _check_vintage(authorisation, unit)
        added += unit.quantity
        if unit.current_reference == authorisation.id:
            added -= unit.quantity  # authorised again under the same authorisation
    total = authorised_before + added
    if authorisation.quantity is not None and total > authorisation.quantity:
        raise RuleViolation(
            "R2_OVER_QUANTITY",
            f"Authorisation {authorisation.id} authorises {authorisation.quantity:,} units; "
            f"{authorised_before:,} are authorised under it and this would make {total:,}.",
            authorisation=authorisation.id,
            quantity=authorisation.quantity,
            authorised=authorised_before,
            would_be=total,
        )


def _check_host(authorisation: Authorisation, unit: UnitsToAuthorise) -> None:
    if unit.host != authorisation.party:
        raise RuleViolation(
            "R2_NOT_AUTHORISING_PARTY",
            f"Units {unit.serials} are hosted by {unit.host}; authorisation "
            f"{authorisation.id} is {authorisation.party}'s, and only the host Party "
            "authorises its units.",
            authorisation=authorisation.id,
            party=authorisation.party,
            host=unit.host,
            serials=unit.serials,
        )


def _check_vintage(authorisation: Authorisation, unit: UnitsToAuthorise) -> None:
    frame = authorisation.timeframe
    if frame is not None and not frame[0] <= unit.vintage <= frame[1]:
        raise RuleViolation(
            "R2_OUTSIDE_TIMEFRAME",
            f"Units {unit.serials} are of vintage {unit.vintage}; authorisation "
            f"{authorisation.id} covers vintages {authorisation.timeframe_text}.",
            authorisation=authorisation.id,
            vintage=unit.vintage,
            timeframe=authorisation.timeframe_text,
            serials=unit.serials,
        )
