"""The device rules: what a registration, recalibration and replacement may be."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from jcm.domain import methodologies
from jcm.domain.errors import InvalidInput
from jcm.domain.mrv import device_rules as rules
from jcm.domain.mrv.device_json import device_json, device_of, device_of_body
from jcm.domain.mrv.devices import (
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
    Replacement,
)

TODAY = date(2026, 4, 1)
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode()
CALIBRATION = Calibration(date(2026, 1, 5), date(2028, 1, 4), Decimal("0.5"), "CAL-1")
DEVICE = Device(
    "KE001-PV-001",
    "KE001",
    "EG_p",
    DeviceKind.METER,
    RegisterKind.CUMULATIVE,
    15,
    Decimal("250"),
    Location(Decimal("-1.29"), Decimal("36.82"), "Africa/Nairobi"),
    "SN-1",
    CALIBRATION,
    KEY,
    register_max_wh=10**9,
)
MONITORED = ("EG_p",)


def _code(call: Any) -> str:
    with pytest.raises(InvalidInput) as refused:
        call()
    return refused.value.code


def test_the_solar_pv_methodology_monitors_its_generation_and_not_its_capacity() -> None:
    ke = methodologies.get("KE_AM002", "1.0")
    assert rules.energy_parameters(ke) == ("EG_p",)


def test_a_valid_device_is_registered_at_version_1_at_its_stored_scale() -> None:
    new = rules.check_new_device(replace(DEVICE, version=7), MONITORED, TODAY)
    assert new.version == 1
    assert str(new.nameplate_kw) == "250.000"
    assert str(new.location.latitude) == "-1.290000"
    assert device_of(device_json(new)) == new


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"id": "-starts-with-dash"}, "D7_BAD_DEVICE"),
        ({"id": "x" * 65}, "D7_BAD_DEVICE"),
        ({"parameter": "P_PV"}, "D7_NOT_MONITORED_PARAMETER"),
        ({"interval_minutes": 45}, "D7_BAD_DEVICE"),
        ({"interval_minutes": 61}, "D7_BAD_DEVICE"),
        ({"nameplate_kw": Decimal("-1")}, "D7_BAD_DEVICE"),
        ({"nameplate_kw": Decimal("0.0001")}, "D7_BAD_DEVICE"),
        ({"nameplate_kw": Decimal("NaN")}, "D7_BAD_DEVICE"),
        ({"location": Location(Decimal("-90.1"), Decimal(0), "UTC")}, "D7_BAD_DEVICE"),
        ({"location": Location(Decimal(0), Decimal("180.5"), "UTC")}, "D7_BAD_DEVICE"),
        ({"location": Location(Decimal("1.1234567"), Decimal(0), "UTC")}, "D7_BAD_DEVICE"),
        ({"location": Location(Decimal(0), Decimal(0), "Europe/Nowhere")}, "D7_BAD_TIMEZONE"),
        ({"location": Location(Decimal(0), Decimal(0), "/etc/passwd")}, "D7_BAD_TIMEZONE"),
        ({"meter_serial": "SN\n1"}, "D7_BAD_DEVICE"),
        ({"public_key": base64.b64encode(bytes(31)).decode()}, "D2_BAD_KEY"),
        ({"public_key": KEY[:-1]}, "D2_BAD_KEY"),
        ({"register": RegisterKind.INTERVAL}, "D7_BAD_DEVICE"),  # a maximum on an interval
        ({"register_max_wh": 0}, "D7_BAD_DEVICE"),
        ({"calibration": replace(CALIBRATION, valid_until=date(2026, 1, 4))}, "D7_BAD_CALIBRATION"),
        ({"calibration": replace(CALIBRATION, calibrated_on=date(2026, 4, 2))},
         "D7_BAD_CALIBRATION"),
        ({"calibration": replace(CALIBRATION, max_permissible_error_pct=Decimal("-0.1"))},
         "D7_BAD_CALIBRATION"),
        ({"calibration": replace(CALIBRATION, certificate="c" * 201)}, "D7_BAD_CALIBRATION"),
    ],
)  # fmt: skip
def test_an_invalid_registration_is_refused_with_its_code(
    changes: dict[str, Any], code: str
) -> None:
    assert _code(lambda: rules.check_new_device(replace(DEVICE, **changes), MONITORED, TODAY)) == (
        code
    )


def test_a_refusal_names_the_device_the_field_and_the_rule() -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.check_new_device(replace(DEVICE, interval_minutes=7), MONITORED, TODAY)
    details = refused.value.details
    assert (details["device"], details["field"], details["rule"]) == (
        "KE001-PV-001",
        "interval_minutes",
        "D7_BAD_DEVICE",
    )


def test_a_recalibration_must_be_later_than_the_calibration_in_force() -> None:
    later = Calibration(date(2026, 3, 1), date(2028, 3, 1), Decimal("0.2"))
    changed, change = rules.recalibrate(DEVICE, later, TODAY)
    assert (changed.version, changed.calibration.calibrated_on) == (2, date(2026, 3, 1))
    assert change["previous_calibration"]["calibrated_on"] == "2026-01-05"
    assert change["device"]["version"] == 2
    same_day = replace(later, calibrated_on=CALIBRATION.calibrated_on)
    assert _code(lambda: rules.recalibrate(DEVICE, same_day, TODAY)) == "D7_BAD_CALIBRATION"


def _swap(**changes: Any) -> Replacement:
    base = Replacement(NOW - timedelta(days=1), "ignored", 5_000, "SN-2", 0)
    return replace(base, **changes)


def test_a_replacement_records_the_old_serial_and_changes_serial_key_and_calibration() -> None:
    changed, change = rules.replace_meter(DEVICE, _swap(), OTHER_KEY, CALIBRATION, NOW)
    assert (changed.meter_serial, changed.public_key, changed.version) == ("SN-2", OTHER_KEY, 2)
    assert changed.replacements[0].old_serial == "SN-1"
    assert change["replacement"]["old_final_wh"] == 5_000
    again, _ = rules.replace_meter(changed, _swap(at=NOW, new_serial="SN-3"), KEY, CALIBRATION, NOW)
    assert [r.new_serial for r in again.replacements] == ["SN-2", "SN-3"]
    earlier = _swap(at=NOW - timedelta(days=2), new_serial="SN-3")
    assert _code(lambda: rules.replace_meter(changed, earlier, KEY, CALIBRATION, NOW)) == (
        "D7_BAD_REPLACEMENT"
    )


@pytest.mark.parametrize(
    ("swap", "key", "device"),
    [
        (_swap(at=datetime(2026, 3, 1, 9, 0)), OTHER_KEY, DEVICE),  # naive
        (_swap(at=NOW + timedelta(minutes=1)), OTHER_KEY, DEVICE),  # future
        (_swap(new_serial="SN-1"), OTHER_KEY, DEVICE),
        (_swap(), KEY, DEVICE),  # the same key
        (_swap(old_final_wh=-1), OTHER_KEY, DEVICE),
        (_swap(new_initial_wh=10**9 + 1), OTHER_KEY, DEVICE),  # above the register maximum
        (_swap(old_final_wh=5), OTHER_KEY, replace(DEVICE, register=RegisterKind.INTERVAL,
                                                   register_max_wh=None)),
    ],
)  # fmt: skip
def test_an_invalid_replacement_is_refused(swap: Replacement, key: str, device: Device) -> None:
    assert _code(lambda: rules.replace_meter(device, swap, key, CALIBRATION, NOW)) == (
        "D7_BAD_REPLACEMENT"
    )


def test_a_body_with_a_float_an_unknown_field_or_a_missing_field_is_refused() -> None:
    body = device_json(DEVICE)
    del body["version"], body["replacements"]
    assert device_of_body(body) == DEVICE
    for broken in (
        {**body, "nameplate_kw": 2.5},
        {**body, "colour": "red"},
        {name: value for name, value in body.items() if name != "location"},
        {**body, "interval_minutes": True},
        {**body, "kind": "turbine"},
        {**body, "calibration": {**body["calibration"], "valid_until": "2028-13-01"}},
    ):
        assert _code(lambda b=broken: device_of_body(b)) == "D7_BAD_DEVICE"
