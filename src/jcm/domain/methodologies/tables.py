"""The default-value tables, as versioned data in code.

Every entry names its source and its confirmation flag from the research brief
(``/work/shared/research/jcm_rules.md``, cited as ``jcm_rules §x.y [tag:source id]``).
``placeholder=True`` marks a number that comes from no source at all: it is there so that the
engine and the benchmark can run for every partner country, and it must be replaced with the
value of the methodology's own "Additional information" before any real use.

Changing a value means a new table version, and a methodology version that pins it.
"""

from __future__ import annotations

from decimal import Decimal

from jcm.domain.methodologies.defaults import DefaultEntry, DefaultTable
from jcm.domain.methodologies.model import Confirmation

C = Confirmation.CONFIRMED
C_SEC = Confirmation.CONFIRMED_SECONDARY
INFERRED = Confirmation.INFERRED

# -- electricity: grid emission factors (Case 1 / Case 2) --------------------------------------

SRC_ID_GRID = (
    "jcm_rules §3.2 [C:M15] 'Additional information on calculating the emission factors of "
    "Indonesian electricity grids for the JCM project development' (partial table)"
)
SRC_CASE2_RULE = (
    "jcm_rules §3.2: Case 2 = min(Case-1 grid EF, 0.533) is the pattern of the Indonesian "
    "table [C:M15]; applying it to this country is [I]"
)
SRC_PLACEHOLDER = (
    "PLACEHOLDER [I]: no source; an illustrative conservative value (≤ 0.533). Replace it "
    "with the grid EF of this country's methodology 'Additional information' (jcm_rules §3.2)"
)
SRC_DIESEL_GRID = (
    "jcm_rules §3.2 [I]: diesel-based grid; JCM uses the conservative diesel EF 0.533 "
    "tCO2/MWh for the Maldives, Palau and Cambodia methodologies"
)

CAPTIVE_DIESEL = Decimal("0.533")

# Indonesia, Case 1: PV connected to a national/regional grid (directly or through an
# internal grid not linked to an isolated grid or captive generator); Case 2: an internal
# grid connected to a national/regional grid and to an isolated grid and/or captive
# generator. (grid id, name in the source, Case 1, Case 2)
_INDONESIA = [
    ("jamali", "Jamali, 3 Nusa, Karimun Jawa", "0.619", "0.533"),
    ("sumatra", "Sumatra", "0.458", "0.458"),
    ("nias", "Nias, Pulau Tello", "0.533", "0.533"),
    ("siberut", "Siberut, Siberut Utara, Sipora, Pagai Selatan", "0.529", "0.529"),
    ("batam", "Batam / Tanjung Pinang group (Alai, Batam, Durai, Kelong, …)", "0.499", "0.499"),
    ("bengkalis", "Bengkalis group (Benteng, Selat Panjang, …, Masohi)", "0.545", "0.533"),
    ("bangka_belitung", "Bangka, Belitung", "0.628", "0.533"),
    ("barito", "Barito", "0.653", "0.533"),
    ("khatulistiwa", "Khatulistiwa", "0.549", "0.533"),
    ("mahakam_tarakan", "Mahakam and Tarakan", "0.534", "0.533"),
    ("sulutgo", "Sulutgo", "0.274", "0.274"),
    ("sulselbar", "Sulselbar", "0.243", "0.243"),
]

