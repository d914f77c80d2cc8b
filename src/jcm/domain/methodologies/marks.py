"""Illustrative marks: what of a methodology version or of a calculation rests on no source.

Two things make a calculation illustrative (issue 8, item 3):

* its **identifier** is not a confirmed one: an ``<CC>_AM9xx`` number given to a family
  with no known methodology in that country (``IdStatus.ILLUSTRATIVE``), or an id the
  research names without confirming it (``IdStatus.INFERRED``);
* a **default value** it used is a *placeholder* (``DefaultEntry.placeholder``): a number
  from no source, there so that every partner country can be computed.

A version is marked from what it *can* select (its identifier and every pinned table role
holding a placeholder for its host country); a calculation record from what it *did* use.
The project cycle refuses to verify or decide on a marked record unless the rule book
allows illustrative methodologies (``P7_ILLUSTRATIVE_METHODOLOGY``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jcm.domain.methodologies.model import IdStatus

ID_ITEM = "id"


@dataclass(frozen=True, slots=True)
class IllustrativeMark:
    item: str  # "id", a default parameter (in a record) or a table role (of a version)
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"item": self.item, "reason": self.reason}


def identifier_mark(methodology_id: str, status: IdStatus) -> IllustrativeMark | None:
    if status is IdStatus.ILLUSTRATIVE:
        return IllustrativeMark(
            ID_ITEM,
            f"{methodology_id} is an illustrative identifier: no approved methodology of "
            "this family is known for the country",
        )
    if status is IdStatus.INFERRED:
        return IllustrativeMark(
            ID_ITEM,
            f"{methodology_id} is named by the research but not confirmed: its identifier, "
            "criteria and equations are [I]",
        )
    return None


def placeholder_mark(item: str, table: str, version: str, keys: Sequence[str]) -> IllustrativeMark:
    return IllustrativeMark(
        item, f"placeholder value(s) in {table} v{version} for {', '.join(keys)} (no source)"
    )
