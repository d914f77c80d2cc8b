"""The project's input checks: a proposal (PIN or PDD), its participants, allocation shares.

Each returns the checked value or raises :class:`~jcm.domain.errors.InvalidInput` with a
``P8_*`` code (or the registry's ``I7_BAD_ALLOCATION`` for the shares' sum).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from jcm.domain.cycle.actors import Actor, Role, Side, check_scope
from jcm.domain.cycle.project import CreditingPeriod, Participant, ProjectProposal
from jcm.domain.errors import InvalidInput
from jcm.domain.registry.accounts import JAPAN, AccountType
from jcm.domain.registry.allocation import AllocationShare, allocate
from jcm.domain.registry.issuance import parse_project_id

_APPROVED_METHODOLOGY = re.compile(r"^([A-Z]{2})_AM[0-9]{3}$")
_VERSION = re.compile(r"^[0-9]{1,3}\.[0-9]{1,3}$")
_HOLDING_TAGS = "|".join(
    t.id_tag for t in (AccountType.GOVERNMENT_HOLDING, AccountType.ENTITY_HOLDING)
)
_SHARE_ACCOUNT = re.compile(rf"^([A-Z]{{2}})-(?:{_HOLDING_TAGS})-[0-9]{{4}}$")


def check_participants(participants: Sequence[Participant]) -> tuple[Participant, ...]:
    items = tuple(participants)
    if not items or not all(isinstance(p, Participant) for p in items):
        raise InvalidInput("P8_BAD_PARTICIPANTS", "A project needs at least one participant.")
    ids = [p.organisation_id for p in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InvalidInput(
            "P8_BAD_PARTICIPANTS",
            f"Participants {', '.join(duplicates)} are listed more than once.",
            duplicates=duplicates,
        )
    for p in items:
        Side(p.side)
        Actor(p.organisation_id, Role.PROJECT_PARTICIPANT, p.side)  # same id rules
    if sum(p.focal_point for p in items) > 1:
        raise InvalidInput(
            "P8_BAD_PARTICIPANTS",
            "The Modalities of Communication name one focal point; "
            f"{', '.join(p.organisation_id for p in items if p.focal_point)} are all marked.",
        )
    return items


def check_shares(partner: str, shares: Sequence[AllocationShare]) -> tuple[AllocationShare, ...]:
    """Shares sum to exactly 100 (the registry's I7 rules) over JP or partner holding accounts."""
    items = tuple(shares)
    if not all(isinstance(s, AllocationShare) for s in items):
        raise InvalidInput("P8_BAD_SHARES", "Allocation shares must be AllocationShare values.")
    allocate(1, items)  # raises I7_BAD_ALLOCATION: empty, duplicates, not > 0, sum != 100
    for share in items:
        match = _SHARE_ACCOUNT.match(share.account_id)
        if match is None or match.group(1) not in (JAPAN, partner):
            raise InvalidInput(
                "P8_BAD_SHARES",
                f"Allocation account {share.account_id} is not a government or entity holding "
                f"account of registry {JAPAN} or {partner} (e.g. {partner}-ENT-0004).",
                account=share.account_id,
            )
    return items


def check_proposal(proposal: ProjectProposal) -> str:
    project_id = parse_project_id(proposal.project_id)
    partner = project_id[:2]
    title = proposal.title.strip() if isinstance(proposal.title, str) else ""
    if not title or len(title) > 300:
        raise InvalidInput(
            "P8_BAD_TITLE",
            f"Project {project_id} needs a title of 1-300 characters.",
            project=project_id,
        )
    match = _APPROVED_METHODOLOGY.match(proposal.methodology_id)
    if match is None or match.group(1) != partner:
        raise InvalidInput(
            "P8_BAD_METHODOLOGY",
            f"Methodology {proposal.methodology_id!r} of project {project_id} must be an "
            f"approved methodology of the {partner} Joint Committee, e.g. {partner}_AM001 "
            "[C: ids <CC>_AM###].",
            methodology=proposal.methodology_id,
        )
    if not _VERSION.match(proposal.methodology_version):
        raise InvalidInput(
            "P8_BAD_METHODOLOGY",
            f"Methodology version {proposal.methodology_version!r} must look like 1.0.",
            version=proposal.methodology_version,
        )
    check_scope(proposal.sectoral_scope)
    check_participants(proposal.participants)
    if not isinstance(proposal.crediting_period, CreditingPeriod):
        raise InvalidInput("P8_BAD_CREDITING_PERIOD", "A crediting period is required.")
    return project_id
