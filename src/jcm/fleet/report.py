"""What a sink reports, and what every sink shares (on-time and late envelopes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jcm.domain.errors import InvalidInput
from jcm.fleet.generate import Envelope, Simulation


@dataclass(frozen=True, slots=True)
class SendReport:
    target: str  # the sink, without credentials
    batches: int
    readings: int
    acknowledged: int  # PUBACKs (MQTT), envelopes answered (HTTP), rows' batches (files)
    seconds: float
    outcomes: dict[str, int] = field(default_factory=dict)  # what the receiver said, by kind
    files: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "batches": self.batches,
            "readings": self.readings,
            "acknowledged": self.acknowledged,
            "seconds": round(self.seconds, 3),
            "readings_per_second": round(self.readings / self.seconds) if self.seconds else None,
            "outcomes": dict(sorted(self.outcomes.items())),
            "files": list(self.files),
        }


def unreachable(target: str, why: str) -> InvalidInput:
    return InvalidInput(
        "D11_SINK_FAILED",
        f"Sending to {target} failed: {why}.",
        target=target,
        rule="D11_SINK_FAILED",
    )


def phases(simulation: Simulation) -> tuple[list[Envelope], list[Envelope]]:
    on_time = [e for e in simulation.envelopes if not e.late]
    late = [e for e in simulation.envelopes if e.late]
    return on_time, late
