"""What the register's use cases return (their JSON form: ``results.to_json``).

A change returns the record it stored and the log entry kind it wrote; the record's JSON is
``jcm.domain.aef.register_json``'s (the same the entry carries).
"""

from __future__ import annotations

from dataclasses import dataclass

from jcm.domain.aef.register import Authorisation, AuthorisedEntity, CooperativeApproach
from jcm.service_layer.results import ChangeResult

APPROACH_REGISTERED = "aef.approach_registered"
AUTHORISATION_REGISTERED = "aef.authorisation_registered"
AUTHORISATION_AMENDED = "aef.authorisation_amended"
ENTITY_REGISTERED = "aef.entity_registered"
KINDS = (APPROACH_REGISTERED, AUTHORISATION_REGISTERED, AUTHORISATION_AMENDED, ENTITY_REGISTERED)


@dataclass(frozen=True)
class ApproachRegistered(ChangeResult):
    approach: CooperativeApproach
    event: str = APPROACH_REGISTERED


@dataclass(frozen=True)
class AuthorisationRegistered(ChangeResult):
    """Version 1 (``aef.authorisation_registered``) or a later one (``…_amended``)."""

    authorisation: Authorisation
    event: str = AUTHORISATION_REGISTERED


@dataclass(frozen=True)
class EntityRegistered(ChangeResult):
    entity: AuthorisedEntity
    event: str = ENTITY_REGISTERED


@dataclass(frozen=True)
class AuthorisationHistory:
    """An authorisation's versions, oldest first; ``latest`` is the one in force."""

    id: str
    latest: Authorisation
    versions: tuple[Authorisation, ...]
