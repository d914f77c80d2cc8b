"""The webhook events a committed change gives rise to, and whom each concerns.

A unit of work appends log events (``kind``, transaction id, change); :func:`derive` maps
them to webhook events, each for one organisation:

* ``units.issued``: an issuance, to the holder of every account it issued into (once per
  holder, naming its accounts);
* ``units.transferred_out`` / ``units.transferred_in``: a transfer or an external transfer,
  to the holder of the source and of the destination account;
* ``units.cancelled`` / ``units.retired``: to the holder of the account the units left;
* ``project.cycle_step``: a step on a project or one of its monitoring periods, to the
  project's participants;
* ``decision.recorded``: the registry's record of a JC issuance decision, to the project's
  participants.

What it needs to know beyond the events (the holder of an account, the participants of a
project) it names first (:func:`lookups`), so the adapter fetches them in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    UNITS_ISSUED = "units.issued"
    UNITS_TRANSFERRED_IN = "units.transferred_in"
    UNITS_TRANSFERRED_OUT = "units.transferred_out"
    UNITS_CANCELLED = "units.cancelled"
    UNITS_RETIRED = "units.retired"
    PROJECT_CYCLE_STEP = "project.cycle_step"
    DECISION_RECORDED = "decision.recorded"


ALL_EVENT_TYPES = frozenset(EventType)

# The log kinds that may give rise to a webhook event (anything else costs nothing).
_MOVES = {"transfer", "external_transfer"}
_ENDS = {"cancellation": EventType.UNITS_CANCELLED, "retirement": EventType.UNITS_RETIRED}
_CYCLE_PREFIXES = ("project.", "monitoring_period.")
_DECISION = "decision_recorded"


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """One event appended to the log in the unit of work."""

    kind: str
    transaction_id: int | None
    change: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Lookups:
    accounts: frozenset[str]
    projects: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.accounts or self.projects)


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """An event for one organisation; ``data`` is what the receiver gets under ``data``."""

    type: EventType
    organisation_id: str
    data: Mapping[str, Any]


def concerns_anyone(kind: str) -> bool:
    """Whether a log kind can give rise to a webhook event at all (cheap, per event)."""
    return (
        kind == "issuance"
        or kind in _MOVES
        or kind in _ENDS
        or kind == _DECISION
        or kind.startswith(_CYCLE_PREFIXES)
    )


def _issued_accounts(change: Mapping[str, Any]) -> list[str]:
    detail = change.get("detail")
    lines = detail.get("lines") if isinstance(detail, Mapping) else None
    if not isinstance(lines, list):
        return []
    return [str(ln["account"]) for ln in lines if isinstance(ln, Mapping) and ln.get("account")]


def _project_of(change: Mapping[str, Any]) -> str | None:
    project = change.get("project")
    return project if isinstance(project, str) and project else None


def lookups(changes: Iterable[LoggedChange]) -> Lookups:
    """The accounts whose holders and projects whose participants :func:`derive` needs."""
    accounts: set[str] = set()
    projects: set[str] = set()
    for logged in changes:
        kind, change = logged.kind, logged.change
        if kind == "issuance":
            accounts.update(_issued_accounts(change))
        elif kind in _MOVES or kind in _ENDS:
            accounts.update(
                str(change[side]) for side in ("source", "destination") if change.get(side)
            )
        elif kind == _DECISION or kind.startswith(_CYCLE_PREFIXES):
            project = _project_of(change)
            if project is not None:
                projects.add(project)
    return Lookups(frozenset(accounts), frozenset(projects))


def _data(logged: LoggedChange, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"event": logged.kind}
    if logged.transaction_id is not None:
        data["transaction"] = logged.transaction_id
    data.update(extra)
    data["change"] = dict(logged.change)
    return data


def derive(
    changes: Sequence[LoggedChange],
    holders: Mapping[str, str],
    participants: Mapping[str, Sequence[str]],
) -> list[WebhookEvent]:
    """Every webhook event of the changes, in order; one per (change, organisation, type)."""
    out: list[WebhookEvent] = []
    for logged in changes:
        for event_type, organisation, extra in _events_of(logged, holders, participants):
            out.append(WebhookEvent(event_type, organisation, _data(logged, **extra)))
    return out


def _events_of(
    logged: LoggedChange,
    holders: Mapping[str, str],
    participants: Mapping[str, Sequence[str]],
) -> Iterable[tuple[EventType, str, dict[str, Any]]]:
    kind, change = logged.kind, logged.change
    if kind == "issuance":
        by_holder: dict[str, list[str]] = {}
        for account in dict.fromkeys(_issued_accounts(change)):
            if account in holders:
                by_holder.setdefault(holders[account], []).append(account)
        for organisation, accounts in by_holder.items():
            yield EventType.UNITS_ISSUED, organisation, {"accounts": accounts}
    elif kind in _MOVES:
        source, destination = str(change.get("source")), str(change.get("destination"))
        if source in holders:
            yield EventType.UNITS_TRANSFERRED_OUT, holders[source], {"account": source}
        if destination in holders:
            yield EventType.UNITS_TRANSFERRED_IN, holders[destination], {"account": destination}
    elif kind in _ENDS:
        source = str(change.get("source"))
        if source in holders:
            yield _ENDS[kind], holders[source], {"account": source}
    elif kind == _DECISION or kind.startswith(_CYCLE_PREFIXES):
        project = _project_of(change)
        event_type = (
            EventType.DECISION_RECORDED if kind == _DECISION else EventType.PROJECT_CYCLE_STEP
        )
        for organisation in dict.fromkeys(participants.get(project or "", ())):
            yield event_type, organisation, {"project": project}
