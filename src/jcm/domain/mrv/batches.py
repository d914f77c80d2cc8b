"""Signed reading batches: the wire format every intake path shares, and its checks.

A device sends an **envelope**, a JSON object::

    {"batch": {"device": "KE001-PV-001", "seq": 17,
               "readings": [["2026-06-01T10:15:00+03:00", 1234], ...]},
     "signature": "<base64 Ed25519 signature>"}

* ``signature`` signs the RFC 8785 canonical JSON of ``batch`` (UTF-8) with the device's
  key; the canonical bytes' SHA-256 is the batch's **digest**.
* ``seq`` is the device's batch number, 1 .. 2^53−1 (I-JSON), one per batch; (device, seq) is stored
  at most once. A batch whose (device, seq) is already stored is a **replay**: identical
  bytes are acknowledged as a duplicate and change nothing; other bytes are refused.
* Each reading is ``[timestamp, value]``: the timestamp in the one canonical form
  ``YYYY-MM-DDTHH:MM:SS±HH:MM`` (seconds, numeric offset; ``Z`` is not accepted), so that
  the text can be rebuilt exactly from the stored (UTC seconds, offset) pair and a batch's
  signature re-checked from Parquet alone; the value an integer number of Wh (interval
  energy or cumulative register, as the device is registered). Negative values are accepted
  here and flagged by QA (``Q05_NEGATIVE``); they are data, not malformed input.

This module parses and bounds a batch (``D4_MALFORMED``, ``D5_TOO_LARGE``); signatures and
canonical bytes are computed by an adapter (they need ``cryptography`` and ``rfc8785``).
"""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

from jcm.domain.errors import InvalidInput

MAX_READINGS_PER_BATCH = 10_000
MAX_ENVELOPE_BYTES = 1_048_576  # 1 MiB: 10,000 readings take about 400 KB
MAX_SEQ = 2**53 - 1  # I-JSON: exact in every JSON parser
MAX_ABS_WH = 10**12  # a terawatt-hour: no single reading is larger
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
# The logged events of intake: one per call for its receipts and duplicates, one for its
# refusals (each in the transaction that writes them; `jcm log verify` rebuilds the tables).
BATCHES_RECEIVED = "mrv_batches_received"
BATCHES_REFUSED = "mrv_batches_refused"

_DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # also an MQTT topic level
# ASCII digits only (``\d`` would take other scripts' digits, whose text does not round-trip).
_TIMESTAMP = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})([+-])([0-9]{2}):([0-9]{2})$"
)
# Readings come 96 a day from one device: the UTC seconds of each (local day, offset) are
# computed once and the time of day added (a memo: the result is the same; no DST, as the
# offset is written in the text).
_DAYS: dict[str, tuple[int, int]] = {}
_DAYS_MAX = 100_000
_DIGITS = frozenset("0123456789")


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # stored now
    DUPLICATE = "duplicate"  # the same bytes were stored before: acknowledged, no change
    REFUSED = "refused"  # not stored; the refusal's code says why


@dataclass(frozen=True, slots=True)
class Reading:
    utc_seconds: int  # seconds since 1970-01-01T00:00:00Z
    offset_minutes: int  # the device's UTC offset as written, -1439..1439
    wh: int


@dataclass(frozen=True, slots=True)
class Batch:
    device: str
    seq: int
    readings: tuple[Reading, ...]


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlevel = 2


def _shown(value: object) -> str:
    """A bounded repr of an untrusted value (long or deeply nested input stays short)."""
    return _REPR.repr(value)


def is_device_id(value: object) -> bool:
    return isinstance(value, str) and _DEVICE_ID.fullmatch(value) is not None


def _malformed(message: str, device: object = None, seq: object = None) -> InvalidInput:
    return InvalidInput(
        "D4_MALFORMED",
        message,
        device=device if isinstance(device, str) else None,
        seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
        rule="D4_MALFORMED",
    )


def parse_timestamp(text: object) -> tuple[int, int]:
    """(UTC seconds, offset minutes) of a canonical timestamp; ValueError otherwise."""
    if type(text) is str and len(text) == 25:
        day = _DAYS.get(text[:11] + text[19:])  # "YYYY-MM-DDT" + "±HH:MM"
        if day is not None:
            hh, mm, ss = text[11:13], text[14:16], text[17:19]
            if (
                text[13] == ":"
                and text[16] == ":"
                and hh[0] in _DIGITS
                and hh[1] in _DIGITS
                and mm[0] in _DIGITS
                and mm[1] in _DIGITS
                and ss[0] in _DIGITS
                and ss[1] in _DIGITS
                and hh < "24"
                and mm < "60"
                and ss < "60"
            ):
                return day[0] + int(hh) * 3600 + int(mm) * 60 + int(ss), day[1]
    utc_seconds, offset = _parse_timestamp(text)
    if len(_DAYS) >= _DAYS_MAX:
        _DAYS.clear()
    assert isinstance(text, str)
    since_midnight = int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])
    _DAYS[text[:11] + text[19:]] = (utc_seconds - since_midnight, offset)
    return utc_seconds, offset


