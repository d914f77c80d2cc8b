"""The named actions of the registry and who may take them: one table for every door.

The HTTP API attaches one of these to each route; the web pages will use the same names;
the log's replay checks attributed entries against them.
"""

from __future__ import annotations

from jcm.domain.cycle.actors import Role
from jcm.domain.identity.access import PUBLIC, AccessRule, Resource, rule
from jcm.domain.identity.principal import Scope

HOLDER = Resource.ACCOUNT_HOLDER
ADMIN = Role.ADMINISTRATOR

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
    # Moving units out of an account: its holder.
    "transfer": rule(Scope.REGISTRY_MOVE, resource=HOLDER),
    "external_transfer": rule(Scope.REGISTRY_MOVE, resource=HOLDER),
    "cancellation": rule(Scope.REGISTRY_MOVE, resource=HOLDER),
    "retirement": rule(Scope.REGISTRY_MOVE, resource=HOLDER),
    "batch": rule(Scope.REGISTRY_MOVE),  # each move's source is checked as for one move
    # Article 6: the host Party's registry (its administrator) authorises and adjusts.
    "authorise": rule(Scope.REGISTRY_ISSUE, Role.REGISTRY_ADMIN, resource=HOLDER),
    "corresponding_adjustment": rule(Scope.REGISTRY_ISSUE, Role.REGISTRY_ADMIN),
    # Issuance per a recorded JC decision: a registry manager.
    "issue": rule(Scope.REGISTRY_ISSUE, Role.REGISTRY_MANAGER),
    # Set-up: administrators.
    "create_registry": rule(Scope.ADMIN, ADMIN),
    "set_registry_active": rule(Scope.ADMIN, ADMIN),
    "open_account": rule(Scope.ADMIN, Role.REGISTRY_ADMIN),
    "set_account_status": rule(Scope.ADMIN, Role.REGISTRY_ADMIN),
}
