"""The shared machinery of the three state machines: transition rows, checks, history, events.

Each aggregate (project, monitoring period, methodology) keeps its whole transition table in
one tuple of :class:`Transition` rows. A row says from which state an action leads to which
state, which roles may take it (and, for a TPE, which designated function it needs and
whether it must be the TPE already engaged), which documents must be attached with the step
and which must already be on file, and which guards (dates, periods) must hold.

:func:`check_step` applies every rule of a row in a fixed order and raises the first
refusal; the aggregates then build a new value, so a refused step changes nothing.

Refusal codes (P = project cycle):

* ``P1_*`` who: wrong role, not a participant, TPE not designated / not the one engaged,
  actor from another partnership;
* ``P2_MISSING_DOCUMENT``: a required document kind has no public version attached;
* ``P3_*`` dates: a public-input window still open (``P3_TOO_EARLY``), a step dated before
  the previous one (``P3_OUT_OF_ORDER``), a period outside the crediting period;
* ``P4_*`` state: the action is not allowed from the current state;
* ``P5``-``P7`` monitoring and issuance; ``P8_*`` malformed input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

from jcm.domain.cycle.actors import Actor, Role, Side, TpeFunction
from jcm.domain.cycle.documents import DocumentKind, DocumentRef, public_kinds
from jcm.domain.cycle.jsonvalues import Event, JsonValue
from jcm.domain.errors import InvalidInput, RuleViolation

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


class Guard(StrEnum):
    """A condition on dates, periods or related records that a row requires."""

    PIN_NOT_REQUIRED = "pin_not_required"
    PDD_PUBLIC_INPUT_CLOSED = "pdd_public_input_closed"
    METHODOLOGY_PUBLIC_INPUT_CLOSED = "methodology_public_input_closed"
    PERIOD_ENDED = "period_ended"
    PERIOD_IN_CREDITING_PERIOD = "period_in_crediting_period"
    PERIOD_NOT_OVERLAPPING = "period_not_overlapping"
    PROJECT_REGISTERED = "project_registered"
    VERIFIER_INDEPENDENT = "verifier_independent"
    SIDE_HAS_SHARE = "side_has_share"
    SIDE_NOT_ISSUED = "side_not_issued"
    METHODOLOGY_NOT_ILLUSTRATIVE = "methodology_not_illustrative"


GUARD_TEXT: dict[Guard, str] = {
    Guard.PIN_NOT_REQUIRED: "the rule book lets a project start at its PDD, without PIN [C:S6,S9]",
    Guard.PDD_PUBLIC_INPUT_CLOSED: "the PDD public-input window (N days) has closed [I]",
    Guard.METHODOLOGY_PUBLIC_INPUT_CLOSED: "the methodology public-input window has closed [C:S9]",
    Guard.PERIOD_ENDED: "the monitoring period ended before the step date, not in the future [I]",
    Guard.PERIOD_IN_CREDITING_PERIOD: "the monitoring period lies within the crediting period [D]",
    Guard.PERIOD_NOT_OVERLAPPING: "no live period or JC decision of the project overlaps it [D]",
    Guard.PROJECT_REGISTERED: "the project is registered, a change or renewal may be pending [D]",
    Guard.VERIFIER_INDEPENDENT: "the verifier is not the validator, if the rule book says so [I]",
    Guard.SIDE_HAS_SHARE: "the registry manager's side holds a share of the decision [C:S11]",
    Guard.SIDE_NOT_ISSUED: "that side has not yet issued this decision [D]",
    Guard.METHODOLOGY_NOT_ILLUSTRATIVE: (
        "the calculation uses no illustrative id or placeholder, unless the rule book allows [D]"
    ),
}


@dataclass(frozen=True, slots=True)
class Transition(Generic[S, A]):
    """One row of a transition table. ``source`` None: the action creates the aggregate."""

    source: S | None
    action: A
    target: S
    roles: frozenset[Role]
    documents: frozenset[DocumentKind] = frozenset()  # attached with this step
    on_file: frozenset[DocumentKind] = frozenset()  # attached now or earlier
    guards: tuple[Guard, ...] = ()
    tpe_function: TpeFunction | None = None
    engaged_tpe: bool = False  # must be the TPE already engaged on the aggregate
    payload: type | None = None
    completes_to: S | None = None  # target instead, once every side has issued
    basis: str = "[I]"


@dataclass(frozen=True, slots=True)
class Subject:
    """What a step applies to, as the checks and messages need it."""

    label: str  # e.g. "project KE001"
    state: str | None
    partner: str
    scope: int | None = None
    participants: frozenset[str] | None = None  # None: no participant relation
    engaged_tpe: str | None = None
    documents: tuple[DocumentRef, ...] = ()
    last_on: date | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    action: str
    source: str | None
    target: str
    organisation_id: str
    role: Role
    side: Side | None
    on: date
    documents: tuple[DocumentRef, ...] = field(default_factory=tuple)


def find_transition(
    table: Sequence[Transition[S, A]], subject: Subject, state: S | None, action: A, actor: Actor
) -> Transition[S, A]:
    for row in table:
        if row.source == state and row.action == action:
            return row
    allowed = sorted({r.source.value if r.source else "(new)" for r in table if r.action == action})
    where = state.value if state is not None else "(new)"
    raise RuleViolation(
        "P4_BAD_TRANSITION",
        f"{actor.describe()} cannot {action.value} {subject.label}: it is in state {where}, "
        f"and {action.value} is allowed only from {', '.join(allowed) or 'no state'}.",
        subject=subject.label,
        state=where,
        action=action.value,
        allowed_from=allowed,
        actor=actor.organisation_id,
        role=actor.role.value,
    )


def _who(row: Transition[S, A], subject: Subject, actor: Actor) -> str:
    state = subject.state or "(new)"
    return f"{actor.describe()} cannot {row.action.value} {subject.label} (state {state})"


def check_actor(row: Transition[S, A], subject: Subject, actor: Actor) -> None:
    """P1: the actor's role, membership, designation and partnership fit the row."""
    details = {
        "subject": subject.label,
        "state": subject.state or "(new)",
        "action": row.action.value,
        "actor": actor.organisation_id,
        "role": actor.role.value,
    }
    if actor.role not in row.roles:
        allowed = ", ".join(sorted(r.value for r in row.roles))
        raise RuleViolation(
            "P1_WRONG_ROLE",
            f"{_who(row, subject, actor)}: only {allowed} may do that.",
            allowed_roles=sorted(r.value for r in row.roles),
            **details,
        )
    match actor.role:
        case Role.PROJECT_PARTICIPANT:
            if (
                subject.participants is not None
                and actor.organisation_id not in subject.participants
            ):
                raise RuleViolation(
                    "P1_NOT_A_PARTICIPANT",
                    f"{_who(row, subject, actor)}: {actor.organisation_id} is not one of its "
                    f"project participants ({', '.join(sorted(subject.participants))}).",
                    participants=sorted(subject.participants),
                    **details,
                )
        case Role.TPE:
            function = row.tpe_function
            if function is not None and (
                subject.scope is None
                or not actor.is_designated(subject.partner, subject.scope, function)
            ):
                raise RuleViolation(
                    "P1_TPE_NOT_DESIGNATED",
                    f"{_who(row, subject, actor)}: the TPE is not designated by the "
                    f"{subject.partner} Joint Committee for {function.value} in sectoral "
                    f"scope {subject.scope}.",
                    partner=subject.partner,
                    scope=subject.scope,
                    function=function.value,
                    **details,
                )
            if (
                row.engaged_tpe
                and subject.engaged_tpe is not None
                and actor.organisation_id != subject.engaged_tpe
            ):
                raise RuleViolation(
                    "P1_NOT_ENGAGED_TPE",
                    f"{_who(row, subject, actor)}: the TPE engaged on it is {subject.engaged_tpe}.",
                    engaged_tpe=subject.engaged_tpe,
                    **details,
                )
        case Role.JC_MEMBER | Role.SECRETARIAT:
            if actor.partner != subject.partner:
                raise RuleViolation(
                    "P1_WRONG_JC",
                    f"{_who(row, subject, actor)}: it serves the {actor.partner} partnership, "
                    f"the subject belongs to the {subject.partner} Joint Committee.",
                    partner=subject.partner,
                    actor_partner=actor.partner,
                    **details,
                )
        case Role.REGISTRY_MANAGER:
            if actor.side is Side.PARTNER and actor.partner != subject.partner:
                raise RuleViolation(
                    "P1_WRONG_JC",
                    f"{_who(row, subject, actor)}: it manages the {actor.partner} registry, "
                    f"the subject belongs to the {subject.partner} partnership.",
                    partner=subject.partner,
                    actor_partner=actor.partner,
                    **details,
                )


