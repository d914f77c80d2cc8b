"""Transaction kinds, cancellation purposes and the event a committed transaction emits."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from jcm.domain.errors import InvalidInput


class TransactionKind(StrEnum):
    ISSUANCE = "issuance"
    TRANSFER = "transfer"
    EXTERNAL_TRANSFER = "external_transfer"
    CANCELLATION = "cancellation"
    RETIREMENT = "retirement"
    AUTHORISATION = "authorisation"
    CORRESPONDING_ADJUSTMENT = "corresponding_adjustment"


class SetupEvent(StrEnum):
    """Changes that move no units but are logged, so the log can rebuild the whole state."""

    REGISTRY_CREATED = "registry_created"
    ORGANISATION_CREATED = "organisation_created"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_STATUS_CHANGED = "account_status_changed"
    REGISTRY_STATUS_CHANGED = "registry_status_changed"
    DECISION_RECORDED = "decision_recorded"


class CancellationPurpose(StrEnum):
    NDC = "ndc"  # use towards a nationally determined contribution
    OIMP = "oimp"  # other international mitigation purposes
    VOLUNTARY = "voluntary"  # voluntary cancellation


def parse_purpose(text: str) -> CancellationPurpose:
    try:
        return CancellationPurpose(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "G1_BAD_PURPOSE",
            f"Unknown cancellation purpose {text!r}; use ndc (use towards an NDC), oimp (other "
            "international mitigation purposes) or voluntary.",
            purpose=text,
        ) from None


@dataclass(frozen=True, slots=True)
class MovedRange:
    """Serials that one transaction moved or changed, as recorded in history."""

    decision_id: int
    start: int
    end: int
    serial: str  # formatted serial of the range

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1


@dataclass(slots=True)
class TransactionRecord:
    kind: TransactionKind
    registry: str
    source: str | None
    destination: str | None
    quantity: int
    detail: dict[str, Any] = field(default_factory=dict)
    ranges: list[MovedRange] = field(default_factory=list)
    id: int | None = None

    def event_payload(self) -> dict[str, Any]:
        """The change itself, as the event log stores it (the transparency-log seam)."""
        return {
            "transaction": self.id,
            "kind": self.kind.value,
            "registry": self.registry,
            "source": self.source,
            "destination": self.destination,
            "quantity": self.quantity,
            "detail": self.detail,
            "ranges": [
                {"decision": r.decision_id, "start": r.start, "end": r.end, "serial": r.serial}
                for r in self.ranges
            ],
        }
