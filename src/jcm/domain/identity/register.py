"""The one register of organisations and the rules for changing an organisation's roles.

An organisation is registered once (never overwritten); its roles change only by explicit
grants and revocations, each a logged event. A role already held is never silently replaced
(a JC member cannot be moved to another partnership, a TPE cannot be re-registered with
other designations): revoke it first. A JC member's grant names the Joint Committee's
decision that appointed it; a TPE's designations come only from the JC's designation
decision (``designate_tpe``), never from a grant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jcm.domain.cycle.actors import Actor, Role, Side
from jcm.domain.errors import InvalidInput, RuleViolation
from jcm.domain.registry.accounts import OrganisationKind

_ORGANISATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PLATFORM_ORGANISATION = "platform"


@dataclass(frozen=True)
class RegisterOrganisation:
    organisation_id: str
    name: str
    registry: str | None = None  # the home registry, for an organisation holding accounts
    kind: OrganisationKind = OrganisationKind.OTHER


@dataclass(frozen=True)
class GrantRole:
    organisation_id: str
    role: Role
    side: Side | None = None
    partner: str | None = None
    decision: str | None = None  # the JC decision appointing a JC member (required for them)


@dataclass(frozen=True)
class RevokeRole:
    organisation_id: str
    role: Role
    reason: str | None = None


def check_organisation_id(organisation_id: str) -> str:
    if not isinstance(organisation_id, str) or not _ORGANISATION.match(organisation_id):
        raise InvalidInput(
            "K5_BAD_ORGANISATION",
            f"Organisation id {organisation_id!r} must be 1-64 letters, digits, dots, dashes "
            "or underscores, starting with a letter or digit.",
            organisation=str(organisation_id)[:80],
        )
    return organisation_id


def check_name(name: str, organisation_id: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 200:
        raise InvalidInput(
            "K5_BAD_ORGANISATION",
            f"Organisation {organisation_id} needs a name of 1-200 characters.",
            organisation=organisation_id,
        )
    return cleaned


def role_to_grant(cmd: GrantRole, held: frozenset[Role]) -> Actor:
    """The role as granted (no designations: those are the JC's), or a refusal."""
    if cmd.role in held:
        raise RuleViolation(
            "K5_ROLE_HELD",
            f"Organisation {cmd.organisation_id} already holds the role {cmd.role.value}; a "
            "role is never replaced by a new grant: revoke it first (a logged change).",
            organisation=cmd.organisation_id,
            role=cmd.role.value,
        )
    decision = (cmd.decision or "").strip()
    if cmd.role is Role.JC_MEMBER and not decision:
        raise InvalidInput(
            "K5_DECISION_REQUIRED",
            f"Granting {cmd.organisation_id} the role jc_member needs the reference of the "
            "Joint Committee decision that appointed it.",
            organisation=cmd.organisation_id,
            role=cmd.role.value,
        )
    if cmd.role is Role.REGISTRY_ADMIN and cmd.partner is None:
        raise InvalidInput(
            "K5_BAD_ROLE",
            f"A registry_admin role names the registry it administers (partner), for "
            f"{cmd.organisation_id}.",
            organisation=cmd.organisation_id,
            role=cmd.role.value,
        )
    return Actor(cmd.organisation_id, cmd.role, cmd.side, cmd.partner)


def refuse_designations_by_grant(organisation_id: str, count: int) -> None:
    if count:
        raise RuleViolation(
            "K5_DESIGNATION_BY_GRANT",
            f"TPE designations of {organisation_id} are the Joint Committee's decision: grant "
            "the role tpe without designations, then record the JC's designation decision.",
            organisation=organisation_id,
        )


_REGISTRY_NUMBERED = re.compile(r"^[A-Za-z]{2}-[A-Za-z]{3}-[0-9]+$")


def refuse_registry_numbered(organisation_id: str) -> None:
    """Ids like KE-ORG-0002 are the registry's numbering (``create_organisation``)."""
    if _REGISTRY_NUMBERED.match(organisation_id):
        raise InvalidInput(
            "K5_BAD_ORGANISATION",
            f"Organisation id {organisation_id} has the form of the registry's own numbering "
            "(e.g. KE-ORG-0002), which only the registry assigns; choose another id.",
            organisation=organisation_id,
        )


@dataclass(frozen=True, slots=True)
class OrganisationEntry:
    """A row of the register."""

    id: str
    name: str
    registry: str | None
    kind: OrganisationKind