def check_documents(
    row: Transition[S, A], subject: Subject, actor: Actor, attached: Sequence[DocumentRef]
) -> None:
    """P2: the row's documents have a public version attached now (or on file)."""
    now = public_kinds(attached)
    ever = now | public_kinds(subject.documents)
    missing_now = sorted(k.value for k in row.documents - now)
    missing_file = sorted(k.value for k in row.on_file - ever)
    if not missing_now and not missing_file:
        return
    parts = []
    if missing_now:
        parts.append(f"attach with this step: {', '.join(missing_now)}")
    if missing_file:
        parts.append(f"not on file: {', '.join(missing_file)}")
    confidential_only = sorted(
        {r.kind.value for r in attached if not r.is_public} & (set(missing_now) | set(missing_file))
    )
    hint = (
        f" Only a confidential version of {', '.join(confidential_only)} was attached; the "
        "public version is required too."
        if confidential_only
        else ""
    )
    raise RuleViolation(
        "P2_MISSING_DOCUMENT",
        f"{_who(row, subject, actor)}: missing documents ({'; '.join(parts)}).{hint}",
        subject=subject.label,
        state=subject.state or "(new)",
        action=row.action.value,
        actor=actor.organisation_id,
        role=actor.role.value,
        missing=missing_now,
        missing_on_file=missing_file,
    )


