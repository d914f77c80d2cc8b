"""A methodology version as it describes itself: :class:`Methodology` and its family.

A :class:`Methodology` is one approved-methodology version (``TH_AM001`` v2.0): title,
sectoral scope, eligibility checklist, the pinned default tables and a *family*
(:class:`FamilySpec`: the equations, parameters and the code that computes them, one module
per family). It checks its own identity, describes itself (:meth:`Methodology.describe`),
says what of it is illustrative, and hands a calculation to
:mod:`jcm.domain.methodologies.calculation`:

* :meth:`Methodology.prepare` validates the project's facts and fixed-ex-ante values and
  selects the default values (``M1``, ``M2``, ``M3``, ``M4``, ``M5``, ``M6``, ``M7``, ``M8``);
* :meth:`~jcm.domain.methodologies.calculation.Prepared.calculate` validates one period's
  monitored values and returns a
  :class:`~jcm.domain.methodologies.record.CalculationRecord`.

:meth:`Methodology.calculate` does both at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies.calculation import Calc, Prepared
from jcm.domain.methodologies.defaults import DefaultTable, UsedDefault
from jcm.domain.methodologies.eligibility import Criterion, EligibilityResult, check_eligibility
from jcm.domain.methodologies.marks import IllustrativeMark, identifier_mark, placeholder_mark
from jcm.domain.methodologies.model import (
    CONNECTIONS,
    Equation,
    Facts,
    IdStatus,
    Parameter,
)
from jcm.domain.methodologies.record import CalculationRecord
from jcm.domain.registry.issuance import MonitoringPeriod

METHODOLOGY_ID = re.compile(r"^[A-Z]{2}_AM[0-9]{3}$")
VERSION = re.compile(r"^[0-9]+\.[0-9]+$")

# Selects the default values from the methodology's pinned tables for the project's facts and
# fixed values, and checks constraints between fixed values (e.g. temperatures).

SelectDefaults = Callable[["Methodology", Facts, Mapping[str, Decimal]], dict[str, UsedDefault]]
Compute = Callable[[Calc], tuple[Decimal, Decimal]]


@dataclass(frozen=True, slots=True, eq=False)
class FamilySpec:
    """The equations of a family of methodologies and the code that computes them."""

    key: str
    title: str
    modules: tuple[str, ...]  # the family's own module first; digested into every record
    parameters: tuple[Parameter, ...]
    equations: tuple[Equation, ...]
    select_defaults: SelectDefaults
    compute: Compute

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)


@dataclass(frozen=True, slots=True, eq=False)
class Methodology:
    id: str
    version: str
    title: str
    host_country: str
    sectoral_scope: str
    family: FamilySpec
    criteria: tuple[Criterion, ...]
    tables: Mapping[str, DefaultTable]  # role (e.g. "EF_grid") -> pinned table version
    id_status: IdStatus
    reference: str  # where the research names it, e.g. "jcm_rules §3.2 [C:M1]"
    approved: str | None = None  # date of approval when the research confirms it
    note: str = ""
    connections: tuple[str, ...] = CONNECTIONS  # connection cases this version covers

    def __post_init__(self) -> None:
        if not METHODOLOGY_ID.match(self.id):
            raise ValueError(f"methodology id {self.id!r} must look like ID_AM002")
        if not VERSION.match(self.version):
            raise ValueError(f"methodology version {self.version!r} must look like 1.0")
        if self.id[:2] != self.host_country:
            raise ValueError(f"methodology {self.id} is not for host country {self.host_country}")

    @property
    def key(self) -> str:
        return f"{self.id} v{self.version}"

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        return self.family.parameters

    @property
    def equations(self) -> tuple[Equation, ...]:
        return self.family.equations

    def table(self, role: str, parameter: str) -> DefaultTable:
        table = self.tables.get(role)
        if table is None:
            raise InvalidInput(
                "M5_NO_DEFAULT",
                f"{self.key} has no default table for {parameter} ({role}); the roles it "
                f"pins are: {', '.join(sorted(self.tables))}. Use another methodology version "
                "or declare a case this version covers.",
                parameter=parameter,
                methodology=self.id,
                version=self.version,
                role=role,
            )
        return table

    def check_eligibility(self, facts: Facts) -> EligibilityResult:
        return check_eligibility(self.id, self.version, self.criteria, facts)

    def prepare(self, facts: Facts, fixed: Mapping[str, object]) -> Prepared:
        return Prepared(self, facts, fixed)

    def calculate(
        self,
        facts: Facts,
        fixed: Mapping[str, object],
        monitored: Mapping[str, object],
        period: MonitoringPeriod | None = None,
    ) -> CalculationRecord:
        return self.prepare(facts, fixed).calculate(monitored, period)

    @property
    def illustrative(self) -> tuple[IllustrativeMark, ...]:
        """What of this version is illustrative: its identifier and every pinned table role
        that holds a placeholder the version can select (empty when all rests on sources)."""
        return static_marks(self)

    def describe(self) -> dict[str, Any]:
        """The self-description: id, version, criteria, parameters, equations, tables."""
        marks = self.illustrative
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "host_country": self.host_country,
            "sectoral_scope": self.sectoral_scope,
            "family": self.family.key,
            "id_status": self.id_status.value,
            "reference": self.reference,
            "approved": self.approved,
            "note": self.note,
            "illustrative": bool(marks),
            "illustrative_items": [mark.as_json() for mark in marks],
            "criteria": [
                {"id": c.id, "text": c.text, "confirmation": c.confirmation.value}
                for c in self.criteria
            ],
            "parameters": [
                {
                    "name": p.name,
                    "unit": p.unit,
                    "kind": p.kind.value,
                    "range": str(p.range),
                    "description": p.description,
                    "confirmation": p.confirmation.value,
                }
                for p in self.parameters
            ],
            "equations": [
                {"id": e.id, "text": e.text, "confirmation": e.confirmation.value, "note": e.note}
                for e in self.equations
            ],
            "tables": {
                role: {"id": t.id, "version": t.version, "unit": t.unit}
                for role, t in sorted(self.tables.items())
            },
        }


@functools.cache
def static_marks(methodology: Methodology) -> tuple[IllustrativeMark, ...]:
    """The identifier mark, then one mark per pinned table role with a placeholder entry the
    version can select (entries of a table keyed by country count for the host country)."""
    marks = (
        []
        if (id_mark := identifier_mark(methodology.id, methodology.id_status)) is None
        else [id_mark]
    )
    for role, table in sorted(methodology.tables.items()):
        by_country = table.key_names[:1] == ("country",)
        keys = [
            "/".join(key)
            for key, entry in table.entries.items()
            if entry.placeholder and (not by_country or key[0] == methodology.host_country)
        ]
        if keys:
            marks.append(placeholder_mark(role, table.id, table.version, keys))
    return tuple(marks)


def fact_text(
    methodology: Methodology, facts: Facts, name: str, allowed: tuple[str, ...] | None = None
) -> str:
    """A text fact a calculation needs (to select a default), or ``M8_BAD_FACT``."""
    value = facts.get(name)
    if not isinstance(value, str) or (allowed is not None and value not in allowed):
        expected = "text" if allowed is None else "one of " + ", ".join(allowed)
        raise InvalidInput(
            "M8_BAD_FACT",
            f"{methodology.key} needs the project fact {name!r} ({expected}) to select its "
            f"default values; the project declares {value!r}.",
            fact=name,
            value=repr(value),
            methodology=methodology.id,
        )
    return value
