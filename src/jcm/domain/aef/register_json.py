"""The register's records as plain JSON, and back.

One form for every place a record is written down: the change of its log entry, the
``body`` column of its table, what a door prints or answers. Fields in the dataclass's
order; dates as ISO 8601 text, tuples as arrays, a timeframe as ``[first, last]`` or null.
:func:`body_text` is the one text form of a stored ``body`` (keys sorted, no spaces), so
the log's replay rebuilds the column exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from typing import Any

from jcm.domain.aef.register import (
    ApproachParty,
    Authorisation,
    AuthorisedEntity,
    CooperativeApproach,
)

__all__ = [
    "approach_json",
    "approach_of",
    "authorisation_json",
    "authorisation_of",
    "body_text",
    "entity_json",
    "entity_of",
    "record_json",
]

Record = ApproachParty | Authorisation | AuthorisedEntity | CooperativeApproach


def _plain(value: object) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ApproachParty):
        return record_json(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def record_json(record: Record) -> dict[str, Any]:
    """Every field of a register record, in order (see the module docstring)."""
    return {f.name: _plain(getattr(record, f.name)) for f in fields(record)}


approach_json = record_json
authorisation_json = record_json
entity_json = record_json


def body_text(data: Mapping[str, Any]) -> str:
    """The stored text of a record's JSON: keys sorted, no spaces, text as UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _strings(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    items = data.get(name) or []
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"{name} must be a list of text")
    return tuple(items)


def _int(data: Mapping[str, Any], name: str) -> int:
    value = data[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number")
    return value


def _text(data: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    return value


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return None if value is None else _text(data, name)


def _party_of(data: Mapping[str, Any]) -> ApproachParty:
    return ApproachParty(
        party=_text(data, "party"),
        party_id=_text(data, "party_id"),
        registry_id=_text(data, "registry_id"),
        ndc_first_year=_int(data, "ndc_first_year"),
        ndc_last_year=_int(data, "ndc_last_year"),
    )


def approach_of(data: Mapping[str, Any]) -> CooperativeApproach:
    """The approach :func:`approach_json` wrote (ValueError/KeyError when it is not one)."""
    parties = data["parties"]
    if not isinstance(parties, list):
        raise ValueError("parties must be a list")
    return CooperativeApproach(
        id=_text(data, "id"),
        name=_text(data, "name"),
        parties=tuple(_party_of(p) for p in parties),
    )


def _timeframe(data: Mapping[str, Any]) -> tuple[int, int] | None:
    value = data.get("timeframe")
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("timeframe must be [first, last] or null")
    first, last = value
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (first, last)):
        raise ValueError("timeframe years must be whole numbers")
    return first, last


def _quantity(data: Mapping[str, Any]) -> int | None:
    return None if data.get("quantity") is None else _int(data, "quantity")


def authorisation_of(data: Mapping[str, Any]) -> Authorisation:
    """The authorisation version :func:`authorisation_json` wrote."""
    return Authorisation(
        id=_text(data, "id"),
        version=_int(data, "version"),
        party=_text(data, "party"),
        approach_id=_text(data, "approach_id"),
        authorised_on=date.fromisoformat(_text(data, "authorised_on")),
        purposes=_text(data, "purposes"),
        sectors=_strings(data, "sectors"),
        activity_types=_strings(data, "activity_types"),
        quantity=_quantity(data),
        metric=_text(data, "metric", "GHG"),
        gwp=_text(data, "gwp", ""),
        mitigation_type=_text(data, "mitigation_type", "Emission reductions"),
        authorised_parties=_strings(data, "authorised_parties"),
        authorised_entities=_strings(data, "authorised_entities"),
        oimp_authorised=_text(data, "oimp_authorised", ""),
        timeframe=_timeframe(data),
        terms=_text(data, "terms", ""),
        first_transfer_definition=_optional_text(data, "first_transfer_definition"),
        explanation=_text(data, "explanation", ""),
    )


def entity_of(data: Mapping[str, Any]) -> AuthorisedEntity:
    """The authorised entity :func:`entity_json` wrote."""
    return AuthorisedEntity(
        id=_text(data, "id"),
        approach_id=_text(data, "approach_id"),
        party=_text(data, "party"),
        authorised_on=date.fromisoformat(_text(data, "authorised_on")),
        name=_text(data, "name"),
        country=_text(data, "country"),
        organisation_id=_optional_text(data, "organisation_id"),
        conditions=_text(data, "conditions", ""),
        change_conditions=_text(data, "change_conditions", ""),
        explanation=_text(data, "explanation", ""),
    )
