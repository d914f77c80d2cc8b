"""Joint Committee issuance decisions and the double-issuance checks (I*)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jcm.domain import limits
from jcm.domain.errors import InvalidInput, IssuanceRuleViolation
from jcm.domain.registry.allocation import AllocatedLine

_PROJECT = re.compile(r"^[A-Z]{2}[0-9]{3}$")


class DecisionStatus(StrEnum):
    PENDING = "pending"  # recorded, no side has issued yet
    PARTIALLY_ISSUED = "partially_issued"  # one side has issued its share
    ISSUED = "issued"  # every allocation line is issued


def parse_project_id(text: str) -> str:
    project = text.strip().upper()
    if not _PROJECT.match(project):
        raise InvalidInput(
            "G1_BAD_PROJECT",
            f"Project id {text!r} must be the partner's ISO code and three digits, e.g. KE001.",
            project=text,
        )
    limits.check_country(project[:2], "project host country")
    return project


@dataclass(frozen=True, slots=True)
class MonitoringPeriod:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(
                "I8_BAD_PERIOD",
                f"Monitoring period ends ({self.end}) before it starts ({self.start}).",
                start=self.start.isoformat(),
                end=self.end.isoformat(),
            )

    def overlaps(self, other: MonitoringPeriod) -> bool:
        return self.start <= other.end and other.start <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class IssuanceDecision:
    id: int
    project_id: str
    period: MonitoringPeriod
    vintage: int
    period_seq: int
    amount: int
    status: DecisionStatus
    reference: str | None = None

    @property
    def partner(self) -> str:
        return self.project_id[:2]


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """An allocation line as stored: who gets which serials, on which side, issued or not."""

    decision_id: int
    line: AllocatedLine
    registry: str
    issued_tx: int | None = None


def check_vintage(vintage: int, period: MonitoringPeriod) -> None:
    if not period.start.year <= vintage <= period.end.year:
        raise InvalidInput(
            "I9_BAD_VINTAGE",
            f"Vintage {vintage} is outside the monitoring period {period}; the vintage is a "
            "year in which the reductions happened.",
            vintage=vintage,
            period=str(period),
        )


def check_no_overlap(
    project_id: str, period: MonitoringPeriod, existing: Iterable[IssuanceDecision]
) -> None:
    """I3: monitoring periods of a project never overlap (issued or pending)."""
    for decision in existing:
        if decision.period.overlaps(period):
            raise IssuanceRuleViolation(
                "I3_OVERLAPPING_PERIOD",
                f"Monitoring period {period} of project {project_id} overlaps period "
                f"{decision.period} of decision {decision.id} ({decision.status.value}); a "
                "tonne may be decided only once. Correct the dates.",
                project=project_id,
                period=str(period),
                conflicting_decision=decision.id,
                conflicting_period=str(decision.period),
            )


def lines_for_registry(lines: Iterable[DecisionLine], registry: str) -> list[DecisionLine]:
    return [line for line in lines if line.registry == registry and line.line.quantity > 0]


def check_issuable(
    decision: IssuanceDecision, registry: str, lines: list[DecisionLine]
) -> list[DecisionLine]:
    """I1/I2: the registry still has an unissued share of this decision; return its lines."""
    mine = lines_for_registry(lines, registry)
    if not mine:
        raise IssuanceRuleViolation(
            "I2_NO_SHARE",
            f"Decision {decision.id} ({decision.project_id}, {decision.period}) allocates "
            f"nothing to registry {registry}.",
            decision=decision.id,
            registry=registry,
        )
    issued = [line for line in mine if line.issued_tx is not None]
    if issued:
        raise IssuanceRuleViolation(
            "I2_ALREADY_ISSUED",
            f"Registry {registry} already issued its share of decision {decision.id} "
            f"({decision.project_id}, {decision.period}) in transaction {issued[0].issued_tx}; "
            "a decision is issued once per side.",
            decision=decision.id,
            registry=registry,
            transaction=issued[0].issued_tx,
        )
    return mine
