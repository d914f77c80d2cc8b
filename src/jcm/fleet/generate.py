"""Signed reading batches of a simulated fleet, with the faults asked for.

``simulate(fleet, first_day, days, seed=…, faults=…, batch="day")`` returns every envelope a
device would send (see :mod:`jcm.domain.mrv.batches`) and where each fault landed.

* Readings are stamped on the interval grid from the first day's local midnight, in the
  canonical form with the device's UTC offset at that moment; each is the energy of the
  interval ending at its timestamp (interval registers) or the register's total then
  (cumulative registers, starting from 0 and wrapping past ``register_max_wh``).
* A batch holds one local day (``batch="day"``) or one hour (``"hour"``) of one device.
  Its ``seq`` is the number of whole hours from 2020-01-01T00:00Z to the batch's start, plus
  one: it rises with time, is the same on every run, and a later run for later days goes on
  from where the earlier one stopped without any state (a day batch and the first hour
  batch of that day share a seq, so sending both is a replay, as it should be).
* The same fleet, days, faults and seed give byte-identical envelopes (Ed25519 signatures
  are deterministic).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jcm.adapters.mrv.signatures import sign_batch
from jcm.domain.errors import InvalidInput
from jcm.domain.mrv.batches import EARLIEST_YEAR, LATEST_YEAR, format_timestamp
from jcm.domain.mrv.devices import RegisterKind
from jcm.fleet import solar
from jcm.fleet.definition import Fleet, FleetDevice
from jcm.fleet.faults import EXPECTED, Fault, FaultKind, InjectedFault, bad_fault

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

EPOCH_UTC = 1_577_836_800  # 2020-01-01T00:00:00Z: seq counts hours from here
MAX_DAYS = 366
# Envelopes are Python objects (≈ 200 bytes a reading): bound one run's memory to about a
# gigabyte. Longer runs go in parts (seqs continue from run to run).
MAX_READINGS = 5_000_000
NIGHT_SHARE = 0.05  # injected night generation: 5 % of nameplate


@dataclass(frozen=True, slots=True)
class Envelope:
    device: str
    seq: int
    readings: int
    late: bool  # sent after every other envelope (the replays)
    body: dict[str, Any]  # {"batch": {...}, "signature": "..."}

    def payload(self) -> bytes:
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class Simulation:
    project: str
    first_day: date
    days: int
    seed: int
    batch: str
    envelopes: tuple[Envelope, ...]
    faults: tuple[InjectedFault, ...]

    @property
    def readings(self) -> int:
        return sum(e.readings for e in self.envelopes)

    def only(self, devices: set[str]) -> Simulation:
        """The part of this simulation that ``devices`` send (for splitting between sinks)."""
        return replace(
            self,
            envelopes=tuple(e for e in self.envelopes if e.device in devices),
            faults=tuple(f for f in self.faults if f.device in devices),
        )

    def summary(self) -> dict[str, Any]:
        late = [e for e in self.envelopes if e.late]
        return {
            "project": self.project,
            "from": self.first_day.isoformat(),
            "days": self.days,
            "seed": self.seed,
            "batch": self.batch,
            "devices": len({e.device for e in self.envelopes}),
            "batches": len(self.envelopes),
            "readings": self.readings,
            "late_batches": len(late),
            "faults": [f.as_json() for f in self.faults],
        }


@dataclass
class _Series:
    """One device's readings while faults are applied (numpy arrays, one entry per interval)."""

    device: FleetDevice
    index: int
    start_utc: int
    nominal: npt.NDArray[np.int64]  # the grid's UTC seconds
    ts: npt.NDArray[np.int64]  # what the device's clock writes (drift moves it)
    offsets: npt.NDArray[np.int64]  # UTC offset in minutes at each grid point
    wh: npt.NDArray[np.int64]  # interval energy
    sun_up: npt.NDArray[np.bool_]
    keep: npt.NDArray[np.bool_]  # False: dropped by a gap
    register_base: int = 0
    marks: list[tuple[Fault, int, int, int]] = field(default_factory=list)  # first, last, N
    injected: list[InjectedFault] = field(default_factory=list)
    forged: dict[int, int] = field(default_factory=dict)  # interval index → batches to forge
    replayed: set[int] = field(default_factory=set)  # interval indices whose batch is replayed


