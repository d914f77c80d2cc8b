"""What the identity use cases return: frozen dataclasses (their JSON form is the log's).

No result carries a secret or its hash, except the one-time password and the API token a
creation shows once (``UserCreated.password``, ``TokenCreated.token``).
"""

from __future__ import annotations

from dataclasses import dataclass

from jcm.domain.registry.accounts import OrganisationKind
from jcm.service_layer.results import ChangeResult, JsonObject


@dataclass(frozen=True)
class OrganisationRegistered(ChangeResult):
    organisation: str
    registry: str | None
    name: str
    kind: OrganisationKind
    registered_by: JsonObject  # the principal's attribution (never a secret)


@dataclass(frozen=True)
class RoleGranted(ChangeResult):
    organisation: str
    role: str
    actor: JsonObject  # the role's codec document (side, partnership, designations)
    decision: str | None  # the JC decision appointing a JC member
    granted_by: JsonObject


@dataclass(frozen=True)
class RoleRevoked(ChangeResult):
    organisation: str
    role: str
    reason: str | None
    revoked_by: JsonObject


@dataclass(frozen=True)
class OrganisationSummary:
    organisation: str
    name: str
    registry: str | None
    kind: OrganisationKind
    roles: tuple[JsonObject, ...]  # each role's codec document
