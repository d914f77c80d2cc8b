"""Family "boiler": high-efficiency boilers, by the ratio of boiler efficiencies.

Research (jcm_rules §3.5): MN_AM002 [I: id], high-efficiency heat-only boiler (HOB) for
hot-water supply in Mongolia. Eligibility of the GEC FY2013 proposal [C-sec:M17]: coal-fired
HOB for a hot-water supply system; capacity 0.10–3.15 MW; new installation, replacement or
capacity expansion; dust collector installed; operation and maintenance manual. IGES
background [C-sec]: existing HOBs 50–60%, market average 75%, best about 80%.

Equations (all [I], jcm_rules §3.5)::

    HI_PJ,p  = FC_PJ,p × NCV_fuel                         (GJ)
    FE_PJ,p  = HI_PJ,p × EF_fuel                          (tCO2)
    RE_p     = FE_PJ,p × (η_PJ / η_RE)                    (= FC × NCV × EF × η_PJ / η_RE)
    PE_p     = FE_PJ,p + EC_aux,p × EF_elec

η_RE is a conservative (high) default; the reference boiler's auxiliary electricity is left
out of RE, which is conservative. The same fuel is assumed for the project and the
reference boiler (no fuel switch).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from jcm.domain.methodologies.arithmetic import plain
from jcm.domain.methodologies.calculation import Calc
from jcm.domain.methodologies.common import ER_EQUATION, electricity_ef
from jcm.domain.methodologies.defaults import DefaultTable, UsedDefault
from jcm.domain.methodologies.eligibility import (
    Criterion,
    equals,
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
from jcm.domain.methodologies.tables import (
    BOILER_ETA_RE,
    CAPTIVE_EF,
    FUEL_EF,
    FUEL_NCV,
    GRID_EF,
)

C_SEC = Confirmation.CONFIRMED_SECONDARY
INFERRED = Confirmation.INFERRED
MONITORED = ParameterKind.MONITORED
FIXED = ParameterKind.FIXED_EX_ANTE
DEFAULT = ParameterKind.DEFAULT
COAL = ("other_bituminous_coal", "sub_bituminous_coal", "lignite")


def _defaults(m: Methodology, facts: Facts, fixed: Mapping[str, Decimal]) -> dict[str, UsedDefault]:
    fuel = fact_text(m, facts, "fuel")
    boiler_type = fact_text(m, facts, "boiler_type")
    return {
        "NCV_fuel": m.table("NCV", "NCV_fuel").lookup("NCV_fuel", (fuel,)),
        "EF_fuel": m.table("EF_fuel", "EF_fuel").lookup("EF_fuel", (fuel,)),
        "eta_RE": m.table("eta_RE", "eta_RE").lookup("eta_RE", (boiler_type,)),
        "EF_elec": electricity_ef(m, facts, "EF_elec"),
    }


def _compute(calc: Calc) -> tuple[Decimal, Decimal]:
    d = calc.defaults
    heat_input = calc.step("HI_PJ_p", calc.monitored["FC_PJ_p"] * d["NCV_fuel"], "GJ")
    fuel_emissions = calc.step("FE_PJ_p", heat_input * d["EF_fuel"], "tCO2")
    ratio = calc.step("eta_ratio", calc.fixed["eta_PJ"] / d["eta_RE"], "1")
    re_p = calc.step("RE_p", fuel_emissions * ratio, "tCO2")
    electricity = calc.step("PE_elec_p", calc.monitored["EC_aux_p"] * d["EF_elec"], "tCO2")
    pe_p = calc.step("PE_p", fuel_emissions + electricity, "tCO2")
    return re_p, pe_p


BOILER = FamilySpec(
    key="boiler",
    title="Introduction of high-efficiency boiler(s)",
    modules=(__name__,),
    parameters=(
        Parameter(
            "FC_PJ_p",
            "t",
            MONITORED,
            "fuel consumed by the project boiler(s) in period p (mass)",
            between(0, 10_000_000),
        ),
        Parameter(
            "EC_aux_p",
            "MWh",
            MONITORED,
            "electricity consumed by the project boiler's auxiliaries in period p",
            between(0, 1_000_000),
        ),
        Parameter(
            "eta_PJ",
            "1",
            FIXED,
            "efficiency of the project boiler (fraction, net calorific basis)",
            between(0, 1, low_open=True),
        ),
        Parameter("NCV_fuel", "GJ/t", DEFAULT, "net calorific value of the fuel", between(0, 60)),
        Parameter("EF_fuel", "tCO2/GJ", DEFAULT, "CO2 emission factor of the fuel", between(0, 1)),
        Parameter(
            "eta_RE",
            "1",
            DEFAULT,
            "reference boiler efficiency (conservative: high)",
            between(0, 1, low_open=True),
        ),
        Parameter(
            "EF_elec",
            "tCO2/MWh",
            DEFAULT,
            "conservative emission factor of the electricity consumed",
            between(0, 2),
        ),
    ),
    equations=(
        Equation("HI", "HI_PJ,p = FC_PJ,p × NCV_fuel", INFERRED),
        Equation("FE", "FE_PJ,p = HI_PJ,p × EF_fuel", INFERRED),
        Equation("RE", "RE_p = FE_PJ,p × (η_PJ / η_RE)", INFERRED, "jcm_rules §3.5 [I]"),
        Equation("PE", "PE_p = FE_PJ,p + EC_aux,p × EF_elec", INFERRED, "jcm_rules §3.5 [I]"),
        ER_EQUATION,
    ),
    select_defaults=_defaults,
    compute=_compute,
)


def _efficiency_above_reference(facts: Facts) -> tuple[bool, str]:
    boiler_type, efficiency = facts.get("boiler_type"), facts.get("efficiency_rated")
    if not isinstance(efficiency, Decimal) or isinstance(efficiency, bool):
        return False, "fact 'efficiency_rated' (a Decimal fraction) is not declared"
    entry = BOILER_ETA_RE.entries.get((str(boiler_type),))
    if entry is None:
        return False, f"boiler_type = {boiler_type!r} has no reference efficiency"
    ok = efficiency > entry.value
    return ok, (
        f"efficiency_rated = {plain(efficiency)} {'>' if ok else 'is not above'} eta_RE = "
        f"{plain(entry.value)} for {boiler_type}"
    )


def build(
    id: str,
    version: str,
    *,
    id_status: IdStatus,
    reference: str,
    coal_hob: bool = False,
    approved: str | None = None,
    connections: tuple[str, ...] = CONNECTIONS,
    note: str = "",
) -> Methodology:
    country = id[:2]
    criteria: list[Criterion] = [host_country(country)]
    if coal_hob:
        criteria += [
            Criterion(
                "C1",
                "The project boiler is a coal-fired heat-only boiler (HOB) for a hot-water "
                "supply system.",
                equals("boiler_type", "coal_hob"),
                C_SEC,
            ),
            Criterion("C1a", "The boiler burns coal.", one_of("fuel", COAL), C_SEC),
            Criterion(
                "C2",
                "The capacity of the project boiler is 0.10 MW to 3.15 MW.",
                number_between("capacity_mw", Decimal("0.10"), Decimal("3.15"), unit="MW"),
                C_SEC,
            ),
            Criterion(
                "C3",
                "The project is a new installation, a replacement or a capacity expansion.",
                one_of("installation", ("new", "replacement", "expansion")),
                C_SEC,
            ),
            Criterion("C4", "A dust collector is installed.", is_true("dust_collector"), C_SEC),
            Criterion(
                "C5",
                "An operation and maintenance manual is prepared.",
                is_true("om_manual"),
                C_SEC,
            ),
        ]
    else:
        criteria += [
            Criterion(
                "C1",
                "The project boiler is a high-efficiency oil- or gas-fired boiler.",
                equals("boiler_type", "oil_gas_boiler"),
                INFERRED,
            ),
            Criterion(
                "C2",
                "The project boiler uses the same fuel as the boiler it replaces (no fuel switch).",
                equals("fuel_switch", False),
                INFERRED,
            ),
        ]
    criteria.append(
        Criterion(
            "C6",
            "The rated efficiency of the project boiler is above the reference efficiency.",
            _efficiency_above_reference,
            INFERRED,
        )
    )
    tables: dict[str, DefaultTable] = {
        "NCV": FUEL_NCV,
        "EF_fuel": FUEL_EF,
        "eta_RE": BOILER_ETA_RE,
        "EF_grid": GRID_EF,
    }
    if "captive_only" in connections:
        tables["EF_captive"] = CAPTIVE_EF
    return Methodology(
        id=id,
        version=version,
        title=(
            "Installation of Energy-saving Heat Only Boilers for Hot-Water Supply"
            if coal_hob
            else "Introduction of High Efficiency Once-through Boiler"
        ),
        host_country=country,
        sectoral_scope="3 Energy demand [I]",
        family=BOILER,
        criteria=tuple(criteria),
        tables=tables,
        id_status=id_status,
        reference=reference,
        approved=approved,
        note=note,
        connections=connections,
    )
