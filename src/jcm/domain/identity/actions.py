"""The named actions of the registry and who may take them: one table for every door.

The HTTP API attaches one of these to each route; the web pages will use the same names;
the log's replay checks attributed entries against them.
"""

from __future__ import annotations

from jcm.domain.identity.access import PUBLIC, REGISTRY_RULES, AccessRule, Resource, rule
from jcm.domain.identity.principal import Scope

HOLDER = Resource.ACCOUNT_HOLDER

REGISTRY: dict[str, AccessRule] = {
    # What the public registry publishes.
    "list_registries": PUBLIC,
    "lookup_serial": PUBLIC,
    "list_decisions": PUBLIC,
    "list_public_transactions": PUBLIC,
    # An account holder's own accounts (a registry's administrator sees its registry's).
    "list_accounts": rule(Scope.REGISTRY_READ),
    "read_account": rule(Scope.REGISTRY_READ, resource=HOLDER),
    "list_transactions": rule(Scope.REGISTRY_READ, resource=HOLDER),
    "batch": rule(Scope.REGISTRY_MOVE),  # each move's source is checked as for one move
    # Every logged registry action, as the log's verification judges it.
    **REGISTRY_RULES,
}
