"""Replaying batch intake (``mrv_batches_received``, ``mrv_batches_refused``) and comparing
the rebuilt rows with ``mrv_batches`` and ``mrv_refusals``.

A received entry inserts its receipts (every column; ``received_at`` is the entry's time)
and adds one to the duplicate count of each (device, seq) it lists; a refused entry inserts
its refusals under the ids it records. A receipt must name a device registered by then, in
its project; a (device, seq) received twice, a duplicate of a batch never received and an
id used twice are entries that cannot be applied. Ids are unique but not necessarily
increasing along the log: concurrent calls may commit in another order than their ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jcm.domain.mrv.batches import BATCHES_RECEIVED, BATCHES_REFUSED
from jcm.service_layer.ports import RowSource
from jcm.service_layer.transparency.divergence import Divergence, TableSpec, compare_table

BATCHES = TableSpec("mrv_batches", ("device_id", "seq"), lambda k: f"batch {k[0]} #{k[1]}")
REFUSALS = TableSpec("mrv_refusals", ("id",), lambda k: f"refusal {k}")

DeviceRows = Callable[[str], Mapping[str, Any] | None]


def _no_devices(_: str) -> Mapping[str, Any] | None:
    return None


def files_text(files: list[str]) -> str:
    """A receipt's ``files`` column as the receipt store writes it."""
    return json.dumps(list(files), separators=(",", ":"), ensure_ascii=False)


@dataclass
class IntakeReplay:
    device_of: DeviceRows = _no_devices  # the replayed devices so far
    batches: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    refusals: dict[int, dict[str, Any]] = field(default_factory=dict)
    touched: dict[Any, int] = field(default_factory=dict)

    @staticmethod
    def handles(kind: Any) -> bool:
        return kind in (BATCHES_RECEIVED, BATCHES_REFUSED)

    def apply(self, index: int, kind: str, change: dict[str, Any], now: datetime) -> None:
        """Raise ValueError (or KeyError, TypeError) when the entry cannot be applied."""
        channel = change["channel"]
        if not isinstance(channel, str):
            raise ValueError("an intake entry names its channel")
        if kind == BATCHES_RECEIVED:
            self._received(index, channel, change, now)
        else:
            self._refused(index, channel, change, now)

    def _received(self, index: int, channel: str, change: dict[str, Any], now: datetime) -> None:
        for b in change["batches"]:
            key = (b["device"], b["seq"])
            if not isinstance(key[0], str) or not isinstance(key[1], int):
                raise ValueError(f"a receipt names a device and a seq, not {key!r}")
            if key in self.batches:
                raise ValueError(f"batch {key[0]} #{key[1]} is received twice")
            device = self.device_of(key[0])
            if device is None or device["project_id"] != b["project"]:
                raise ValueError(f"batch {key[0]} #{key[1]}: no such device in {b['project']}")
            self.batches[key] = {
                "device_id": key[0],
                "seq": key[1],
                "project_id": b["project"],
                "digest": b["digest"],
                "signature": b["signature"],
                "readings": b["readings"],
                "first_ts": b["first_ts"],
                "last_ts": b["last_ts"],
                "files": files_text(b["files"]),
                "channel": channel,
                "received_at": now,
                "duplicates": 0,
            }
            self.touched[key] = index
        for device, seq in change["duplicates"]:
            row = self.batches.get((device, seq))
            if row is None:
                raise ValueError(f"a duplicate of batch {device} #{seq}, never received")
            row["duplicates"] += 1
            self.touched[(device, seq)] = index

    def _refused(self, index: int, channel: str, change: dict[str, Any], now: datetime) -> None:
        for r in change["refusals"]:
            rid = r["id"]
            if not isinstance(rid, int) or rid in self.refusals:
                raise ValueError(f"refusal id {rid!r} is used twice or is not a number")
            self.refusals[rid] = {
                "id": rid,
                "device_id": r["device"],
                "seq": r["seq"],
                "code": r["code"],
                "message": r["message"],
                "channel": channel,
                "digest": r["digest"],
                "received_at": now,
            }
            self.touched[("refusal", rid)] = index

    def compare(self, ledger: RowSource) -> Divergence | None:
        """The first stored receipt or refusal that differs from the replayed ones."""
        return compare_table(
            BATCHES, self.batches, ledger.rows(BATCHES.table), self.touched.get
        ) or compare_table(
            REFUSALS,
            self.refusals,
            ledger.rows(REFUSALS.table),
            lambda rid: self.touched.get(("refusal", rid)),
        )
