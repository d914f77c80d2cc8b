"""Technologies of the funded portfolio and the JCM sectoral scope each belongs to.

The portfolio's technology categories come from the seed list (``jcm_funded_projects.csv``);
the sectors are the sectoral scopes the JCM uses for projects (the CDM's list, numbered
1-15, ``jcm.domain.cycle.actors.SECTORAL_SCOPES``). The mapping is ours, chosen by what the
technology mainly does:

* power generation for the grid or a site (solar, hydro, wind, geothermal, biomass and
  biogas power, waste heat to power, cogeneration, hydrogen) → 1 energy industries;
* transmission and distribution (transformers, lines) → 2 energy distribution;
* equipment that uses less energy for the same service (air conditioning, chillers, boilers,
  LED lighting, pumps and inverters, generic efficiency) → 3 energy demand;
* industrial process equipment (looms, furnaces and kilns) → 4 manufacturing industries;
* vehicles and logistics → 7 transport;
* F-gas recovery and destruction → 11 fugitive emissions (halocarbons and SF6);
* waste to energy and methane recovery → 13 waste handling and disposal;
* REDD+ → 14 afforestation and reforestation (the forestry scope).

A cycle project states its own sectoral scope number; :func:`sector_of_scope` gives the same
sector key for it, so both kinds of project are filtered by one sector value.
"""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    ENERGY_INDUSTRIES = "energy_industries"
    ENERGY_DISTRIBUTION = "energy_distribution"
    ENERGY_DEMAND = "energy_demand"
    MANUFACTURING = "manufacturing"
    CHEMICAL = "chemical"
    CONSTRUCTION = "construction"
    TRANSPORT = "transport"
    MINING = "mining"
    METAL = "metal"
    FUGITIVE_FUELS = "fugitive_fuels"
    FUGITIVE_HALOCARBONS = "fugitive_halocarbons"
    SOLVENTS = "solvents"
    WASTE = "waste"
    FORESTRY = "forestry"
    AGRICULTURE = "agriculture"

    @property
    def scope(self) -> int:
        """The sectoral scope number (1-15)."""
        return list(Sector).index(self) + 1


def sector_of_scope(scope: int) -> Sector | None:
    """The sector of a cycle project's sectoral scope number, or None outside 1-15."""
    sectors = list(Sector)
    return sectors[scope - 1] if 1 <= scope <= len(sectors) else None


class Technology(StrEnum):
    SOLAR_PV = "solar_pv"
    SOLAR_PV_STORAGE = "solar_pv_storage"
    HYDRO = "hydro"
    WIND = "wind"
    GEOTHERMAL = "geothermal"
    BIOMASS = "biomass"
    BIOGAS = "biogas"
    HYDROGEN = "hydrogen"
    COGENERATION = "cogeneration"
    WASTE_HEAT_RECOVERY = "waste_heat_recovery"
    TRANSMISSION = "transmission"
    TRANSFORMER = "transformer"
    AIR_CONDITIONING = "air_conditioning"
    CHILLER_REFRIGERATION = "chiller_refrigeration"
    BOILER = "boiler"
    LED_LIGHTING = "led_lighting"
    PUMP_INVERTER = "pump_inverter"
    ENERGY_EFFICIENCY_OTHER = "energy_efficiency_other"
    LOOM = "loom"
    FURNACE_KILN = "furnace_kiln"
    TRANSPORT = "transport"
    F_GAS_DESTRUCTION = "f_gas_destruction"
    WASTE_TO_ENERGY = "waste_to_energy"
    METHANE_RECOVERY = "methane_recovery"
    REDD_PLUS = "redd_plus"
    OTHER = "other"


_E, _D, _U = Sector.ENERGY_INDUSTRIES, Sector.ENERGY_DISTRIBUTION, Sector.ENERGY_DEMAND
SECTOR_OF: dict[Technology, Sector] = {
    Technology.SOLAR_PV: _E,
    Technology.SOLAR_PV_STORAGE: _E,
    Technology.HYDRO: _E,
    Technology.WIND: _E,
    Technology.GEOTHERMAL: _E,
    Technology.BIOMASS: _E,
    Technology.BIOGAS: _E,
    Technology.HYDROGEN: _E,
    Technology.COGENERATION: _E,
    Technology.WASTE_HEAT_RECOVERY: _E,
    Technology.TRANSMISSION: _D,
    Technology.TRANSFORMER: _D,
    Technology.AIR_CONDITIONING: _U,
    Technology.CHILLER_REFRIGERATION: _U,
    Technology.BOILER: _U,
    Technology.LED_LIGHTING: _U,
    Technology.PUMP_INVERTER: _U,
    Technology.ENERGY_EFFICIENCY_OTHER: _U,
    # The "other" items: a micro-grid, batteries with ocean energy and two ADB projects whose
    # titles state no technology; counted as energy industries (a guess, the programme's
    # renewables focus).
    Technology.OTHER: _E,
    Technology.LOOM: Sector.MANUFACTURING,
    Technology.FURNACE_KILN: Sector.MANUFACTURING,
    Technology.TRANSPORT: Sector.TRANSPORT,
    Technology.F_GAS_DESTRUCTION: Sector.FUGITIVE_HALOCARBONS,
    Technology.WASTE_TO_ENERGY: Sector.WASTE,
    Technology.METHANE_RECOVERY: Sector.WASTE,
    Technology.REDD_PLUS: Sector.FORESTRY,
}
