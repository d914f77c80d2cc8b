"""The calculation of a methodology version: from the project's inputs to a calculation record.

:class:`Prepared` is a methodology applied to one project: it validates the project's facts
and fixed-ex-ante values once and selects the default values from the version's pinned
tables; :meth:`Prepared.calculate` then validates one period's monitored values, runs the
family's code on a :class:`Calc` (the values and the quantized steps) and returns a
:class:`~jcm.domain.methodologies.record.CalculationRecord` whose canonical bytes are the
same for the same inputs. The version itself (identity, description, illustrative marks)
is :class:`~jcm.domain.methodologies.engine.Methodology`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies.arithmetic import (
    CONTEXT,
    CONTEXT_DESCRIPTION,
    ER_ROUNDING,
    INTERMEDIATE_ROUNDING,
    credited_tonnes,
    fixed6,
    plain,
    q,
)
from jcm.domain.methodologies.defaults import UsedDefault
from jcm.domain.methodologies.marks import IllustrativeMark, identifier_mark, placeholder_mark
from jcm.domain.methodologies.model import Facts, FactValue, ParameterKind
from jcm.domain.methodologies.record import (
    RECORD_SCHEMA,
    CalculationRecord,
    Splicer,
    json_text,
    string_text,
)
from jcm.domain.methodologies.record import module_sha256 as _module_sha256
from jcm.domain.registry.issuance import MonitoringPeriod

if TYPE_CHECKING:  # the methodology's module imports this one
    from jcm.domain.methodologies.engine import FamilySpec, Methodology

# The shared modules whose source is digested into every record as ``engine_sha256``.
ENGINE_MODULES = (
    "jcm.domain.methodologies.arithmetic",
    "jcm.domain.methodologies.units",
    "jcm.domain.methodologies.model",
    "jcm.domain.methodologies.defaults",
    "jcm.domain.methodologies.marks",
    "jcm.domain.methodologies.tables",
    "jcm.domain.methodologies.eligibility",
    "jcm.domain.methodologies.record",
    "jcm.domain.methodologies.engine",
    "jcm.domain.methodologies.calculation",
    "jcm.domain.methodologies.common",
)

# The record members that change per period; all the others sort before them.
DYNAMIC_MEMBERS = frozenset({"monitored", "period", "results", "steps"})


class Calc:
    """One period's calculation: the values, and the quantized steps in order."""

    __slots__ = ("defaults", "fixed", "hours", "monitored", "steps", "texts")

    def __init__(
        self,
        fixed: Mapping[str, Decimal],
        defaults: Mapping[str, Decimal],
        monitored: Mapping[str, Decimal],
        hours: Decimal | None,
    ) -> None:
        self.fixed = fixed
        self.defaults = defaults
        self.monitored = monitored
        self.hours = hours
        self.steps: list[dict[str, str]] = []
        self.texts: list[str] = []  # the canonical JSON text of each step

    def step(self, name: str, value: Decimal, unit: str) -> Decimal:
        """Quantize ``value`` to 6 places, record it under ``name`` and return it."""
        result = q(value)
        text = fixed6(result)
        self.steps.append({"name": name, "unit": unit, "value": text})
        self.texts.append(
            f'{{"name":{string_text(name)},"unit":{string_text(unit)},"value":"{text}"}}'
        )
        return result

    def at_most(self, parameter: str, value: Decimal, bound: Decimal, unit: str, why: str) -> None:
        """``M2_OUT_OF_RANGE`` when a monitored value exceeds a physical bound of the period."""
        if value > bound:
            raise InvalidInput(
                "M2_OUT_OF_RANGE",
                f"Parameter {parameter} = {plain(value)} {unit} exceeds {plain(bound)} {unit}, "
                f"the most {why}.",
                parameter=parameter,
                value=plain(value),
                unit=unit,
                allowed=f"[0, {plain(bound)}]",
            )


