"""What the methodology use cases return: frozen dataclasses (JSON form: ``results.to_json``).

A calculation record itself stays the canonical JSON document it is (its digest is over that
text); results carry it as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jcm.service_layer.results import JsonObject


@dataclass(frozen=True)
class MethodologyListing:
    id: str
    version: str
    title: str
    country: str
    family: str
    id_status: str
    approved: str | None  # approval date as the research gives it
    illustrative: bool
    illustrative_items: tuple[str, ...]


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    passed: bool
    text: str
    reason: str
    confirmation: str


@dataclass(frozen=True)
class EligibilityResult:
    methodology: str
    version: str
    eligible: bool
    criteria: tuple[CriterionResult, ...]


@dataclass(frozen=True)
class CalculationResult:
    methodology: str
    version: str
    reference_emissions: Decimal
    project_emissions: Decimal
    emission_reductions_unrounded: Decimal
    emission_reductions: int
    digest: str
    illustrative: tuple[str, ...]
    record: JsonObject  # the calculation record's canonical JSON, parsed


@dataclass(frozen=True)
class PeriodCalculation:
    row: int
    period_start: date
    period_end: date
    reference_emissions: Decimal
    project_emissions: Decimal
    emission_reductions: int
    digest: str


@dataclass(frozen=True)
class SheetCalculation:
    methodology: str
    version: str
    illustrative: tuple[str, ...]
    periods: tuple[PeriodCalculation, ...]
    total_emission_reductions: int
