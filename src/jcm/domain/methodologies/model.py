"""The vocabulary of a methodology: confirmation flags, quantities, parameters, equations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies.arithmetic import plain, to_decimal
from jcm.domain.methodologies.units import UNITS, convert


class Confirmation(StrEnum):
    """How far the research confirms a statement (``jcm_rules.md`` §0)."""

    CONFIRMED = "C"  # retrieved from an official source
    CONFIRMED_SECONDARY = "C-sec"  # retrieved from a secondary copy or a proposal
    INFERRED = "I"  # inferred or background knowledge: check before relying on it


class IdStatus(StrEnum):
    """Whether a methodology id (and version) is the real one."""

    CONFIRMED = "C"  # the research confirms this id for this technology and country
    INFERRED = "I"  # the research names the id but does not confirm it
    ILLUSTRATIVE = "illustrative"  # no id known: an AM9xx number that cannot be a real one


class ParameterKind(StrEnum):
    MONITORED = "monitored"  # measured in each monitoring period
    FIXED_EX_ANTE = "fixed_ex_ante"  # declared once for the project (PDD), e.g. rated COP
    DEFAULT = "default"  # fixed ex ante by the methodology: taken from a default table only


# Connection cases (jcm_rules §3.2): "grid" is the Indonesian Case 1 (connected to a
# national/regional grid, directly or through an internal grid without an isolated grid or
# captive generator); "grid_and_captive" is Case 2 (an internal grid connected both to a
# national/regional grid and to an isolated grid and/or a captive generator); "captive_only"
# is an off-grid site whose electricity would otherwise come from a captive diesel generator.
CONNECTIONS = ("grid", "grid_and_captive", "captive_only")

# What a proposed project declares about itself (the PDD facts the eligibility checklist and
# the default selection read). Numbers are Decimals or ints, never floats.
FactValue = str | bool | int | Decimal
Facts = Mapping[str, FactValue]


@dataclass(frozen=True, slots=True)
class Quantity:
    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{plain(self.value)} {self.unit}"


QuantityLike = Quantity | tuple[Decimal | int | str, str]


@dataclass(frozen=True, slots=True)
class Range:
    """An allowed interval in the parameter's unit; ``None`` leaves a side open."""

    low: Decimal | None = None
    high: Decimal | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    integral: bool = False

    def contains(self, value: Decimal) -> bool:
        if self.integral and value != value.to_integral_value():
            return False
        if self.low is not None and (
            value < self.low or (value == self.low and not self.low_inclusive)
        ):
            return False
        return not (
            self.high is not None
            and (value > self.high or (value == self.high and not self.high_inclusive))
        )

    def __str__(self) -> str:
        left = "[" if self.low_inclusive and self.low is not None else "("
        right = "]" if self.high_inclusive and self.high is not None else ")"
        low = "-inf" if self.low is None else plain(self.low)
        high = "+inf" if self.high is None else plain(self.high)
        whole = ", whole numbers" if self.integral else ""
        return f"{left}{low}, {high}{right}{whole}"


def between(
    low: str | int | None,
    high: str | int | None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    integral: bool = False,
) -> Range:
    return Range(
        None if low is None else Decimal(low),
        None if high is None else Decimal(high),
        not low_open,
        not high_open,
        integral,
    )


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    unit: str
    kind: ParameterKind
    description: str
    range: Range = Range()
    confirmation: Confirmation = Confirmation.INFERRED

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"parameter {self.name}: unknown unit {self.unit!r}")

    def accept(self, raw: object) -> tuple[Decimal, Quantity]:
        """Validate a given value: ``(value in this parameter's unit, the value as given)``.

        Refuses floats (``M6_NOT_DECIMAL``), another dimension (``M3_WRONG_UNIT``) and values
        outside the range (``M2_OUT_OF_RANGE``), naming the parameter, value and expectation.
        """
        if isinstance(raw, Quantity):
            given_value: object = raw.value
            given_unit = raw.unit
        elif isinstance(raw, tuple) and len(raw) == 2 and isinstance(raw[1], str):
            given_value, given_unit = raw
        else:
            raise InvalidInput(
                "M3_WRONG_UNIT",
                f"Parameter {self.name} = {raw!r} has no unit; give (value, {self.unit!r}) "
                "or a Quantity.",
                parameter=self.name,
                value=repr(raw),
                expected_unit=self.unit,
            )
        number = to_decimal(self.name, given_value)
        value = convert(self.name, number, given_unit, self.unit)
        if not self.range.contains(value):
            raise InvalidInput(
                "M2_OUT_OF_RANGE",
                f"Parameter {self.name} = {plain(value)} {self.unit} is outside the allowed "
                f"range {self.range} {self.unit} ({self.description}).",
                parameter=self.name,
                value=plain(value),
                unit=self.unit,
                allowed=str(self.range),
            )
        return value, Quantity(number, given_unit)


@dataclass(frozen=True, slots=True)
class Equation:
    """One equation of a methodology, in text, with how far the research confirms it."""

    id: str
    text: str
    confirmation: Confirmation
    note: str = ""