def record_marks(
    methodology: Methodology, defaults: Mapping[str, UsedDefault]
) -> tuple[IllustrativeMark, ...]:
    """What of one calculation is illustrative: the identifier, and each default it used
    whose value is a placeholder."""
    marks = (
        []
        if (id_mark := identifier_mark(methodology.id, methodology.id_status)) is None
        else [id_mark]
    )
    for name, used in sorted(defaults.items()):
        if used.placeholder:
            marks.append(
                placeholder_mark(name, used.table, used.table_version, ["/".join(used.key)])
            )
    return tuple(marks)


def _fact_record(name: str, value: FactValue) -> str | bool:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        return plain(value)
    raise InvalidInput(
        "M8_BAD_FACT",
        f"Project fact {name} = {value!r} ({type(value).__name__}) must be text, a boolean, "
        "an int or a finite Decimal.",
        fact=name,
        value=repr(value),
    )


def _sort_inputs(
    family: FamilySpec, given: Mapping[str, object], kind: ParameterKind, methodology: str
) -> tuple[dict[str, Decimal], dict[str, dict[str, str]], str]:
    """Validate the values given for one kind of parameter.

    Returns the values in the parameters' units, their record entries, and the canonical
    JSON text of those entries.
    """
    by_name = {p.name: p for p in family.parameters}
    values: dict[str, Decimal] = {}
    record: dict[str, dict[str, str]] = {}
    for name, raw in given.items():
        parameter = by_name.get(name)
        if parameter is None or parameter.kind is not kind:
            if parameter is not None and parameter.kind is ParameterKind.DEFAULT:
                raise InvalidInput(
                    "M7_DEFAULT_NOT_INPUT",
                    f"Parameter {name} of {methodology} is a default value fixed by the "
                    "methodology's versioned table; it cannot be typed in. Declare the facts "
                    "that select it (country, grid, case, …) instead.",
                    parameter=name,
                    methodology=methodology,
                )
            expected = sorted(p.name for p in family.parameters if p.kind is kind)
            where = "" if parameter is None else f" (it is a {parameter.kind.value} parameter)"
            raise InvalidInput(
                "M1_UNKNOWN_PARAMETER",
                f"{methodology} has no {kind.value} parameter {name!r}{where}; its "
                f"{kind.value} parameters are: {', '.join(expected)}.",
                parameter=name,
                methodology=methodology,
                expected=expected,
            )
        value, as_given = parameter.accept(raw)
        values[name] = value
        record[name] = {
            "given_unit": as_given.unit,
            "given_value": plain(as_given.value),
            "kind": kind.value,
            "unit": parameter.unit,
            "value": plain(value),
        }
    missing = [p.name for p in family.parameters if p.kind is kind and p.name not in values]
    if missing:
        details = {p.name: f"{p.unit}, {p.range}" for p in family.parameters if p.name in missing}
        raise InvalidInput(
            "M4_MISSING_PARAMETER",
            f"{methodology} needs the {kind.value} parameter(s) "
            + ", ".join(f"{n} ({details[n]})" for n in missing)
            + ".",
            parameters=missing,
            methodology=methodology,
        )
    text = (
        "{"
        + ",".join(
            f'{string_text(name)}:{{"given_unit":{string_text(entry["given_unit"])},'
            f'"given_value":"{entry["given_value"]}","kind":"{kind.value}",'
            f'"unit":{string_text(entry["unit"])},"value":"{entry["value"]}"}}'
            for name, entry in sorted(record.items())
        )
        + "}"
    )
    return values, record, text


@functools.lru_cache(maxsize=4096)
def _period_parts(period: MonitoringPeriod) -> tuple[Decimal, dict[str, str], str]:
    """Hours, record entry and its canonical JSON text of a period (the period's end day is
    included: 1 Jan..31 Jan is 744 hours)."""
    hours = Decimal(((period.end - period.start).days + 1) * 24)
    record = {
        "end": period.end.isoformat(),
        "hours": plain(hours),
        "start": period.start.isoformat(),
    }
    return hours, record, json_text(record)


