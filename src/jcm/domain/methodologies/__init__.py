"""Executable, versioned JCM methodologies (pure domain: standard library only).

A methodology version (``TH_AM001`` v2.0) describes itself — title, sectoral scope,
eligibility checklist, parameters, equations, pinned default tables — and computes
reference emissions, project emissions and emission reductions with Decimal arithmetic into
a :class:`CalculationRecord` whose canonical bytes and SHA-256 digest are reproducible.

    from jcm.domain import methodologies

    pv = methodologies.get("ID_AM901", "1.0")        # also latest(id), all()
    pv.check_eligibility(facts)                         # -> EligibilityResult
    record = pv.calculate(facts, {"P_PV": ("1000", "kW")}, {"EG_p": ("120000", "kWh")})
    record.er, record.canonical(), record.digest

See ``docs/methodologies.md`` for the families, the [C]/[I] status of every equation and
default, the arithmetic and the error codes.
"""

from __future__ import annotations

from jcm.domain.methodologies.calculation import Prepared
from jcm.domain.methodologies.catalogue import METHODOLOGIES, REGISTRY, get, latest
from jcm.domain.methodologies.catalogue import all as all
from jcm.domain.methodologies.eligibility import CriterionResult, EligibilityResult
from jcm.domain.methodologies.engine import FamilySpec, Methodology
from jcm.domain.methodologies.model import (
    CONNECTIONS,
    Confirmation,
    Facts,
    IdStatus,
    Parameter,
    ParameterKind,
    Quantity,
)
from jcm.domain.methodologies.monitoring import (
    MonitoringResult,
    PeriodValues,
    compute_periods,
    monthly_periods,
)
from jcm.domain.methodologies.record import CalculationRecord
from jcm.domain.methodologies.registry import Registry

__all__ = [
    "CONNECTIONS",
    "METHODOLOGIES",
    "REGISTRY",
    "CalculationRecord",
    "Confirmation",
    "CriterionResult",
    "EligibilityResult",
    "Facts",
    "FamilySpec",
    "IdStatus",
    "Methodology",
    "MonitoringResult",
    "Parameter",
    "ParameterKind",
    "PeriodValues",
    "Prepared",
    "Quantity",
    "Registry",
    "compute_periods",
    "get",
    "latest",
    "monthly_periods",
]
