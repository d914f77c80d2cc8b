"""The project aggregate: its states and actions, participants, crediting period, the
payloads some steps carry, the proposal that starts it, and the :class:`Project` itself.

The steps follow research ``jcm_rules.md`` §1.4-1.5: PIN and the JC's no-objection decision
`[C:S6]`; PDD, public input, validation, registration request and JC registration
`[C:S9,S14]`; post-registration changes, crediting-period renewal and withdrawal on forms
3.10-3.14 `[C:S4]`. Which step leads where is in
:data:`~jcm.domain.cycle.project_transitions.PROJECT_TRANSITIONS`, the input checks are in
:mod:`jcm.domain.cycle.project_rules`, and the steps themselves (pure functions returning a
new :class:`Project` and its log event, or raising) in :mod:`jcm.domain.cycle.project_steps`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from jcm.domain.cycle.actors import Side
from jcm.domain.cycle.documents import DocumentAccess, DocumentRef
from jcm.domain.cycle.jsonvalues import JsonValue
from jcm.domain.cycle.machine import HistoryEntry
from jcm.domain.cycle.rules import RuleBook
from jcm.domain.errors import InvalidInput
from jcm.domain.registry.allocation import AllocationShare


class ProjectState(StrEnum):
    PIN_SUBMITTED = "pin_submitted"
    NO_OBJECTION = "no_objection"
    PIN_OBJECTED = "pin_objected"
    PDD_SUBMITTED = "pdd_submitted"
    PUBLIC_INPUT = "public_input"
    UNDER_VALIDATION = "under_validation"
    VALIDATED = "validated"
    NOT_VALIDATED = "not_validated"
    REGISTRATION_REQUESTED = "registration_requested"
    UNDER_JC_CONSIDERATION = "under_jc_consideration"
    REGISTERED = "registered"
    REJECTED = "rejected"
    REGISTRATION_WITHDRAWN = "registration_withdrawn"
    CHANGE_REQUESTED = "change_requested"
    RENEWAL_REQUESTED = "renewal_requested"
    WITHDRAWN = "withdrawn"


# A registered project stays registered while a change or a renewal is pending.
REGISTERED_STATES = frozenset(
    {ProjectState.REGISTERED, ProjectState.CHANGE_REQUESTED, ProjectState.RENEWAL_REQUESTED}
)


class ProjectAction(StrEnum):
    SUBMIT_PIN = "submit_pin"
    SUBMIT_PDD = "submit_pdd"
    DECIDE_NO_OBJECTION = "decide_no_objection"
    OBJECT = "object"
    OPEN_PUBLIC_INPUT = "open_public_input"
    START_VALIDATION = "start_validation"
    VALIDATE = "validate"
    GIVE_NEGATIVE_OPINION = "give_negative_opinion"
    RESUBMIT_PDD = "resubmit_pdd"
    REQUEST_REGISTRATION = "request_registration"
    ACCEPT_REGISTRATION_REQUEST = "accept_registration_request"
    REGISTER = "register"
    REJECT_REGISTRATION = "reject_registration"
    WITHDRAW_REGISTRATION_REQUEST = "withdraw_registration_request"
    REQUEST_ALLOCATION_CHANGE = "request_allocation_change"
    REQUEST_PARTICIPANT_CHANGE = "request_participant_change"
    APPROVE_CHANGE = "approve_change"
    REJECT_CHANGE = "reject_change"
    REQUEST_RENEWAL = "request_renewal"
    APPROVE_RENEWAL = "approve_renewal"
    REJECT_RENEWAL = "reject_renewal"
    WITHDRAW_PROJECT = "withdraw_project"


@dataclass(frozen=True, slots=True)
class Participant:
    """A project participant; the MoC statement names one focal point [C:S1] (at most one [I])."""

    organisation_id: str
    side: Side
    focal_point: bool = False

    def to_json(self) -> JsonValue:
        return {
            "organisation": self.organisation_id,
            "side": self.side.value,
            "focal_point": self.focal_point,
        }


@dataclass(frozen=True, slots=True)
class CreditingPeriod:
    start: date
    end: date

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise InvalidInput(
                "P8_BAD_CREDITING_PERIOD", "A crediting period needs a start and an end date."
            )
        if self.end < self.start:
            raise InvalidInput(
                "P8_BAD_CREDITING_PERIOD",
                f"Crediting period ends ({self.end}) before it starts ({self.start}).",
                start=self.start.isoformat(),
                end=self.end.isoformat(),
            )

    def contains(self, start: date, end: date) -> bool:
        return self.start <= start and end <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def to_json(self) -> JsonValue:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


# -- payloads: the details some steps carry -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Allocation:
    """The credit allocation form: holding accounts and percentages summing to 100 [C:S4]."""

    shares: tuple[AllocationShare, ...]


@dataclass(frozen=True, slots=True)
class Participants:
    """A post-registration change of the project participants [C:S4 form 3.12]."""

    participants: tuple[Participant, ...]


@dataclass(frozen=True, slots=True)
class Renewal:
    """A renewal of the crediting period to a new end date [C:S4 form 3.10]."""

    end: date


@dataclass(frozen=True, slots=True)
class ProjectProposal:
    """What the PIN (or, without a PIN, the PDD) states about a planned project."""

    project_id: str
    title: str
    methodology_id: str
    methodology_version: str
    sectoral_scope: int
    participants: tuple[Participant, ...]
    crediting_period: CreditingPeriod


# -- the aggregate ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    title: str
    methodology_id: str
    methodology_version: str
    sectoral_scope: int
    participants: tuple[Participant, ...]
    crediting_period: CreditingPeriod
    rule_book: str
    state: ProjectState
    shares: tuple[AllocationShare, ...] = ()
    validator: str | None = None  # the TPE engaged for validation
    public_input_opened: date | None = None
    registered_on: date | None = None
    pending: Allocation | Participants | Renewal | None = None
    documents: tuple[DocumentRef, ...] = field(default_factory=tuple)
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)

    @property
    def partner(self) -> str:
        return self.id[:2]

    @property
    def is_registered(self) -> bool:
        return self.state in REGISTERED_STATES

    @property
    def last_on(self) -> date | None:
        return self.history[-1].on if self.history else None

    def participant_ids(self) -> frozenset[str]:
        return frozenset(p.organisation_id for p in self.participants)

    def public_input_closes_on(self, rules: RuleBook) -> date | None:
        """The first day the PDD window is closed: opened + N days (open N whole days) [I]."""
        if self.public_input_opened is None:
            return None
        return self.public_input_opened + timedelta(days=rules.pdd_public_input_days)

    def access(self, tpes: Sequence[str] = ()) -> DocumentAccess:
        """Who may read the confidential versions of this project's documents [I]."""
        engaged = {t for t in (self.validator, *tpes) if t is not None}
        return DocumentAccess(self.partner, self.participant_ids(), frozenset(engaged))
