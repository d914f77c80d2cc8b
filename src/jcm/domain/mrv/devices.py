"""Metering devices registered to a project and to the methodology parameter they measure.

A device is a meter or an inverter with a nameplate capacity, a location (for the sun's
position), a meter serial, a calibration and its maximum permissible error, and the Ed25519
public key that signs its batches. A device's register is either **interval** energy (each
reading is the energy of the interval ending at its timestamp) or **cumulative** (each
reading is the register's total; energy is the difference between readings).

Devices never change silently: registration, recalibration and replacement are each a
logged event (:data:`DEVICE_EVENTS`). Energies are integers in watt-hours, the resolution
of the meters the simulator and the intake model (1 Wh); MWh for a methodology come from an
exact integer sum divided by 10^6.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

DEVICE_REGISTERED = "mrv_device_registered"
DEVICE_RECALIBRATED = "mrv_device_recalibrated"
DEVICE_REPLACED = "mrv_device_replaced"
DEVICE_EVENTS = frozenset({DEVICE_REGISTERED, DEVICE_RECALIBRATED, DEVICE_REPLACED})


class DeviceKind(StrEnum):
    METER = "meter"
    INVERTER = "inverter"


class RegisterKind(StrEnum):
    INTERVAL = "interval"  # each reading: Wh in the interval ending at its timestamp
    CUMULATIVE = "cumulative"  # each reading: the register's total Wh


@dataclass(frozen=True, slots=True)
class Location:
    latitude: Decimal  # degrees, -90..90
    longitude: Decimal  # degrees, -180..180
    timezone: str  # IANA name, e.g. Africa/Nairobi


@dataclass(frozen=True, slots=True)
class Calibration:
    calibrated_on: date
    valid_until: date  # after this day the meter is overdue: its energy is reduced by MPE
    max_permissible_error_pct: Decimal  # e.g. 0.5 (%), applied conservatively when overdue
    certificate: str = ""  # a reference to the calibration certificate, free text


@dataclass(frozen=True, slots=True)
class Replacement:
    """A meter exchanged at a metering point: readings are never differenced across it."""

    at: datetime  # aware; readings at or after it come from the new meter
    old_serial: str
    old_final_wh: int  # the old register's last reading (cumulative registers; else 0)
    new_serial: str
    new_initial_wh: int  # the new register's first reading (cumulative registers; else 0)


@dataclass(frozen=True, slots=True)
class Device:
    # The metering point, e.g. KE001-PV-001 (letters, digits, . _ -; also the MQTT user
    # name and topic level). A replaced meter keeps the id; serial, key and calibration change.
    id: str
    project_id: str
    parameter: str  # the methodology's monitored parameter it measures, e.g. EG_p
    kind: DeviceKind
    register: RegisterKind
    interval_minutes: int  # the reading interval, 1..60
    nameplate_kw: Decimal  # AC nameplate capacity (> 0)
    location: Location
    meter_serial: str
    calibration: Calibration
    public_key: str  # Ed25519 raw public key, base64 (32 bytes)
    register_max_wh: int | None = None  # a cumulative register's largest value (rollover)
    replacements: tuple[Replacement, ...] = ()  # oldest first
    version: int = 1  # +1 on every logged change
