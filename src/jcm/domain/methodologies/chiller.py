"""Family "chiller" (and "air_conditioner"): high-efficiency chillers and air conditioners.

Research (jcm_rules §3.3): TH_AM005 Ver3.0, non-inverter centrifugal chiller, approved 11 Oct
2023 [C:M7]: RE = project chiller power consumption × ratio of COPs (project/reference) × EF;
PE = project power consumption × EF; monitored: power consumption of the project chiller.
ID_AM004 Ver2.0, inverter air conditioners for grocery stores, approved 10 Nov 2015 [C:M9]:
the same COP-ratio structure. CR_AM002, high-efficiency centrifugal chiller (Costa Rica,
approved with revisions 12 Mar 2018) [C:S8]. The Indonesian original is ID_AM002 [I]. The
eligibility of the Indonesian chiller *proposal* [C-sec:M16]: centrifugal compressor, COP >
6.0, checks ≥ 4 times a year, refrigerant ODP = 0, refrigerant recovery plan.

Equations::

    COP_PJ,tc = COP_PJ × (T_cw,out − T_chw,out + TD_cw + TD_chw)
                       / (T_cw,out,std − T_chw,out,std + TD_cw + TD_chw)     [I]
    RE_p = EC_PJ,p × (COP_PJ,tc / COP_RE) × EF_elec                          [C:M7] (ratio form)
    PE_p = EC_PJ,p × EF_elec                                                 [C:M7]

Air conditioners (ID_AM004) use the rated COP without the temperature correction [I].
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies.arithmetic import plain
from jcm.domain.methodologies.calculation import Calc
from jcm.domain.methodologies.common import ER_EQUATION, connection_criterion, electricity_ef
from jcm.domain.methodologies.defaults import DefaultTable, UsedDefault
from jcm.domain.methodologies.eligibility import (
    Check,
    Criterion,
    equals,
    host_country,
    is_true,
    number_between,
)
from jcm.domain.methodologies.engine import FamilySpec, Methodology
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
    AC_BANDS,
    CAPTIVE_EF,
    CHILLER_BANDS,
    CHILLER_STANDARD,
    CHILLER_TD,
    COP_RE_AC,
    COP_RE_CHILLER,
    GRID_EF,
    band_of,
)

C = Confirmation.CONFIRMED
C_SEC = Confirmation.CONFIRMED_SECONDARY
INFERRED = Confirmation.INFERRED
MONITORED = ParameterKind.MONITORED
FIXED = ParameterKind.FIXED_EX_ANTE
DEFAULT = ParameterKind.DEFAULT

EC_PJ = Parameter(
    "EC_PJ_p",
    "MWh",
    MONITORED,
    "electricity consumed by the project chiller(s) / air conditioner(s) in period p",
    between(0, 1_000_000),
    C,
)
COP_PJ = Parameter(
    "COP_PJ",
    "1",
    FIXED,
    "rated COP of the project equipment at its rated conditions (manufacturer specification)",
    between(0, 15, low_open=True),
    INFERRED,
)
Q_PJ = Parameter(
    "Q_PJ",
    "USRt",
    FIXED,
    "rated cooling capacity of the project equipment; selects the COP_RE band",
    between(0, 10_000, low_open=True),
    INFERRED,
)
COP_RE = Parameter(
    "COP_RE", "1", DEFAULT, "reference COP of the capacity band", between(0, 15, low_open=True)
)
EF_ELEC = Parameter(
    "EF_elec",
    "tCO2/MWh",
    DEFAULT,
    "conservative emission factor of the electricity saved",
    between(0, 2),
    C,
)


def _defaults(m: Methodology, facts: Facts, fixed: Mapping[str, Decimal]) -> dict[str, UsedDefault]:
    band = band_of(CHILLER_BANDS, fixed["Q_PJ"])
    used = {
        "COP_RE": m.table("COP_RE", "COP_RE").lookup("COP_RE", (band,)),
        "EF_elec": electricity_ef(m, facts, "EF_elec"),
    }
    standard = m.table("standard_conditions", "T_cw_out_std")
    differences = m.table("temperature_differences", "TD_cw")
    for name in ("T_cw_out_std", "T_chw_out_std"):
        used[name] = standard.lookup(name, (name,))
    for name in ("TD_cw", "TD_chw"):
        used[name] = differences.lookup(name, (name,))
    if fixed["T_cw_out"] <= fixed["T_chw_out"]:
        raise InvalidInput(
            "M2_OUT_OF_RANGE",
            f"Parameter T_chw_out = {plain(fixed['T_chw_out'])} degC must be below T_cw_out "
            f"= {plain(fixed['T_cw_out'])} degC: the chiller lifts heat from the chilled water "
            "to the cooling water.",
            parameter="T_chw_out",
            value=plain(fixed["T_chw_out"]),
            unit="degC",
            allowed=f"(-inf, {plain(fixed['T_cw_out'])})",
        )
    return used


def _compute(calc: Calc) -> tuple[Decimal, Decimal]:
    d = calc.defaults
    ec = calc.monitored["EC_PJ_p"]
    f = calc.fixed
    lift_pj = calc.step("dT_PJ", f["T_cw_out"] - f["T_chw_out"] + d["TD_cw"] + d["TD_chw"], "K")
    lift_std = calc.step(
        "dT_std", d["T_cw_out_std"] - d["T_chw_out_std"] + d["TD_cw"] + d["TD_chw"], "K"
    )
    cop_tc = calc.step("COP_PJ_tc", f["COP_PJ"] * lift_pj / lift_std, "1")
    ratio = calc.step("COP_ratio", cop_tc / d["COP_RE"], "1")
    consumed = calc.step("EC_PJ_x_EF", ec * d["EF_elec"], "tCO2")
    re_p = calc.step("RE_p", consumed * ratio, "tCO2")
    pe_p = calc.step("PE_p", consumed, "tCO2")
    return re_p, pe_p


def _temperature(name: str, text: str, low: int, high: int) -> Parameter:
    return Parameter(name, "degC", FIXED, text, between(low, high), INFERRED)


def _default_temperature(name: str, unit: str, text: str) -> Parameter:
    return Parameter(name, unit, DEFAULT, text, between(-50, 100), INFERRED)


CHILLER = FamilySpec(
    key="chiller",
    title="Energy saving by introduction of high-efficiency chiller(s)",
    modules=(__name__,),
    parameters=(
        EC_PJ,
        COP_PJ,
        Q_PJ,
        _temperature("T_cw_out", "outlet cooling-water temperature at the rated COP", 20, 45),
        _temperature("T_chw_out", "outlet chilled-water temperature at the rated COP", 0, 20),
        COP_RE,
        _default_temperature("T_cw_out_std", "degC", "standard outlet cooling-water temperature"),
        _default_temperature("T_chw_out_std", "degC", "standard outlet chilled-water temperature"),
        _default_temperature("TD_cw", "K", "approach temperature difference, cooling water"),
        _default_temperature("TD_chw", "K", "approach temperature difference, chilled water"),
        EF_ELEC,
    ),
    equations=(
        Equation(
            "COP_PJ_tc",
            "COP_PJ,tc = COP_PJ × (T_cw,out − T_chw,out + TD_cw + TD_chw) / "
            "(T_cw,out,std − T_chw,out,std + TD_cw + TD_chw)",
            INFERRED,
            "temperature correction to standard conditions (jcm_rules §3.3 [I])",
        ),
        Equation(
            "RE",
            "RE_p = EC_PJ,p × EF_elec × (COP_PJ,tc / COP_RE)",
            C,
            "COP-ratio structure of TH_AM005 [C:M7]",
        ),
        Equation("PE", "PE_p = EC_PJ,p × EF_elec", C, "TH_AM005 [C:M7]"),
        ER_EQUATION,
    ),
    select_defaults=_defaults,
    compute=_compute,
)


def _defaults_ac(
    m: Methodology, facts: Facts, fixed: Mapping[str, Decimal]
) -> dict[str, UsedDefault]:
    band = band_of(AC_BANDS, fixed["Q_PJ"])
    return {
        "COP_RE": m.table("COP_RE", "COP_RE").lookup("COP_RE", (band,)),
        "EF_elec": electricity_ef(m, facts, "EF_elec"),
    }


def _compute_ac(calc: Calc) -> tuple[Decimal, Decimal]:
    d = calc.defaults
    ratio = calc.step("COP_ratio", calc.fixed["COP_PJ"] / d["COP_RE"], "1")
    consumed = calc.step("EC_PJ_x_EF", calc.monitored["EC_PJ_p"] * d["EF_elec"], "tCO2")
    re_p = calc.step("RE_p", consumed * ratio, "tCO2")
    pe_p = calc.step("PE_p", consumed, "tCO2")
    return re_p, pe_p


AIR_CONDITIONER = FamilySpec(
    key="air_conditioner",
    title="Energy saving by introduction of high-efficiency (inverter) air conditioners",
    modules=(__name__,),
    parameters=(EC_PJ, COP_PJ, Q_PJ, COP_RE, EF_ELEC),
    equations=(
        Equation(
            "RE",
            "RE_p = EC_PJ,p × EF_elec × (COP_PJ / COP_RE)",
            C,
            "ID_AM004 has the COP-ratio structure [C:M9]; no temperature correction is [I]",
        ),
        Equation("PE", "PE_p = EC_PJ,p × EF_elec", C, "[C:M9]"),
        ER_EQUATION,
    ),
    select_defaults=_defaults_ac,
    compute=_compute_ac,
)


def cop_above_reference(
    table: DefaultTable, bands: tuple[tuple[str, Decimal, Decimal | None], ...]
) -> Check:
    """The declared rated COP is above the reference COP of the declared capacity's band."""

    def check(facts: Facts) -> tuple[bool, str]:
        cop, capacity = facts.get("cop_rated"), facts.get("capacity_usrt")
        if not isinstance(cop, Decimal | int) or isinstance(cop, bool):
            return False, "fact 'cop_rated' (a Decimal) is not declared"
        if not isinstance(capacity, Decimal | int) or isinstance(capacity, bool):
            return False, "fact 'capacity_usrt' (a Decimal) is not declared"
        band = band_of(bands, Decimal(capacity))
        entry = table.entries.get((band,))
        if entry is None:
            return False, f"capacity_usrt = {capacity} has no reference COP band"
        ok = Decimal(cop) > entry.value
        return ok, (
            f"cop_rated = {plain(Decimal(cop))} {'>' if ok else 'is not above'} COP_RE = "
            f"{plain(entry.value)} of band {band} USRt ({table.id} v{table.version})"
        )

    return check


