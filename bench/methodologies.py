"""Benchmark of the methodology engine: ``.venv/bin/python -m bench.methodologies``.

Computes the emission reductions of the whole MOEJ-funded JCM portfolio
(``/work/shared/data/jcm_funded_projects.csv``, 252 projects) for 10 years of monthly
monitoring periods (120 per project), with a full calculation record (canonical JSON and
SHA-256 digest) for every period, and reports the wall time (median of 5 runs).

The CSV gives only a technology category and, for about half of the projects, a capacity in
MW. Everything else is *derived* here, deterministically, as a plausible workload — these
are not estimates of any real project's reductions (many defaults are placeholders too):

* **Family.** By ``technology_category``: solar_pv → PV; solar_pv_storage → PV + storage;
  chiller_refrigeration → chiller; air_conditioning → air conditioner where the country has
  an AC methodology (Indonesia, ID_AM004), else the country's chiller methodology (proxy);
  led_lighting → LED; boiler → boiler; transformer → transformer; waste_heat_recovery →
  waste-heat power; hydro → small hydro. Grid-connected power generation with a stated
  capacity and no family of its own (wind, geothermal, biomass, biogas, methane recovery,
  waste-to-energy, and the "Gas cogeneration and 22 MW solar PV" item, whose capacity is
  the PV part) is computed with the country's PV methodology as a *proxy* (the same
  RE = EG × EF, PE = 0 structure) and counted as such. Everything else is skipped and
  counted per category. The methodology is the latest version of that family for the
  project's country in the registry (``REGISTRY.find``).
* **Facts.** connection = grid; grid = "jamali" (Java-Madura-Bali, Case 1) in Indonesia,
  "national" elsewhere.
* **PV** (and PV proxies with no capacity factor): P_PV = capacity (1 MW when missing; for
  the storage-only Chilean item, storage MWh ÷ 4 h). Monthly kWh = P_PV × specific yield
  (kWh/kWp/yr, per country, below) ÷ 12 × a seasonal factor (12 factors summing to 12) ×
  (1 − 0.5 % × year), rounded to whole kWh. KH_AM002 splits it 90 % grid days / 10 %
  diesel-only days; VN_AM007 meters it as 70 % consumed on site / 30 % sold.
* **PV + storage:** as PV; 20 % of the generation is charged, 90 % of that discharged.
* **Proxies:** monthly kWh = P × hours of the month × capacity factor (wind 0.35,
  geothermal 0.85, biomass 0.70, biogas 0.70, methane recovery 0.80, waste-to-energy 0.70).
* **Chiller:** Q_PJ = 500 USRt per chiller, two chillers, rated COP 6.5 at 37 °C / 7 °C
  (the standard conditions), 4,000 equivalent full-load hours a year: about 2,160 MWh/yr,
  i.e. 180,000 kWh a month × the seasonal factor.
* **Air conditioner (ID_AM004):** 100 units of 10 USRt, rated COP 4.2, 40,000 kWh a month
  × the seasonal factor.
* **LED:** η_PJ = 130 lm/W; downlights (ID_AM020), street lights (KH_AM001: 5,140 lights ×
  100 W × 12 h a day ≈ 187,600 kWh a month), tubes elsewhere (30,000 kWh a month).
* **Boiler:** Mongolia (MN_AM002): a 1 MW coal HOB, η_PJ 0.83, 73 t of bituminous coal and
  2 MWh of auxiliary power a month; elsewhere a 5 t/h once-through gas boiler, η_PJ 0.95,
  6,000 h/yr: about 153 t of natural gas and 5 MWh a month.
* **Transformer:** 1,000 transformers of 250 kVA, NLL_PJ 0.16 kW, energised all hours.
* **Waste-heat power:** P = capacity (2 MW when missing), gross = P × hours × 0.80,
  auxiliaries 8 % of gross.
* **Small hydro:** run-of-river (PH_AM001 has no reservoir parameter), P = capacity (2 MW
  when missing), monthly kWh = P × hours × 0.50 × the seasonal factor.

Timing covers reading the CSV, deriving the inputs and computing every record; the input
derivation is part of the workload (it stands for reading the meters).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from jcm.domain.methodologies import REGISTRY, Methodology, Quantity, monthly_periods
from jcm.domain.registry.issuance import MonitoringPeriod

PORTFOLIO = Path(__file__).resolve().parents[2] / "shared" / "data" / "jcm_funded_projects.csv"
YEARS = 10
FIRST_MONTH = date(2025, 1, 1)
RUNS = 5

# Specific PV yield, kWh per kWp per year (assumptions by irradiation zone).
PV_YIELD = {
    "BD": 1250, "CL": 2000, "CR": 1350, "ID": 1300, "KE": 1600, "KH": 1400,
    "LA": 1300, "LK": 1350, "MM": 1400, "MN": 1400, "MV": 1450, "MX": 1700,
    "PH": 1300, "PW": 1350, "SA": 1900, "TH": 1350, "TN": 1600, "VN": 1250,
}  # fmt: skip
# Seasonal factors, January to December (they sum to 12).
SEASON = [
    Decimal(s)
    for s in (
        "0.92", "0.95", "1.02", "1.06", "1.08", "1.05",
        "1.04", "1.05", "1.03", "0.98", "0.91", "0.91",
    )
]  # fmt: skip
PROXY_CAPACITY_FACTOR = {
    "wind": Decimal("0.35"),
    "geothermal": Decimal("0.85"),
    "biomass": Decimal("0.70"),
    "biogas": Decimal("0.70"),
    "methane_recovery": Decimal("0.80"),
    "waste_to_energy": Decimal("0.70"),
}
FAMILIES = {
    "solar_pv": ("pv", {"solar_pv", "solar_pv_day_category", "solar_pv_consumed_sold"}),
    "solar_pv_storage": ("pv_storage", {"solar_pv_storage"}),
    "chiller_refrigeration": ("chiller", {"chiller"}),
    "air_conditioning": ("ac", {"air_conditioner"}),
    "led_lighting": ("led", {"led_lighting"}),
    "boiler": ("boiler", {"boiler"}),
    "transformer": ("transformer", {"transformer"}),
    "waste_heat_recovery": ("whr", {"waste_heat_power"}),
    "hydro": ("hydro", {"small_hydro", "small_hydro_run_of_river"}),
}
PV_FAMILIES = {"solar_pv", "solar_pv_day_category", "solar_pv_consumed_sold"}
ONE_KWH = Decimal(1)
THOUSAND = Decimal(1000)


def kwh(value: Decimal) -> Quantity:
    return Quantity(value.quantize(ONE_KWH, rounding=ROUND_HALF_EVEN), "kWh")


def mwh(value: Decimal) -> Quantity:
    return Quantity(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN), "MWh")


def hours(period: MonitoringPeriod) -> Decimal:
    return Decimal(((period.end - period.start).days + 1) * 24)


@dataclass(frozen=True)
class Plan:
    """One project's methodology, facts, fixed values and monthly monitored values."""

    project: str
    category: str
    role: str
    proxy: bool
    methodology: Methodology
    facts: dict[str, Any]
    fixed: dict[str, Quantity]
    monitored: Callable[[int, MonitoringPeriod], dict[str, Quantity]]


