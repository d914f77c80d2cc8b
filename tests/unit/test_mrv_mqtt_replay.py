"""`jcm log verify` judges credentials entries: a device registered by then, its project."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from jcm.domain.mrv import device_rules
from jcm.domain.mrv.broker import CREDENTIALS_ISSUED, device_topic
from jcm.domain.mrv.devices import (
    DEVICE_REGISTERED,
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
)
from jcm.domain.transparency.log_entries import log_entry
from jcm.service_layer.transparency.replay import Replayer, ReplayError

AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
DEVICE = Device(
    id="KE001-PV-001",
    project_id="KE001",
    parameter="EG_p",
    kind=DeviceKind.METER,
    register=RegisterKind.INTERVAL,
    interval_minutes=15,
    nameplate_kw=Decimal("250"),
    location=Location(Decimal("-1.286389"), Decimal("36.817223"), "Africa/Nairobi"),
    meter_serial="SN-1",
    calibration=Calibration(date(2026, 1, 15), date(2028, 1, 14), Decimal("0.5")),
    public_key="A" * 43 + "=",
)


def _issued(project: str = "KE001") -> dict[str, object]:
    change = {
        "device": DEVICE.id,
        "project": project,
        "username": DEVICE.id,
        "topic": device_topic(DEVICE.id),
    }
    return log_entry(CREDENTIALS_ISSUED, change, AT)


def _registered() -> dict[str, object]:
    return log_entry(DEVICE_REGISTERED, device_rules.registered(DEVICE, "demo-jp-solar"), AT)


def test_credentials_of_a_registered_device_replay() -> None:
    replayer = Replayer()
    replayer.apply(0, _registered())
    replayer.apply(1, _issued())


def test_credentials_before_the_device_is_registered_are_caught() -> None:
    with pytest.raises(ReplayError, match="before it exists"):
        Replayer().apply(0, _issued())


def test_credentials_naming_another_project_are_caught() -> None:
    replayer = Replayer()
    replayer.apply(0, _registered())
    with pytest.raises(ReplayError, match="another project"):
        replayer.apply(1, _issued(project="KE002"))
