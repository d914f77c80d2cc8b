"""Readers' names of the project list's values: sectors, technologies, states, schemes
(message ids, translated when shown; the values themselves stay the stable filter keys)."""

from __future__ import annotations

from jcm.entrypoints.web import cycle_labels
from jcm.entrypoints.web.i18n import N_

SECTORS = {
    "energy_industries": N_("Energy industries"),
    "energy_distribution": N_("Energy distribution"),
    "energy_demand": N_("Energy demand"),
    "manufacturing": N_("Manufacturing industries"),
    "chemical": N_("Chemical industries"),
    "construction": N_("Construction"),
    "transport": N_("Transport"),
    "mining": N_("Mining and mineral production"),
    "metal": N_("Metal production"),
    "fugitive_fuels": N_("Fugitive emissions from fuels"),
    "fugitive_halocarbons": N_("Fugitive emissions of F-gases"),
    "solvents": N_("Solvent use"),
    "waste": N_("Waste handling and disposal"),
    "forestry": N_("Forestry (REDD+, afforestation)"),
    "agriculture": N_("Agriculture"),
}

TECHNOLOGIES = {
    "solar_pv": N_("Solar PV"),
    "solar_pv_storage": N_("Solar PV with storage"),
    "hydro": N_("Hydropower"),
    "wind": N_("Wind power"),
    "geothermal": N_("Geothermal power"),
    "biomass": N_("Biomass"),
    "biogas": N_("Biogas"),
    "hydrogen": N_("Hydrogen"),
    "cogeneration": N_("Cogeneration"),
    "waste_heat_recovery": N_("Waste heat recovery"),
    "transmission": N_("Transmission"),
    "transformer": N_("Transformers"),
    "air_conditioning": N_("Air conditioning"),
    "chiller_refrigeration": N_("Chillers and refrigeration"),
    "boiler": N_("Boilers"),
    "led_lighting": N_("LED lighting"),
    "pump_inverter": N_("Pumps and inverters"),
    "energy_efficiency_other": N_("Other energy efficiency"),
    "loom": N_("Looms"),
    "furnace_kiln": N_("Furnaces and kilns"),
    "transport": N_("Transport"),
    "f_gas_destruction": N_("F-gas recovery and destruction"),
    "waste_to_energy": N_("Waste to energy"),
    "methane_recovery": N_("Methane recovery"),
    "redd_plus": N_("REDD+"),
    "other": N_("Other"),
}

STATES = {**cycle_labels.PORTFOLIO_STATES, **cycle_labels.PROJECT_STATES}

SCHEMES = {
    "equipment_subsidy": N_("Equipment subsidy"),
    "adb_or_unido": N_("ADB or UNIDO fund"),
    "f_gas": N_("F-gas programme"),
    "redd_plus": N_("REDD+"),
    "new_technology": N_("New technology"),
}

KINDS = {"funded": N_("Funded project"), "cycle": N_("JCM cycle project")}

ACTIONS = {
    "submit_pin": N_("PIN submitted"),
    "submit_pdd": N_("PDD submitted"),
    "decide_no_objection": N_("No objection decided"),
    "object": N_("Objection raised"),
    "open_public_input": N_("Public input opened"),
    "start_validation": N_("Validation started"),
    "validate": N_("Validated"),
    "give_negative_opinion": N_("Negative validation opinion"),
    "resubmit_pdd": N_("PDD resubmitted"),
    "request_registration": N_("Registration requested"),
    "accept_registration_request": N_("Registration request accepted"),
    "register": N_("Registered"),
    "reject_registration": N_("Registration rejected"),
    "withdraw_registration_request": N_("Registration request withdrawn"),
    "request_allocation_change": N_("Allocation change requested"),
    "request_participant_change": N_("Participant change requested"),
    "approve_change": N_("Change approved"),
    "reject_change": N_("Change rejected"),
    "request_renewal": N_("Renewal requested"),
    "approve_renewal": N_("Renewal approved"),
    "reject_renewal": N_("Renewal rejected"),
    "withdraw_project": N_("Project withdrawn"),
}

MONITORING = cycle_labels.MONITORING_STATES

ROLES = cycle_labels.ROLES

DOCUMENTS = cycle_labels.DOCUMENTS