def _parse_timestamp(text: object) -> tuple[int, int]:
    match = _TIMESTAMP.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{_shown(text)} is not a timestamp YYYY-MM-DDTHH:MM:SS±HH:MM")
    year, month, day, hour, minute, second, sign, oh, om = match.groups()
    offset = int(oh) * 60 + int(om)
    if offset >= 24 * 60:
        raise ValueError(f"{text!r} has an offset of a day or more")
    if sign == "-" and offset == 0:
        raise ValueError(f"{text!r} writes a zero offset as -00:00; write +00:00")
    offset = -offset if sign == "-" else offset
    if not EARLIEST_YEAR <= int(year) <= LATEST_YEAR:
        raise ValueError(f"{text!r} is outside the years {EARLIEST_YEAR}–{LATEST_YEAR}")
    zone = timezone(timedelta(minutes=offset))
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone
    )
    return int(moment.timestamp()), offset


def format_timestamp(utc_seconds: int, offset_minutes: int) -> str:
    """The canonical text of a stored (UTC seconds, offset) pair: the inverse of parsing."""
    local = datetime.fromtimestamp(utc_seconds, UTC) + timedelta(minutes=offset_minutes)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{local:%Y-%m-%dT%H:%M:%S}{sign}{hours:02d}:{minutes:02d}"


def split_envelope(envelope: object) -> tuple[dict[str, object], str]:
    """The batch object and the signature text of a decoded envelope (D4 otherwise)."""
    if not isinstance(envelope, dict):
        raise _malformed("A batch envelope must be a JSON object.")
    batch = envelope.get("batch")
    device = batch.get("device") if isinstance(batch, dict) else None
    seq = batch.get("seq") if isinstance(batch, dict) else None
    if set(envelope) != {"batch", "signature"} and set(envelope) != {"batch"}:
        raise _malformed("A batch envelope holds exactly batch and signature.", device, seq)
    if not isinstance(batch, dict):
        raise _malformed("The envelope's batch must be a JSON object.", device, seq)
    signature = envelope.get("signature", "")
    if not isinstance(signature, str):
        raise _malformed("The envelope's signature must be base64 text.", device, seq)
    return batch, signature


def parse_batch(batch: dict[str, object]) -> Batch:
    """Check a batch object's shape and bounds (never its signature)."""
    device, seq, readings = batch.get("device"), batch.get("seq"), batch.get("readings")
    if set(batch) != {"device", "seq", "readings"}:
        raise _malformed("A batch holds exactly device, seq and readings.", device, seq)
    if not is_device_id(device):
        raise _malformed(f"The device id {_shown(device)} is not an identifier.", None, seq)
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        raise _malformed(f"The sequence number {_shown(seq)} is not an integer ≥ 1.", device, None)
    if not isinstance(readings, list) or not readings:
        raise _malformed("A batch carries a non-empty list of readings.", device, seq)
    if len(readings) > MAX_READINGS_PER_BATCH:
        raise InvalidInput(
            "D5_TOO_LARGE",
            f"Batch {seq} of {device} has {len(readings):,} readings; at most "
            f"{MAX_READINGS_PER_BATCH:,} are allowed.",
            device=device,
            seq=seq,
            rule="D5_TOO_LARGE",
        )
    try:
        parsed = _fast_readings(readings)
    except (ValueError, TypeError):  # find the first bad reading and say what is wrong
        parsed = tuple(_reading(item, i, str(device), seq) for i, item in enumerate(readings))
    return Batch(str(device), seq, parsed)


def _fast_readings(readings: list[object]) -> tuple[Reading, ...]:
    """The readings of a well-formed batch, with the least work per reading; ValueError or
    TypeError at the first that is not (the caller then reports it precisely)."""
    out: list[Reading] = []
    append = out.append
    for item in readings:
        if type(item) is not list or len(item) != 2:
            raise ValueError
        text, wh = item
        if type(wh) is not int or not -MAX_ABS_WH <= wh <= MAX_ABS_WH:
            raise ValueError
        utc_seconds, offset = parse_timestamp(text)
        append(Reading(utc_seconds, offset, wh))
    return tuple(out)


def _reading(item: object, index: int, device: str, seq: int) -> Reading:
    if not isinstance(item, list) or len(item) != 2:
        raise _malformed(f"Reading {index} of batch {seq} is not [timestamp, Wh].", device, seq)
    text, wh = item
    if isinstance(wh, bool) or not isinstance(wh, int) or abs(wh) > MAX_ABS_WH:
        raise _malformed(
            f"Reading {index} of batch {seq}: {_shown(wh)} is not a whole number of Wh within "
            f"±{MAX_ABS_WH:,}.",
            device,
            seq,
        )
    try:
        utc_seconds, offset = parse_timestamp(text)
    except ValueError as error:
        raise _malformed(f"Reading {index} of batch {seq}: {error}.", device, seq) from None
    return Reading(utc_seconds, offset, wh)


def batch_object(batch: Batch) -> dict[str, object]:
    """The JSON object of a parsed batch, exactly as a device signs it (round trip)."""
    return {
        "device": batch.device,
        "seq": batch.seq,
        "readings": [
            [format_timestamp(r.utc_seconds, r.offset_minutes), r.wh] for r in batch.readings
        ],
    }
