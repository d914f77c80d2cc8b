"""Plain-JSON forms of the cycle aggregates, for storage and for comparing with the log.

Every aggregate round-trips exactly: ``project_from_json(project_to_json(p)) == p``. Dates
are ISO strings and percentages decimal strings, so the forms are RFC 8785-safe (no
floats). A stored form that cannot be read back raises ``P8_CORRUPT_RECORD``: the database
was edited by hand or by a newer version of the code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from jcm.domain.cycle.actors import Actor, Designation, Role, Side, TpeFunction, check_scope
from jcm.domain.cycle.documents import DocumentKind, DocumentRef, Visibility
from jcm.domain.cycle.jsonvalues import JsonValue
from jcm.domain.cycle.machine import HistoryEntry
from jcm.domain.cycle.methodology_approval import Methodology, MethodologyState
from jcm.domain.cycle.monitoring import JcDecision, MonitoringRequest, MonitoringState
from jcm.domain.cycle.project import (
    Allocation,
    CreditingPeriod,
    Participant,
    Participants,
    Project,
    ProjectState,
    Renewal,
)
from jcm.domain.cycle.rules import RuleBook
from jcm.domain.errors import DataCorruption, JcmError
from jcm.domain.registry.allocation import AllocatedLine, AllocationShare
from jcm.domain.registry.issuance import MonitoringPeriod

T = TypeVar("T")


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def decode(what: str, reader: Callable[[Any], T], data: Any) -> T:
    """Read a stored form; any damage becomes one clear error instead of a traceback."""
    try:
        return reader(data)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, JcmError) as error:
        raise DataCorruption(
            "P8_CORRUPT_RECORD",
            f"The stored {what} cannot be read ({error!r}); restore the database from a "
            "backup, or verify the log to find what changed.",
            record=what,
        ) from None


# -- small values ------------------------------------------------------------------------------


def document_to_json(ref: DocumentRef) -> JsonValue:
    return ref.to_json()


def document_from_json(data: Any) -> DocumentRef:
    return DocumentRef(
        DocumentKind(data["kind"]),
        data["sha256"],
        Visibility(data["visibility"]),
        data.get("size"),
        data.get("media_type"),
        data.get("filename"),
    )


def history_to_json(entry: HistoryEntry) -> JsonValue:
    return {
        "action": entry.action,
        "from": entry.source,
        "to": entry.target,
        "organisation": entry.organisation_id,
        "role": entry.role.value,
        "side": entry.side.value if entry.side else None,
        "on": entry.on.isoformat(),
        "documents": [document_to_json(d) for d in entry.documents],
    }


def history_from_json(data: Any) -> HistoryEntry:
    return HistoryEntry(
        data["action"],
        data["from"],
        data["to"],
        data["organisation"],
        Role(data["role"]),
        Side(data["side"]) if data["side"] else None,
        date.fromisoformat(data["on"]),
        tuple(document_from_json(d) for d in data["documents"]),
    )


def share_to_json(share: AllocationShare) -> JsonValue:
    return {"account": share.account_id, "share_pct": str(share.share_pct)}


def share_from_json(data: Any) -> AllocationShare:
    return AllocationShare(data["account"], Decimal(data["share_pct"]))


def participant_from_json(data: Any) -> Participant:
    return Participant(data["organisation"], Side(data["side"]), bool(data["focal_point"]))


def actor_to_json(actor: Actor) -> JsonValue:
    return {
        "organisation": actor.organisation_id,
        "role": actor.role.value,
        "side": actor.side.value if actor.side else None,
        "partner": actor.partner,
        "designations": [
            {"partner": d.partner, "scope": d.scope, "function": d.function.value}
            for d in sorted(actor.designations)
        ],
    }


def actor_from_json(data: Any) -> Actor:
    return Actor(
        data["organisation"],
        Role(data["role"]),
        Side(data["side"]) if data["side"] else None,
        data["partner"],
        frozenset(
            Designation(d["partner"], d["scope"], TpeFunction(d["function"]))
            for d in data["designations"]
        ),
    )


def rule_book_to_json(rules: RuleBook) -> JsonValue:
    body: dict[str, JsonValue] = {
        "version": rules.version,
        "pdd_public_input_days": rules.pdd_public_input_days,
        "methodology_public_input_days": rules.methodology_public_input_days,
        "pin_required": rules.pin_required,
        "verifier_may_be_validator": rules.verifier_may_be_validator,
        "allow_illustrative_methodologies": rules.allow_illustrative_methodologies,
    }
    if rules.automatic_verification:  # absent when false: older logged rule books stay valid
        body["automatic_verification"] = True
    return body


def rule_book_from_json(data: Any) -> RuleBook:
    return RuleBook(
        data["version"],
        pdd_public_input_days=data["pdd_public_input_days"],
        methodology_public_input_days=data["methodology_public_input_days"],
        pin_required=data["pin_required"],
        verifier_may_be_validator=data["verifier_may_be_validator"],
        # Rule books defined before issue 8 never allowed illustrative methodologies.
        allow_illustrative_methodologies=data.get("allow_illustrative_methodologies", False),
        # Rule books defined before issue 11 never accepted automatic verification.
        automatic_verification=data.get("automatic_verification", False),
    )


# -- projects ----------------------------------------------------------------------------------


def _pending_to_json(pending: Allocation | Participants | Renewal | None) -> JsonValue:
    if isinstance(pending, Allocation):
        return {"allocation": [share_to_json(s) for s in pending.shares]}
    if isinstance(pending, Participants):
        return {"participants": [p.to_json() for p in pending.participants]}
    if isinstance(pending, Renewal):
        return {"renewal_end": pending.end.isoformat()}
    return None


def _pending_from_json(data: Any) -> Allocation | Participants | Renewal | None:
    if data is None:
        return None
    if "allocation" in data:
        return Allocation(tuple(share_from_json(s) for s in data["allocation"]))
    if "participants" in data:
        return Participants(tuple(participant_from_json(p) for p in data["participants"]))
    return Renewal(date.fromisoformat(data["renewal_end"]))


def project_to_json(p: Project) -> dict[str, JsonValue]:
    return {
        "id": p.id,
        "title": p.title,
        "methodology": {"id": p.methodology_id, "version": p.methodology_version},
        "sectoral_scope": p.sectoral_scope,
        "participants": [x.to_json() for x in p.participants],
        "crediting_period": p.crediting_period.to_json(),
        "rule_book": p.rule_book,
        "state": p.state.value,
        "shares": [share_to_json(s) for s in p.shares],
        "validator": p.validator,
        "public_input_opened": _iso(p.public_input_opened),
        "registered_on": _iso(p.registered_on),
        "pending": _pending_to_json(p.pending),
        "documents": [document_to_json(d) for d in p.documents],
        "history": [history_to_json(h) for h in p.history],
    }


def _project(data: Any) -> Project:
    period = data["crediting_period"]
    return Project(
        id=_text(data["id"]),
        title=_text(data["title"]),
        methodology_id=data["methodology"]["id"],
        methodology_version=data["methodology"]["version"],
        sectoral_scope=check_scope(data["sectoral_scope"]),
        participants=tuple(participant_from_json(x) for x in data["participants"]),
        crediting_period=CreditingPeriod(
            date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
        ),
        rule_book=data["rule_book"],
        state=ProjectState(data["state"]),
        shares=tuple(share_from_json(s) for s in data["shares"]),
        validator=data["validator"],
        public_input_opened=_date(data["public_input_opened"]),
        registered_on=_date(data["registered_on"]),
        pending=_pending_from_json(data["pending"]),
        documents=tuple(document_from_json(d) for d in data["documents"]),
        history=tuple(history_from_json(h) for h in data["history"]),
    )


def project_from_json(data: Any) -> Project:
    return decode("project", _project, data)


# -- monitoring periods ------------------------------------------------------------------------


def _line_to_json(line: AllocatedLine) -> JsonValue:
    return {
        "line": line.line_no,
        "account": line.account_id,
        "share_pct": str(line.share_pct),
        "quantity": line.quantity,
        "serial_start": line.serial_start,
        "serial_end": line.serial_end,
        "receives_remainder": line.receives_remainder,
    }


def _line_from_json(data: Any) -> AllocatedLine:
    return AllocatedLine(
        data["line"],
        data["account"],
        Decimal(data["share_pct"]),
        _int(data["quantity"]),
        _optional_int(data["serial_start"]),
        _optional_int(data["serial_end"]),
        bool(data["receives_remainder"]),
    )


def monitoring_to_json(r: MonitoringRequest) -> dict[str, JsonValue]:
    decision: JsonValue = None
    if r.decision is not None:
        decision = {
            "amount": r.decision.amount,
            "vintage": r.decision.vintage,
            "remainder_to": r.decision.remainder_to,
            "reference": r.decision.reference,
        }
    body: dict[str, JsonValue] = {
        "id": r.id,
        "project": r.project_id,
        "seq": r.seq,
        "period": {"start": r.period.start.isoformat(), "end": r.period.end.isoformat()},
        "rule_book": r.rule_book,
        "state": r.state.value,
        "verifier": r.verifier,
        "verified_amount": r.verified_amount,
        "decision": decision,
        "shares": [share_to_json(s) for s in r.shares],
        "lines": [_line_to_json(x) for x in r.lines],
        "issued_sides": [s.value for s in sorted(r.issued_sides)],
        "documents": [document_to_json(d) for d in r.documents],
        "history": [history_to_json(h) for h in r.history],
    }
    if r.illustrative:  # only when marked: periods stored before issue 8 have no such key
        body["illustrative"] = list(r.illustrative)
    return body


def _monitoring(data: Any) -> MonitoringRequest:
    d = data["decision"]
    return MonitoringRequest(
        id=data["id"],
        project_id=data["project"],
        seq=_int(data["seq"]),
        period=MonitoringPeriod(
            date.fromisoformat(data["period"]["start"]), date.fromisoformat(data["period"]["end"])
        ),
        rule_book=data["rule_book"],
        state=MonitoringState(data["state"]),
        verifier=data["verifier"],
        verified_amount=_optional_int(data["verified_amount"]),
        decision=None
        if d is None
        else JcDecision(_int(d["amount"]), _int(d["vintage"]), d["remainder_to"], d["reference"]),
        shares=tuple(share_from_json(s) for s in data["shares"]),
        lines=tuple(_line_from_json(x) for x in data["lines"]),
        issued_sides=frozenset(Side(s) for s in data["issued_sides"]),
        documents=tuple(document_from_json(x) for x in data["documents"]),
        history=tuple(history_from_json(h) for h in data["history"]),
        illustrative=tuple(_text(item) for item in data.get("illustrative", [])),
    )


def monitoring_from_json(data: Any) -> MonitoringRequest:
    return decode("monitoring period", _monitoring, data)


# -- methodologies -----------------------------------------------------------------------------


def methodology_to_json(m: Methodology) -> dict[str, JsonValue]:
    return {
        "id": m.id,
        "version": m.version,
        "title": m.title,
        "sectoral_scope": m.sectoral_scope,
        "proponent": m.proponent,
        "rule_book": m.rule_book,
        "state": m.state.value,
        "proposal_id": m.proposal_id,
        "revises": m.revises,
        "public_input_opened": _iso(m.public_input_opened),
        "approved_on": _iso(m.approved_on),
        "documents": [document_to_json(d) for d in m.documents],
        "history": [history_to_json(h) for h in m.history],
    }


def _methodology(data: Any) -> Methodology:
    return Methodology(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        sectoral_scope=check_scope(data["sectoral_scope"]),
        proponent=data["proponent"],
        rule_book=data["rule_book"],
        state=MethodologyState(data["state"]),
        proposal_id=data["proposal_id"],
        revises=data["revises"],
        public_input_opened=_date(data["public_input_opened"]),
        approved_on=_date(data["approved_on"]),
        documents=tuple(document_from_json(d) for d in data["documents"]),
        history=tuple(history_from_json(h) for h in data["history"]),
    )


def methodology_from_json(data: Any) -> Methodology:
    return decode("methodology", _methodology, data)


def methodology_key(m: Methodology) -> str:
    """A stable storage key: a first version keeps its proposal id after approval."""
    return f"{m.proposal_id or m.id}@{m.version}"
