"""Family "small_hydro": small hydropower displacing grid (or captive) electricity.

Research: small hydro is a JCM technology (小水力発電, facts.md §4); the portfolio has 2–16
MW projects in Indonesia, the Philippines and Viet Nam. No methodology text was retrieved:
every equation here is [I]. The reservoir rule follows CDM practice (background knowledge):
no project emissions for run-of-river plants or a power density above 10 W/m2, 90 kgCO2e/MWh
for 4–10 W/m2, not eligible at or below 4 W/m2.

Equations (all [I])::

    PD      = P_hydro × 1000 / A_res                 (W/m2; only when A_res > 0)
    RE_p    = EG_p × EF_RE
    PE_p    = EG_p × EF_res   if 4 < PD ≤ 10;  0 if PD > 10 or run-of-river (A_res = 0)

Run-of-river variant, PH_AM001 v1.0 (approved 2020-02-02 [C:P20] in
``jcm_methodologies_confirmed.md``): run-of-river plants only, ``PE_p = 0`` [C:P20], no
reservoir and no power-density branch; ``RE_p = EG_p × EF_RE`` [I] (the pattern of the
renewable-power methodologies).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies.arithmetic import THOUSAND, ZERO, plain, q
from jcm.domain.methodologies.calculation import Calc
from jcm.domain.methodologies.common import ER_EQUATION, connection_criterion, electricity_ef
from jcm.domain.methodologies.defaults import DefaultTable, UsedDefault
from jcm.domain.methodologies.eligibility import (
    Criterion,
    equals,
    host_country,
    number_between,
    one_of,
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
from jcm.domain.methodologies.tables import CAPTIVE_EF, GRID_EF, PD_THRESHOLDS, RESERVOIR

INFERRED = Confirmation.INFERRED
FIXED = ParameterKind.FIXED_EX_ANTE
DEFAULT = ParameterKind.DEFAULT


def _defaults(m: Methodology, facts: Facts, fixed: Mapping[str, Decimal]) -> dict[str, UsedDefault]:
    used = {"EF_RE": electricity_ef(m, facts)}
    if fixed["A_res"] > 0:
        thresholds = m.table("PD", "PD_min")
        used["EF_res"] = m.table("EF_res", "EF_res").lookup("EF_res", ("EF_res",))
        used["PD_min"] = thresholds.lookup("PD_min", ("PD_min",))
        used["PD_no_emissions"] = thresholds.lookup("PD_no_emissions", ("PD_no_emissions",))
        density = q(fixed["P_hydro"] * THOUSAND / fixed["A_res"])
        if density <= used["PD_min"].value:
            raise InvalidInput(
                "M2_OUT_OF_RANGE",
                f"Parameter A_res = {plain(fixed['A_res'])} m2 gives a power density of "
                f"{plain(density)} W/m2 (P_hydro × 1000 / A_res), at or below the minimum "
                f"{plain(used['PD_min'].value)} W/m2; such a reservoir is not eligible.",
                parameter="A_res",
                value=plain(fixed["A_res"]),
                unit="m2",
                allowed=f"power density > {plain(used['PD_min'].value)} W/m2",
            )
    return used


def _compute(calc: Calc) -> tuple[Decimal, Decimal]:
    generated = calc.monitored["EG_p"]
    capacity, area = calc.fixed["P_hydro"], calc.fixed["A_res"]
    if calc.hours is not None:
        calc.at_most(
            "EG_p",
            generated,
            capacity * calc.hours / THOUSAND,
            "MWh",
            "the rated capacity P_hydro can generate in the period (P_hydro × hours / 1000)",
        )
    re_p = calc.step("RE_p", generated * calc.defaults["EF_RE"], "tCO2")
    if area > 0:
        density = calc.step("PD", capacity * THOUSAND / area, "W/m2")
        if density <= calc.defaults["PD_no_emissions"]:
            return re_p, calc.step("PE_p", generated * calc.defaults["EF_res"], "tCO2")
    return re_p, calc.step("PE_p", ZERO, "tCO2")


SMALL_HYDRO = FamilySpec(
    key="small_hydro",
    title="Installation of small hydropower plant(s)",
    modules=(__name__,),
    parameters=(
        Parameter(
            "EG_p",
            "MWh",
            ParameterKind.MONITORED,
            "net electricity supplied by the hydropower plant in period p",
            between(0, 10_000_000),
        ),
        Parameter(
            "P_hydro",
            "kW",
            FIXED,
            "installed capacity of the hydropower plant",
            between(0, 1_000_000, low_open=True),
        ),
        Parameter(
            "A_res",
            "m2",
            FIXED,
            "area of the reservoir at full level (0 for a run-of-river plant)",
            between(0, 10_000_000_000),
        ),
        Parameter(
            "EF_RE",
            "tCO2/MWh",
            DEFAULT,
            "conservative emission factor of the electricity displaced",
            between(0, 2),
        ),
        Parameter("EF_res", "tCO2/MWh", DEFAULT, "reservoir emission factor", between(0, 1)),
        Parameter("PD_min", "W/m2", DEFAULT, "minimum eligible power density", between(0, 100)),
        Parameter(
            "PD_no_emissions",
            "W/m2",
            DEFAULT,
            "power density above which reservoir emissions are 0",
            between(0, 100),
        ),
    ),
    equations=(
        Equation("PD", "PD = P_hydro × 1000 / A_res (when A_res > 0)", INFERRED),
        Equation("RE", "RE_p = EG_p × EF_RE", INFERRED),
        Equation(
            "PE",
            "PE_p = EG_p × EF_res if PD_min < PD ≤ PD_no_emissions, else 0",
            INFERRED,
            "CDM practice (background knowledge)",
        ),
        ER_EQUATION,
    ),
    select_defaults=_defaults,
    compute=_compute,
)


# -- run-of-river only (PH_AM001) ------------------------------------------------------------


def _defaults_run_of_river(
    m: Methodology, facts: Facts, fixed: Mapping[str, Decimal]
) -> dict[str, UsedDefault]:
    return {"EF_RE": electricity_ef(m, facts)}


def _compute_run_of_river(calc: Calc) -> tuple[Decimal, Decimal]:
    generated = calc.monitored["EG_p"]
    if calc.hours is not None:
        calc.at_most(
            "EG_p",
            generated,
            calc.fixed["P_hydro"] * calc.hours / THOUSAND,
            "MWh",
            "the rated capacity P_hydro can generate in the period (P_hydro × hours / 1000)",
        )
    re_p = calc.step("RE_p", generated * calc.defaults["EF_RE"], "tCO2")
    return re_p, calc.step("PE_p", ZERO, "tCO2")


SMALL_HYDRO_RUN_OF_RIVER = FamilySpec(
    key="small_hydro_run_of_river",
    title="Electricity generation by run-of-river hydropower plant(s)",
    modules=(__name__,),
    parameters=tuple(p for p in SMALL_HYDRO.parameters if p.name in ("EG_p", "P_hydro", "EF_RE")),
    equations=(
        Equation("RE", "RE_p = EG_p × EF_RE", INFERRED, "the pattern of renewable power [I]"),
        Equation("PE", "PE_p = 0", Confirmation.CONFIRMED, "PH_AM001: run-of-river [C:P20]"),
        ER_EQUATION,
    ),
    select_defaults=_defaults_run_of_river,
    compute=_compute_run_of_river,
)


def build(
    id: str,
    version: str,
    *,
    id_status: IdStatus,
    reference: str,
    approved: str | None = None,
    connections: tuple[str, ...] = CONNECTIONS,
    run_of_river_only: bool = False,
    note: str = "",
) -> Methodology:
    """``run_of_river_only``: no reservoir, PE = 0 (PH_AM001)."""
    country = id[:2]
    criteria = (
        host_country(country),
        Criterion(
            "C1",
            "The project installs hydropower plant(s).",
            equals("technology", "hydro"),
            INFERRED,
        ),
        connection_criterion(connections, "displaces"),
        Criterion(
            "C3",
            "The installed capacity is at most 30 MW (threshold [I]: not in the research).",
            number_between("capacity_mw", Decimal(0), Decimal(30), low_open=True, unit="MW"),
            INFERRED,
        ),
        Criterion(
            "C4",
            "The plant is run-of-river (no reservoir).",
            one_of("scheme", ("run_of_river",)),
            Confirmation.CONFIRMED,  # PH_AM001 [C:P20]
        )
        if run_of_river_only
        else Criterion(
            "C4",
            "The plant is run-of-river or has a reservoir (power density checked in the "
            "calculation).",
            one_of("scheme", ("run_of_river", "reservoir")),
            INFERRED,
        ),
    )
    tables: dict[str, DefaultTable] = {"EF_grid": GRID_EF}
    if not run_of_river_only:
        tables.update(EF_res=RESERVOIR, PD=PD_THRESHOLDS)
    if "captive_only" in connections:
        tables["EF_captive"] = CAPTIVE_EF
    return Methodology(
        id=id,
        version=version,
        title="Installation of Small Hydropower Plant",
        host_country=country,
        sectoral_scope="1 Energy industries (renewable sources) [I]",
        family=SMALL_HYDRO_RUN_OF_RIVER if run_of_river_only else SMALL_HYDRO,
        criteria=criteria,
        tables=tables,
        id_status=id_status,
        reference=reference,
        approved=approved,
        note=note,
        connections=connections,
    )