def check_order(row: Transition[S, A], subject: Subject, actor: Actor, on: date) -> None:
    """P3: steps of one aggregate are dated in order."""
    if subject.last_on is not None and on < subject.last_on:
        raise RuleViolation(
            "P3_OUT_OF_ORDER",
            f"{_who(row, subject, actor)} on {on.isoformat()}: its last step is dated "
            f"{subject.last_on.isoformat()}; a step cannot be dated before the previous one.",
            subject=subject.label,
            on=on.isoformat(),
            last_on=subject.last_on.isoformat(),
            action=row.action.value,
        )


def check_payload(row: Transition[S, A], subject: Subject, actor: Actor, payload: object) -> None:
    expected = row.payload
    if expected is None and payload is not None:
        raise InvalidInput(
            "P8_UNEXPECTED_PAYLOAD",
            f"{_who(row, subject, actor)} with a {type(payload).__name__}: "
            f"{row.action.value} takes no details.",
            action=row.action.value,
        )
    if expected is not None and not isinstance(payload, expected):
        raise InvalidInput(
            "P8_MISSING_PAYLOAD",
            f"{_who(row, subject, actor)}: {row.action.value} needs a {expected.__name__}.",
            action=row.action.value,
            expected=expected.__name__,
        )


def check_step(
    table: Sequence[Transition[S, A]],
    subject: Subject,
    state: S | None,
    action: A,
    actor: Actor,
    on: date,
    documents: Sequence[DocumentRef],
    payload: object,
    guard: Callable[[Guard, Transition[S, A]], None],
) -> Transition[S, A]:
    """Every rule of the row, in order: state, who, details, documents, dates, guards."""
    if not isinstance(on, date):
        raise InvalidInput("P8_BAD_DATE", f"Step date {on!r} is not a date.", on=repr(on))
    for ref in documents:
        if not isinstance(ref, DocumentRef):
            raise InvalidInput("P8_BAD_DOCUMENT", f"Attached {ref!r} is not a document reference.")
    row = find_transition(table, subject, state, action, actor)
    check_actor(row, subject, actor)
    check_payload(row, subject, actor, payload)
    check_documents(row, subject, actor, documents)
    check_order(row, subject, actor, on)
    for g in row.guards:
        guard(g, row)
    return row


def merge_documents(
    on_file: tuple[DocumentRef, ...], attached: Iterable[DocumentRef]
) -> tuple[DocumentRef, ...]:
    seen = set(on_file)
    merged = list(on_file)
    for ref in attached:
        if ref not in seen:
            seen.add(ref)
            merged.append(ref)
    return tuple(merged)


def history_entry(
    row: Transition[S, A], target: S, actor: Actor, on: date, documents: Sequence[DocumentRef]
) -> HistoryEntry:
    return HistoryEntry(
        row.action.value,
        row.source.value if row.source is not None else None,
        target.value,
        actor.organisation_id,
        actor.role,
        actor.side,
        on,
        tuple(documents),
    )


def actor_json(actor: Actor) -> dict[str, JsonValue]:
    return {
        "organisation": actor.organisation_id,
        "role": actor.role.value,
        "side": actor.side.value if actor.side else None,
        "partner": actor.partner,
    }


def make_event(
    aggregate: str,
    aggregate_id: str,
    entry: HistoryEntry,
    actor: Actor,
    rule_book: str,
    extra: dict[str, JsonValue],
) -> Event:
    """The transparency-log event of one step: ``{"type": ..., "change": {...}}``.

    Only JSON strings, integers, booleans, nulls, lists and objects: dates are ISO strings,
    percentages decimal strings, and there are no floats.
    """
    change: dict[str, JsonValue] = {
        aggregate: aggregate_id,
        "action": entry.action,
        "from": entry.source,
        "to": entry.target,
        "on": entry.on.isoformat(),
        "actor": actor_json(actor),
        "documents": [ref.to_json() for ref in entry.documents],
        "rule_book": rule_book,
    }
    change.update(extra)
    return {"type": f"{aggregate}.{entry.action}", "change": change}


def render_markdown(table: Sequence[Transition[S, A]]) -> str:
    """The table as Markdown, as published in ``docs/project-cycle.md``."""

    def kinds(values: Iterable[DocumentKind]) -> str:
        return ", ".join(sorted(k.value for k in values)) or "—"

    lines = [
        "| from | action | to | roles | TPE | attach | on file | guards | basis |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in table:
        tpe = "—"
        if row.tpe_function is not None:
            tpe = f"designated for {row.tpe_function.value}"
            if row.engaged_tpe:
                tpe += ", the engaged TPE"
        elif row.engaged_tpe:
            tpe = "the engaged TPE"
        target = row.target.value
        if row.completes_to is not None:
            target += f" (or {row.completes_to.value} once every side has issued)"
        lines.append(
            "| "
            + " | ".join(
                [
                    row.source.value if row.source is not None else "(new)",
                    f"`{row.action.value}`",
                    target,
                    ", ".join(sorted(r.value for r in row.roles)),
                    tpe,
                    kinds(row.documents),
                    kinds(row.on_file),
                    ", ".join(g.value for g in row.guards) or "—",
                    row.basis,
                ]
            )
            + " |"
        )
    return "\n".join(lines) + "\n"