def _pv_monitored(
    methodology: Methodology, capacity_kw: Decimal, country: str
) -> Callable[[int, MonitoringPeriod], dict[str, Quantity]]:
    monthly = capacity_kw * Decimal(PV_YIELD[country]) / 12

    def values(index: int, period: MonitoringPeriod) -> dict[str, Quantity]:
        generated = monthly * SEASON[index % 12] * (1 - Decimal("0.005") * (index // 12))
        if methodology.family.key == "solar_pv_day_category":
            return {
                "EG_grid_p": kwh(generated * Decimal("0.9")),
                "EG_offgrid_p": kwh(generated * Decimal("0.1")),
            }
        if methodology.family.key == "solar_pv_consumed_sold":
            consumed = kwh(generated * Decimal("0.7"))
            return {"EC_PV_p": consumed, "ES_PV_p": kwh(generated - consumed.value)}
        return {"EG_p": kwh(generated)}

    return values


Monitored = Callable[[int, MonitoringPeriod], dict[str, Quantity]]


@dataclass
class Inputs:
    """What a family's input maker reads about one project, and the facts it may add to."""

    methodology: Methodology
    role: str
    category: str
    country: str
    capacity: Decimal | None
    storage: Decimal | None
    facts: dict[str, Any]


def _pv_inputs(i: Inputs) -> tuple[dict[str, Quantity], Monitored]:
    capacity = i.capacity
    if capacity is None:
        capacity = i.storage / 4 if i.storage is not None else Decimal(1)
    pv = _pv_monitored(i.methodology, capacity * THOUSAND, i.country)
    fixed = {"P_PV": Quantity(capacity, "MW")}
    if i.methodology.family.key != "solar_pv_storage":
        return fixed, pv

    def monitored(index: int, period: MonitoringPeriod) -> dict[str, Quantity]:
        generated = pv(index, period)["EG_p"].value
        charged = generated * Decimal("0.2")
        return {
            "EG_PV_p": kwh(generated),
            "E_charge_p": kwh(charged),
            "E_discharge_p": kwh(charged * Decimal("0.9")),
        }

    return fixed, monitored


def _proxy_inputs(i: Inputs) -> tuple[dict[str, Quantity], Monitored]:
    capacity = i.capacity
    assert capacity is not None
    factor = PROXY_CAPACITY_FACTOR[i.category]
    family = i.methodology.family.key

    def monitored(index: int, period: MonitoringPeriod) -> dict[str, Quantity]:
        generated = kwh(capacity * THOUSAND * hours(period) * factor)
        if family == "solar_pv_consumed_sold":  # VN_AM007 meters consumed and sold
            consumed = kwh(generated.value * Decimal("0.7"))
            return {"EC_PV_p": consumed, "ES_PV_p": kwh(generated.value - consumed.value)}
        return {"EG_p": generated}

    return {"P_PV": Quantity(capacity, "MW")}, monitored


def _chiller_inputs(i: Inputs) -> tuple[dict[str, Quantity], Monitored]:
    fixed = {
        "COP_PJ": Quantity(Decimal("6.5"), "1"),
        "Q_PJ": Quantity(Decimal(500), "USRt"),
        "T_cw_out": Quantity(Decimal(37), "degC"),
        "T_chw_out": Quantity(Decimal(7), "degC"),
    }
    return fixed, lambda index, period: {"EC_PJ_p": kwh(Decimal(180_000) * SEASON[index % 12])}


def _air_conditioner_inputs(i: Inputs) -> tuple[dict[str, Quantity], Monitored]:
    fixed = {"COP_PJ": Quantity(Decimal("4.2"), "1"), "Q_PJ": Quantity(Decimal(10), "USRt")}
    return fixed, lambda index, period: {"EC_PJ_p": kwh(Decimal(40_000) * SEASON[index % 12])}


def _led_inputs(i: Inputs) -> tuple[dict[str, Quantity], Monitored]:
    lamp = {"ID": "downlight", "KH": "street_light"}.get(i.country, "tube")
    i.facts["lamp_type"] = lamp
    monthly = Decimal(187_600) if lamp == "street_light" else Decimal(30_000)
    return {"eta_PJ": Quantity(Decimal(130), "lm/W")}, lambda index, period: {
        "EC_PJ_p": kwh(monthly)
    }


def _boiler_inputs(i: Inputs) -> tuple[dict[str, Quantity], Monitored]:
    coal = i.country == "MN"
    i.facts["fuel"] = "other_bituminous_coal" if coal else "natural_gas"
    i.facts["boiler_type"] = "coal_hob" if coal else "oil_gas_boiler"
    fuel = Quantity(Decimal(73 if coal else 153), "t")
    auxiliary = Quantity(Decimal(2 if coal else 5), "MWh")
    fixed = {"eta_PJ": Quantity(Decimal("0.83" if coal else "0.95"), "1")}
    return fixed, lambda index, period: {"FC_PJ_p": fuel, "EC_aux_p": auxiliary}


def _transformer_inputs(i: Inputs) -> tuple[dict[str, Quantity], Monitored]:
    fixed = {
        "N_units": Quantity(Decimal(1000), "1"),
        "S_rated": Quantity(Decimal(250), "kVA"),
        "NLL_PJ": Quantity(Decimal("0.16"), "kW"),
    }
    return fixed, lambda index, period: {"t_p": Quantity(hours(period), "h")}


def _waste_heat_inputs(i: Inputs) -> tuple[dict[str, Quantity], Monitored]:
    power = i.capacity if i.capacity is not None else Decimal(2)

    def monitored(index: int, period: MonitoringPeriod) -> dict[str, Quantity]:
        gross = power * hours(period) * Decimal("0.80")
        return {"EG_gross_p": mwh(gross), "EC_aux_p": mwh(gross * Decimal("0.08"))}

    return {"P_WHR": Quantity(power, "MW")}, monitored


def _hydro_inputs(i: Inputs) -> tuple[dict[str, Quantity], Monitored]:
    power = i.capacity if i.capacity is not None else Decimal(2)
    fixed = {"P_hydro": Quantity(power, "MW")}
    if i.methodology.family.key == "small_hydro":  # PH_AM001 (run-of-river) has no reservoir
        fixed["A_res"] = Quantity(Decimal(0), "m2")
    return fixed, lambda index, period: {
        "EG_p": mwh(power * hours(period) * Decimal("0.5") * SEASON[index % 12])
    }


INPUTS_BY_FAMILY: dict[str, Callable[[Inputs], tuple[dict[str, Quantity], Monitored]]] = {
    "chiller": _chiller_inputs,
    "air_conditioner": _air_conditioner_inputs,
    "led_lighting": _led_inputs,
    "boiler": _boiler_inputs,
    "transformer": _transformer_inputs,
    "waste_heat_power": _waste_heat_inputs,
    "small_hydro": _hydro_inputs,
    "small_hydro_run_of_river": _hydro_inputs,
}


def _input_maker(i: Inputs) -> Callable[[Inputs], tuple[dict[str, Quantity], Monitored]]:
    if i.role in ("pv", "pv_storage") or (i.role == "proxy_power" and i.category == "cogeneration"):
        return _pv_inputs
    if i.role == "proxy_power":
        return _proxy_inputs
    return INPUTS_BY_FAMILY[i.methodology.family.key]


def _methodology_for(
    category: str, country: str, capacity: Decimal | None
) -> tuple[Methodology | None, str, bool]:
    """The methodology a project is calculated with, its role, and whether it is a proxy;
    None and the reason when there is none."""
    proxy = False
    if category in FAMILIES:
        role, families = FAMILIES[category]
    elif capacity is not None and (category in PROXY_CAPACITY_FACTOR or category == "cogeneration"):
        role, families, proxy = "proxy_power", PV_FAMILIES, True
    else:
        return None, f"no family: {category}", False
    found = REGISTRY.find(country, families)
    if not found and role == "ac":
        found, proxy = REGISTRY.find(country, {"chiller"}), True
    if not found:
        return None, f"no {role} methodology for {country}", False
    return found[0], role, proxy


def plan(row: dict[str, str]) -> tuple[Plan | None, str]:
    """The project's plan, or ``None`` and why it is skipped."""
    category, country = row["technology_category"], row["country_iso2"]
    capacity = Decimal(row["capacity_mw"]) if row["capacity_mw"] else None
    storage = Decimal(row["storage_mwh"]) if row["storage_mwh"] else None
    methodology, role, proxy = _methodology_for(category, country, capacity)
    if methodology is None:
        return None, role
    facts: dict[str, Any] = {
        "host_country": country,
        "connection": "grid",
        "grid": "jamali" if country == "ID" else "national",
    }
    inputs = Inputs(methodology, role, category, country, capacity, storage, facts)
    fixed, monitored = _input_maker(inputs)(inputs)
    project = f"{country}{int(row['seq']):03d}"
    return Plan(project, category, role, proxy, methodology, facts, fixed, monitored), ""


def read_portfolio(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run_once(path: Path, years: int = YEARS) -> dict[str, Any]:
    """One full pass: plans, then every period's record of every planned project."""
    rows = read_portfolio(path)
    periods = monthly_periods(FIRST_MONTH, 12 * years)
    skipped: Counter[str] = Counter()
    by_family: Counter[str] = Counter()
    er_by_family: Counter[str] = Counter()
    proxies = records = total_er = 0
    portfolio = hashlib.sha256()
    for row in rows:
        project, why = plan(row)
        if project is None:
            skipped[why] += 1
            continue
        prepared = project.methodology.prepare(project.facts, project.fixed)
        project_er = 0
        for index, period in enumerate(periods):
            record = prepared.calculate(project.monitored(index, period), period)
            portfolio.update(bytes.fromhex(record.digest))
            project_er += record.er
            records += 1
        total_er += project_er
        proxies += project.proxy
        key = project.methodology.family.key + (" (proxy)" if project.proxy else "")
        by_family[key] += 1
        er_by_family[key] += project_er
    return {
        "projects": len(rows),
        "computed": sum(by_family.values()),
        "proxies": proxies,
        "skipped": sum(skipped.values()),
        "skipped_by_reason": dict(sorted(skipped.items())),
        "periods_per_project": len(periods),
        "records": records,
        "total_er_tco2": total_er,
        "projects_by_family": dict(sorted(by_family.items())),
        "er_by_family_tco2": dict(sorted(er_by_family.items())),
        "portfolio_sha256": portfolio.hexdigest(),
    }


def benchmark(path: Path = PORTFOLIO, runs: int = RUNS, years: int = YEARS) -> dict[str, Any]:
    times: list[float] = []
    result: dict[str, Any] = {}
    digests = set()
    for _ in range(runs):
        began = time.perf_counter()
        result = run_once(path, years)
        times.append(time.perf_counter() - began)
        digests.add(result["portfolio_sha256"])
    if len(digests) != 1:
        raise AssertionError(f"runs gave different records: {sorted(digests)}")
    records = result["records"]
    median = statistics.median(times)
    return {
        **result,
        "runs": runs,
        "wall_s_median": round(median, 3),
        "wall_s_runs": [round(t, 3) for t in times],
        "records_per_s": round(records / median),
        "us_per_record": round(median / records * 1e6, 1),
        "target_s": 2.0,
        "meets_target": median < 2.0,
        "python": sys.version.split()[0],
    }


def table(result: dict[str, Any]) -> Iterator[str]:
    yield "Methodology engine: funded portfolio, 10 years of monthly monitoring periods"
    yield ""
    yield (
        "| projects | computed | proxies | skipped | periods/project | records | total ER | "
        f"wall (median of {result['runs']}) | per record |"
    )
    yield "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    yield (
        f"| {result['projects']} | {result['computed']} | {result['proxies']} | "
        f"{result['skipped']} | {result['periods_per_project']} | {result['records']:,} | "
        f"{result['total_er_tco2']:,} tCO2 | {result['wall_s_median']:.3f} s | "
        f"{result['us_per_record']} µs |"
    )
    yield ""
    yield "| family | projects | ER (tCO2, 10 years) |"
    yield "|---|---:|---:|"
    for family, count in result["projects_by_family"].items():
        yield f"| {family} | {count} | {result['er_by_family_tco2'][family]:,} |"
    yield ""
    yield "Skipped: " + ", ".join(f"{why} ({n})" for why, n in result["skipped_by_reason"].items())
    yield (
        f"Runs (s): {', '.join(f'{t:.3f}' for t in result['wall_s_runs'])}; median "
        f"{result['wall_s_median']:.3f} s (target < {result['target_s']} s: "
        f"{'met' if result['meets_target'] else 'NOT met'}); portfolio digest "
        f"{result['portfolio_sha256'][:16]}…"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.methodologies", description=__doc__)
    parser.add_argument("--csv", type=Path, default=PORTFOLIO, help="portfolio CSV")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs (median reported)")
    parser.add_argument("--years", type=int, default=YEARS, help="years of monthly periods")
    args = parser.parse_args(argv)
    result = benchmark(args.csv, args.runs, args.years)
    for line in table(result):
        print(line)
    return result


if __name__ == "__main__":
    main()
