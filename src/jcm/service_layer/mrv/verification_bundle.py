"""Evidence bundles: what ``bundle.json`` holds, and re-checking a bundle offline.

``bundle.json`` (format ``jcm-mrv-evidence/1``) carries the verification record (devices
with their keys, serials and calibrations, the QA rule set and reports, the monitored values,
the methodology's result), the record's digest, every batch receipt of the period (digest
and device signature), the log entry ``mrv_period_verified`` with its index, an inclusion
proof to a signed checkpoint and the log's public keys. The Parquet files the receipts name
are beside it under ``readings/``.

:func:`check_bundle` needs nothing but the bundle (and, to trust the checkpoint, the log's
public key): it re-verifies every batch signature from bytes rebuilt from Parquet, recomputes
the Merkle root, re-runs QA, the monitored values, the verdict and the methodology, and
checks the log entry's inclusion under the signed checkpoint. Each check says OK or FAIL;
the first failure's ``D10_*`` code names what differs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jcm.domain import methodologies
from jcm.domain.errors import JcmError
from jcm.domain.methodologies.model import ParameterKind
from jcm.domain.methodologies.record import canonical_bytes
from jcm.domain.mrv import verification as v
from jcm.domain.mrv.device_json import device_of
from jcm.domain.mrv.devices import Device
from jcm.domain.mrv.qa import DeviceQaReport
from jcm.domain.registry.issuance import MonitoringPeriod
from jcm.service_layer.cycle.lookups import stored_facts
from jcm.service_layer.mrv.intake_ports import Receipt
from jcm.service_layer.mrv.verification_ports import BatchKey, BundleFiles, OpenedBundle
from jcm.service_layer.results import to_json
from jcm.service_layer.transparency import proofs
from jcm.service_layer.transparency.results import InclusionBundle

BUNDLE_FORMAT = "jcm-mrv-evidence/1"


def monitored_parameters(methodology_id: str, version: str) -> tuple[str, ...]:
    """The monitored parameters of an executable methodology (none without code here)."""
    try:
        methodology = methodologies.get(methodology_id, version)
    except JcmError:
        return ()
    return tuple(p.name for p in methodology.parameters if p.kind is ParameterKind.MONITORED)


def calculate(
    methodology_id: str,
    version: str,
    facts: dict[str, Any],
    fixed: dict[str, Any],
    values: tuple[tuple[str, tuple[str, str]], ...] | None,
    start: date,
    end: date,
) -> v.MethodologyResult:
    """The methodology's calculation on the monitored values (None: not run), from the
    project's facts and fixed parameters as stored, as the cycle's report step computes it."""
    if values is None:
        return v.MethodologyResult(methodology_id, version, facts, fixed, None, None)
    methodology = methodologies.get(methodology_id, version)
    fixed_values = {name: (str(value), str(unit)) for name, (value, unit) in fixed.items()}
    prepared = methodology.prepare(stored_facts({"facts": facts}), fixed_values)
    record = prepared.calculate(dict(values), MonitoringPeriod(start, end))
    return v.MethodologyResult(methodology_id, version, facts, fixed, record.er, record.digest)


def receipt_json(receipt: Receipt) -> dict[str, Any]:
    return {
        "device": receipt.device,
        "seq": receipt.seq,
        "project_id": receipt.project_id,
        "digest": receipt.digest,
        "signature": receipt.signature,
        "readings": receipt.readings,
        "first_ts": receipt.first_ts,
        "last_ts": receipt.last_ts,
        "files": list(receipt.files),
        "channel": receipt.channel,
        "received_at": receipt.received_at.isoformat(),
    }


def receipt_of(data: dict[str, Any]) -> Receipt:
    return Receipt(
        str(data["device"]),
        int(data["seq"]),
        str(data["project_id"]),
        str(data["digest"]),
        str(data["signature"]),
        int(data["readings"]),
        int(data["first_ts"]),
        int(data["last_ts"]),
        tuple(str(name) for name in data["files"]),
        str(data["channel"]),
        datetime.fromisoformat(data["received_at"]),
    )


def bundle_document(
    record: dict[str, Any],
    digest: str,
    receipts: Sequence[Receipt],
    inclusion: InclusionBundle,
    log_keys: Sequence[str],
) -> bytes:
    """bundle.json's bytes (canonical JSON: the same bundle gives the same bytes)."""
    body = {
        "format": BUNDLE_FORMAT,
        "verification": record,
        "record_digest": digest,
        "receipts": [receipt_json(r) for r in sorted(receipts, key=lambda r: (r.device, r.seq))],
        "log": {
            "index": inclusion.index,
            "entry": inclusion.entry,
            "inclusion_proof": to_json(inclusion),
            "public_keys": list(log_keys),
        },
    }
    return canonical_bytes(body)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    code: str | None = None


