"""Look-ups and checks the cycle use cases share: actors, rule books, aggregates by id, dates,
participants, share accounts, and the log entry of a step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from jcm.domain import methodologies
from jcm.domain.cycle import (
    DEFAULT_RULE_BOOK,
    Actor,
    Methodology,
    MethodologyState,
    MonitoringRequest,
    Participant,
    Project,
    Role,
    RuleBook,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.jsonvalues import Event, JsonValue
from jcm.domain.errors import (
    InvalidInput,
    JcmError,
    NotFound,
    RuleViolation,
)
from jcm.domain.identity.access import check_acts_for
from jcm.domain.registry.accounts import check_can_receive_holding
from jcm.service_layer.methodologies.service import parse_fact
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.registry import lookups as registry_lookups

# -- look-ups ----------------------------------------------------------------------------------


def resolve_actor(uow: UnitOfWork, by: cc.ActingAs) -> Actor:
    check_acts_for(uow.principal, by.organisation_id)
    found = uow.cycle.actors_of(by.organisation_id)
    if not found:
        raise NotFound(
            "P1_UNKNOWN_ACTOR",
            f"Organisation {by.organisation_id!r} is not registered in any cycle role.",
            organisation=by.organisation_id,
        )
    if by.role is not None:
        for actor, _ in found:
            if actor.role is by.role:
                return actor
        roles = ", ".join(a.role.value for a, _ in found)
        raise NotFound(
            "P1_UNKNOWN_ACTOR",
            f"Organisation {by.organisation_id} is registered as {roles}, not as {by.role.value}.",
            organisation=by.organisation_id,
            role=by.role.value,
        )
    if len(found) > 1:
        roles = ", ".join(a.role.value for a, _ in found)
        raise InvalidInput(
            "P1_AMBIGUOUS_ACTOR",
            f"Organisation {by.organisation_id} acts as {roles}; say which role it acts in.",
            organisation=by.organisation_id,
            roles=[a.role.value for a, _ in found],
        )
    return found[0][0]


def rule_book(uow: UnitOfWork, version: str) -> RuleBook:
    if version == DEFAULT_RULE_BOOK.version:
        return uow.cycle.get_rule_book(version) or DEFAULT_RULE_BOOK
    found = uow.cycle.get_rule_book(version)
    if found is None:
        known = ", ".join(r.version for r in uow.cycle.list_rule_books()) or "none besides default"
        raise NotFound(
            "P8_UNKNOWN_RULE_BOOK",
            f"There is no rule book {version!r} (defined: {known}).",
            rule_book=version,
        )
    return found


def project_or_404(uow: UnitOfWork, project_id: str, *, lock: bool = False) -> Project:
    found = uow.cycle.get_project(project_id.strip().upper(), lock=lock)
    if found is None:
        raise NotFound(
            "P4_UNKNOWN_PROJECT",
            f"There is no project {project_id!r} in the cycle.",
            project=project_id,
        )
    return found


def monitoring_or_404(
    uow: UnitOfWork, request_id: str, *, lock: bool = False
) -> tuple[MonitoringRequest, int | None]:
    found = uow.cycle.get_monitoring(request_id.strip().upper(), lock=lock)
    if found is None:
        raise NotFound(
            "P4_UNKNOWN_MONITORING",
            f"There is no monitoring period {request_id!r} (ids look like KE001-M001).",
            request=request_id,
        )
    return found


def _find_methodology(uow: UnitOfWork, methodology_id: str, version: str) -> Methodology | None:
    wanted = methodology_id.strip().upper()
    for m in uow.cycle.list_methodologies():
        if m.version == version and wanted in (m.id, m.proposal_id):
            return m
    return None


def methodology_or_404(uow: UnitOfWork, methodology_id: str, version: str) -> Methodology:
    found = _find_methodology(uow, methodology_id, version)
    if found is None:
        raise NotFound(
            "P4_UNKNOWN_METHODOLOGY",
            f"There is no proposed methodology {methodology_id} v{version} in the cycle.",
            methodology=methodology_id,
            version=version,
        )
    return found


def parse_action(enum: Any, text: str, what: str) -> Any:
    try:
        return enum(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise InvalidInput(
            "P8_BAD_ACTION",
            f"{text!r} is not a {what} step; the steps are: "
            f"{', '.join(a.value.replace('_', '-') for a in enum)}.",
            action=text,
        ) from None


def check_date(uow: UnitOfWork, given: date | None) -> date:
    """The step's date: as given, or today when the caller gave none (so a retry on
    another day is the same request)."""
    today = uow.now.date()
    on = today if given is None else given
    if on > today:
        raise InvalidInput(
            "P3_FUTURE_STEP",
            f"A step cannot be dated {on.isoformat()}, after today ({today.isoformat()}).",
            on=on.isoformat(),
            today=today.isoformat(),
        )
    return on


def log_step(uow: UnitOfWork, event: Event, **extra: JsonValue) -> None:
    change = event["change"]
    kind = event["type"]
    assert isinstance(change, dict)
    assert isinstance(kind, str)
    uow.ledger.add_event(kind, None, {**change, **extra}, uow.now)


def parameters_json(parameters: cc.ExAnteParameters | None) -> dict[str, Any] | None:
    if parameters is None:
        return None
    return {
        "facts": {name: value for name, value in parameters.facts},
        "fixed": {name: [value, unit] for name, (value, unit) in parameters.fixed},
    }


def check_methodology_known(uow: UnitOfWork, project: Project) -> None:
    """The project applies an executable methodology version, or a valid one of the cycle."""
    try:
        methodologies.get(project.methodology_id, project.methodology_version)
        return
    except JcmError:
        found = _find_methodology(uow, project.methodology_id, project.methodology_version)
        if found is not None and found.state is MethodologyState.VALID:
            return
    raise NotFound(
        "P8_UNKNOWN_METHODOLOGY",
        f"Project {project.id} applies {project.methodology_id} v"
        f"{project.methodology_version}, which is neither an executable methodology "
        "on this platform nor a valid methodology of the cycle.",
        project=project.id,
        methodology=project.methodology_id,
        version=project.methodology_version,
    )


def check_participants(uow: UnitOfWork, participants: Sequence[Participant]) -> None:
    """Every participant is a registered project participant of the side it is listed on."""
    for p in participants:
        found = uow.cycle.get_actor(p.organisation_id, Role.PROJECT_PARTICIPANT)
        if found is None:
            raise NotFound(
                "P1_UNKNOWN_ACTOR",
                f"Participant {p.organisation_id} is not registered as a project participant "
                f"on the {p.side.value} side.",
                organisation=p.organisation_id,
            )
        if found[0].side is not p.side:
            registered = found[0].side.value if found[0].side else "no side"
            raise InvalidInput(
                "P8_BAD_PARTICIPANTS",
                f"Participant {p.organisation_id} is listed on the {p.side.value} side but is "
                f"registered on the {registered} side.",
                organisation=p.organisation_id,
            )


def check_share_accounts(uow: UnitOfWork, shares: tuple[Any, ...]) -> None:
    for share in shares:
        account = registry_lookups.account_or_404(uow.ledger, share.account_id)
        check_can_receive_holding(account)


def refuse_unused(action: str, given: dict[str, bool]) -> None:
    """Details a step does not take are refused, never silently dropped."""
    unused = sorted(name for name, present in given.items() if present)
    if unused:
        raise InvalidInput(
            "P8_UNEXPECTED_PAYLOAD",
            f"The step {action} takes no {', '.join(unused)}; leave them out or name the step "
            "they belong to.",
            action=action,
            unused=unused,
        )


def stored_facts(stored: dict[str, Any]) -> dict[str, Any]:
    """Facts as the engine reads them: numeric text becomes Decimal (as on the CLI)."""
    return dict(
        parse_fact(f"{name}={value}") if isinstance(value, str) else (name, value)
        for name, value in (stored.get("facts") or {}).items()
    )


def check_eligible(project: Project, parameters: dict[str, Any] | None) -> None:
    """A PDD's facts must pass the methodology's eligibility checklist [C:S9 criteria]."""
    if not parameters or not parameters.get("facts"):
        return
    try:
        methodology = methodologies.get(project.methodology_id, project.methodology_version)
    except JcmError:
        return  # a cycle-approved methodology without executable code: the TPE checks it
    result = methodology.check_eligibility(stored_facts(parameters))
    if not result.eligible:
        failed = [f"{r.criterion} ({r.reason})" for r in result.failures]
        raise RuleViolation(
            "P8_NOT_ELIGIBLE",
            f"Project {project.id} fails the eligibility criteria of {project.methodology_id} "
            f"v{project.methodology_version}: {'; '.join(failed)}. Correct the facts of the "
            "PDD or choose another methodology.",
            project=project.id,
            failed=[r.criterion for r in result.failures],
        )
