"""Replaying metering devices from their log entries and comparing the rebuilt rows with
``mrv_devices``.

Every device event carries the whole device after the change, so each row is rebuilt
column by column from the entries alone: the registration's entry time is the row's
``registered_at``, the last change's its ``updated_at``, the registering organisation its
``organisation_id``. Versions must follow one another (1, 2, 3 …) and only a registered
device changes; anything else is an entry that cannot be applied.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jcm.domain.mrv.device_json import device_columns, device_of
from jcm.domain.mrv.devices import DEVICE_EVENTS, DEVICE_REGISTERED
from jcm.service_layer.ports import RowSource
from jcm.service_layer.transparency.divergence import Divergence, TableSpec, compare_table

DEVICES = TableSpec("mrv_devices", ("id",), lambda k: f"device {k}")


@dataclass
class DeviceReplay:
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    touched: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def handles(kind: Any) -> bool:
        return kind in DEVICE_EVENTS

    def apply(self, index: int, kind: str, change: dict[str, Any], now: datetime) -> None:
        """Raise ValueError (or KeyError) when the entry cannot be applied."""
        device = device_of(change["device"])
        row = self.devices.get(device.id)
        if kind == DEVICE_REGISTERED:
            if row is not None:
                raise ValueError(f"device {device.id} is registered twice")
            if device.version != 1:
                raise ValueError(f"device {device.id} is registered at version {device.version}")
            organisation = change["organisation"]
            if not isinstance(organisation, str):
                raise ValueError(f"device {device.id} is registered by no organisation")
            self.devices[device.id] = {
                **device_columns(device),
                "organisation_id": organisation,
                "registered_at": now,
                "updated_at": now,
            }
        else:
            if row is None:
                raise ValueError(f"device {device.id} changes before it is registered")
            if device.version != row["version"] + 1:
                raise ValueError(
                    f"device {device.id} goes from version {row['version']} to {device.version}"
                )
            if device.project_id != row["project_id"]:
                raise ValueError(f"device {device.id} moves to another project")
            row.update(device_columns(device), updated_at=now)
        self.touched[device.id] = index


def _replacements_of(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row with its replacements parsed (the column is JSON text); text that is
    not JSON stays as it is, and then differs from what the log gives."""
    row = dict(stored)
    with contextlib.suppress(TypeError, ValueError):
        row["replacements"] = json.loads(row["replacements"])
    return row


def compare_devices(state: DeviceReplay, ledger: RowSource) -> Divergence | None:
    """The first stored device that differs from the replayed one (or is extra/missing)."""
    rows = (_replacements_of(row) for row in ledger.rows(DEVICES.table))
    return compare_table(DEVICES, state.devices, rows, state.touched.get)
