"""Eligibility criteria as a checklist (jcm_rules §3.1 [C:S15]).

Each criterion has an id, its text, how far the research confirms it, and a pure check over
the project's declared facts that returns pass or fail *with the reason* (the value found
and what was required). A missing fact fails its criterion; it never raises, so the result
always lists every criterion.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jcm.domain.methodologies.arithmetic import plain
from jcm.domain.methodologies.model import Confirmation, Facts, FactValue

Check = Callable[[Facts], tuple[bool, str]]


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    text: str
    check: Check
    confirmation: Confirmation

    def evaluate(self, facts: Facts) -> CriterionResult:
        passed, reason = self.check(facts)
        return CriterionResult(self.id, self.text, passed, reason, self.confirmation)


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: str
    text: str
    passed: bool
    reason: str
    confirmation: Confirmation

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "text": self.text,
            "passed": self.passed,
            "reason": self.reason,
            "confirmation": self.confirmation.value,
        }


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    methodology: str
    version: str
    results: tuple[CriterionResult, ...]

    @property
    def eligible(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failures(self) -> tuple[CriterionResult, ...]:
        return tuple(result for result in self.results if not result.passed)

    @property
    def failed_ids(self) -> tuple[str, ...]:
        return tuple(result.criterion for result in self.failures)

    def __str__(self) -> str:
        head = f"{self.methodology} v{self.version}: " + (
            "eligible" if self.eligible else f"NOT eligible ({', '.join(self.failed_ids)})"
        )
        lines = [
            f"  {'pass' if r.passed else 'FAIL'} {r.criterion} [{r.confirmation.value}] "
            f"{r.text}: {r.reason}"
            for r in self.results
        ]
        return "\n".join([head, *lines])


# -- check builders ------------------------------------------------------------------------------


def _show(value: FactValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    return repr(value) if isinstance(value, str) else str(value)


def _number(value: FactValue) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value) if isinstance(value, int) else value


def _missing(name: str) -> tuple[bool, str]:
    return False, f"fact {name!r} is not declared"


def equals(name: str, expected: FactValue) -> Check:
    def check(facts: Facts) -> tuple[bool, str]:
        if name not in facts:
            return _missing(name)
        found = facts[name]
        ok = type(found) is type(expected) and found == expected
        relation = "as required" if ok else f"required {_show(expected)}"
        return ok, f"{name} = {_show(found)}, {relation}"

    return check


def is_true(name: str) -> Check:
    return equals(name, True)


def one_of(name: str, allowed: Collection[str]) -> Check:
    shown = ", ".join(repr(a) for a in sorted(allowed))

    def check(facts: Facts) -> tuple[bool, str]:
        if name not in facts:
            return _missing(name)
        found = facts[name]
        ok = isinstance(found, str) and found in allowed
        return ok, f"{name} = {_show(found)}, {'one of' if ok else 'required one of'} {shown}"

    return check


def number_between(
    name: str,
    low: Decimal | None,
    high: Decimal | None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    unit: str = "",
) -> Check:
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    interval = (
        f"{left}{'-inf' if low is None else plain(low)}, "
        f"{'+inf' if high is None else plain(high)}{right}{' ' + unit if unit else ''}"
    )

    def check(facts: Facts) -> tuple[bool, str]:
        if name not in facts:
            return _missing(name)
        number = _number(facts[name])
        if number is None:
            return False, f"{name} = {_show(facts[name])} is not a Decimal or int"
        ok = (low is None or number > low or (number == low and not low_open)) and (
            high is None or number < high or (number == high and not high_open)
        )
        return ok, f"{name} = {plain(number)}, {'within' if ok else 'required within'} {interval}"

    return check


def all_of(*checks: Check) -> Check:
    def check(facts: Facts) -> tuple[bool, str]:
        reasons = []
        for one in checks:
            ok, reason = one(facts)
            if not ok:
                return False, reason
            reasons.append(reason)
        return True, "; ".join(reasons)

    return check


def host_country(country: str) -> Criterion:
    return Criterion(
        "C0",
        f"The project is located in the partner country of the methodology ({country}).",
        equals("host_country", country),
        Confirmation.INFERRED,  # ids are per partner country [C]; the scope rule is [I]
    )


def check_eligibility(
    methodology: str, version: str, criteria: tuple[Criterion, ...], facts: Facts
) -> EligibilityResult:
    return EligibilityResult(
        methodology, version, tuple(criterion.evaluate(facts) for criterion in criteria)
    )