def build(
    id: str,
    version: str,
    *,
    id_status: IdStatus,
    reference: str,
    approved: str | None = None,
    air_conditioner: bool = False,
    non_inverter: bool = False,
    facility: str | None = None,
    connections: tuple[str, ...] = CONNECTIONS,
    note: str = "",
) -> Methodology:
    country = id[:2]
    criteria: list[Criterion] = [host_country(country)]
    if air_conditioner:
        criteria.append(
            Criterion(
                "C1",
                "The project equipment is inverter-type air conditioner(s).",
                equals("equipment", "inverter_air_conditioner"),
                C,
            )
        )
        if facility is not None:
            criteria.append(
                Criterion(
                    "C1a",
                    f"The air conditioners are installed in a {facility.replace('_', ' ')}.",
                    equals("facility", facility),
                    C,
                )
            )
    else:
        criteria += [
            Criterion(
                "C1",
                "The project chiller is a centrifugal water chiller with a centrifugal compressor.",
                equals("equipment", "centrifugal_chiller"),
                C_SEC,
            ),
            Criterion(
                "C3",
                "The COP of the project chiller at the rated conditions is higher than 6.0.",
                number_between("cop_rated", Decimal(6), None, low_open=True),
                C_SEC,
            ),
            Criterion(
                "C4",
                "The manufacturer or its authorised agent checks the chiller at least 4 "
                "times a year.",
                number_between("maintenance_checks_per_year", Decimal(4), None),
                C_SEC,
            ),
            Criterion(
                "C6",
                "A plan for the recovery and destruction of the refrigerant at disposal is "
                "prepared.",
                is_true("refrigerant_recovery_plan"),
                C_SEC,
            ),
        ]
        if non_inverter:
            criteria.append(
                Criterion(
                    "C1a",
                    "The project chiller is a non-inverter type.",
                    equals("inverter", False),
                    C,
                )
            )
    criteria += [
        connection_criterion(connections, "saves"),
        Criterion(
            "C5",
            "The ozone depletion potential (ODP) of the refrigerant is zero.",
            number_between("refrigerant_odp", Decimal(0), Decimal(0)),
            INFERRED if air_conditioner else C_SEC,
        ),
        Criterion(
            "C7",
            "The rated COP is above the reference COP of its cooling-capacity band.",
            cop_above_reference(
                COP_RE_AC if air_conditioner else COP_RE_CHILLER,
                AC_BANDS if air_conditioner else CHILLER_BANDS,
            ),
            INFERRED,
        ),
    ]
    tables: dict[str, DefaultTable] = {
        "EF_grid": GRID_EF,
        "COP_RE": COP_RE_AC if air_conditioner else COP_RE_CHILLER,
    }
    if not air_conditioner:
        tables["standard_conditions"] = CHILLER_STANDARD
        tables["temperature_differences"] = CHILLER_TD
    if "captive_only" in connections:
        tables["EF_captive"] = CAPTIVE_EF
    return Methodology(
        id=id,
        version=version,
        title=(
            "Energy Saving by Introduction of High Efficiency Inverter Type Air Conditioning"
            if air_conditioner
            else "Energy Saving by Introduction of High Efficiency Centrifugal Chiller"
        ),
        host_country=country,
        sectoral_scope="3 Energy demand [I]",
        family=AIR_CONDITIONER if air_conditioner else CHILLER,
        criteria=tuple(sorted(criteria, key=lambda c: c.id)),
        tables=tables,
        id_status=id_status,
        reference=reference,
        approved=approved,
        note=note,
        connections=connections,
    )
