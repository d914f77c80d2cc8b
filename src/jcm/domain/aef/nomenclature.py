"""Controlled values of the AEF (UNFCCC "List of common nomenclatures under Article 6,
paragraph 2", 17 February 2026; research ``reporting_programme.md`` §A.4) and the formats
the consistency checks test.

Values are kept exactly as the nomenclature spells them, because CARP compares them as
text: "C02 usage" is written with a zero, "Authorisation" (first-transfer definition) with
an s, the action subtype "Authorization" with a z.
"""

from __future__ import annotations

import re
from typing import Final

NOMENCLATURE_DATE: Final = "2026-02-17"
NA: Final = "NA"  # the literal the AEF uses for a non-applicable field
UNDERLYING_REGISTRY: Final = "JCM"  # the underlying unit registry id of JCM credits

METRICS: Final = ("GHG", "non-GHG")
SECTORS: Final = (
    "Agriculture",
    "Building and construction",
    "Cross-sectoral mechanisms",
    "Energy generation",
    "Forestry and land use",
    "Industrial processes",
    "Transportation",
    "Urban development",
    "Waste management",
)
PURPOSES: Final = ("NDC", "OIMP", "IMP", "OP", "NDC and OIMP", "NDC and IMP", "NDC and OP")
FIRST_TRANSFER_DEFINITIONS_OIMP: Final = ("Authorisation", "Issuance", "Use or Cancellation")


class ActionType:
    AUTHORIZATION: Final = "Authorization"
    FIRST_TRANSFER: Final = "First transfer"
    TRANSFER: Final = "Transfer"
    ACQUISITION: Final = "Acquisition"
    USE: Final = "Use"
    CANCELLATION: Final = "Cancellation"
    VOLUNTARY_CANCELLATION: Final = "Voluntary Cancellation"


ACTION_TYPES: Final = (
    ActionType.AUTHORIZATION,
    ActionType.FIRST_TRANSFER,
    ActionType.TRANSFER,
    ActionType.ACQUISITION,
    ActionType.USE,
    ActionType.CANCELLATION,
    ActionType.VOLUNTARY_CANCELLATION,
)


class Subtype:
    FIRST_TRANSFER_TO_PARTY: Final = "First transfer to another Party"
    AUTHORIZATION: Final = "Authorization"
    ISSUANCE: Final = "Issuance"
    USE_OR_CANCELLATION: Final = "Use or cancellation"
    AF_MANDATORY: Final = "Mandatory transfer to the Adaptation Fund (A6.4 ERs)"
    AF_VOLUNTARY: Final = "Voluntary transfer to the Adaptation Fund (A6.4 ERs)"
    OMGE_MANDATORY: Final = "Mandatory cancellation to deliver OMGE"
    OMGE_VOLUNTARY: Final = "Voluntary cancellation to deliver OMGE"
    OTHER_CANCELLATIONS: Final = "Other cancellations"
    NOT_YET_DEFINED: Final = "Not yet defined"


ACTION_SUBTYPES: Final = (
    Subtype.FIRST_TRANSFER_TO_PARTY,
    Subtype.AUTHORIZATION,
    Subtype.ISSUANCE,
    Subtype.USE_OR_CANCELLATION,
    Subtype.AF_MANDATORY,
    Subtype.AF_VOLUNTARY,
    Subtype.OMGE_MANDATORY,
    Subtype.OMGE_VOLUNTARY,
    Subtype.OTHER_CANCELLATIONS,
    Subtype.NOT_YET_DEFINED,
)
_CANCELLING_SUBTYPES = (
    Subtype.OMGE_MANDATORY,
    Subtype.OMGE_VOLUNTARY,
    Subtype.OTHER_CANCELLATIONS,
    Subtype.NOT_YET_DEFINED,
)
# Which subtypes an action type allows (the nomenclature's descriptions of the subtypes;
# "Not yet defined" is the open catch-all). Types not listed take no subtype ("" or NA).
SUBTYPES_OF_TYPE: Final[dict[str, tuple[str, ...]]] = {
    ActionType.AUTHORIZATION: (Subtype.AUTHORIZATION, Subtype.NOT_YET_DEFINED),
    ActionType.FIRST_TRANSFER: (
        Subtype.FIRST_TRANSFER_TO_PARTY,
        Subtype.AUTHORIZATION,
        Subtype.ISSUANCE,
        Subtype.USE_OR_CANCELLATION,
        *_CANCELLING_SUBTYPES,
    ),
    ActionType.TRANSFER: (Subtype.AF_MANDATORY, Subtype.AF_VOLUNTARY, Subtype.NOT_YET_DEFINED),
    ActionType.CANCELLATION: _CANCELLING_SUBTYPES,
    ActionType.VOLUNTARY_CANCELLATION: _CANCELLING_SUBTYPES,
}