# Other partner countries: one national grid each. (country, Case-1 EF, source, placeholder)
_OTHER_GRIDS = [
    ("BD", "0.45", SRC_PLACEHOLDER, True),
    ("CL", "0.35", SRC_PLACEHOLDER, True),
    ("CR", "0.05", SRC_PLACEHOLDER, True),
    ("KE", "0.30", SRC_PLACEHOLDER, True),
    ("KH", "0.533", SRC_DIESEL_GRID, False),
    ("LA", "0.30", SRC_PLACEHOLDER, True),
    ("LK", "0.50", SRC_PLACEHOLDER, True),
    ("MM", "0.35", SRC_PLACEHOLDER, True),
    ("MN", "0.533", SRC_PLACEHOLDER, True),
    ("MV", "0.533", SRC_DIESEL_GRID, False),
    ("MX", "0.45", SRC_PLACEHOLDER, True),
    ("PH", "0.50", SRC_PLACEHOLDER, True),
    ("PW", "0.533", SRC_DIESEL_GRID, False),
    ("SA", "0.533", SRC_PLACEHOLDER, True),
    ("TH", "0.40", SRC_PLACEHOLDER, True),
    ("TN", "0.45", SRC_PLACEHOLDER, True),
    ("VN", "0.50", SRC_PLACEHOLDER, True),
]


def _grid_entries() -> dict[tuple[str, ...], DefaultEntry]:
    entries: dict[tuple[str, ...], DefaultEntry] = {}
    for grid, name, case1, case2 in _INDONESIA:
        entries["ID", grid, "1"] = DefaultEntry(Decimal(case1), SRC_ID_GRID, C, note=name)
        entries["ID", grid, "2"] = DefaultEntry(Decimal(case2), SRC_ID_GRID, C, note=name)
    for country, case1, source, placeholder in _OTHER_GRIDS:
        value = Decimal(case1)
        entries[country, "national", "1"] = DefaultEntry(value, source, INFERRED, placeholder)
        entries[country, "national", "2"] = DefaultEntry(
            min(value, CAPTIVE_DIESEL), f"{source}; {SRC_CASE2_RULE}", INFERRED, placeholder
        )
    return entries


GRID_EF = DefaultTable(
    id="JCM_GRID_EF",
    version="1.0",
    title="Conservative grid emission factors by country, grid and case",
    unit="tCO2/MWh",
    key_names=("country", "grid", "case"),
    entries=_grid_entries(),
)

CAPTIVE_EF = DefaultTable(
    id="JCM_CAPTIVE_DIESEL_EF",
    version="1.0",
    title="Conservative emission factor of captive diesel generation",
    unit="tCO2/MWh",
    key_names=("generator",),
    entries={
        ("diesel",): DefaultEntry(
            CAPTIVE_DIESEL,
            "jcm_rules §3.2 [I]: 0.0726 tCO2/GJ (IPCC 2006 lower bound for diesel) × 3.6 "
            "GJ/MWh ÷ 0.49 (highest diesel-generator efficiency) = 0.533; the value itself "
            "appears in the Indonesian table [C:M15]",
            INFERRED,
        )
    },
)

# -- chillers and air conditioners ---------------------------------------------------------------

SRC_COP_PLACEHOLDER = (
    "PLACEHOLDER [I]: reference COPs by cooling-capacity band are fixed ex ante in each "
    "chiller methodology (jcm_rules §3.3) but were not retrieved; conservative (high) "
    "illustrative values"
)

# Cooling-capacity bands, USRt: (label, lower bound inclusive, upper bound exclusive or None)
CHILLER_BANDS: tuple[tuple[str, Decimal, Decimal | None], ...] = (
    ("<300", Decimal(0), Decimal(300)),
    ("300-<450", Decimal(300), Decimal(450)),
    ("450-<500", Decimal(450), Decimal(500)),
    ("500-<1000", Decimal(500), Decimal(1000)),
    ("1000-<1500", Decimal(1000), Decimal(1500)),
    (">=1500", Decimal(1500), None),
)
AC_BANDS: tuple[tuple[str, Decimal, Decimal | None], ...] = (
    ("<4", Decimal(0), Decimal(4)),
    ("4-<20", Decimal(4), Decimal(20)),
    (">=20", Decimal(20), None),
)


def band_of(bands: tuple[tuple[str, Decimal, Decimal | None], ...], value: Decimal) -> str:
    for label, low, high in bands:
        if value >= low and (high is None or value < high):
            return label
    return "none"


