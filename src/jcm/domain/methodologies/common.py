"""Pieces several families share: the ER equation and the electricity emission factor."""

from __future__ import annotations

from jcm.domain.methodologies.defaults import UsedDefault
from jcm.domain.methodologies.eligibility import Criterion, one_of
from jcm.domain.methodologies.engine import Methodology, fact_text
from jcm.domain.methodologies.model import CONNECTIONS, Confirmation, Equation, Facts

GRID_CASE = {"grid": "1", "grid_and_captive": "2"}

# The "either/or" rule of MN_AM003 and VN_AM007 [C:P2, P4]: the EF is either the
# conservative grid EF or the conservative diesel-generator EF, never a blend of both (no
# Case 2).
EITHER_OR = ("grid", "captive_only")

ER_EQUATION = Equation(
    "ER",
    "ER_p = RE_p − PE_p; credited ER_p = max(0, floor(ER_p)) whole tCO2",
    Confirmation.CONFIRMED,
    "ER = RE − PE [C:S17]; rounding down to whole tCO2 is [I] (jcm_rules §1.6, §3.1); the "
    "clamp at 0 is our design choice (the research says nothing on negative ER)",
)


def electricity_ef(methodology: Methodology, facts: Facts, parameter: str = "EF_RE") -> UsedDefault:
    """The conservative EF of the electricity displaced or saved, from the pinned tables.

    ``connection`` selects the table: the grid table by (host country, ``grid``, case) for
    ``grid`` (Case 1) and ``grid_and_captive`` (Case 2), the captive-diesel table for
    ``captive_only``. Only the connections the methodology version covers are accepted.
    """
    connection = fact_text(methodology, facts, "connection", methodology.connections)
    if connection == "captive_only":
        return methodology.table("EF_captive", parameter).lookup(parameter, ("diesel",))
    grid = fact_text(methodology, facts, "grid")
    return methodology.table("EF_grid", parameter).lookup(
        parameter, (methodology.host_country, grid, GRID_CASE[connection])
    )


def connection_criterion(connections: tuple[str, ...], verb: str) -> Criterion:
    """C2: the electricity displaced (or saved) is of a connection case the version covers."""
    subject = (
        "The project displaces electricity"
        if verb == "displaces"
        else "The electricity the project saves is"
    )
    if connections == EITHER_OR:
        return Criterion(
            "C2",
            f"{subject} either of the grid (conservative grid EF) or of captive diesel "
            "generators (conservative diesel-generator EF), not of both (grid, captive_only).",
            one_of("connection", connections),
            Confirmation.CONFIRMED,  # MN_AM003, VN_AM007 [C:P2, P4]
        )
    return Criterion(
        "C2",
        f"{subject} supplied by the grid and/or captive generators, in a connection case "
        f"this version covers ({', '.join(connections)}).",
        one_of("connection", connections),
        # grid and/or captive [C:M1, M4]; a version restricted to fewer cases is [I]
        Confirmation.CONFIRMED if connections == CONNECTIONS else Confirmation.INFERRED,
    )
