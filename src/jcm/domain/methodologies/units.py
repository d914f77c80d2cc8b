"""Units the engine knows, and the exact conversions between units of one dimension.

A value always travels with its unit. A parameter declares one unit; a value given in
another unit *of the same dimension* is converted exactly (every factor is a power of ten,
so the conversion never rounds), and a value in a unit of another dimension, or in a unit
the engine does not know, is refused with ``M3_WRONG_UNIT``. Temperatures, hours, counts and
the methodology-specific units (lm/W, USRt, kVA, …) have exactly one spelling each.
"""

from __future__ import annotations

from decimal import Decimal

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies.arithmetic import CONTEXT

# unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, Decimal]] = {
    "MWh": ("energy", Decimal(1)),
    "kWh": ("energy", Decimal("0.001")),
    "GWh": ("energy", Decimal(1000)),
    "kW": ("power", Decimal(1)),
    "W": ("power", Decimal("0.001")),
    "MW": ("power", Decimal(1000)),
    "kVA": ("apparent power", Decimal(1)),
    "MVA": ("apparent power", Decimal(1000)),
    "t": ("mass", Decimal(1)),
    "kg": ("mass", Decimal("0.001")),
    "h": ("time", Decimal(1)),
    "degC": ("temperature", Decimal(1)),
    "K": ("temperature difference", Decimal(1)),
    "1": ("dimensionless", Decimal(1)),
    "lm/W": ("luminous efficacy", Decimal(1)),
    "USRt": ("cooling capacity", Decimal(1)),
    "m2": ("area", Decimal(1)),
    "km2": ("area", Decimal(1_000_000)),
    "W/m2": ("power density", Decimal(1)),
    "tCO2/MWh": ("electricity emission factor", Decimal(1)),
    "kgCO2/kWh": ("electricity emission factor", Decimal(1)),
    "GJ/t": ("net calorific value", Decimal(1)),
    "tCO2/GJ": ("fuel emission factor", Decimal(1)),
    "GJ": ("heat", Decimal(1)),
    "tCO2": ("emissions", Decimal(1)),
}


def same_dimension(unit: str) -> list[str]:
    """The units a value for a parameter in ``unit`` may be given in."""
    dimension = UNITS[unit][0]
    return [name for name, (dim, _) in UNITS.items() if dim == dimension]


def convert(parameter: str, value: Decimal, given: str, expected: str) -> Decimal:
    """``value`` given in ``given`` expressed exactly in ``expected``, or ``M3_WRONG_UNIT``."""
    if given == expected:
        return value
    given_spec = UNITS.get(given)
    expected_dim, expected_factor = UNITS[expected]
    if given_spec is None or given_spec[0] != expected_dim:
        accepted = same_dimension(expected)
        raise InvalidInput(
            "M3_WRONG_UNIT",
            f"Parameter {parameter} was given in {given!r} but is measured in {expected!r} "
            f"({expected_dim}); give it in one of: {', '.join(accepted)}.",
            parameter=parameter,
            value=str(value),
            unit=given,
            expected_unit=expected,
            accepted_units=accepted,
        )
    return CONTEXT.divide(CONTEXT.multiply(value, given_spec[1]), expected_factor)