@dataclass(frozen=True)
class BundleVerdict:
    """Every check of a bundle in order; ``code`` is the first failure's (None: valid)."""

    ok: bool
    code: str | None
    checks: tuple[Check, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "code": self.code,
            "checks": [
                {"name": c.name, "ok": c.ok, "detail": c.detail, "code": c.code}
                for c in self.checks
            ],
        }


class _Failed(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class _Context:
    files: BundleFiles
    opened: OpenedBundle
    body: dict[str, Any]
    record: dict[str, Any]
    devices: dict[str, Device]
    receipts: list[dict[str, Any]]
    log_key: str | None
    rebuilt: dict[BatchKey, bytes] | None = None
    reports: dict[str, DeviceQaReport] | None = None

    @property
    def keys_of(self) -> dict[str, list[dict[str, Any]]]:
        return {d["id"]: list(d.get("keys") or ()) for d in self.record["devices"]}

    @property
    def keys(self) -> list[BatchKey]:
        return [(r["device"], int(r["seq"])) for r in self.receipts]

    @property
    def names(self) -> list[str]:
        return sorted({name for r in self.receipts for name in r["files"]})

    @property
    def period(self) -> tuple[date, date]:
        p = self.record["period"]
        return date.fromisoformat(p["start"]), date.fromisoformat(p["end"])


def check_bundle(files: BundleFiles, path: Path, log_key: str | None) -> BundleVerdict:
    """Re-check an evidence bundle offline; never raises for a bad bundle."""
    try:
        context = _open(files, path, log_key)
    except _Failed as failed:
        check = Check("bundle", False, failed.detail, failed.code)
        return BundleVerdict(False, failed.code, (check,))
    checks = [Check("bundle", True, f"{path}: verification {context.record.get('id')}")]
    try:
        for name, step in _STEPS:
            checks.append(_run(name, step, context))
    finally:
        context.opened.close()
    first = next((c for c in checks if not c.ok), None)
    return BundleVerdict(first is None, first.code if first else None, tuple(checks))


def _run(name: str, step: Callable[[_Context], str], context: _Context) -> Check:
    try:
        return Check(name, True, step(context))
    except _Failed as failed:
        return Check(name, False, failed.detail, failed.code)
    except (JcmError, KeyError, TypeError, ValueError) as error:
        code = error.code if isinstance(error, JcmError) else "D10_BUNDLE_UNREADABLE"
        return Check(name, False, f"cannot check: {error}", code)


def _open(files: BundleFiles, path: Path, log_key: str | None) -> _Context:
    try:
        opened = files.open(path)
    except JcmError as error:
        raise _Failed(error.code, error.message) from None
    try:
        return _context(files, opened, log_key)
    except BaseException:
        opened.close()
        raise


def _context(files: BundleFiles, opened: OpenedBundle, log_key: str | None) -> _Context:
    try:
        body = json.loads(opened.document)
    except ValueError as error:
        raise _Failed("D10_BUNDLE_UNREADABLE", f"bundle.json is not JSON: {error}") from None
    if not isinstance(body, dict) or body.get("format") != BUNDLE_FORMAT:
        raise _Failed("D10_BUNDLE_UNREADABLE", f"bundle.json is not a {BUNDLE_FORMAT} bundle")
    try:
        record = body["verification"]
        devices = {d["id"]: device_of(d) for d in record["devices"]}
        receipts = list(body["receipts"])
    except (KeyError, TypeError, ValueError) as error:
        raise _Failed("D10_BUNDLE_UNREADABLE", f"bundle.json lacks a member: {error}") from None
    return _Context(files, opened, body, record, devices, receipts, log_key)


def _signatures(c: _Context) -> str:
    c.rebuilt = c.opened.canonical_batches(c.names, c.keys)
    histories = c.keys_of
    for receipt in c.receipts:
        key = (receipt["device"], int(receipt["seq"]))
        where = f"batch {key[1]} of {key[0]}"
        data = c.rebuilt.get(key)
        if data is None:
            raise _Failed("D10_BATCH_MISSING", f"{where}: no rows in the bundle's Parquet files")
        device = c.devices.get(key[0])
        if device is None:
            raise _Failed("D10_BAD_SIGNATURE", f"{where}: its device is not in the record")
        public = v.key_at(histories.get(device.id, ()), device, int(receipt["first_ts"]))
        if v.sha256_hex(data) != receipt["digest"] or not c.files.verify_signature(
            data, receipt["signature"], public
        ):
            raise _Failed(
                "D10_BAD_SIGNATURE",
                f"{where}: the bytes rebuilt from Parquet are not what the device signed",
            )
    readings = sum(int(r["readings"]) for r in c.receipts)
    return f"{len(c.receipts)} batches, {readings} readings: every device signature verifies"


def _merkle(c: _Context) -> str:
    rebuilt = c.rebuilt or {}
    leaves = [v.BatchLeaf(d, s, rebuilt.get((d, s), b"")) for d, s in c.keys]
    root = v.merkle_root(leaves)
    stated = c.record["merkle_root"]
    if root != stated or len(leaves) != c.record["batches"]:
        raise _Failed(
            "D10_MERKLE_ROOT",
            f"{len(leaves)} batches give root {root}; the record states {c.record['batches']} "
            f"batches and root {stated}",
        )
    return f"root {root} over {len(leaves)} batches"


def _qa(c: _Context) -> str:
    start, end = c.period
    rules = c.record["qa_rule_set"]
    receipts = [receipt_of(r) for r in c.receipts]
    c.reports = c.opened.qa_reports(list(c.devices.values()), receipts, start, end, rules)
    stated = {q["device"]: q for q in c.record["qa_reports"]}
    for device, report in sorted(c.reports.items()):
        got = stated.get(device)
        if got is None or got["report"] != v.qa_report_json(report):
            raise _Failed("D10_QA_DIFFERS", f"device {device}: QA/QC gives another report")
        if got["digest"] != v.qa_report_digest(report):
            raise _Failed("D10_QA_DIFFERS", f"device {device}: the report's digest differs")
    return f"QA/QC {rules.get('version')} reproduces {len(c.reports)} device reports"


def _monitored(c: _Context) -> str:
    totals = v.monitored_wh(list(c.devices.values()), c.reports or {})
    unit = c.record["rule_set"]["unit"]
    if v.monitored_json(totals, unit) != c.record["monitored"]:
        raise _Failed(
            "D10_VALUES_DIFFER",
            f"credited energy gives {v.monitored_json(totals, unit)}, the record states "
            f"{c.record['monitored']}",
        )
    return ", ".join(f"{k} = {v.mwh(wh)} {unit} ({wh} Wh)" for k, wh in totals.items())


def _verdict(c: _Context) -> str:
    rules = v.rule_set_of(c.record["rule_set"])
    start, end = c.period
    parameters = _parameters(c.record["methodology"])
    reasons = v.judge(
        rules, start, end, list(c.devices.values()), c.reports or {}, parameters, len(c.keys)
    )
    stated = c.record["reasons"]
    if [{"code": r.code, "message": r.message} for r in reasons] != stated or (not reasons) != bool(
        c.record["passed"]
    ):
        raise _Failed("D10_VERDICT_DIFFERS", f"{rules.version} gives another verdict")
    return f"{rules.version}: " + ("passed" if not reasons else f"failed ({len(reasons)})")


def _parameters(methodology: dict[str, Any]) -> tuple[str, ...]:
    return monitored_parameters(methodology["id"], methodology["version"])


def _methodology(c: _Context) -> str:
    m = c.record["methodology"]
    start, end = c.period
    totals = v.monitored_wh(list(c.devices.values()), c.reports or {})
    unit = c.record["rule_set"]["unit"]
    values = v.monitored_values(totals, unit) if c.record["passed"] else None
    result = calculate(m["id"], m["version"], m["facts"], m["fixed"], values, start, end)
    if (result.emission_reductions, result.record_digest) != (
        m["emission_reductions"],
        m["record_digest"],
    ):
        raise _Failed(
            "D10_RESULT_DIFFERS",
            f"{m['id']} v{m['version']} calculates {result.emission_reductions} tCO2 (record "
            f"{result.record_digest}); the record states {m['emission_reductions']} tCO2 "
            f"({m['record_digest']})",
        )
    if values is None:
        return f"{m['id']} v{m['version']}: not calculated (the period failed)"
    er = result.emission_reductions
    return f"{m['id']} v{m['version']}: {er} tCO2, record {result.record_digest}"


def _record(c: _Context) -> str:
    digest = v.record_digest(c.record)
    log = c.body["log"]
    entry = json.loads(log["entry"])
    change = entry.get("change") or {}
    if entry.get("type") != v.PERIOD_VERIFIED or change.get("verification") != c.record["id"]:
        raise _Failed("D10_RECORD_NOT_LOGGED", "the log entry is not this verification's")
    if digest != c.body["record_digest"] or digest != change.get("record_digest"):
        raise _Failed(
            "D10_RECORD_NOT_LOGGED",
            f"the record's digest {digest} is not the one the log entry states "
            f"({change.get('record_digest')})",
        )
    if change.get("merkle_root") != c.record["merkle_root"]:
        raise _Failed("D10_RECORD_NOT_LOGGED", "the log entry states another Merkle root")
    return f"record {digest} is the one log entry {log['index']} states"


def _log(c: _Context) -> str:
    log = c.body["log"]
    proof = log["inclusion_proof"]
    if proof.get("entry") != log["entry"] or proof.get("index") != log["index"]:
        raise _Failed("D10_LOG_PROOF", "the inclusion proof is for another entry")
    keys = [c.log_key] if c.log_key else list(log.get("public_keys") or [])
    try:
        verifiers = [c.files.log_verifier(line) for text in keys for line in text.split()]
    except ValueError:
        raise _Failed("D10_LOG_PROOF", "the log public key is not valid") from None
    verdict = proofs.check_bundle(json.dumps(proof), verifiers)
    if not verdict["ok"]:
        raise _Failed("D10_LOG_PROOF", str(verdict["failure"]))
    trust = (
        "the given log key"
        if c.log_key
        else "the log keys the bundle itself names (not an independent trust anchor)"
    )
    return f"entry {log['index']} is included under a checkpoint signed by {trust}"


_STEPS: tuple[tuple[str, Callable[[_Context], str]], ...] = (
    ("signatures", _signatures),
    ("merkle_root", _merkle),
    ("qa", _qa),
    ("monitored_values", _monitored),
    ("verdict", _verdict),
    ("methodology", _methodology),
    ("record", _record),
    ("log_inclusion", _log),
)
