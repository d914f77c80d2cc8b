"""The named actions of the registry and who may take them: one table for every door.

The HTTP API attaches one of these to each route; the web pages will use the same names;
the log's replay checks attributed entries against them.
"""

from __future__ import annotations

from jcm.domain.cycle.actors import Role
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


# The caller's own session: the route reads the session cookie itself (a session that must
# still change its password or confirm its second factor may do exactly these things).
OWN_SESSION = AccessRule(public=True, resource=Resource.NONE)

IDENTITY: dict[str, AccessRule] = {
    "login": PUBLIC,
    "session": OWN_SESSION,
    # The register: anyone signed in reads its own organisation; administrators all of it.
    "list_organisations": rule(Scope.REGISTRY_READ),
    "register_organisation": rule(Scope.ADMIN, Role.ADMINISTRATOR),
    "grant_role": rule(Scope.ADMIN, Role.ADMINISTRATOR),
    "revoke_role": rule(Scope.ADMIN, Role.ADMINISTRATOR),
    # An organisation's users, tokens and webhooks: its own (administrators: any).
    "list_users": rule(Scope.ADMIN, resource=Resource.OWN_ORGANISATION),
    # Users: the organisation's own administrators, or the platform's administrator.
    "create_user": rule(Scope.ADMIN, resource=Resource.ORGANISATION_PEOPLE),
    "manage_tokens": rule(Scope.ADMIN, resource=Resource.OWN_ORGANISATION),
    "manage_webhooks": rule(Scope.ADMIN, resource=Resource.OWN_ORGANISATION),
}
