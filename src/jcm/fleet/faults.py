"""Faults the simulator injects, where, and what QA/QC or intake should say about each.

A fault is written ``KIND:DEVICE[@YYYY-MM-DDTHH:MM][/N]`` (several separated by commas),
the time in the device's local time; without one it takes the default below on the second
simulated day (the first when only one day is simulated).

=========  =============  ====  ===============================================================
kind       default time   N     effect, and what should follow
=========  =============  ====  ===============================================================
gap        10:00          8     N intervals are never sent → QA ``Q01_GAP`` × N (reported)
stuck      10:00          8     N readings (≥ 6) repeat the first one's non-zero energy →
                                ``Q09_STUCK`` on the run (excluded)
drift      06:00          20    the clock runs fast by N seconds more each interval from then
                                on: timestamps leave the grid, so their intervals count as
                                ``Q01_GAP``, and generation stamped after sunset becomes
                                ``Q11_NIGHT_GENERATION`` (sent live: ``Q04_FUTURE``)
rollover   12:00          —     a cumulative register wraps past its maximum at that interval →
                                ``Q07_COUNTER_ROLLOVER`` (informational, energy kept)
forged     12:00          1     N batches from the one holding that time are signed with
                                another key → intake refuses ``D2_BAD_SIGNATURE``; their
                                intervals then show as ``Q01_GAP``
replay     12:00          —     after everything else, the batch holding that time is sent
                                again identically (acknowledged as a duplicate, nothing
                                changes) and once more with other readings, correctly signed
                                → intake refuses ``D3_REPLAYED``
night      22:00          4     N intervals carry 5 % of nameplate while the sun is down →
                                ``Q11_NIGHT_GENERATION`` × N (excluded)
=========  =============  ====  ===============================================================

For interval registers stuck applies to the readings themselves; for cumulative registers to
their increments (the register keeps rising by the same amount each interval). On a
cumulative register, missing readings (gap, a refused forged batch) move their energy into
the first reading after them, which QA flags too (``Q10_OVER_CAPACITY``, and
``Q11_NIGHT_GENERATION`` when it falls at night).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from jcm.domain.errors import InvalidInput


class FaultKind(StrEnum):
    GAP = "gap"
    STUCK = "stuck"
    DRIFT = "drift"
    ROLLOVER = "rollover"
    FORGED = "forged"
    REPLAY = "replay"
    NIGHT = "night"


DEFAULT_TIME = {
    FaultKind.GAP: time(10),
    FaultKind.STUCK: time(10),
    FaultKind.DRIFT: time(6),
    FaultKind.ROLLOVER: time(12),
    FaultKind.FORGED: time(12),
    FaultKind.REPLAY: time(12),
    FaultKind.NIGHT: time(22),
}
DEFAULT_COUNT = {
    FaultKind.GAP: 8,
    FaultKind.STUCK: 8,
    FaultKind.DRIFT: 20,
    FaultKind.ROLLOVER: 1,
    FaultKind.FORGED: 1,
    FaultKind.REPLAY: 1,
    FaultKind.NIGHT: 4,
}
# What QA/QC or intake should say about each fault (rule ids of domain/mrv/qa.py, refusal
# codes of intake; "duplicate" is the acknowledged redelivery's outcome).
EXPECTED = {
    FaultKind.GAP: ("Q01_GAP",),
    FaultKind.STUCK: ("Q09_STUCK",),
    FaultKind.DRIFT: ("Q01_GAP", "Q11_NIGHT_GENERATION"),
    FaultKind.ROLLOVER: ("Q07_COUNTER_ROLLOVER",),
    FaultKind.FORGED: ("D2_BAD_SIGNATURE", "Q01_GAP"),
    FaultKind.REPLAY: ("duplicate", "D3_REPLAYED"),
    FaultKind.NIGHT: ("Q11_NIGHT_GENERATION",),
}
MAX_COUNT = 100_000

_SPEC = re.compile(
    r"^(?P<kind>[a-z]+):(?P<device>[A-Za-z0-9][A-Za-z0-9._-]{0,63})"
    r"(?:@(?P<when>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}))?(?:/(?P<count>\d{1,6}))?$"
)


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    device: str
    at: datetime | None  # naive, the device's local time; None: the default
    count: int

    def local_time(self, first_day: date, days: int) -> datetime:
        """When the fault starts, in the device's local time (naive)."""
        if self.at is not None:
            return self.at
        day = first_day + timedelta(days=1 if days > 1 else 0)
        return datetime.combine(day, DEFAULT_TIME[self.kind])


def bad_fault(message: str, spec: str = "") -> InvalidInput:
    return InvalidInput("D11_BAD_FAULT", message, fault=spec, rule="D11_BAD_FAULT")


def parse_fault(spec: str) -> Fault:
    match = _SPEC.fullmatch(spec.strip())
    if match is None:
        raise bad_fault(f"{spec!r} is not KIND:DEVICE[@YYYY-MM-DDTHH:MM][/N].", spec)
    try:
        kind = FaultKind(match["kind"])
    except ValueError:
        kinds = ", ".join(k.value for k in FaultKind)
        raise bad_fault(f"{match['kind']!r} is not a fault; use one of {kinds}.", spec) from None
    at = None
    if match["when"]:
        try:
            at = datetime.fromisoformat(match["when"])
        except ValueError:
            raise bad_fault(f"{match['when']!r} is not a local date and time.", spec) from None
    count = int(match["count"]) if match["count"] else DEFAULT_COUNT[kind]
    if not 1 <= count <= MAX_COUNT:
        raise bad_fault(f"{spec!r}: N lies between 1 and {MAX_COUNT:,}.", spec)
    if kind is FaultKind.STUCK and count < 6:
        raise bad_fault(f"{spec!r}: a stuck run repeats a value at least 6 times.", spec)
    return Fault(kind, match["device"], at, count)


def parse_faults(text: str | None) -> tuple[Fault, ...]:
    """``stuck:KE001-PV-002,gap:KE001-PV-003@2026-06-03T09:00/12`` → the faults."""
    if not text or not text.strip():
        return ()
    specs = [part for part in text.split(",") if part.strip()]
    if len(specs) > 1000:
        raise bad_fault("At most 1,000 faults are injected at once.")
    return tuple(parse_fault(spec) for spec in specs)


@dataclass(frozen=True, slots=True)
class InjectedFault:
    """Where a fault landed in the generated data, and what should follow from it."""

    kind: FaultKind
    device: str
    count: int  # intervals, readings, batches or seconds per interval, as the kind says
    first: str  # the first affected reading's (or batch's first reading's) timestamp
    last: str
    seqs: tuple[int, ...]  # the batches it touches
    expect: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "device": self.device,
            "count": self.count,
            "first": self.first,
            "last": self.last,
            "seqs": list(self.seqs),
            "expect": list(self.expect),
        }
