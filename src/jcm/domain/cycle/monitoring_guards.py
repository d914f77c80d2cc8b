"""The guards of the monitoring-period state machine (``MONITORING_TRANSITIONS``): one
function per :class:`~jcm.domain.cycle.machine.Guard` a monitoring row names, each raising
its refusal (see ``docs/project-cycle.md``, "Guards")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from jcm.domain.cycle.actors import Actor, Side
from jcm.domain.cycle.machine import Guard
from jcm.domain.cycle.monitoring import MonitoringRequest
from jcm.domain.cycle.project import Project
from jcm.domain.cycle.rules import RuleBook
from jcm.domain.errors import IssuanceRuleViolation, RuleViolation
from jcm.domain.registry.accounts import JAPAN
from jcm.domain.registry.issuance import IssuanceDecision, check_no_overlap


def registry_of(actor: Actor, project: Project) -> str:
    """The registry a registry manager runs for this project: JP or the partner's."""
    return JAPAN if actor.side is Side.JAPAN else project.partner


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What a guard of one step looks at."""

    request: MonitoringRequest
    project: Project
    actor: Actor
    on: date
    rules: RuleBook
    others: Sequence[MonitoringRequest]
    decisions: Sequence[IssuanceDecision]
    label: str
    action: str


def _project_registered(s: GuardContext) -> None:
    if not s.project.is_registered:
        raise RuleViolation(
            "P4_PROJECT_NOT_REGISTERED",
            f"{s.actor.describe()} cannot {s.action} {s.label}: the project is "
            f"{s.project.state.value}, not registered.",
            project=s.project.id,
            project_state=s.project.state.value,
            action=s.action,
        )


def _period_ended(s: GuardContext) -> None:
    period = s.request.period
    if period.end >= s.on:
        raise IssuanceRuleViolation(
            "P6_FUTURE_PERIOD",
            f"{s.actor.describe()} cannot {s.action} {s.label} on {s.on.isoformat()}: the "
            f"period ends on {period.end.isoformat()}; report it from "
            f"{date.fromordinal(period.end.toordinal() + 1).isoformat()} on.",
            project=s.project.id,
            period=str(period),
            on=s.on.isoformat(),
        )


def _period_in_crediting_period(s: GuardContext) -> None:
    period, crediting = s.request.period, s.project.crediting_period
    if not crediting.contains(period.start, period.end):
        raise RuleViolation(
            "P3_OUTSIDE_CREDITING_PERIOD",
            f"{s.actor.describe()} cannot {s.action} {s.label}: it is not within the "
            f"crediting period {crediting}.",
            project=s.project.id,
            period=str(period),
            crediting_period=str(crediting),
        )


def _period_not_overlapping(s: GuardContext) -> None:
    period = s.request.period
    for other in s.others:
        if other.holds_period and other.period.overlaps(period):
            raise IssuanceRuleViolation(
                "P5_OVERLAPPING_PERIOD",
                f"{s.actor.describe()} cannot {s.action} {s.label}: it overlaps monitoring "
                f"period {other.period} ({other.id}, {other.state.value}); a tonne is "
                "reported once. Correct the dates.",
                project=s.project.id,
                period=str(period),
                conflicting=other.id,
                conflicting_period=str(other.period),
            )
    check_no_overlap(s.project.id, period, s.decisions)


def _verifier_independent(s: GuardContext) -> None:
    if not s.rules.verifier_may_be_validator and s.actor.organisation_id == s.project.validator:
        raise RuleViolation(
            "P1_SAME_TPE",
            f"{s.actor.describe()} cannot {s.action} {s.label}: it validated the project, "
            f"and rule book {s.rules.version} requires another TPE to verify.",
            project=s.project.id,
            tpe=s.actor.organisation_id,
        )


def _side_has_share(s: GuardContext) -> None:
    assert s.actor.side is not None  # registry managers always have a side
    if s.actor.side not in s.request.sides_with_share():
        registry = registry_of(s.actor, s.project)
        raise IssuanceRuleViolation(
            "P7_NO_SHARE_FOR_SIDE",
            f"{s.actor.describe()} cannot {s.action} {s.label}: the JC decision allocates "
            f"nothing to registry {registry}.",
            project=s.project.id,
            registry=registry,
        )


def _side_not_issued(s: GuardContext) -> None:
    if s.actor.side in s.request.issued_sides:
        registry = registry_of(s.actor, s.project)
        raise IssuanceRuleViolation(
            "P7_ALREADY_ISSUED",
            f"{s.actor.describe()} cannot {s.action} {s.label}: registry {registry} has "
            "already issued its share of this decision.",
            project=s.project.id,
            registry=registry,
        )


def _methodology_not_illustrative(s: GuardContext) -> None:
    """Placeholder data must not become credits unless the rule book says it may [D]."""
    marked = s.request.illustrative
    if marked and not s.rules.allow_illustrative_methodologies:
        methodology = f"{s.project.methodology_id} v{s.project.methodology_version}"
        raise IssuanceRuleViolation(
            "P7_ILLUSTRATIVE_METHODOLOGY",
            f"{s.actor.describe()} cannot {s.action} {s.label}: its emission reductions "
            f"were calculated with {methodology}, whose {', '.join(marked)} "
            f"{'is' if len(marked) == 1 else 'are'} illustrative (an unconfirmed identifier "
            f"or a placeholder value), and rule book {s.rules.version} does not allow "
            "illustrative methodologies.",
            project=s.project.id,
            request=s.request.id,
            methodology=s.project.methodology_id,
            version=s.project.methodology_version,
            illustrative=list(marked),
            rule_book=s.rules.version,
        )


GUARDS: dict[Guard, Callable[[GuardContext], None]] = {
    Guard.PROJECT_REGISTERED: _project_registered,
    Guard.PERIOD_ENDED: _period_ended,
    Guard.PERIOD_IN_CREDITING_PERIOD: _period_in_crediting_period,
    Guard.PERIOD_NOT_OVERLAPPING: _period_not_overlapping,
    Guard.VERIFIER_INDEPENDENT: _verifier_independent,
    Guard.SIDE_HAS_SHARE: _side_has_share,
    Guard.SIDE_NOT_ISSUED: _side_not_issued,
    Guard.METHODOLOGY_NOT_ILLUSTRATIVE: _methodology_not_illustrative,
}
