"""Every methodology version the engine knows, and the default registry over them.

Ids are the real ones where the research confirms them (``IdStatus.CONFIRMED``) or names
them without confirming (``IdStatus.INFERRED``); ids, versions, approval dates and rules
that ``jcm_methodologies_confirmed.md`` confirms are cited ``MC §n [C:Pn]`` (its sources).
Where the research knows no id for a family in a partner country, the methodology is
*illustrative*: numbered ``<CC>_AM9xx`` (901 PV, 902 PV + storage, 903 chiller, 904 LED,
905 boiler, 906 transformer, 907 waste-heat power, 908 small hydro), far above the real
sequence, so that it can never be mistaken for a real one. Illustrative methodologies exist
so the whole funded portfolio can be computed; their criteria and equations are those of
their family, their default values mostly placeholders.

``TH_AM001`` has two versions (v1.0 grid-connected only; v2.0, the revision through
TH_PM017 [C:M6], adds the captive cases — the content of that revision is [I]).
``ID_AM002`` has v1.0 (the original; its number is [I]) and v2.0 ("ver02.0" [C-sec:P12]).

A version whose identifier is not confirmed, or whose tables hold a placeholder it can
select, is marked illustrative (``Methodology.illustrative``, see ``marks.py``).
"""

from __future__ import annotations

from jcm.domain.methodologies import (
    boiler,
    chiller,
    led,
    small_hydro,
    solar_pv,
    solar_pv_storage,
    transformer,
    waste_heat,
)
from jcm.domain.methodologies.engine import Methodology
from jcm.domain.methodologies.model import IdStatus
from jcm.domain.methodologies.registry import Registry

CONFIRMED = IdStatus.CONFIRMED
INFERRED = IdStatus.INFERRED
ILLUSTRATIVE = IdStatus.ILLUSTRATIVE
ILLUSTRATIVE_NOTE = "illustrative id and version: no methodology of this family is known here"
VERSION_NOTE = "the version number is [I]: the research confirms the id, not its version"
NOT_FOUND = "not found by the confirmed research (MC §1: 'Not found')"


def _illustrative(number: int, countries: str) -> list[tuple[str, str]]:
    return [(f"{country}_AM{number}", country) for country in countries.split()]


