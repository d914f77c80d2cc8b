"""Family "led_lighting": LED lighting, by the ratio of luminous efficacies.

Research (jcm_rules §3.4): ID_AM020 Ver1.0, LED downlights/spotlights with high colour
rendering, approved 31 Oct 2019 [C:M10]: RE = project lighting power consumption × ratio of
luminous efficacy (project/reference) × EF; PE = project power consumption × EF; monitored:
total power consumption of the project lighting. LED street lighting with wireless control
(Cambodia, e.g. KH_AM001) was not retrieved [I].

Equations::

    RE_p = EC_PJ,p × EF_elec × (η_PJ / η_RE)      [C:M10]
    PE_p = EC_PJ,p × EF_elec                      [C:M10]
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from jcm.domain.methodologies.arithmetic import plain
from jcm.domain.methodologies.calculation import Calc
from jcm.domain.methodologies.common import ER_EQUATION, connection_criterion, electricity_ef
from jcm.domain.methodologies.defaults import DefaultTable, UsedDefault
from jcm.domain.methodologies.eligibility import (
    Criterion,
    host_country,
    is_true,
    number_between,
    one_of,
)
from jcm.domain.methodologies.engine import FamilySpec, Methodology, fact_text
from jcm.domain.methodologies.model import (
    CONNECTIONS,
    Confirmation,
    Equation,
    Facts,
    IdStatus,
    Parameter,
    ParameterKind,
    between,
)
from jcm.domain.methodologies.tables import CAPTIVE_EF, ETA_RE_LIGHTING, GRID_EF

C = Confirmation.CONFIRMED
INFERRED = Confirmation.INFERRED


def _defaults(m: Methodology, facts: Facts, fixed: Mapping[str, Decimal]) -> dict[str, UsedDefault]:
    lamp = fact_text(m, facts, "lamp_type")
    return {
        "eta_RE": m.table("eta_RE", "eta_RE").lookup("eta_RE", (lamp,)),
        "EF_elec": electricity_ef(m, facts, "EF_elec"),
    }


def _compute(calc: Calc) -> tuple[Decimal, Decimal]:
    d = calc.defaults
    ratio = calc.step("eta_ratio", calc.fixed["eta_PJ"] / d["eta_RE"], "1")
    consumed = calc.step("EC_PJ_x_EF", calc.monitored["EC_PJ_p"] * d["EF_elec"], "tCO2")
    re_p = calc.step("RE_p", consumed * ratio, "tCO2")
    pe_p = calc.step("PE_p", consumed, "tCO2")
    return re_p, pe_p


LED_LIGHTING = FamilySpec(
    key="led_lighting",
    title="Introduction of LED lighting",
    modules=(__name__,),
    parameters=(
        Parameter(
            "EC_PJ_p",
            "MWh",
            ParameterKind.MONITORED,
            "electricity consumed by the project lighting in period p",
            between(0, 1_000_000),
            C,
        ),
        Parameter(
            "eta_PJ",
            "lm/W",
            ParameterKind.FIXED_EX_ANTE,
            "luminous efficacy of the project LED lighting (manufacturer specification)",
            between(0, 300, low_open=True),
            C,
        ),
        Parameter(
            "eta_RE",
            "lm/W",
            ParameterKind.DEFAULT,
            "luminous efficacy of the reference lighting",
            between(0, 300, low_open=True),
            C,
        ),
        Parameter(
            "EF_elec",
            "tCO2/MWh",
            ParameterKind.DEFAULT,
            "conservative emission factor of the electricity saved",
            between(0, 2),
            C,
        ),
    ),
    equations=(
        Equation("RE", "RE_p = EC_PJ,p × EF_elec × (η_PJ / η_RE)", C, "ID_AM020 [C:M10]"),
        Equation("PE", "PE_p = EC_PJ,p × EF_elec", C, "ID_AM020 [C:M10]"),
        ER_EQUATION,
    ),
    select_defaults=_defaults,
    compute=_compute,
)


def _efficacy_above_reference(facts: Facts) -> tuple[bool, str]:
    lamp, efficacy = facts.get("lamp_type"), facts.get("efficacy_lm_per_w")
    if not isinstance(efficacy, Decimal | int) or isinstance(efficacy, bool):
        return False, "fact 'efficacy_lm_per_w' (a Decimal) is not declared"
    entry = ETA_RE_LIGHTING.entries.get((str(lamp),))
    if entry is None:
        return False, f"lamp_type = {lamp!r} has no reference efficacy"
    ok = Decimal(efficacy) > entry.value
    return ok, (
        f"efficacy_lm_per_w = {plain(Decimal(efficacy))} {'>' if ok else 'is not above'} "
        f"eta_RE = {plain(entry.value)} lm/W for {lamp}"
    )


def build(
    id: str,
    version: str,
    *,
    id_status: IdStatus,
    reference: str,
    lamp_types: tuple[str, ...],
    approved: str | None = None,
    high_colour_rendering: bool = False,
    wireless_control: bool = False,
    connections: tuple[str, ...] = CONNECTIONS,
    note: str = "",
) -> Methodology:
    country = id[:2]
    criteria: list[Criterion] = [
        host_country(country),
        Criterion(
            "C1",
            f"The project installs LED lighting of type {' or '.join(lamp_types)}.",
            one_of("lamp_type", lamp_types),
            C if high_colour_rendering else INFERRED,
        ),
        connection_criterion(connections, "saves"),
        Criterion(
            "C3",
            "The luminous efficacy of the project lighting is above the reference efficacy.",
            _efficacy_above_reference,
            INFERRED,
        ),
    ]
    if high_colour_rendering:
        criteria.append(
            Criterion(
                "C4",
                "The project lighting has high colour rendering (Ra ≥ 90).",
                number_between("colour_rendering_ra", Decimal(90), None),
                INFERRED,  # "high colour rendering" is [C:M10]; the Ra 90 threshold is [I]
            )
        )
    if wireless_control:
        criteria.append(
            Criterion(
                "C4",
                "The street lights are controlled through a wireless network.",
                is_true("wireless_control"),
                INFERRED,
            )
        )
    tables: dict[str, DefaultTable] = {"EF_grid": GRID_EF, "eta_RE": ETA_RE_LIGHTING}
    if "captive_only" in connections:
        tables["EF_captive"] = CAPTIVE_EF
    return Methodology(
        id=id,
        version=version,
        title=(
            "Introduction of LED Street Lighting with Wireless Network Control"
            if wireless_control
            else "Introduction of LED Lighting"
        ),
        host_country=country,
        sectoral_scope="3 Energy demand [I]",
        family=LED_LIGHTING,
        criteria=tuple(criteria),
        tables=tables,
        id_status=id_status,
        reference=reference,
        approved=approved,
        note=note,
        connections=connections,
    )
