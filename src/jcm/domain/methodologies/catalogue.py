"""Every methodology version the engine knows, and the default registry over them.

Ids are the real ones where the research confirms them (``IdStatus.CONFIRMED``) or names
them without confirming (``IdStatus.INFERRED``). Where the research knows no id for a family
in a partner country, the methodology is *illustrative*: numbered ``<CC>_AM9xx`` (901 PV,
902 PV + storage, 903 chiller, 904 LED, 905 boiler, 906 transformer, 907 waste-heat power,
908 small hydro), far above the real sequence, so that it can never be mistaken for a real
one. Illustrative methodologies exist so the whole funded portfolio can be computed; their
criteria and equations are those of their family, their default values mostly placeholders.

``TH_AM001`` has two versions (v1.0 grid-connected only; v2.0, the revision through
TH_PM017 [C:M6], adds the captive cases — the content of that revision is [I]).
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


def _illustrative(number: int, countries: str) -> list[tuple[str, str]]:
    return [(f"{country}_AM{number}", country) for country in countries.split()]


def _build() -> list[Methodology]:
    ms: list[Methodology] = [
        # -- solar PV ----------------------------------------------------------------------
        solar_pv.build(
            "KE_AM002",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M1]",
            note=VERSION_NOTE,
        ),
        solar_pv.build(
            "KH_AM002",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M2]",
            approved="2017-02-04",
            by_day_category=True,
        ),
        solar_pv.build(
            "MV_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M3]",
            approved="2015-03-25",
            note=VERSION_NOTE,
        ),
        solar_pv.build(
            "TH_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M6]",
            connections=("grid",),
            note=f"{VERSION_NOTE}; covering grid-connected PV only is [I]",
        ),
        solar_pv.build(
            "TH_AM001",
            "2.0",
            id_status=CONFIRMED,
            reference="jcm_rules §1.3, §3.2 [C:M6]",
            note="revision of TH_AM001 through TH_PM017 [C:M6]; its version number and its "
            "content (adding the captive cases) are [I]",
        ),
        solar_pv.build(
            "CL_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M14]",
            note=VERSION_NOTE,
        ),
        solar_pv.build(
            "CR_AM001",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:S8]",
            note=VERSION_NOTE,
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
            for id, country in _illustrative(901, "ID MN PW LA SA BD VN MM PH MX LK TN")
        ),
        # -- solar PV with storage -------------------------------------------------------------
        solar_pv_storage.build(
            "ID_AM017",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.2 [C:M4]",
            approved="2018-11-28",
            note=VERSION_NOTE,
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
            id_status=INFERRED,
            reference="jcm_rules §3.3 [I]",
            note="the research names ID_AM002 as the Indonesian chiller original without "
            "confirming the id; the criteria are those of the proposal [C-sec:M16]",
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
        # -- LED lighting ----------------------------------------------------------------------
        led.build(
            "ID_AM020",
            "1.0",
            id_status=CONFIRMED,
            reference="jcm_rules §3.4 [C:M10]",
            approved="2019-10-31",
            lamp_types=("downlight", "spotlight"),
            high_colour_rendering=True,
        ),
        led.build(
            "KH_AM001",
            "1.0",
            id_status=INFERRED,
            reference="jcm_rules §3.4 [I]",
            lamp_types=("street_light",),
            wireless_control=True,
            note="LED street lighting with wireless control: named as an example, not "
            "retrieved [I]",
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
            for id, _ in _illustrative(904, "TH VN")
        ),
        # -- boilers ---------------------------------------------------------------------------
        boiler.build(
            "MN_AM002",
            "1.0",
            id_status=INFERRED,
            reference="jcm_rules §3.5 [I] [C-sec:M17]",
            coal_hob=True,
            note="id [I]; criteria from the GEC FY2013 proposal [C-sec:M17]; equations [I]",
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
            note="not retrieved: id, criteria, equations and defaults are [I]",
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
        *(
            waste_heat.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="facts.md §4 (technology list)",
                note=ILLUSTRATIVE_NOTE,
            )
            for id, _ in _illustrative(907, "ID MM PH TH")
        ),
        *(
            small_hydro.build(
                id,
                "1.0",
                id_status=ILLUSTRATIVE,
                reference="facts.md §4 (technology list)",
                note=ILLUSTRATIVE_NOTE,
            )
            for id, _ in _illustrative(908, "ID PH VN")
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
