"""Whether the principal a unit of work acts for may take a registry action, when it runs.

The rule is the domain's (:data:`jcm.domain.identity.access.REGISTRY_RULES`), the same that
the HTTP API attaches to its routes and that log verification judges attributed entries by
(:mod:`jcm.service_layer.transparency.attribution`); so no door can write an entry that
verification would reject. A unit of work with no principal, or the operator acting for no
organisation, is the server's own code and is not judged here. The organisation's roles
come from the register (read only when the holder is not the principal's organisation).
"""

from __future__ import annotations

from collections.abc import Mapping

from jcm.domain.identity.access import (
    REGISTRY_RULES,
    AccessRule,
    Holding,
    administered_registries,
    decide,
)
from jcm.service_layer.ports import UnitOfWork


def check_may(
    uow: UnitOfWork,
    action: str,
    *,
    holding: Holding | None = None,
    registry: str | None = None,
    rules: Mapping[str, AccessRule] = REGISTRY_RULES,
) -> None:
    """Allow, or refuse (403, or 404 for an account that is not the caller's to see).
    ``rules``: the registry's by default; the register's set-up acts pass ``REGISTER_RULES``."""
    principal = uow.principal
    if principal is None or not principal.organisation_id:
        return
    access = rules[action]
    own = holding is not None and holding.organisation_id == principal.organisation_id
    if own and not access.roles:  # the holder moving its own units: no register read
        decide(access, principal, holding=holding)
        return
    actors = [actor for actor, _ in uow.cycle.actors_of(principal.organisation_id)]
    decide(
        access,
        principal,
        {a.role for a in actors},
        holding=holding,
        admin_of=administered_registries(actors),
        registry=registry,
    )