UNDERLYING_UNIT_REGISTRIES: Final = (
    "VCS", "GS", "CAR", "ACR", "ART", "GCC", "Cercarbono", "Isometric", "ISFL", "FCPF",
    "T-VER", "JCM",
)  # fmt: skip
MITIGATION_TYPES: Final = ("Emission reductions", "Removals", "Emission reductions and removals")
ACTIVITY_TYPES: Final = (
    "Afforestation",
    "Agriculture",
    "Biogas",
    "Biomass Energy",
    "Cement",
    "C02 usage",  # sic: a zero, as the nomenclature (and CARP) spells it
    "Coal bed/mine methane",
    "Energy distribution",
    "Energy Efficiency households",
    "Energy Efficiency Industry",
    "Energy Efficiency own generation",
    "Energy Efficiency service",
    "Energy Efficiency supply side",
    "Fossil fuel switch",
    "Fugitive",
    "Geothermal",
    "Hydro",
    "Landfill gas",
    "Methane avoidance",
    "N2O",
    "PFCs and SF6",
    "Reforestation",
    "Solar",
    "Tidal",
    "Transport",
    "Waste",
    "Wind",
)

# Formats the nomenclature fixes.
APPROACH_ID: Final = re.compile(r"^CA[0-9]{4}$")
PARTY_ID: Final = re.compile(r"^[A-Z]{3}$")
REGISTRY_ID: Final = re.compile(r"^[A-Z]{3}[0-9]{2}$")
VERSION: Final = re.compile(r"^[1-9][0-9]*\.[0-9]+$")
TIMEFRAME: Final = re.compile(r"^[0-9]{4} - [0-9]{4}$")
AUTHORISATION_ID: Final = re.compile(r"^[A-Za-z0-9 -]{1,64}$")

# The sector and activity type of each methodology family of the catalogue, in the
# nomenclature's words. Ours: chosen by what the technology does (power generation is
# "Energy generation"; equipment saving energy in buildings "Building and construction";
# grid equipment "Energy generation" with "Energy distribution").
FAMILY_SECTOR: Final[dict[str, tuple[str, str]]] = {
    "solar_pv": ("Energy generation", "Solar"),
    "solar_pv_day_category": ("Energy generation", "Solar"),
    "solar_pv_consumed_sold": ("Energy generation", "Solar"),
    "solar_pv_storage": ("Energy generation", "Solar"),
    "small_hydro": ("Energy generation", "Hydro"),
    "small_hydro_run_of_river": ("Energy generation", "Hydro"),
    "waste_heat_power": ("Energy generation", "Energy Efficiency own generation"),
    "transformer": ("Energy generation", "Energy distribution"),
    "boiler": ("Industrial processes", "Energy Efficiency Industry"),
    "chiller": ("Building and construction", "Energy Efficiency service"),
    "air_conditioner": ("Building and construction", "Energy Efficiency service"),
    "led_lighting": ("Building and construction", "Energy Efficiency service"),
}


def registry_id(party: str, number: int = 1) -> str:
    """The Party ITMO registry id: the Party's alpha-3 code and two digits (``JPN01``)."""
    return f"{party}{number:02d}"