def _build() -> list[Methodology]:
    ms: list[Methodology] = [
        # -- solar PV ----------------------------------------------------------------------
        solar_pv.build(
            "KE_AM002",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M1]; MC §1 [C:P21]",
            approved="2017-03-23",
        ),
        solar_pv.build(
            "KH_AM002",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M2]; MC §1 [C:P22]",
            approved="2017-02-04",
            by_day_category=True,
        ),
        solar_pv.build(
            "MV_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M3]; MC §1 [C:P23]",
            approved="2015-03-25",
        ),
        solar_pv.build(
            "TH_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M6]; MC §1 [C:P5]",
            approved="2016-08-23",
            connections=("grid",),
            note="covering grid-connected PV only is [I]",
        ),
        solar_pv.build(
            "TH_AM001",
            "2.0",
            id_status=CONFIRMED,
            reference="jcm_rules §1.3, §3.2 [C:M6]",
            note="revision of TH_AM001 through TH_PM017 [C:M6]; its version number and its "
            "content (adding the captive cases) are [I] (MC §1 [C:P6]: resulting version not "
            "confirmed)",
        ),
        solar_pv.build(
            "CL_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M14]; MC §1 [C-sec:P25]",
            note="version 1.0 [C-sec:P25]; approval date not found",
        ),
        solar_pv.build(
            "CR_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:S8]; MC §1 [C:P24]",
            note=f"{VERSION_NOTE}; approval at the 2nd JC on 2017-09-08 is [I] [C:P24]",
        ),
        solar_pv.build(
            "MN_AM003",
            "2.0",
            id_status=CONFIRMED,
            reference="MC §1, §2, §3 [C-sec:P2]",
            approved="2017-01-30",
            either_or=True,
            note="revision v2.0 (proposal MN_PM004); EF = conservative grid EF or "
            "conservative diesel-generator EF; monitored: PV generation [C-sec:P2]",
        ),
        solar_pv.build(
            "VN_AM007",
            "1.0",
            id_status=CONFIRMED,
            reference="MC §1, §2, §3 [C:P4]",
            approved="2017-10-10",
            either_or=True,
            consumed_or_sold=True,
            note="proposal VN_PM009; EF = conservative grid EF or conservative diesel-"
            "generator EF; monitored: PV electricity consumed or sold (consumption and export "
            "metering points) [C:P4]",
        ),
        *(
            solar_pv.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="jcm_rules §3.2 (family)",
                note=ILLUSTRATIVE_NOTE
                + ("; the Indonesian grid table is [C:M15]" if country == "ID" else ""),
            )
            for id, country in _illustrative(901, "ID PW LA SA BD MM PH MX LK TN")
        ),
        # -- solar PV with storage -------------------------------------------------------------
        solar_pv_storage.build(
            "ID_AM017",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M4]; MC §1 [C:P15]",
            approved="2018-11-28",
        ),
        *(
            solar_pv_storage.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="jcm_rules §3.2 (family)",
                note=ILLUSTRATIVE_NOTE,
            )
            for id, _ in _illustrative(902, "KE CL MN")
        ),
        # -- chillers and air conditioners ---------------------------------------------------
        chiller.build(
            "TH_AM005",
            "3.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.3 [C:M7]",
            approved="2023-10-11",
            non_inverter=True,
        ),
        chiller.build(
            "CR_AM002",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.3 [C:S8]",
            approved="2018-03-12",
            note=f"approved with revisions on 12 Mar 2018 [C:S8]; {VERSION_NOTE}",
        ),
        chiller.build(
            "ID_AM002",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.3 [I]; MC §1 [C-sec:P12]",
            note=f"the original version: {VERSION_NOTE}; the criteria are those of the "
            "proposal [C-sec:M16]",
        ),
        chiller.build(
            "ID_AM002",
            "2.0",
            id_status=CONFIRMED,
            reference="MC §1, §3, §4 [C-sec:P12]",
            note="'ver02.0' of the ID009 monitoring spreadsheet [C-sec:P12]; approval date "
            "not found; it also monitors EI_grid,p (electricity imported from the grid, "
            "option B or C), whose use in the equations was not retrieved and is not modelled",
        ),
        chiller.build(
            "ID_AM004",
            "2.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.3 [C:M9]",
            approved="2015-11-10",
            air_conditioner=True,
            facility="grocery_store",
        ),
        *(
            chiller.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="jcm_rules §3.3 (family)",
                note=ILLUSTRATIVE_NOTE,
            )
            for id, _ in _illustrative(903, "BD MM VN")
        ),
        # (VN chiller: possibly VN_AM003 v1.0, efficiency-ratio form [I], MC §2: not used)
        # -- LED lighting ----------------------------------------------------------------------
        led.build(
            "ID_AM020",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.4 [C:M10]",
            approved="2019-10-31",
            lamp_types=("downlight", "spotlight"),
            high_colour_rendering=True,
            note="proposal ID_PM030 [C:P16]",
        ),
        led.build(
            "TH_AM016",
            "1.0",
            id_status=CONFIRMED,
            reference="MC §1, §2 [C:P9]",
            approved="2022-06-17",
            lamp_types=("downlight", "spotlight"),
            high_colour_rendering=True,
            note="indoor LED downlights/spotlights with high colour rendering (proposal "
            "TH_PM019), as ID_AM020 [C:P9]; it monitors the lighting power consumption and/or "
            "the opening days: only the power consumption (EC_PJ,p) is modelled",
        ),
        led.build(
            "KH_AM001",
            "1.0",
            id_status=INFERRED,
            reference="jcm_rules §3.4 [I]",
            lamp_types=("street_light",),
            wireless_control=True,
            note="LED street lighting with wireless control: named as an example, not "
            f"retrieved [I]; {NOT_FOUND}",
        ),
        *(
            led.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="jcm_rules §3.4 (family)",
                lamp_types=("tube", "downlight", "spotlight"),
                note=ILLUSTRATIVE_NOTE,
            )
            for id, _ in _illustrative(904, "VN")
        ),
        # -- boilers ---------------------------------------------------------------------------
        boiler.build(
            "MN_AM002",
            "1.0",
            id_status=INFERRED,
            reference="jcm_rules §3.5 [I] [C-sec:M17]",
            coal_hob=True,
            note="id [I]; criteria from the GEC FY2013 proposal [C-sec:M17]; equations [I]; "
            + NOT_FOUND,
        ),
        *(
            boiler.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="jcm_rules §3.5 (family)",
                note=ILLUSTRATIVE_NOTE,
            )
            for id, _ in _illustrative(905, "ID MM MX TH VN")
        ),
        # -- transformers ----------------------------------------------------------------------
        transformer.build(
            "VN_AM002",
            "1.0",
            id_status=INFERRED,
            reference="jcm_rules §3.5 [I]",
            note=f"not retrieved: id, criteria, equations and defaults are [I]; {NOT_FOUND}",
        ),
        *(
            transformer.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="jcm_rules §3.5 (family)",
                note=ILLUSTRATIVE_NOTE,
            )
            for id, _ in _illustrative(906, "LA")
        ),
        # -- waste-heat power, small hydro ---------------------------------------------------
        waste_heat.build(
            "ID_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="MC §1, §2, §3 [C-sec:P10, P11]",
            note=f"{VERSION_NOTE} (MC: version unknown); approval date not found; applied by "
            "ID013 (cement, operating since 2018-04-30); RE = net WHR generation × EF, PE not "
            "considered [C-sec:P10]",
        ),
        waste_heat.build(
            "MM_AM005",
            "1.0",
            id_status=CONFIRMED,
            reference="MC §1, §2, §3 [C:P19]",
            approved="2020-04-20",
            note="proposal MM_PM005; net electricity displacing grid and/or captive power, PE "
            "not considered, the days of the period monitored [C:P19]",
        ),
        *(
            waste_heat.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="facts.md §4 (technology list)",
                note=ILLUSTRATIVE_NOTE,
            )
            for id, _ in _illustrative(907, "PH TH")
        ),
        small_hydro.build(
            "PH_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="MC §1, §2, §3 [C:P20]",
            approved="2020-02-02",
            run_of_river_only=True,
            note="proposal PH_PM001; run-of-river only, PE = 0 [C:P20]",
        ),
        *(
            small_hydro.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="facts.md §4 (technology list)",
                note=ILLUSTRATIVE_NOTE,
            )
            for id, _ in _illustrative(908, "ID VN")
        ),
    ]
    return ms


METHODOLOGIES: tuple[Methodology, ...] = tuple(_build())
REGISTRY = Registry(METHODOLOGIES)


def get(id: str, version: str) -> Methodology:
    return REGISTRY.get(id, version)


def latest(id: str) -> Methodology:
    return REGISTRY.latest(id)


def all() -> tuple[Methodology, ...]:  # shadows the builtin in this module only
    return REGISTRY.all()