COP_RE_CHILLER = DefaultTable(
    id="JCM_COP_RE_CENTRIFUGAL",
    version="1.0",
    title="Reference COP of centrifugal chillers by cooling capacity",
    unit="1",
    key_names=("band_USRt",),
    entries={
        (label,): DefaultEntry(Decimal(value), SRC_COP_PLACEHOLDER, INFERRED, True)
        for (label, _, _), value in zip(
            CHILLER_BANDS, ["5.50", "5.70", "5.80", "6.00", "6.10", "6.20"], strict=True
        )
    },
)

COP_RE_AC = DefaultTable(
    id="JCM_COP_RE_AC",
    version="1.0",
    title="Reference COP of air conditioners by cooling capacity",
    unit="1",
    key_names=("band_USRt",),
    entries={
        (label,): DefaultEntry(Decimal(value), SRC_COP_PLACEHOLDER, INFERRED, True)
        for (label, _, _), value in zip(AC_BANDS, ["3.60", "3.40", "3.20"], strict=True)
    },
)

SRC_STD = "jcm_rules §3.3 [I]: standard conditions of the temperature correction"
CHILLER_STANDARD = DefaultTable(
    id="JCM_CHILLER_STANDARD_CONDITIONS",
    version="1.0",
    title="Standard conditions of the chiller COP temperature correction",
    unit="degC",
    key_names=("quantity",),
    entries={
        ("T_cw_out_std",): DefaultEntry(Decimal(37), SRC_STD, INFERRED),
        ("T_chw_out_std",): DefaultEntry(Decimal(7), SRC_STD, INFERRED),
    },
)
CHILLER_TD = DefaultTable(
    id="JCM_CHILLER_TEMPERATURE_DIFFERENCES",
    version="1.0",
    title="Approach temperature differences of the chiller COP temperature correction",
    unit="K",
    key_names=("quantity",),
    entries={
        ("TD_cw",): DefaultEntry(Decimal("1.5"), SRC_STD, INFERRED),
        ("TD_chw",): DefaultEntry(Decimal("1.5"), SRC_STD, INFERRED),
    },
)

# -- lighting ------------------------------------------------------------------------------------

SRC_LED_PLACEHOLDER = (
    "PLACEHOLDER [I]: the reference luminous efficacy is a methodology default (jcm_rules "
    "§3.4) not retrieved; conservative (high) illustrative value"
)
ETA_RE_LIGHTING = DefaultTable(
    id="JCM_LUMINOUS_EFFICACY_RE",
    version="1.0",
    title="Reference luminous efficacy by lamp application",
    unit="lm/W",
    key_names=("lamp_type",),
    entries={
        ("downlight",): DefaultEntry(Decimal(60), SRC_LED_PLACEHOLDER, INFERRED, True),
        ("spotlight",): DefaultEntry(Decimal(60), SRC_LED_PLACEHOLDER, INFERRED, True),
        ("tube",): DefaultEntry(Decimal(90), SRC_LED_PLACEHOLDER, INFERRED, True),
        ("street_light",): DefaultEntry(Decimal(100), SRC_LED_PLACEHOLDER, INFERRED, True),
    },
)

# -- fuels and boilers ---------------------------------------------------------------------------