class Prepared:
    """A methodology applied to one project: facts, fixed values and defaults, validated."""

    __slots__ = (
        "_default_values",
        "_encoded",
        "_static",
        "defaults",
        "facts",
        "fixed",
        "illustrative",
        "methodology",
    )

    def __init__(self, methodology: Methodology, facts: Facts, fixed: Mapping[str, object]) -> None:
        family = methodology.family
        facts = dict(facts)
        facts_record = {name: _fact_record(name, value) for name, value in facts.items()}
        fixed_values, fixed_record, _ = _sort_inputs(
            family, fixed, ParameterKind.FIXED_EX_ANTE, methodology.key
        )
        with localcontext(CONTEXT):
            defaults = family.select_defaults(methodology, facts, fixed_values)
        self.methodology = methodology
        self.facts = facts
        self.fixed = fixed_values
        self.defaults = defaults
        self._default_values = {name: used.value for name, used in defaults.items()}
        self.illustrative = record_marks(methodology, defaults)
        self._static: dict[str, Any] = {
            "format": RECORD_SCHEMA,
            "methodology": {
                "id": methodology.id,
                "version": methodology.version,
                "title": methodology.title,
                "family": family.key,
                "id_status": methodology.id_status.value,
                "modules": list(family.modules),
                "module_sha256": _module_sha256(*family.modules),
                "engine_sha256": _module_sha256(*ENGINE_MODULES),
            },
            "arithmetic": {
                "context": CONTEXT_DESCRIPTION,
                "intermediates": INTERMEDIATE_ROUNDING,
                "er": ER_ROUNDING,
            },
            "facts": facts_record,
            "fixed": fixed_record,
            "defaults": {name: used.as_record() for name, used in sorted(defaults.items())},
            # Sorts before the per-period members; empty when nothing is illustrative.
            "illustrative": [mark.as_json() for mark in self.illustrative],
        }
        self._encoded = Splicer(self._static, DYNAMIC_MEMBERS)

    def calculate(
        self, monitored: Mapping[str, object], period: MonitoringPeriod | None = None
    ) -> CalculationRecord:
        methodology = self.methodology
        values, monitored_record, monitored_text = _sort_inputs(
            methodology.family, monitored, ParameterKind.MONITORED, methodology.key
        )
        hours, period_record, period_text = (
            (None, None, "null") if period is None else _period_parts(period)
        )
        calc = Calc(self.fixed, self._default_values, values, hours)
        with localcontext(CONTEXT):
            re_p, pe_p = methodology.family.compute(calc)
            er_unrounded = q(re_p - pe_p)
        er = credited_tonnes(er_unrounded)
        results = {
            "ER_p": er,
            "ER_p_unrounded": fixed6(er_unrounded),
            "PE_p": fixed6(pe_p),
            "RE_p": fixed6(re_p),
            "unit": "tCO2",
        }
        body = {
            **self._static,
            "monitored": monitored_record,
            "period": period_record,
            "results": results,
            "steps": calc.steps,
        }
        # The same bytes as canonical_bytes(body), without re-encoding the static members
        # or the steps (whose texts the calculation wrote as it went).
        data, digest = self._encoded.encode(
            {
                "monitored": monitored_text,
                "period": period_text,
                "results": (
                    f'{{"ER_p":{er},"ER_p_unrounded":"{results["ER_p_unrounded"]}",'
                    f'"PE_p":"{results["PE_p"]}","RE_p":"{results["RE_p"]}","unit":"tCO2"}}'
                ),
                "steps": "[" + ",".join(calc.texts) + "]",
            }
        )
        return CalculationRecord(
            methodology.id,
            methodology.version,
            period,
            re_p,
            pe_p,
            er_unrounded,
            er,
            body,
            data,
            digest,
            tuple(mark.item for mark in self.illustrative),
        )
