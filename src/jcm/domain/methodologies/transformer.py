"""Family "transformer": amorphous-core distribution transformers, by no-load loss.

Research (jcm_rules §3.5): Viet Nam / Lao, e.g. VN_AM002 [I: id]; not retrieved. Expected form
[I]: the reference no-load loss (NLL) is a default from the national standard's maximum for
the capacity class, the project NLL comes from the factory test certificate, t is the hours
the transformers are energised, and load losses are conservatively ignored. The seed facts
say the Vietnamese amorphous transformers cut no-load loss 「従来機器比1/3減」 (ambiguous: by
a third or to a third) and became EVN's standard specification [facts.md §5].

Equations (all [I])::

    E_RE,p = N × NLL_RE × t_p / 1000              (MWh; NLL in kW, t in h)
    E_PJ,p = N × NLL_PJ × t_p / 1000
    RE_p   = E_RE,p × EF_elec
    PE_p   = E_PJ,p × EF_elec
    (so ER_p = N × (NLL_RE − NLL_PJ) × t_p × EF_elec / 1000)

One calculation covers one group of identical transformers (same rated capacity and
certificate); a project with several groups runs one calculation per group.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from jcm.domain.methodologies.arithmetic import THOUSAND, plain
from jcm.domain.methodologies.calculation import Calc
from jcm.domain.methodologies.common import ER_EQUATION, electricity_ef
from jcm.domain.methodologies.defaults import DefaultTable, UsedDefault
from jcm.domain.methodologies.eligibility import Criterion, equals, host_country, is_true
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
from jcm.domain.methodologies.tables import CAPTIVE_EF, GRID_EF, TRANSFORMER_NLL_RE

INFERRED = Confirmation.INFERRED
FIXED = ParameterKind.FIXED_EX_ANTE
DEFAULT = ParameterKind.DEFAULT


def _defaults(m: Methodology, facts: Facts, fixed: Mapping[str, Decimal]) -> dict[str, UsedDefault]:
    return {
        "NLL_RE": m.table("NLL_RE", "NLL_RE").lookup("NLL_RE", (plain(fixed["S_rated"]),)),
        "EF_elec": electricity_ef(m, facts, "EF_elec"),
    }


def _compute(calc: Calc) -> tuple[Decimal, Decimal]:
    hours = calc.monitored["t_p"]
    if calc.hours is not None:
        calc.at_most("t_p", hours, calc.hours, "h", "hours in the monitoring period")
    d, units = calc.defaults, calc.fixed["N_units"]
    e_re = calc.step("E_RE_p", units * d["NLL_RE"] * hours / THOUSAND, "MWh")
    e_pj = calc.step("E_PJ_p", units * calc.fixed["NLL_PJ"] * hours / THOUSAND, "MWh")
    re_p = calc.step("RE_p", e_re * d["EF_elec"], "tCO2")
    pe_p = calc.step("PE_p", e_pj * d["EF_elec"], "tCO2")
    return re_p, pe_p


TRANSFORMER = FamilySpec(
    key="transformer",
    title="Introduction of amorphous high-efficiency transformers",
    modules=(__name__,),
    parameters=(
        Parameter(
            "t_p",
            "h",
            ParameterKind.MONITORED,
            "hours the project transformers were energised in period p",
            between(0, 8784),
        ),
        Parameter(
            "N_units",
            "1",
            FIXED,
            "number of project transformers in the group",
            between(1, 1_000_000, integral=True),
        ),
        Parameter(
            "S_rated",
            "kVA",
            FIXED,
            "rated capacity of each transformer in the group; selects NLL_RE",
            between(0, 100_000, low_open=True),
        ),
        Parameter(
            "NLL_PJ",
            "kW",
            FIXED,
            "no-load loss of each project transformer (factory test certificate)",
            between(0, 100),
        ),
        Parameter(
            "NLL_RE", "kW", DEFAULT, "reference no-load loss of the capacity class", between(0, 100)
        ),
        Parameter(
            "EF_elec",
            "tCO2/MWh",
            DEFAULT,
            "conservative emission factor of the electricity saved",
            between(0, 2),
        ),
    ),
    equations=(
        Equation("E_RE", "E_RE,p = N × NLL_RE × t_p / 1000", INFERRED, "jcm_rules §3.5 [I]"),
        Equation("E_PJ", "E_PJ,p = N × NLL_PJ × t_p / 1000", INFERRED, "jcm_rules §3.5 [I]"),
        Equation("RE", "RE_p = E_RE,p × EF_elec", INFERRED),
        Equation("PE", "PE_p = E_PJ,p × EF_elec", INFERRED),
        ER_EQUATION,
    ),
    select_defaults=_defaults,
    compute=_compute,
)


def _loss_below_reference(facts: Facts) -> tuple[bool, str]:
    rated, loss = facts.get("rated_kva"), facts.get("no_load_loss_kw")
    if not isinstance(loss, Decimal) or not isinstance(rated, Decimal | int):
        return False, "facts 'rated_kva' and 'no_load_loss_kw' (Decimals) are not declared"
    entry = TRANSFORMER_NLL_RE.entries.get((plain(Decimal(rated)),))
    if entry is None:
        return False, f"rated_kva = {rated} is not a capacity class of {TRANSFORMER_NLL_RE.id}"
    ok = loss < entry.value
    return ok, (
        f"no_load_loss_kw = {plain(loss)} {'<' if ok else 'is not below'} NLL_RE = "
        f"{plain(entry.value)} kW for {rated} kVA"
    )


def build(
    id: str,
    version: str,
    *,
    id_status: IdStatus,
    reference: str,
    approved: str | None = None,
    connections: tuple[str, ...] = CONNECTIONS,
    note: str = "",
) -> Methodology:
    country = id[:2]
    criteria = (
        host_country(country),
        Criterion(
            "C1",
            "The project transformers are distribution transformers with an amorphous metal core.",
            equals("core", "amorphous"),
            INFERRED,
        ),
        Criterion(
            "C2",
            "The no-load loss of each project transformer is shown by a factory test certificate.",
            is_true("factory_test_certificate"),
            INFERRED,
        ),
        Criterion(
            "C3",
            "The no-load loss is below the reference no-load loss of its capacity class.",
            _loss_below_reference,
            INFERRED,
        ),
    )
    tables: dict[str, DefaultTable] = {"EF_grid": GRID_EF, "NLL_RE": TRANSFORMER_NLL_RE}
    if "captive_only" in connections:
        tables["EF_captive"] = CAPTIVE_EF
    return Methodology(
        id=id,
        version=version,
        title="Introduction of Amorphous High Efficiency Transformers in Power Grid",
        host_country=country,
        sectoral_scope="2 Energy distribution [I]",
        family=TRANSFORMER,
        criteria=criteria,
        tables=tables,
        id_status=id_status,
        reference=reference,
        approved=approved,
        note=note,
        connections=connections,
    )