SRC_IPCC = (
    "[I] IPCC 2006 Guidelines vol. 2 ch. 1 tables 1.2/1.4, lower bound of the 95% interval "
    "(background knowledge, not retrieved; JCM uses conservative lower bounds, jcm_rules §3.2)"
)
# fuel: (NCV GJ/t, CO2 EF tCO2/GJ)
_FUELS = {
    "natural_gas": ("46.5", "0.0543"),
    "residual_fuel_oil": ("39.8", "0.0755"),
    "gas_diesel_oil": ("41.4", "0.0726"),
    "lpg": ("44.8", "0.0616"),
    "other_bituminous_coal": ("19.9", "0.0895"),
    "sub_bituminous_coal": ("11.5", "0.0928"),
    "lignite": ("5.5", "0.0900"),
}
FUEL_NCV = DefaultTable(
    id="IPCC2006_NCV_LOWER",
    version="1.0",
    title="Net calorific value of fuels (IPCC 2006 lower bound)",
    unit="GJ/t",
    key_names=("fuel",),
    entries={(f,): DefaultEntry(Decimal(v[0]), SRC_IPCC, INFERRED) for f, v in _FUELS.items()},
)
FUEL_EF = DefaultTable(
    id="IPCC2006_CO2_EF_LOWER",
    version="1.0",
    title="CO2 emission factor of fuels (IPCC 2006 lower bound)",
    unit="tCO2/GJ",
    key_names=("fuel",),
    entries={(f,): DefaultEntry(Decimal(v[1]), SRC_IPCC, INFERRED) for f, v in _FUELS.items()},
)
BOILER_ETA_RE = DefaultTable(
    id="JCM_BOILER_EFFICIENCY_RE",
    version="1.0",
    title="Reference boiler efficiency (conservative: high) by boiler type",
    unit="1",
    key_names=("boiler_type",),
    entries={
        ("coal_hob",): DefaultEntry(
            Decimal("0.80"),
            "jcm_rules §3.5 [C-sec]: IGES: Ulaanbaatar HOBs 50–60%, market average 75%, best "
            "about 80%; taking the best as the conservative reference is [I]",
            C_SEC,
        ),
        ("oil_gas_boiler",): DefaultEntry(
            Decimal("0.89"),
            "PLACEHOLDER [I]: no source; illustrative conservative reference efficiency",
            INFERRED,
            True,
        ),
    },
)

# -- transformers --------------------------------------------------------------------------------

SRC_NLL_PLACEHOLDER = (
    "PLACEHOLDER [I]: the reference no-load loss is the national standard's maximum for the "
    "capacity class (jcm_rules §3.5), not retrieved; illustrative values"
)
TRANSFORMER_NLL_RE = DefaultTable(
    id="JCM_TRANSFORMER_NLL_RE",
    version="1.0",
    title="Reference no-load loss of distribution transformers by rated capacity",
    unit="kW",
    key_names=("rated_kVA",),
    entries={
        (kva,): DefaultEntry(Decimal(kw), SRC_NLL_PLACEHOLDER, INFERRED, True)
        for kva, kw in [
            ("50", "0.19"),
            ("100", "0.30"),
            ("160", "0.42"),
            ("250", "0.58"),
            ("400", "0.82"),
            ("630", "1.10"),
            ("1000", "1.55"),
        ]
    },
)

# -- hydro reservoirs ----------------------------------------------------------------------------

SRC_RES = (
    "[I] CDM ACM0002 practice (background knowledge, not in the research): reservoir "
    "emissions 90 kgCO2e/MWh when 4 < power density ≤ 10 W/m2, none above 10 W/m2"
)
RESERVOIR = DefaultTable(
    id="JCM_HYDRO_RESERVOIR",
    version="1.0",
    title="Reservoir emission factor and power-density thresholds",
    unit="tCO2/MWh",
    key_names=("quantity",),
    entries={("EF_res",): DefaultEntry(Decimal("0.09"), SRC_RES, INFERRED)},
)
PD_THRESHOLDS = DefaultTable(
    id="JCM_HYDRO_POWER_DENSITY",
    version="1.0",
    title="Power-density thresholds of hydro reservoirs",
    unit="W/m2",
    key_names=("quantity",),
    entries={
        ("PD_min",): DefaultEntry(Decimal(4), SRC_RES, INFERRED),
        ("PD_no_emissions",): DefaultEntry(Decimal(10), SRC_RES, INFERRED),
    },
)
