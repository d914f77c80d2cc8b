"""Automatic verification of a monitoring period, its Merkle root and evidence bundle.

``verify_period`` reads the period's accepted batches (receipts received up to a cut-off
the record names), rebuilds each batch's signed bytes from Parquet, computes the Merkle
root, runs QA/QC per device with the QA job's pure function, judges the period with
:class:`~jcm.domain.mrv.verification.VerificationRuleSet` and builds the verification record.
Then, in one unit of work: a passing period enters the project cycle as the monitoring
report of the participant who asked (the cycle's own ``submit_report`` step, the record
attached as the report's evidence document), the record is stored, and the log receives
``mrv_period_verified``. Under a rule book that accepts automatic verification the record
says so (``automatic_verification.accepted``) and counts as the period's verification.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.documents import DocumentKind, DocumentRef
from jcm.domain.cycle.project import Project
from jcm.domain.errors import (
    ConcurrencyConflict,
    DataCorruption,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from jcm.domain.mrv import verification as v
from jcm.domain.mrv.devices import Device
from jcm.domain.mrv.qa import DEFAULT_QA_RULES, DeviceQaReport
from jcm.service_layer.cycle import monitoring_handlers as mh
from jcm.service_layer.cycle.lookups import (
    project_or_404,
    resolve_actor,
    rule_book,
)
from jcm.service_layer.mrv.intake_ports import ReadingStore, Receipt
from jcm.service_layer.mrv.qa import QaService
from jcm.service_layer.mrv.verification_bundle import (
    BundleVerdict,
    bundle_document,
    calculate,
    check_bundle,
    monitored_parameters,
)
from jcm.service_layer.mrv.verification_ports import (
    BatchKey,
    BundleFiles,
    VerificationUnitOfWork,
    VerificationUnitOfWorkFactory,
)
from jcm.service_layer.ports import DocumentStore, UnitOfWorkFactory
from jcm.service_layer.results import ChangeResult
from jcm.service_layer.runner import execute
from jcm.service_layer.transparency import proofs
from jcm.service_layer.transparency.keys import public_keys


@dataclass(frozen=True)
class VerifyPeriod:
    """The command (its fields are what an idempotency key's request digest covers)."""

    project_id: str
    start: date
    end: date
    by: cc.ActingAs


@dataclass(frozen=True)
class VerificationResult(ChangeResult):
    verification: str
    project: str
    period: str  # "START..END"
    passed: bool
    reasons: tuple[str, ...]  # "CODE: message"
    merkle_root: str
    batches: int
    readings: int
    monitored: dict[str, str]  # parameter → value in MWh
    emission_reductions: int | None
    record_digest: str
    monitoring_period: str | None  # the cycle's monitoring period it entered as
    accepted_as_verification: bool
    log_index: int | None = field(default=None)


@dataclass(frozen=True)
class _Gathered:
    """Everything read before the unit of work that records the verification."""

    project: Project
    devices: tuple[Device, ...]
    receipts: tuple[Receipt, ...]
    reports: dict[str, DeviceQaReport]
    root: str
    readings: int
    parameters: tuple[str, ...]
    facts: dict[str, Any]
    fixed: dict[str, Any]
    keys: dict[str, list[dict[str, Any]]]


class VerificationService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        readings: ReadingStore,
        qa: QaService,
        bundles: BundleFiles,
        documents: DocumentStore | None = None,
        rules: v.VerificationRuleSet = v.DEFAULT_VERIFICATION_RULES,
    ) -> None:
        self._uow = uow
        self._mrv_uow = cast(VerificationUnitOfWorkFactory, uow)
        self._readings = readings
        self._qa = qa
        self._bundles = bundles
        self._documents = documents
        self.rules = rules

    # -- verifying a period ---------------------------------------------------------------
    def verify_period(
        self, project_id: str, start: date, end: date, by: cc.ActingAs, key: str | None = None
    ) -> VerificationResult:
        if start > end:
            raise InvalidInput(
                "D10_BAD_PERIOD",
                f"The period {start}…{end} ends before it starts.",
                start=start.isoformat(),
                end=end.isoformat(),
            )
        gathered = self._checked_gather(project_id, start, end, by)
        batch = secrets.token_hex(16)
        cmd = VerifyPeriod(gathered.project.id, start, end, by)
        try:
            result = execute(
                self._uow,
                "verify_period",
                cmd,
                lambda u: self._record(cast(VerificationUnitOfWork, u), cmd, gathered, batch),
                key,
                result_type=VerificationResult,
            )
        except BaseException:
            if self._documents is not None:
                self._documents.discard(batch)
            raise
        if self._documents is not None:
            self._documents.promote(batch)
        return result

    def _checked_gather(
        self, project_id: str, start: date, end: date, by: cc.ActingAs
    ) -> _Gathered:
        """Run QA/QC through the QA use case (its reports stored and logged, as a QA run
        does), then gather the period; the QA the record states, recomputed over
        exactly the covered batches, must equal that run's (else batches arrived in
        between: tried once more, then refused)."""
        for _ in range(2):
            with self._mrv_uow(read_only=True) as uow:
                project = self._participated(uow, project_id, by)
                metered = bool(uow.mrv_devices.list(project.id))
            run = self._qa.run(project.id, start, end) if metered else None
            gathered = self._gather(project_id, start, end, by)
            if run is None:
                return gathered
            stored = {r.device: d for r, d in zip(run.reports, run.digests, strict=True)}
            mine = {d: v.qa_report_digest(r) for d, r in gathered.reports.items()}
            if mine == stored:
                return gathered
        raise ConcurrencyConflict(
            "D10_DATA_CHANGING",
            f"Batches of project {project_id} for {start}…{end} are still arriving; verify "
            "the period again when they have stopped.",
            project=project_id,
        )

    def _gather(self, project_id: str, start: date, end: date, by: cc.ActingAs) -> _Gathered:
        with self._mrv_uow(read_only=True) as uow:
            project = self._participated(uow, project_id, by)
            devices = tuple(sorted(uow.mrv_devices.list(project.id), key=lambda d: d.id))
            receipts = self._receipts(uow, project.id, devices, start, end)
            stored = uow.cycle.project_parameters(project.id) or {}
            keys = uow.mrv_verifications.device_keys({d.id for d in devices})
        parameters = monitored_parameters(project.methodology_id, project.methodology_version)
        leaves = self._leaves(receipts)
        reports = self._bundles.qa_reports(
            devices, receipts, start, end, DEFAULT_QA_RULES.as_json()
        )
        return _Gathered(
            project,
            devices,
            receipts,
            reports,
            v.merkle_root(leaves),
            sum(r.readings for r in receipts),
            parameters,
            dict(stored.get("facts") or {}),
            dict(stored.get("fixed") or {}),
            keys,
        )

    @staticmethod
    def _participated(uow: VerificationUnitOfWork, project_id: str, by: cc.ActingAs) -> Project:
        actor = resolve_actor(uow, by)
        project = project_or_404(uow, project_id)
        if actor.organisation_id not in project.participant_ids():
            raise NotFound(  # as for an unknown project: no oracle for outsiders
                "D10_NOT_PARTICIPANT",
                f"Organisation {actor.organisation_id} is not a participant of project "
                f"{project.id}.",
                project=project.id,
                organisation=actor.organisation_id,
            )
        return project

    @staticmethod
    def _receipts(
        uow: VerificationUnitOfWork,
        project_id: str,
        devices: Sequence[Device],
        start: date,
        end: date,
    ) -> tuple[Receipt, ...]:
        """Receipts of the devices' batches with a reading in the days QA reads."""
        lookback = int(getattr(DEFAULT_QA_RULES, "carry_lookback_days", 0))
        first, after = v.period_bounds(start, end, lookback)
        known = {d.id for d in devices}
        found = [
            r for r in uow.mrv_receipts.receipts(project_id, first, after) if r.device in known
        ]
        return tuple(sorted(found, key=lambda r: (r.device, r.seq)))

    def _leaves(self, receipts: Sequence[Receipt]) -> list[v.BatchLeaf]:
        keys: list[BatchKey] = [(r.device, r.seq) for r in receipts]
        names = sorted({name for r in receipts for name in r.files})
        rebuilt = self._bundles.canonical_batches(names, keys)
        leaves = []
        for receipt in receipts:
            data = rebuilt.get((receipt.device, receipt.seq))
            if data is None or v.sha256_hex(data) != receipt.digest:
                raise DataCorruption(
                    "D10_STORE_CORRUPTED",
                    f"Batch {receipt.seq} of {receipt.device}: its stored readings do not "
                    "rebuild the bytes its receipt's digest names; restore its Parquet files.",
                    device=receipt.device,
                    seq=receipt.seq,
                    rule="D10_STORE_CORRUPTED",
                )
            leaves.append(v.BatchLeaf(receipt.device, receipt.seq, data))
        return leaves

    def _record(
        self, uow: VerificationUnitOfWork, cmd: VerifyPeriod, g: _Gathered, batch: str
    ) -> VerificationResult:
        project = project_or_404(uow, g.project.id, lock=True)  # serialises verifications
        overlapping = uow.mrv_verifications.passed_overlapping(project.id, cmd.start, cmd.end)
        if overlapping:
            raise RuleViolation(
                "D10_OVERLAPPING_PERIOD",
                f"Project {project.id}'s period {cmd.start}…{cmd.end} overlaps verification "
                f"{overlapping[0]}, which passed.",
                project=project.id,
                verification=overlapping[0],
            )
        accepted = rule_book(uow, project.rule_book).automatic_verification
        vid = v.verification_id(project.id, uow.mrv_verifications.count(project.id) + 1)
        record = self._build(vid, cmd, g, project.rule_book, accepted)
        text = v.record_bytes(record).decode("utf-8")
        digest = v.record_digest(record)
        monitoring_id = None
        if record["passed"]:
            monitoring_id = self._submit(uow, cmd, record, text, batch)
        uow.mrv_verifications.add(record, text, digest, monitoring_id, uow.now)
        passed = bool(record["passed"])
        event = v.verified_event(record, digest, monitoring_id, accepted and passed)
        uow.ledger.add_event(v.PERIOD_VERIFIED, None, event, uow.now)
        return _result(record, digest, monitoring_id, accepted and passed)

    def _build(
        self, vid: str, cmd: VerifyPeriod, g: _Gathered, book: str, accepted: bool
    ) -> dict[str, Any]:
        given = v.VerificationInputs(
            vid,
            g.project.id,
            cmd.start,
            cmd.end,
            self.rules,
            DEFAULT_QA_RULES.as_json(),
            g.devices,
            g.reports,
            len(g.receipts),
            g.readings,
            g.root,
            g.keys,
        )
        reasons = v.judge(
            self.rules, cmd.start, cmd.end, g.devices, g.reports, g.parameters, len(g.receipts)
        )
        totals = v.monitored_wh(g.devices, g.reports)
        result = calculate(
            g.project.methodology_id,
            g.project.methodology_version,
            g.facts,
            g.fixed,
            v.monitored_values(totals, self.rules.unit) if not reasons else None,
            cmd.start,
            cmd.end,
        )
        record = v.build_record(given, result, reasons)
        record["batch_ranges"] = v.seq_ranges((r.device, r.seq) for r in g.receipts)
        record["automatic_verification"] = {"rule_book": book, "accepted": accepted}
        return record

    def _submit(
        self,
        uow: VerificationUnitOfWork,
        cmd: VerifyPeriod,
        record: dict[str, Any],
        text: str,
        batch: str,
    ) -> str:
        """The cycle's own monitoring-report step, by the participant who asked."""
        documents: tuple[DocumentRef, ...] = ()
        if self._documents is not None:
            stored = self._documents.stage(
                batch,
                text.encode("utf-8"),
                media_type="application/json",
                filename=f"{record['id']}.json",
            )
            documents = (stored.ref(DocumentKind.MONITORING_REPORT),)
        values = tuple((name, (m["value"], m["unit"])) for name, m in record["monitored"].items())
        submitted = mh.submit_report(
            uow,
            cc.SubmitMonitoringReport(
                cmd.project_id,
                cmd.start,
                cmd.end,
                cmd.by,
                None,
                values,
                documents,
                source={"sheet": f"automatic verification {record['id']}"},
            ),
        )
        if submitted.calculation.digest != record["methodology"]["record_digest"]:
            raise DataCorruption(  # pragma: no cover - one engine computes both
                "D10_RESULT_DIFFERS",
                f"The cycle's calculation of {submitted.monitoring_period} differs from the "
                f"verification record {record['id']}.",
                verification=record["id"],
            )
        return submitted.monitoring_period

    # -- reading --------------------------------------------------------------------------
    def get(self, verification_id: str) -> dict[str, Any]:
        """The stored verification: its record (JSON), digest, monitoring period, log index."""
        with self._mrv_uow(read_only=True) as uow:
            row = uow.mrv_verifications.get(verification_id)
            if row is None:
                raise _unknown(verification_id)
            index = uow.mrv_verifications.log_index(verification_id)
        import json

        return {
            "verification": row["id"],
            "record": json.loads(row["record"]),
            "record_digest": row["digest"],
            "monitoring_period": row["monitoring_id"],
            "log_index": index,
            "created_at": row["created_at"].isoformat(),
        }

    # -- evidence bundles -----------------------------------------------------------------
    def export_bundle(self, verification_id: str, path: Path) -> dict[str, Any]:
        """Write the evidence bundle (a directory, or a zip for a ``.zip`` path)."""
        document, files = self.bundle_contents(verification_id)
        self._bundles.write(path, document, files)
        return {"verification": verification_id, "path": str(path), "files": len(files)}

    def bundle_zip(self, verification_id: str) -> bytes:
        """The evidence bundle as a zip file's bytes."""
        document, files = self.bundle_contents(verification_id)
        return self._bundles.zipped(document, files)

    def bundle_contents(self, verification_id: str) -> tuple[bytes, dict[str, Path]]:
        """bundle.json's bytes and the Parquet files it covers (name → where it is)."""
        import json

        with self._mrv_uow(read_only=True) as uow:
            row = uow.mrv_verifications.get(verification_id)
            if row is None:
                raise _unknown(verification_id)
            record = json.loads(row["record"])
            index = uow.mrv_verifications.log_index(verification_id)
            receipts = self._stored_receipts(uow, record)
            keys = [k["verifier"] for k in public_keys(uow)]
            covered = index is not None and uow.ledger.log.checkpoint_covering(index)
        if index is None:
            raise NotFound(
                "D10_NOT_LOGGED",
                f"Verification {verification_id} has no log entry yet (is the log disabled?).",
                verification=verification_id,
            )
        if not covered:
            with self._uow() as uow:  # a checkpoint that covers the entry, signed once
                proofs.sign_checkpoint(uow)
                uow.commit()
        with self._uow(read_only=True) as uow:
            inclusion = proofs.inclusion_bundle(uow, index)
        document = bundle_document(record, row["digest"], receipts, inclusion, keys)
        names = sorted({name for r in receipts for name in r.files})
        return document, {name: self._readings.locate(name) for name in names}

    def _stored_receipts(
        self, uow: VerificationUnitOfWork, record: dict[str, Any]
    ) -> list[Receipt]:
        """Exactly the receipts the verification read (its ``batch_ranges``)."""
        start = date.fromisoformat(record["period"]["start"])
        end = date.fromisoformat(record["period"]["end"])
        ranges = record["batch_ranges"]
        devices = [d for d in uow.mrv_devices.list(record["project"]) if d.id in ranges]
        found = [
            r
            for r in self._receipts(uow, record["project"], devices, start, end)
            if v.in_ranges(ranges, r.device, r.seq)
        ]
        if len(found) != record["batches"]:
            raise DataCorruption(
                "D10_STORE_CORRUPTED",
                f"Verification {record['id']} covers {record['batches']} batches; "
                f"{len(found)} of their receipts are stored.",
                verification=record["id"],
            )
        return found

    def verify_bundle(self, path: Path, log_key: str | None = None) -> BundleVerdict:
        """Re-check a bundle offline (see :func:`check_bundle`)."""
        return check_bundle(self._bundles, path, log_key)


def _unknown(verification_id: str) -> NotFound:
    return NotFound(
        "D10_UNKNOWN_VERIFICATION",
        f"There is no verification {verification_id!r}.",
        verification=verification_id,
    )


def _result(
    record: dict[str, Any], digest: str, monitoring_id: str | None, accepted: bool
) -> VerificationResult:
    return VerificationResult(
        record["id"],
        record["project"],
        f"{record['period']['start']}..{record['period']['end']}",
        bool(record["passed"]),
        tuple(f"{r['code']}: {r['message']}" for r in record["reasons"]),
        record["merkle_root"],
        record["batches"],
        record["readings"],
        {name: m["value"] for name, m in record["monitored"].items()},
        record["methodology"]["emission_reductions"],
        digest,
        monitoring_id,
        accepted,
    )
