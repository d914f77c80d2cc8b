"""Methodology approval: proposal, completeness check, public input, JC decision, revisions.

The procedure `[C:S9]`: submission of the proposed methodology form and spreadsheet; a
completeness check by the secretariat within 7 days; public input for 15 days; JC
consideration (about 60 days, extendable to 90). Statuses seen on jcm.go.jp: "Open for
public inputs", "Public inputs closed", "Valid" `[C:M2,M5,M13]`. Ids: ``<CC>_PM###`` while
proposed, ``<CC>_AM###`` once approved; an approved-methodology revision request (form
3.11) leads to a new version of the same AM id (Ver2.0, Ver3.0) `[C:M6-M9]`; the older
version then stops being valid `[I]` (:attr:`MethodologyState.SUPERSEDED`).

Only the approval procedure lives here; the calculations of each methodology are the
``jcm.domain.methodologies`` package's business, referred to by id and version strings.
The 7- and 60/90-day periods are service targets for the secretariat and the JC, not
conditions of a step, so no step is refused for them `[I]`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from jcm.domain.cycle.actors import Actor, Role, check_scope
from jcm.domain.cycle.documents import DocumentKind, DocumentRef
from jcm.domain.cycle.jsonvalues import Event, JsonValue
from jcm.domain.cycle.machine import (
    Guard,
    HistoryEntry,
    Subject,
    Transition,
    check_step,
    history_entry,
    make_event,
    merge_documents,
)
from jcm.domain.cycle.project import Project
from jcm.domain.cycle.rules import DEFAULT_RULE_BOOK, RuleBook, check_rule_book
from jcm.domain.errors import InvalidInput, RuleViolation

_PROPOSED_ID = re.compile(r"^([A-Z]{2})_PM[0-9]{3}$")
_APPROVED_ID = re.compile(r"^([A-Z]{2})_AM[0-9]{3}$")


class MethodologyState(StrEnum):
    PROPOSED = "proposed"
    OPEN_FOR_PUBLIC_INPUT = "open_for_public_input"  # [C:M5,M13]
    PUBLIC_INPUT_CLOSED = "public_input_closed"  # [C:M5]
    VALID = "valid"  # [C:M2]
    REJECTED = "rejected"  # [I]
    SUPERSEDED = "superseded"  # [I]


class MethodologyAction(StrEnum):
    PROPOSE = "propose"
    PROPOSE_REVISION = "propose_revision"
    OPEN_PUBLIC_INPUT = "open_public_input"
    CLOSE_PUBLIC_INPUT = "close_public_input"
    APPROVE = "approve"
    REJECT = "reject"
    SUPERSEDE = "supersede"


@dataclass(frozen=True, slots=True)
class Approval:
    """The JC's approval; a first approval assigns the AM id (a revision keeps its id)."""

    approved_id: str | None = None


@dataclass(frozen=True, slots=True)
class Methodology:
    id: str  # <CC>_PM### while proposed; <CC>_AM### once approved or when revising
    version: str  # "1.0", "2.0" …
    title: str
    sectoral_scope: int
    proponent: str
    rule_book: str
    state: MethodologyState
    proposal_id: str | None = None  # the PM id a first version was proposed under
    revises: str | None = None  # "<AM id> <version>" of the version this one replaces
    public_input_opened: date | None = None
    approved_on: date | None = None
    documents: tuple[DocumentRef, ...] = field(default_factory=tuple)
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)

    @property
    def partner(self) -> str:
        return self.id[:2]

    @property
    def last_on(self) -> date | None:
        return self.history[-1].on if self.history else None

    def public_input_closes_on(self, rules: RuleBook) -> date | None:
        if self.public_input_opened is None:
            return None
        return self.public_input_opened + timedelta(days=rules.methodology_public_input_days)


_K = DocumentKind
_S = MethodologyState
_A = MethodologyAction
_PROPONENTS = frozenset({Role.PROJECT_PARTICIPANT, Role.TPE, Role.JC_MEMBER})  # [I]
_JC = frozenset({Role.JC_MEMBER})
_SEC = frozenset({Role.SECRETARIAT})

