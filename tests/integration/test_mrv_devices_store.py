"""The SQL store of devices keeps every field of a device, exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from jcm.bootstrap import App
from jcm.domain.mrv.devices import (
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
    Replacement,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

DEVICE = Device(
    id="KE001-PV-001",
    project_id="KE-2026-001",
    parameter="EG_p",
    kind=DeviceKind.METER,
    register=RegisterKind.CUMULATIVE,
    interval_minutes=15,
    nameplate_kw=Decimal("1250.500"),
    location=Location(Decimal("-1.292100"), Decimal("36.821900"), "Africa/Nairobi"),
    meter_serial="SN-0001",
    calibration=Calibration(date(2026, 1, 5), date(2028, 1, 4), Decimal("0.500"), "CAL-1"),
    public_key="A" * 43 + "=",
    register_max_wh=10**12,
)


def test_a_stored_device_reads_back_identical_also_after_a_replacement(app: App) -> None:
    with app.unit_of_work() as uow:
        uow.mrv_devices.add(DEVICE, "demo-ke-solar", NOW)
        uow.commit()
    with app.unit_of_work(read_only=True) as uow:
        assert uow.mrv_devices.get(DEVICE.id) == DEVICE
        assert uow.mrv_devices.get("KE001-PV-999") is None
        assert uow.mrv_devices.organisation_of(DEVICE.id) == "demo-ke-solar"
    swap = Replacement(datetime(2026, 6, 1, 3, 0, tzinfo=UTC), "SN-0001", 123_456, "SN-0002", 7)
    changed = replace(DEVICE, meter_serial="SN-0002", replacements=(swap,), version=2)
    with app.unit_of_work() as uow:
        uow.mrv_devices.update(changed, NOW)
        uow.commit()
    with app.unit_of_work(read_only=True) as uow:
        assert uow.mrv_devices.get(DEVICE.id) == changed
        assert uow.mrv_devices.list("KE-2026-001") == [changed]
        assert uow.mrv_devices.list("JP-2026-001") == []
        assert uow.mrv_devices.list(None) == [changed]
