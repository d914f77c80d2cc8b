"""Who takes part in the JCM project cycle, and in which capacity.

Sources (tags as in research ``jcm_rules.md`` §1.1):

* project participants (PPs) submit the PIN, the PDD, monitoring reports and requests; their
  Modalities of Communication statement names the focal point `[C:S1]`;
* third-party entities (TPEs) validate and verify; the Joint Committee designates each TPE
  per sectoral scope and per function (validation and/or verification) `[C:S7,S8]`;
* the JC secretariat receives submissions and checks completeness `[C:S9]`;
* the Joint Committee (JC), with members from both sides, decides no-objection,
  registration, methodology approval and issuance `[C:S9,S10]`;
* each side designates a registry manager who issues into its own registry `[C:S11 §B.6-7]`.

The list of sectoral scopes 1-15 follows the CDM/JCM numbering `[I]` (the designation
decisions confirm scopes 1, 2 and 3 by number `[C:S8]`, not the whole list).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from jcm.domain import limits
from jcm.domain.errors import InvalidInput

SECTORAL_SCOPES = range(1, 16)  # [I] 1-15 as in the CDM list; [C:S8] confirms 1-3 by number

_ORGANISATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class Side(StrEnum):
    JAPAN = "japan"
    PARTNER = "partner"


class Role(StrEnum):
    PROJECT_PARTICIPANT = "project_participant"
    TPE = "tpe"
    SECRETARIAT = "secretariat"
    JC_MEMBER = "jc_member"
    REGISTRY_MANAGER = "registry_manager"
    # Not cycle roles: a registry's administrator (``partner`` names the registry) manages
    # its organisations' accounts and sees all of that registry; the platform administrator
    # registers organisations, grants roles and manages users.
    REGISTRY_ADMIN = "registry_admin"
    ADMINISTRATOR = "administrator"


class TpeFunction(StrEnum):
    VALIDATION = "validation"
    VERIFICATION = "verification"


def check_scope(scope: int) -> int:
    if isinstance(scope, bool) or not isinstance(scope, int) or scope not in SECTORAL_SCOPES:
        raise InvalidInput(
            "P8_BAD_SCOPE",
            f"Sectoral scope {scope!r} is not one of 1-15.",
            scope=repr(scope),
        )
    return scope


def check_country(code: str, what: str) -> str:
    if not _COUNTRY.match(code):
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"{what} {code!r} must be an ISO 3166-1 alpha-2 code in upper case, e.g. KE.",
            value=code,
        )
    return limits.check_country(code, what)


@dataclass(frozen=True, slots=True, order=True)
class Designation:
    """A TPE is designated by the JC of ``partner`` for one scope and one function [C:S7]."""

    partner: str
    scope: int
    function: TpeFunction

    def __post_init__(self) -> None:
        check_country(self.partner, "The designating partner")
        check_scope(self.scope)
        TpeFunction(self.function)


@dataclass(frozen=True, slots=True)
class Actor:
    """An organisation acting in one role.

    ``side`` is required for project participants, JC members and registry managers.
    ``partner`` names the bilateral partnership (the partner's ISO code) a JC member, the
    secretariat or a partner-side registry manager serves; the Japanese registry manager
    serves every partnership. ``designations`` belong to TPEs only.
    """

    organisation_id: str
    role: Role
    side: Side | None = None
    partner: str | None = None
    designations: frozenset[Designation] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not _ORGANISATION.match(self.organisation_id):
            raise InvalidInput(
                "P8_BAD_ACTOR",
                f"Organisation id {self.organisation_id!r} must be 1-64 letters, digits, dots, "
                "dashes or underscores.",
                organisation=self.organisation_id,
            )
        role = Role(self.role)
        needs_side = role in (Role.PROJECT_PARTICIPANT, Role.JC_MEMBER, Role.REGISTRY_MANAGER)
        if needs_side and self.side is None:
            raise InvalidInput(
                "P8_BAD_ACTOR",
                f"Actor {self.organisation_id} acting as {role.value} needs a side (japan or "
                "partner).",
                organisation=self.organisation_id,
                role=role.value,
            )
        needs_partner = role in (Role.JC_MEMBER, Role.SECRETARIAT) or (
            role is Role.REGISTRY_MANAGER and self.side is Side.PARTNER
        )
        if needs_partner and self.partner is None:
            raise InvalidInput(
                "P8_BAD_ACTOR",
                f"Actor {self.organisation_id} acting as {role.value} must name the partnership "
                "(partner ISO code) it serves.",
                organisation=self.organisation_id,
                role=role.value,
            )
        if self.partner is not None:
            check_country(self.partner, "The partnership")
        if self.designations and role is not Role.TPE:
            raise InvalidInput(
                "P8_BAD_ACTOR",
                f"Actor {self.organisation_id} acting as {role.value} cannot hold TPE "
                "designations.",
                organisation=self.organisation_id,
                role=role.value,
            )

    def is_designated(self, partner: str, scope: int, function: TpeFunction) -> bool:
        return Designation(partner, scope, function) in self.designations

    def describe(self) -> str:
        side = f", {self.side.value} side" if self.side else ""
        return f"{self.organisation_id} ({self.role.value}{side})"


def designations(
    partner: str, scopes: Iterable[int], *functions: TpeFunction
) -> frozenset[Designation]:
    """Every (scope, function) pair for one designating JC, e.g. scopes 1-3 for both."""
    return frozenset(Designation(partner, s, f) for s in scopes for f in functions)
