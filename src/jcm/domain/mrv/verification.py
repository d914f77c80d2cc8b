"""Automatic verification of a monitoring period: a deterministic, versioned rule set.

A period's accepted batches, its devices and their QA reports (one
:class:`~jcm.domain.mrv.qa.DeviceQaReport` per device) become the **monitored values** of the
project's methodology and a **verification record** anyone can recompute:

* every monitored parameter's value is the exact sum of its devices' ``credited_wh``,
  converted once, at the methodology boundary: ``Decimal(wh) / 10**6`` MWh (six decimals,
  exact);
* the **Merkle root** (RFC 9162) is over the accepted batches the verification read (those
  with a reading in the period's UTC days, or in the QA rule set's look-back before it),
  ordered by (device, seq), one leaf per batch, the leaf's data the batch's canonical signed bytes
  (rebuilt from Parquet rows with :func:`~jcm.domain.mrv.batches.batch_object`);
* the verdict follows :class:`VerificationRuleSet` (a change of any rule is a new version):
  the QA rule set it requires, each device's minimum data completeness, every device that
  measures a monitored parameter covered by a QA report, at least one device per monitored
  parameter, data present. A failed verdict is recorded with its reasons and never enters
  the project cycle.

The record's canonical bytes (sorted keys, no spaces, UTF-8) and their SHA-256 are what the
log entry ``mrv_period_verified`` and the evidence bundle carry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from jcm.domain.methodologies.record import canonical_bytes
from jcm.domain.mrv.device_json import device_json
from jcm.domain.mrv.devices import Device
from jcm.domain.mrv.qa import DEFAULT_QA_RULES, DeviceQaReport, report_json
from jcm.domain.transparency import merkle

PERIOD_VERIFIED = "mrv_period_verified"  # the log event of a verification
RECORD_FORMAT = "jcm-mrv-verification/1"
WH_PER_MWH = 10**6


@dataclass(frozen=True, slots=True)
class VerificationRuleSet:
    """What a period needs to pass automatic verification; a change is a new ``version``."""

    version: str = "mrv-verify-1.0"
    qa_rule_set: str = DEFAULT_QA_RULES.version  # QA reports must come from exactly this one
    # Each device's readings / expected intervals over the period (CDM VVS data completeness).
    min_completeness: Decimal = Decimal("0.9")
    unit: str = "MWh"  # the unit monitored values are given to the methodology in

    def as_json(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}


DEFAULT_VERIFICATION_RULES = VerificationRuleSet()


def rule_set_of(data: Mapping[str, Any]) -> VerificationRuleSet:
    """The rule set a record names (its ``as_json``)."""
    return VerificationRuleSet(
        version=str(data["version"]),
        qa_rule_set=str(data["qa_rule_set"]),
        min_completeness=Decimal(str(data["min_completeness"])),
        unit=str(data["unit"]),
    )


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a period fails automatic verification: a D10 code and a sentence."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class BatchLeaf:
    """One accepted batch of the period: its identity and its canonical signed bytes."""

    device: str
    seq: int
    canonical: bytes


def mwh(wh: int) -> Decimal:
    """Exact MWh of an integer number of Wh (``Decimal(wh) / 10**6``, six decimals)."""
    return (Decimal(wh) / WH_PER_MWH).quantize(Decimal("0.000001"))


def period_bounds(start: date, end: date, lookback_days: int = 0) -> tuple[int, int]:
    """UTC seconds [first, after-last) of the UTC days start − lookback … end (inclusive):
    the days the QA job reads (a cumulative register's first reading of the period is
    differenced against one up to ``lookback_days`` earlier)."""
    first = datetime.combine(start - timedelta(days=lookback_days), time(0), UTC)
    after = datetime.combine(end + timedelta(days=1), time(0), UTC)
    return int(first.timestamp()), int(after.timestamp())


def seq_ranges(keys: Iterable[tuple[str, int]]) -> dict[str, list[list[int]]]:
    """The batches a verification covers, compactly: device → inclusive [first, last] runs
    of its sequence numbers (a device's batches are usually consecutive)."""
    out: dict[str, list[list[int]]] = {}
    for device, seq in sorted(set(keys)):
        runs = out.setdefault(device, [])
        if runs and runs[-1][1] == seq - 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    return out


def in_ranges(ranges: Mapping[str, Sequence[Sequence[int]]], device: str, seq: int) -> bool:
    return any(first <= seq <= last for first, last in ranges.get(device, ()))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def merkle_root(leaves: Iterable[BatchLeaf]) -> str:
    """RFC 9162 root (hex) over the batches ordered by (device, seq); the empty tree's root
    for none."""
    ordered = sorted(leaves, key=lambda leaf: (leaf.device, leaf.seq))
    return merkle.root_from_leaves([merkle.leaf_hash(leaf.canonical) for leaf in ordered]).hex()


def qa_report_json(report: DeviceQaReport) -> dict[str, Any]:
    """A QA report as JSON: the QA part's own form (what ``mrv_qa_reports`` stores)."""
    return dict(report_json(report))


def qa_report_digest(report: DeviceQaReport) -> str:
    return hashlib.sha256(canonical_bytes(qa_report_json(report))).hexdigest()


def key_at(keys: Sequence[Mapping[str, Any]], device: Device, utc_seconds: int) -> str:
    """The public key that signed a batch starting at ``utc_seconds``: the device's key
    history (registration, then each replacement from its moment) says which meter was in
    place; a device without a history signs with its current key."""
    found = device.public_key if not keys else str(keys[0]["public_key"])
    for entry in keys:
        since = entry.get("from")
        if since is None or int(datetime.fromisoformat(since).timestamp()) <= utc_seconds:
            found = str(entry["public_key"])
    return found


def monitored_wh(
    devices: Sequence[Device], reports: Mapping[str, DeviceQaReport]
) -> dict[str, int]:
    """Σ credited Wh of each monitored parameter's devices (integers: exact)."""
    totals: dict[str, int] = {}
    for device in devices:
        report = reports.get(device.id)
        totals[device.parameter] = totals.get(device.parameter, 0) + (
            report.credited_wh if report is not None else 0
        )
    return dict(sorted(totals.items()))


def judge(
    rules: VerificationRuleSet,
    start: date,
    end: date,
    devices: Sequence[Device],
    reports: Mapping[str, DeviceQaReport],
    parameters: Sequence[str],
    batches: int,
) -> list[Reason]:
    """Every reason the period fails (empty: it passes), in a fixed order."""
    reasons: list[Reason] = []
    if not parameters:
        reasons.append(
            Reason(
                "D10_NO_METHODOLOGY",
                "The project's methodology has no executable version here with monitored "
                "parameters to fill.",
            )
        )
    measured = {d.parameter for d in devices}
    for name in parameters:
        if name not in measured:
            reasons.append(
                Reason("D10_PARAMETER_UNMEASURED", f"No device measures parameter {name}.")
            )
    if batches == 0:
        reasons.append(
            Reason("D10_NO_DATA", f"No accepted batch holds a reading of {start}…{end}.")
        )
    for device in sorted(devices, key=lambda d: d.id):
        reasons.extend(_device_reasons(rules, start, end, device, reports.get(device.id)))
    return reasons


def _device_reasons(
    rules: VerificationRuleSet,
    start: date,
    end: date,
    device: Device,
    report: DeviceQaReport | None,
) -> list[Reason]:
    if report is None:
        return [Reason("D10_DEVICE_UNCOVERED", f"Device {device.id} has no QA report.")]
    out = []
    if report.rule_set != rules.qa_rule_set:
        out.append(
            Reason(
                "D10_QA_RULE_SET",
                f"Device {device.id}'s QA report is under {report.rule_set}; "
                f"{rules.version} requires {rules.qa_rule_set}.",
            )
        )
    if (report.period_start, report.period_end) != (start.isoformat(), end.isoformat()):
        out.append(
            Reason(
                "D10_PERIOD_MISMATCH",
                f"Device {device.id}'s QA report covers {report.period_start}…"
                f"{report.period_end}, not {start}…{end}.",
            )
        )
    expected = report.expected_intervals
    share = Decimal(report.readings) / expected if expected > 0 else Decimal(0)
    if share < rules.min_completeness:
        out.append(
            Reason(
                "D10_INCOMPLETE",
                f"Device {device.id} has {report.readings:,} of {expected:,} expected "
                f"readings ({share:.1%}); {rules.version} needs "
                f"{rules.min_completeness:.0%}.",
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class MethodologyResult:
    """The methodology's calculation on the monitored values, as the record states it."""

    methodology: str
    version: str
    facts: Mapping[str, Any]  # the project's PDD facts, as stored
    fixed: Mapping[str, Any]  # the project's fixed parameters, as stored
    emission_reductions: int | None  # None: the record failed before the calculation
    record_digest: str | None


@dataclass(frozen=True, slots=True)
class VerificationInputs:
    verification_id: str
    project_id: str
    start: date
    end: date
    rules: VerificationRuleSet
    qa_rules: Mapping[str, object]  # the QA rule set's parameters (QaRuleSet.as_json)
    devices: Sequence[Device]
    reports: Mapping[str, DeviceQaReport]
    batches: int
    readings: int
    root: str
    # Each device's keys in order: {"from": ISO moment or None (registration), "public_key"}.
    keys: Mapping[str, Sequence[Mapping[str, Any]]] | None = None


def monitored_json(totals: Mapping[str, int], unit: str) -> dict[str, dict[str, Any]]:
    return {name: {"wh": wh, "value": str(mwh(wh)), "unit": unit} for name, wh in totals.items()}


def monitored_values(
    totals: Mapping[str, int], unit: str
) -> tuple[tuple[str, tuple[str, str]], ...]:
    """The values the cycle's monitoring report carries, e.g. (("EG_p", ("12.5", "MWh")),)."""
    return tuple((name, (str(mwh(wh)), unit)) for name, wh in totals.items())


def build_record(
    given: VerificationInputs, result: MethodologyResult, reasons: Sequence[Reason]
) -> dict[str, Any]:
    """The verification record (JSON object); deterministic for the same inputs."""
    totals = monitored_wh(given.devices, given.reports)
    return {
        "format": RECORD_FORMAT,
        "id": given.verification_id,
        "project": given.project_id,
        "period": {"start": given.start.isoformat(), "end": given.end.isoformat()},
        "rule_set": given.rules.as_json(),
        "qa_rule_set": dict(given.qa_rules),
        "devices": [
            {**device_json(d), "keys": list((given.keys or {}).get(d.id, ()))}
            for d in sorted(given.devices, key=lambda d: d.id)
        ],
        "batches": given.batches,
        "readings": given.readings,
        "merkle_root": given.root,
        "qa_reports": [
            {"device": d, "digest": qa_report_digest(r), "report": qa_report_json(r)}
            for d, r in sorted(given.reports.items())
        ],
        "monitored": monitored_json(totals, given.rules.unit),
        "methodology": {
            "id": result.methodology,
            "version": result.version,
            "facts": dict(result.facts),
            "fixed": dict(result.fixed),
            "emission_reductions": result.emission_reductions,
            "record_digest": result.record_digest,
        },
        "passed": not reasons,
        "reasons": [{"code": r.code, "message": r.message} for r in reasons],
    }


def record_bytes(record: Mapping[str, Any]) -> bytes:
    return canonical_bytes(record)


def record_digest(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(record_bytes(record)).hexdigest()


def verified_event(
    record: Mapping[str, Any], digest: str, monitoring_id: str | None, accepted: bool
) -> dict[str, Any]:
    """The change of the log event ``mrv_period_verified``."""
    return {
        "verification": record["id"],
        "project": record["project"],
        "period": record["period"],
        "rule_set": record["rule_set"]["version"],
        "qa_rule_set": record["rule_set"]["qa_rule_set"],
        "merkle_root": record["merkle_root"],
        "batches": record["batches"],
        "readings": record["readings"],
        "qa_reports": {q["device"]: q["digest"] for q in record["qa_reports"]},
        "monitored": {k: v["value"] for k, v in record["monitored"].items()},
        "emission_reductions": record["methodology"]["emission_reductions"],
        "calculation_digest": record["methodology"]["record_digest"],
        "record_digest": digest,
        "passed": record["passed"],
        "monitoring_period": monitoring_id,
        "accepted_as_verification": accepted,
    }


def verification_id(project_id: str, seq: int) -> str:
    return f"{project_id}-V{seq:03d}"