def simulate(
    fleet: Fleet,
    first_day: date,
    days: int,
    *,
    seed: int = 1,
    faults: tuple[Fault, ...] = (),
    batch: str = "day",
) -> Simulation:
    """Every envelope the fleet sends over ``days`` days from ``first_day`` (local)."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput("D11_BAD_PERIOD", f"Simulate 1 to {MAX_DAYS} days, not {days}.")
    if not EARLIEST_YEAR <= first_day.year < LATEST_YEAR:
        raise InvalidInput(
            "D11_BAD_PERIOD",
            f"Simulate days within {EARLIEST_YEAR}–{LATEST_YEAR - 1}, not {first_day}: readings "
            "are dated within the wire format's years.",
        )
    if batch not in ("day", "hour"):
        raise InvalidInput("D11_BAD_PERIOD", f"Batches hold a day or an hour, not {batch!r}.")
    expected = sum(days * 1440 // d.interval_minutes for d in fleet.devices)
    if expected > MAX_READINGS:
        raise InvalidInput(
            "D11_BAD_PERIOD",
            f"{len(fleet.devices):,} meters × {days} days make about {expected:,} readings; "
            f"simulate at most {MAX_READINGS:,} at once (in parts: seqs continue from run "
            "to run).",
        )
    by_device: dict[str, list[Fault]] = {}
    for fault in faults:
        if all(d.id != fault.device for d in fleet.devices):
            raise bad_fault(f"The fleet has no device {fault.device!r}.", fault.device)
        by_device.setdefault(fault.device, []).append(fault)
    envelopes: list[Envelope] = []
    late: list[Envelope] = []
    injected: list[InjectedFault] = []
    for index, device in enumerate(fleet.devices):
        series = _series(device, index, first_day, days, seed)
        for fault in _ordered(by_device.get(device.id, [])):
            _apply(series, fault, first_day, days)
        sent, resent = _batches(series, batch, seed)
        envelopes.extend(sent)
        late.extend(resent)
        injected.extend(series.injected)
    return Simulation(
        fleet.project, first_day, days, seed, batch, tuple(envelopes + late), tuple(injected)
    )


_ORDER = [FaultKind.STUCK, FaultKind.NIGHT, FaultKind.ROLLOVER, FaultKind.DRIFT, FaultKind.GAP]


def _ordered(faults: list[Fault]) -> list[Fault]:
    """Energy first, then the register, the clock, gaps; batch faults at batching."""
    rank = {kind: i for i, kind in enumerate(_ORDER)}
    return sorted(faults, key=lambda f: rank.get(f.kind, len(_ORDER)))


def _series(device: FleetDevice, index: int, first_day: date, days: int, seed: int) -> _Series:
    import numpy as np

    zone = ZoneInfo(device.timezone)
    start = int(datetime.combine(first_day, time(), zone).timestamp())
    end = int(datetime.combine(first_day + timedelta(days=days), time(), zone).timestamp())
    step = device.interval_minutes * 60
    count = (end - start) // step
    nominal = start + step * np.arange(count, dtype=np.int64)
    offsets = _offsets(nominal, zone)
    generation = solar.generate(device, start, count, seed, index)
    return _Series(
        device,
        index,
        start,
        nominal,
        nominal.copy(),
        offsets,
        generation.wh.copy(),
        generation.sun_up,
        np.ones(count, dtype=np.bool_),
    )


def _offsets(utc: npt.NDArray[np.int64], zone: ZoneInfo) -> npt.NDArray[np.int64]:
    """The zone's UTC offset in minutes at each instant: looked up once per UTC hour, and
    point by point within an hour whose offset differs from the next one's (a change of
    offset, which may fall on a half hour)."""
    import numpy as np

    def offset(second: int) -> int:
        delta = datetime.fromtimestamp(second, zone).utcoffset() or timedelta()
        return int(delta.total_seconds()) // 60

    hours = utc // 3600
    unique, inverse = np.unique(hours, return_inverse=True)
    per_hour = np.asarray([offset(int(h) * 3600) for h in unique], dtype=np.int64)
    changing = {int(h) for h in unique if offset(int(h) * 3600 + 3600) != offset(int(h) * 3600)}
    result = per_hour[inverse]
    for k in np.flatnonzero(np.isin(hours, list(changing))):
        result[k] = offset(int(utc[k]))
    return result


# -- faults on the readings -------------------------------------------------------------------


def _index(series: _Series, fault: Fault, first_day: date, days: int) -> int:
    local = fault.local_time(first_day, days)
    moment = int(local.replace(tzinfo=ZoneInfo(series.device.timezone)).timestamp())
    step = series.device.interval_minutes * 60
    position = (moment - series.start_utc) // step
    if not 0 <= position < len(series.nominal):
        raise bad_fault(
            f"{fault.kind.value} on {fault.device} at {local:%Y-%m-%dT%H:%M} lies outside "
            "the simulated days.",
            fault.device,
        )
    return int(position)


def _not_applicable(fault: Fault, why: str) -> InvalidInput:
    return InvalidInput(
        "D11_FAULT_NOT_APPLICABLE",
        f"{fault.kind.value} on {fault.device}: {why}.",
        fault=fault.kind.value,
        device=fault.device,
        rule="D11_FAULT_NOT_APPLICABLE",
    )


def _apply(series: _Series, fault: Fault, first_day: date, days: int) -> None:
    at = _index(series, fault, first_day, days)
    if fault.kind is FaultKind.FORGED:
        series.forged[at] = fault.count
        return
    if fault.kind is FaultKind.REPLAY:
        series.replayed.add(at)
        return
    apply = {
        FaultKind.STUCK: _stuck,
        FaultKind.NIGHT: _night,
        FaultKind.ROLLOVER: _rollover,
        FaultKind.DRIFT: _drift,
        FaultKind.GAP: _gap,
    }[fault.kind]
    first, last = apply(series, fault, at)
    count = fault.count if fault.kind is FaultKind.DRIFT else last - first + 1
    series.marks.append((fault, first, last, count))


def _stuck(series: _Series, fault: Fault, at: int) -> tuple[int, int]:
    import numpy as np

    lit = np.flatnonzero(series.wh[at:] > 0)
    if len(lit) == 0:
        raise _not_applicable(fault, "no energy to repeat after that time")
    first = at + int(lit[0])
    last = min(first + fault.count, len(series.wh)) - 1
    if last - first + 1 < 6:
        raise _not_applicable(fault, "fewer than 6 readings remain for the run")
    series.wh[first : last + 1] = series.wh[first]
    return first, last


def _night(series: _Series, fault: Fault, at: int) -> tuple[int, int]:
    if series.sun_up[at]:
        raise _not_applicable(fault, "the sun is up then; pick a night-time")
    last = at
    while last + 1 < len(series.wh) and last + 1 - at < fault.count and not series.sun_up[last + 1]:
        last += 1
    device = series.device
    energy = float(device.nameplate_kw) * 1000 * NIGHT_SHARE * device.interval_minutes / 60
    series.wh[at : last + 1] = round(energy)
    return at, last


def _rollover(series: _Series, fault: Fault, at: int) -> tuple[int, int]:
    import numpy as np

    maximum = series.device.register_max_wh
    if series.device.register is not RegisterKind.CUMULATIVE or maximum is None:
        raise _not_applicable(fault, "only a cumulative register rolls over")
    rising = np.flatnonzero(series.wh[at:] >= 2)
    if len(rising) == 0 or at + int(rising[0]) == 0:
        raise _not_applicable(fault, "the register does not rise after that time")
    where = at + int(rising[0])
    total = np.cumsum(series.wh)
    # Just below the maximum before ``where``, past it at ``where``.
    base = maximum + 1 - int(total[where]) + int(series.wh[where]) // 2
    if base < 0:
        raise _not_applicable(fault, "the register's maximum is below the energy simulated")
    series.register_base = base
    return where, where


def _drift(series: _Series, fault: Fault, at: int) -> tuple[int, int]:
    import numpy as np

    steps = np.arange(1, len(series.ts) - at + 1, dtype=np.int64)
    series.ts[at:] = series.ts[at:] + fault.count * steps
    return at, len(series.ts) - 1


def _gap(series: _Series, fault: Fault, at: int) -> tuple[int, int]:
    last = min(at + fault.count, len(series.keep)) - 1
    series.keep[at : last + 1] = False
    return at, last


# -- batches ----------------------------------------------------------------------------------


def _values(series: _Series) -> npt.NDArray[np.int64]:
    import numpy as np

    device = series.device
    if device.register is RegisterKind.INTERVAL or device.register_max_wh is None:
        return series.wh
    total = series.register_base + np.cumsum(series.wh)
    return total % (device.register_max_wh + 1)


def _groups(series: _Series, batch: str) -> npt.NDArray[np.int64]:
    if batch == "hour":
        return (series.nominal - series.start_utc) // 3600
    local = series.nominal + series.offsets * 60
    return (local - (series.start_utc + int(series.offsets[0]) * 60)) // 86_400


def _forger(seed: int, device: str) -> Ed25519PrivateKey:
    """Another key, the same on every run: what a forger signs with."""
    secret = hashlib.sha256(f"jcm-fleet-forger/{seed}/{device}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(secret)


def _batches(series: _Series, batch: str, seed: int) -> tuple[list[Envelope], list[Envelope]]:
    import numpy as np

    groups = _groups(series, batch)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    values = _values(series)
    key, forger = series.device.key(), _forger(seed, series.device.id)
    forged_groups = _forged_groups(series, groups)
    replay_groups = {int(groups[i]) for i in series.replayed}
    texts = timestamp_texts(series.ts, series.offsets)
    sent: list[Envelope] = []
    late: list[Envelope] = []
    seq_of: dict[int, int] = {}
    for start, end in zip(starts, ends, strict=True):
        group = int(groups[start])
        seq = (int(series.nominal[start]) - EPOCH_UTC) // 3600 + 1
        seq_of[group] = seq
        rows = [[texts[k], int(values[k])] for k in range(start, end) if series.keep[k]]
        if not rows:
            continue  # a device sends nothing for a period it has no readings of
        body = {"device": series.device.id, "seq": seq, "readings": rows}
        signer = forger if group in forged_groups else key
        sent.append(Envelope(series.device.id, seq, len(rows), False, sign_batch(body, signer)))
        if group in replay_groups:
            late.extend(_replays(sent[-1], key))
    _finish_injected(series, groups, seq_of, forged_groups, replay_groups, sent)
    return sent, late


def timestamp_texts(utc: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64]) -> list[str]:
    """``format_timestamp`` of every (UTC second, offset) pair, vectorised (the same text:
    the unit tests compare them)."""
    import numpy as np

    local = np.datetime_as_string((utc + offsets * 60).astype("datetime64[s]"), unit="s")
    suffix = {
        int(o): f"{'-' if o < 0 else '+'}{abs(int(o)) // 60:02d}:{abs(int(o)) % 60:02d}"
        for o in np.unique(offsets)
    }
    return [text + suffix[o] for text, o in zip(local.tolist(), offsets.tolist(), strict=True)]


def _forged_groups(series: _Series, groups: npt.NDArray[np.int64]) -> set[int]:
    forged: set[int] = set()
    for at, count in series.forged.items():
        forged |= {int(groups[at]) + k for k in range(count)}
    return forged


def _replays(original: Envelope, key: Ed25519PrivateKey) -> list[Envelope]:
    """The identical redelivery, then the same seq with other readings, correctly signed."""
    batch = original.body["batch"]
    altered = {**batch, "readings": [[t, wh + 1] for t, wh in batch["readings"]]}
    return [
        Envelope(original.device, original.seq, original.readings, True, dict(original.body)),
        Envelope(original.device, original.seq, original.readings, True, sign_batch(altered, key)),
    ]


def _finish_injected(
    series: _Series,
    groups: npt.NDArray[np.int64],
    seq_of: dict[int, int],
    forged: set[int],
    replayed: set[int],
    sent: list[Envelope],
) -> None:
    """Where each fault landed: its first and last readings and the batches it touches."""

    def text(k: int) -> str:
        return format_timestamp(int(series.ts[k]), int(series.offsets[k]))

    for fault, first, last, count in series.marks:
        seqs = sorted({seq_of[int(g)] for g in groups[first : last + 1]})
        series.injected.append(
            InjectedFault(
                fault.kind,
                fault.device,
                count,
                text(first),
                text(last),
                tuple(seqs),
                EXPECTED[fault.kind],
            )
        )
    by_seq = {e.seq: e for e in sent}
    for kind, chosen in ((FaultKind.FORGED, forged), (FaultKind.REPLAY, replayed)):
        envelopes = [by_seq[seq_of[g]] for g in sorted(chosen) if seq_of.get(g) in by_seq]
        if envelopes:
            readings = [r for e in envelopes for r in e.body["batch"]["readings"]]
            series.injected.append(
                InjectedFault(
                    kind,
                    series.device.id,
                    len(envelopes),
                    readings[0][0],
                    readings[-1][0],
                    tuple(e.seq for e in envelopes),
                    EXPECTED[kind],
                )
            )
