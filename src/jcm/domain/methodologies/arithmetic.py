"""Decimal arithmetic of the methodology engine: one context, one quantum, one ER rounding.

The rules (``docs/methodologies.md`` § Arithmetic):

* Every calculation runs in :data:`CONTEXT`: 28 significant digits, ``ROUND_HALF_EVEN``, and
  traps on invalid operations, division by zero and overflow. It is installed with
  :func:`decimal.localcontext` around each calculation, so a caller's own context never
  changes a result.
* Inputs are kept exactly as given (after an exact unit conversion by a power of ten).
* Every intermediate value is quantized to :data:`QUANTUM` (6 decimal places,
  ``ROUND_HALF_EVEN``) as soon as it is computed; the next step uses the quantized value. The
  calculation record lists each quantized step, so a reviewer can redo the arithmetic by hand.
* The emission reduction credited for a period is ``RE_p − PE_p`` (exact on two 6-place
  values) rounded down to whole tCO2 (``ROUND_FLOOR``) and clamped at 0
  (:func:`credited_tonnes`). The unrounded difference, negative or not, stays in the record.
* Floats are never accepted, nor inputs with more than 20 significant digits
  (:func:`to_decimal`).
"""

from __future__ import annotations

from decimal import (
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

from jcm.domain.errors import InvalidInput

CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
QUANTUM = Decimal("0.000001")
ZERO = Decimal(0)
ONE = Decimal(1)
MAX_DIGITS = 20  # significant digits of an input: unit conversions and products stay exact
THOUSAND = Decimal(1000)

CONTEXT_DESCRIPTION = "prec=28 ROUND_HALF_EVEN traps=InvalidOperation,DivisionByZero,Overflow"
INTERMEDIATE_ROUNDING = "quantize 0.000001 ROUND_HALF_EVEN"
ER_ROUNDING = "ER_p = max(0, floor(RE_p - PE_p)) whole tCO2 (ROUND_FLOOR, then clamp at 0)"


def q(value: Decimal) -> Decimal:
    """``value`` quantized to 6 decimal places, half to even; never a negative zero."""
    result = value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN, context=CONTEXT)
    return result.copy_abs() if result.is_zero() else result


def credited_tonnes(er_unrounded: Decimal) -> int:
    """Whole tCO2 credited for a period: floor, then clamp a negative result to 0."""
    floored = int(er_unrounded.to_integral_value(rounding=ROUND_FLOOR, context=CONTEXT))
    return max(0, floored)


def plain(value: Decimal) -> str:
    """Positional text of ``value`` without trailing zeros: 1E+3 → "1000", 2.50 → "2.5"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fixed6(value: Decimal) -> str:
    """Positional text of a quantized value, always with its 6 decimal places."""
    return format(value, "f")


def to_decimal(name: str, raw: object) -> Decimal:
    """``raw`` as a finite Decimal; floats, booleans, NaN, infinities and text are refused."""
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = Decimal(raw)
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            value = Decimal("NaN")
    else:
        raise InvalidInput(
            "M6_NOT_DECIMAL",
            f"Parameter {name} = {raw!r} ({type(raw).__name__}) must be a Decimal, an int or "
            "decimal text such as '12.5'; floats are refused because they are not exact.",
            parameter=name,
            value=repr(raw),
        )
    if not value.is_finite():
        raise InvalidInput(
            "M6_NOT_DECIMAL",
            f"Parameter {name} = {raw!r} is not a finite decimal number.",
            parameter=name,
            value=repr(raw),
        )
    if len(value.as_tuple().digits) > MAX_DIGITS:
        raise InvalidInput(
            "M6_NOT_DECIMAL",
            f"Parameter {name} = {raw!r} has more than {MAX_DIGITS} significant digits; "
            "no meter is that precise, and the arithmetic keeps 28.",
            parameter=name,
            value=repr(raw),
        )
    return value