MET = Transition[MethodologyState, MethodologyAction]
METHODOLOGY_TRANSITIONS: tuple[MET, ...] = (
    Transition(
        None,
        _A.PROPOSE,
        _S.PROPOSED,
        _PROPONENTS,
        frozenset({_K.PROPOSED_METHODOLOGY, _K.METHODOLOGY_SPREADSHEET}),
        basis="[C:S9] form + spreadsheet; who may propose [I]",
    ),
    Transition(
        None,
        _A.PROPOSE_REVISION,
        _S.PROPOSED,
        _PROPONENTS,
        frozenset({_K.METHODOLOGY_REVISION_REQUEST, _K.METHODOLOGY_SPREADSHEET}),
        basis="[C:S4] form 3.11; a new version of the same id [C:M6-M9]",
    ),
    Transition(
        _S.PROPOSED,
        _A.OPEN_PUBLIC_INPUT,
        _S.OPEN_FOR_PUBLIC_INPUT,
        _SEC,
        basis="[C:S9] completeness check, then public input",
    ),
    Transition(
        _S.OPEN_FOR_PUBLIC_INPUT,
        _A.CLOSE_PUBLIC_INPUT,
        _S.PUBLIC_INPUT_CLOSED,
        _SEC,
        guards=(Guard.METHODOLOGY_PUBLIC_INPUT_CLOSED,),
        basis="[C:S9] 15 days",
    ),
    Transition(
        _S.PUBLIC_INPUT_CLOSED,
        _A.APPROVE,
        _S.VALID,
        _JC,
        guards=(Guard.METHODOLOGY_PUBLIC_INPUT_CLOSED,),
        payload=Approval,
        basis="[C:S9] JC consideration; status Valid [C:M2]",
    ),
    Transition(_S.PUBLIC_INPUT_CLOSED, _A.REJECT, _S.REJECTED, _JC, basis="[I]"),
    Transition(
        _S.VALID,
        _A.SUPERSEDE,
        _S.SUPERSEDED,
        _JC,
        basis="[I] the older version becomes inactive when a revision is approved",
    ),
)


def _subject(m: Methodology, state: str | None) -> Subject:
    return Subject(
        label=f"methodology {m.id} v{m.version}",
        state=state,
        partner=m.partner,
        scope=m.sectoral_scope,
        participants=None,
        documents=m.documents,
        last_on=m.last_on,
    )


def _guard(m: Methodology, actor: Actor, on: date, rules: RuleBook) -> Callable[[Guard, MET], None]:
    def guard(g: Guard, row: MET) -> None:
        if g is not Guard.METHODOLOGY_PUBLIC_INPUT_CLOSED:  # pragma: no cover
            raise AssertionError(f"guard {g} does not apply to methodologies")
        closes = m.public_input_closes_on(rules)
        if closes is None or on < closes:
            opened = m.public_input_opened
            raise RuleViolation(
                "P3_TOO_EARLY",
                f"{actor.describe()} cannot {row.action.value} methodology {m.id} v{m.version} "
                f"(state {m.state.value}) on {on.isoformat()}: public input opened on "
                f"{opened.isoformat() if opened else '(never)'} for "
                f"{rules.methodology_public_input_days} days and closes on "
                f"{closes.isoformat() if closes else '(unknown)'}.",
                methodology=m.id,
                state=m.state.value,
                action=row.action.value,
                on=on.isoformat(),
                opened=opened.isoformat() if opened else None,
                closes_on=closes.isoformat() if closes else None,
                days=rules.methodology_public_input_days,
            )

    return guard


def _check_title(title: str) -> str:
    text = title.strip() if isinstance(title, str) else ""
    if not text or len(text) > 300:
        raise InvalidInput("P8_BAD_TITLE", "A methodology needs a title of 1-300 characters.")
    return text


def _event(m: Methodology, entry: HistoryEntry, actor: Actor, rules: RuleBook) -> Event:
    extra: dict[str, JsonValue] = {
        "version": m.version,
        "title": m.title,
        "sectoral_scope": m.sectoral_scope,
        "proposal_id": m.proposal_id,
        "revises": m.revises,
    }
    return make_event("methodology", m.id, entry, actor, rules.version, extra)


def propose_methodology(
    proposal_id: str,
    title: str,
    sectoral_scope: int,
    actor: Actor,
    on: date,
    *,
    documents: Sequence[DocumentRef] = (),
    rules: RuleBook = DEFAULT_RULE_BOOK,
) -> tuple[Methodology, Event]:
    if not isinstance(proposal_id, str) or not _PROPOSED_ID.match(proposal_id):
        raise InvalidInput(
            "P8_BAD_METHODOLOGY",
            f"Proposed methodology id {proposal_id!r} must look like KE_PM001.",
            methodology=repr(proposal_id),
        )
    draft = Methodology(
        id=proposal_id,
        version="1.0",
        title=_check_title(title),
        sectoral_scope=check_scope(sectoral_scope),
        proponent=actor.organisation_id,
        rule_book=rules.version,
        state=MethodologyState.PROPOSED,
        proposal_id=proposal_id,
    )
    return _create(draft, MethodologyAction.PROPOSE, actor, on, documents, rules)


