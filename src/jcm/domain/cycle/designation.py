"""The Joint Committee designates TPEs per sectoral scope and function, and may withdraw it.

A TPE is designated by the JC of a partnership for sectoral scopes and for validation and/or
verification `[C:S7,S8]` ("additional sectoral scopes 1, 2 and 3 for verification"). The
decision is the JC's: only a JC member serving that partnership records it. Designations
add to (or, when withdrawn, remove from) what the TPE already holds, and every such
decision is a log entry naming the member who recorded it and the date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from jcm.domain.cycle.actors import Actor, Designation, Role, TpeFunction, check_country
from jcm.domain.cycle.jsonvalues import Event, JsonValue
from jcm.domain.cycle.machine import actor_json
from jcm.domain.errors import InvalidInput, RuleViolation


def _designations_json(items: Iterable[Designation]) -> list[JsonValue]:
    return [
        {"partner": d.partner, "scope": d.scope, "function": d.function.value}
        for d in sorted(items)
    ]


def designate_tpe(
    tpe: Actor,
    by: Actor,
    partner: str,
    scopes: Iterable[int],
    functions: Iterable[TpeFunction],
    on: date,
    *,
    withdraw: bool = False,
) -> tuple[Actor, Event]:
    """The TPE with the JC's designation added (or withdrawn), and the decision's log event."""
    check_country(partner, "The designating partner")
    chosen = frozenset(Designation(partner, s, TpeFunction(f)) for s in scopes for f in functions)
    if not chosen:
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"A designation of {tpe.organisation_id} needs at least one sectoral scope and one "
            "function (validation, verification).",
            organisation=tpe.organisation_id,
        )
    what = "withdraw the designation of" if withdraw else "designate"
    if tpe.role is not Role.TPE:
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"{tpe.describe()} is not a TPE; only TPEs are designated.",
            organisation=tpe.organisation_id,
            role=tpe.role.value,
        )
    if by.role is not Role.JC_MEMBER:
        raise RuleViolation(
            "P1_WRONG_ROLE",
            f"{by.describe()} cannot {what} {tpe.organisation_id}: only a member of the "
            f"Joint Committee of {partner} may [C:S7].",
            actor=by.organisation_id,
            role=by.role.value,
            allowed_roles=[Role.JC_MEMBER.value],
        )
    if by.partner != partner:
        raise RuleViolation(
            "P1_WRONG_JC",
            f"{by.describe()} cannot {what} {tpe.organisation_id} for {partner}: it serves the "
            f"{by.partner} partnership.",
            actor=by.organisation_id,
            partner=partner,
            actor_partner=by.partner,
        )
    if not isinstance(on, date):
        raise InvalidInput("P8_BAD_DATE", f"Decision date {on!r} is not a date.", on=repr(on))
    held = tpe.designations - chosen if withdraw else tpe.designations | chosen
    updated = Actor(tpe.organisation_id, tpe.role, tpe.side, tpe.partner, held)
    change: dict[str, JsonValue] = {
        "tpe": tpe.organisation_id,
        "partner": partner,
        "withdrawn": withdraw,
        "decided": _designations_json(chosen),
        "designations": _designations_json(held),
        "on": on.isoformat(),
        "actor": actor_json(by),
    }
    return updated, {"type": "actor.designated", "change": change}
