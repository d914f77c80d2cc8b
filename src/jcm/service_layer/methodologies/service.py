"""Methodology use cases for the CLI and the coming API: browse, check eligibility, calculate.

Pure calls into :mod:`jcm.domain.methodologies`; nothing is stored yet (storing calculation
records with monitoring reports comes with the project cycle, issue #4).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol

from jcm.domain import limits, methodologies
from jcm.domain.errors import InvalidInput, JcmError
from jcm.domain.methodologies import Methodology
from jcm.domain.methodologies.model import FactValue
from jcm.domain.registry.issuance import MonitoringPeriod
from jcm.service_layer.methodologies.results import (
    CalculationResult,
    CriterionResult,
    EligibilityResult,
    MethodologyListing,
    PeriodCalculation,
    SheetCalculation,
)
from jcm.service_layer.results import JsonObject

_WHOLE = re.compile(r"-?[0-9]{1,18}")


def _find(methodology_id: str, version: str | None) -> Methodology:
    upper = methodology_id.strip().upper()
    return methodologies.get(upper, version) if version else methodologies.latest(upper)


def list_methodologies(country: str | None = None) -> list[MethodologyListing]:
    if country is not None:
        country = limits.check_country(country, "country")
    return [
        MethodologyListing(
            m.id,
            m.version,
            m.title,
            m.host_country,
            m.family.key,
            m.id_status.value,
            m.approved,
            bool(m.illustrative),
            tuple(mark.item for mark in m.illustrative),
        )
        for m in methodologies.all()
        if country is None or m.host_country == country.upper()
    ]


def describe(methodology_id: str, version: str | None = None) -> JsonObject:
    """The methodology's self-description document (criteria, parameters, equations …)."""
    described = json.loads(json.dumps(_find(methodology_id, version).describe(), default=str))
    assert isinstance(described, dict)
    return described


def parse_fact(text: str) -> tuple[str, FactValue]:
    """``name=value``: true/false become booleans, whole numbers ints, decimals Decimals."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise InvalidInput("G1_BAD_FACT", f"Fact {text!r} must look like NAME=VALUE.", fact=text)
    value = raw.strip()
    if name.strip() == "host_country":
        return name.strip(), limits.check_country(value, "fact host_country")
    if value.lower() in ("true", "false"):
        return name.strip(), value.lower() == "true"
    if _WHOLE.fullmatch(value):  # ASCII digits only ("²".isdigit() is True)
        return name.strip(), int(value)
    try:
        number = Decimal(value) if any(ch.isdigit() for ch in value) else None
    except InvalidOperation:
        number = None
    return name.strip(), value if number is None else limits.check_decimal(number, name.strip())


def parse_quantity(text: str) -> tuple[str, tuple[str, str]]:
    """``NAME=VALUE:UNIT`` (e.g. ``EG_p=61234:kWh``)."""
    name, sep, rest = text.partition("=")
    value, colon, unit = rest.rpartition(":")
    if not sep or not colon or not name.strip() or not value.strip() or not unit.strip():
        raise InvalidInput(
            "G1_BAD_QUANTITY",
            f"Value {text!r} must look like NAME=VALUE:UNIT, e.g. EG_p=61234:kWh.",
            value=text,
        )
    return name.strip(), (value.strip(), unit.strip())


def eligibility(
    methodology_id: str, facts: dict[str, FactValue], version: str | None = None
) -> EligibilityResult:
    result = _find(methodology_id, version).check_eligibility(facts)
    return EligibilityResult(
        result.methodology,
        result.version,
        result.eligible,
        tuple(
            CriterionResult(r.criterion, r.passed, r.text, r.reason, r.confirmation.value)
            for r in result.results
        ),
    )


def calculate(
    methodology_id: str,
    facts: dict[str, FactValue],
    fixed: dict[str, tuple[str, str]],
    monitored: dict[str, tuple[str, str]],
    start: date | None = None,
    end: date | None = None,
    version: str | None = None,
) -> CalculationResult:
    period = MonitoringPeriod(start, end) if start and end else None
    record = _find(methodology_id, version).calculate(facts, fixed, monitored, period)
    body = json.loads(record.canonical())
    assert isinstance(body, dict)
    return CalculationResult(
        record.methodology,
        record.version,
        record.re,
        record.pe,
        record.er_unrounded,
        record.er,
        record.digest,
        tuple(record.illustrative),
        body,
    )


class MonitoringRow(Protocol):
    """One monitoring period as read from a sheet (see adapters/monitoring_sheet.py)."""

    @property
    def sheet(self) -> str: ...
    @property
    def row(self) -> int: ...
    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...
    @property
    def values(self) -> dict[str, tuple[str, str]]: ...
    @property
    def columns(self) -> dict[str, str]: ...


def calculate_monitoring(
    methodology_id: str,
    facts: dict[str, FactValue],
    fixed: dict[str, tuple[str, str]],
    rows: Sequence[MonitoringRow],
    version: str | None = None,
) -> SheetCalculation:
    """One calculation record per sheet row; an error names the sheet, row and column."""
    methodology = _find(methodology_id, version)
    prepared = methodology.prepare(facts, fixed)
    periods = []
    for row in rows:
        try:
            period = MonitoringPeriod(row.start, row.end)
            periods.append((row, period, prepared.calculate(row.values, period)))
        except JcmError as error:
            parameter = error.details.get("parameter")
            where = f"Sheet {row.sheet!r} row {row.row}"
            if isinstance(parameter, str) and parameter in row.columns:
                where += f" column {row.columns[parameter]} ({parameter})"
            error.details.update(sheet=row.sheet, row=row.row)
            error.message = f"{where}: {error.message}"
            error.args = (error.message,)
            raise
    ordered = sorted(periods, key=lambda item: item[1].start)
    for (row_a, a, _), (row_b, b, _) in itertools.pairwise(ordered):
        if a.overlaps(b):
            raise InvalidInput(
                "M9_OVERLAPPING_PERIODS",
                f"Sheet {row_a.sheet!r} rows {row_a.row} and {row_b.row}: monitoring periods "
                f"{a} and {b} overlap; each day may be monitored in one period only.",
                sheet=row_a.sheet,
                rows=[row_a.row, row_b.row],
            )
    return SheetCalculation(
        methodology.id,
        methodology.version,
        tuple(mark.item for mark in prepared.illustrative),
        tuple(
            PeriodCalculation(
                row.row, period.start, period.end, record.re, record.pe, record.er, record.digest
            )
            for row, period, record in periods
        ),
        sum(record.er for _, _, record in periods),
    )