def propose_revision(
    current: Methodology,
    actor: Actor,
    on: date,
    *,
    documents: Sequence[DocumentRef] = (),
    title: str | None = None,
    rules: RuleBook = DEFAULT_RULE_BOOK,
) -> tuple[Methodology, Event]:
    """A revision of a valid approved methodology: the same id, the next major version."""
    if current.state is not MethodologyState.VALID:
        raise RuleViolation(
            "P4_BAD_TRANSITION",
            f"{actor.describe()} cannot propose_revision of methodology {current.id} "
            f"v{current.version}: it is in state {current.state.value}, and only a valid "
            "methodology can be revised.",
            methodology=current.id,
            state=current.state.value,
            action=MethodologyAction.PROPOSE_REVISION.value,
        )
    major = int(current.version.split(".")[0])
    draft = Methodology(
        id=current.id,
        version=f"{major + 1}.0",
        title=_check_title(title if title is not None else current.title),
        sectoral_scope=current.sectoral_scope,
        proponent=actor.organisation_id,
        rule_book=rules.version,
        state=MethodologyState.PROPOSED,
        revises=f"{current.id} {current.version}",
    )
    return _create(draft, MethodologyAction.PROPOSE_REVISION, actor, on, documents, rules)


def _create(
    draft: Methodology,
    action: MethodologyAction,
    actor: Actor,
    on: date,
    documents: Sequence[DocumentRef],
    rules: RuleBook,
) -> tuple[Methodology, Event]:
    row = check_step(
        METHODOLOGY_TRANSITIONS,
        _subject(draft, None),
        None,
        action,
        actor,
        on,
        documents,
        None,
        _guard(draft, actor, on, rules),
    )
    entry = history_entry(row, row.target, actor, on, documents)
    m = replace(draft, state=row.target, documents=merge_documents((), documents), history=(entry,))
    return m, _event(m, entry, actor, rules)


def advance_methodology(
    m: Methodology,
    action: MethodologyAction,
    actor: Actor,
    on: date,
    *,
    documents: Sequence[DocumentRef] = (),
    payload: Approval | None = None,
    rules: RuleBook = DEFAULT_RULE_BOOK,
) -> tuple[Methodology, Event]:
    check_rule_book(f"Methodology {m.id} v{m.version}", m.rule_book, rules)
    row = check_step(
        METHODOLOGY_TRANSITIONS,
        _subject(m, m.state.value),
        m.state,
        action,
        actor,
        on,
        documents,
        payload,
        _guard(m, actor, on, rules),
    )
    changes: dict[str, object] = {}
    if action is MethodologyAction.OPEN_PUBLIC_INPUT:
        changes["public_input_opened"] = on
    elif action is MethodologyAction.APPROVE:
        assert isinstance(payload, Approval)
        changes.update(id=_approved_id(m, payload), approved_on=on)
    entry = history_entry(row, row.target, actor, on, documents)
    new = replace(
        m,
        state=row.target,
        documents=merge_documents(m.documents, documents),
        history=(*m.history, entry),
        **changes,  # type: ignore[arg-type]
    )
    return new, _event(new, entry, actor, rules)


def _approved_id(m: Methodology, approval: Approval) -> str:
    given = approval.approved_id
    if _APPROVED_ID.match(m.id):  # a revision keeps its id
        if given is not None and given != m.id:
            raise InvalidInput(
                "P8_BAD_METHODOLOGY",
                f"Methodology {m.id} v{m.version} is a revision; it keeps id {m.id}, not {given}.",
                methodology=m.id,
                approved_id=given,
            )
        return m.id
    if (
        not isinstance(given, str)
        or (match := _APPROVED_ID.match(given)) is None
        or match.group(1) != m.partner
    ):
        raise InvalidInput(
            "P8_BAD_METHODOLOGY",
            f"Approving {m.id} needs the approved id it gets, of the same partner, e.g. "
            f"{m.partner}_AM001; got {given!r}.",
            methodology=m.id,
            approved_id=repr(given),
        )
    return given


def check_methodology_applicable(project: Project, methodology: Methodology) -> None:
    """A project applies a valid version of an approved methodology (check I5 ahead)."""
    if (methodology.id, methodology.version) != (
        project.methodology_id,
        project.methodology_version,
    ):
        raise InvalidInput(
            "P8_BAD_METHODOLOGY",
            f"Project {project.id} applies {project.methodology_id} "
            f"v{project.methodology_version}, not {methodology.id} v{methodology.version}.",
            project=project.id,
        )
    if methodology.state is not MethodologyState.VALID:
        raise RuleViolation(
            "P4_METHODOLOGY_NOT_VALID",
            f"Project {project.id} applies methodology {methodology.id} "
            f"v{methodology.version}, which is {methodology.state.value}, not valid.",
            project=project.id,
            methodology=methodology.id,
            version=methodology.version,
            state=methodology.state.value,
        )
