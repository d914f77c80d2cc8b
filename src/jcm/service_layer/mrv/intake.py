"""Accepting signed batches exactly once, from MQTT, HTTP and files; refusing the rest.

One call of :meth:`IntakeService.accept` takes many payloads (an MQTT subscriber's window,
an HTTP request, a file). Each payload is checked in this order, the first failure naming
the refusal: size (``D5_TOO_LARGE``), JSON and wire format (``D4_MALFORMED``), a signature
at all (``D2_UNSIGNED``), a registered device (``D1_UNKNOWN_DEVICE``), the right device for
the topic or the caller (``D6_WRONG_DEVICE``), the signature (``D2_BAD_SIGNATURE``), then
the replay rule: a (device, seq) already stored is a **duplicate** when its digest is the
same (acknowledged, counted, nothing changes) and refused ``D3_REPLAYED`` otherwise.

**Durability.** The call's accepted batches are written to Parquet in ``incoming/`` (one
file per partition, fsynced), then their receipts are inserted in one transaction, then
the files are moved into their partitions. The receipts' transaction appends one log entry
for the call (``mrv_batches_received``), the refusals' one another (``mrv_batches_refused``;
see ``intake_log``), from which the log check rebuilds both tables. Only files named
by a receipt count, so a crash before the commit leaves files nobody reads (deleted by
:meth:`recover`, and the batches were never acknowledged: the sender sends them again),
and a crash after it leaves files :meth:`recover` publishes (and a redelivery is a
duplicate). The primary key (device, seq) of the receipts makes acceptance exactly-once
across concurrent subscribers: the loser of a race rolls back, deletes its files and
classifies its batches again.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from jcm.domain.errors import JcmError
from jcm.domain.identity.principal import Principal
from jcm.domain.mrv.batches import (
    BATCHES_RECEIVED,
    BATCHES_REFUSED,
    MAX_ENVELOPE_BYTES,
    Batch,
    Outcome,
    parse_batch,
    split_envelope,
)
from jcm.domain.mrv.devices import Device
from jcm.domain.mrv.intake_files import column_positions, envelopes_from_rows
from jcm.domain.mrv.intake_refusals import (
    bad_signature,
    malformed_file,
    malformed_json,
    replayed,
    too_large,
    unknown_device,
    unsigned,
    wrong_device,
)
from jcm.service_layer.mrv.intake_log import received_change, refused_change
from jcm.service_layer.mrv.intake_ports import (
    BatchResult,
    BatchSignatures,
    IntakeCounts,
    IntakeUnitOfWork,
    IntakeUnitOfWorkFactory,
    ReadingStore,
    Receipt,
    Recovery,
    RefusalRecord,
)
from jcm.service_layer.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

CHANNELS = frozenset({"mqtt", "http", "file"})
MAX_MESSAGE = 500
RECOVERY_GRACE_SECONDS = 600.0  # an unreceipted staged file younger than this may be live
_RETRIES = 3
PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A payload that passed every check but the replay rule."""

    index: int
    device: Device
    batch: Batch
    signature: str
    digest: str


@dataclass(frozen=True, slots=True)
class _Refused:
    index: int
    error: JcmError
    digest: str | None


class _Lookups:
    """Devices and project participants read once per call."""

    def __init__(self, uow: IntakeUnitOfWork) -> None:
        self._uow = uow
        self._devices: dict[str, Device | None] = {}
        self._participants: dict[str, frozenset[str]] = {}

    def device(self, device_id: str) -> Device | None:
        if device_id not in self._devices:
            self._devices[device_id] = self._uow.mrv_devices.get(device_id)
        return self._devices[device_id]

    def participants(self, project_id: str) -> frozenset[str]:
        if project_id not in self._participants:
            project = self._uow.cycle.get_project(project_id)
            ids = project.participant_ids() if project is not None else frozenset()
            self._participants[project_id] = ids
        return self._participants[project_id]


class IntakeService:
    def __init__(
        self, uow: UnitOfWorkFactory, readings: ReadingStore, signatures: BatchSignatures
    ) -> None:
        # The SQL unit of work has devices and receipts; the shared factory type does not
        # say so, hence the narrowing to this use case's own protocol.
        self._uow = cast(IntakeUnitOfWorkFactory, uow)
        self._readings = readings
        self._signatures = signatures
        self._recovered = False

    # -- accepting ------------------------------------------------------------------------
    def accept(
        self,
        payloads: Sequence[bytes],
        channel: str,
        *,
        topic_devices: Sequence[str | None] | None = None,
        by: Principal | None = None,
    ) -> list[BatchResult]:
        """Check, store and acknowledge raw envelopes (JSON bytes), one result each, in
        order; ``topic_devices`` gives each payload's MQTT topic device (None: no topic)."""
        if topic_devices is not None and len(topic_devices) != len(payloads):
            raise ValueError("one topic device per payload")
        envelopes: list[object] = []
        early: dict[int, JcmError] = {}
        for index, payload in enumerate(payloads):
            if len(payload) > MAX_ENVELOPE_BYTES:
                early[index] = too_large(len(payload))
                envelopes.append(None)
                continue
            try:
                envelopes.append(json.loads(payload))
            except (UnicodeDecodeError, ValueError, RecursionError):  # nesting too deep
                early[index] = malformed_json()
                envelopes.append(None)
        return self._accept(envelopes, early, channel, topic_devices, by)

    def accept_envelopes(
        self, envelopes: Sequence[object], channel: str, *, by: Principal | None = None
    ) -> list[BatchResult]:
        """The same for envelopes already decoded (an HTTP body, a file's rows); an item
        that is a refusal already (a file's inconsistent batch) is recorded as such."""
        early = {i: e for i, e in enumerate(envelopes) if isinstance(e, JcmError)}
        return self._accept(list(envelopes), early, channel, None, by)

    def import_file(self, data: bytes, *, by: Principal | None = None) -> list[BatchResult]:
        """A CSV or Parquet file of readings (see ``jcm.domain.mrv.intake_files``)."""
        parquet = data[:4] == PARQUET_MAGIC
        rows = self._readings.file_rows(data) if parquet else _csv_rows(data)
        return self.accept_envelopes(envelopes_from_rows(rows), "file", by=by)

    def _accept(
        self,
        envelopes: list[object],
        early: dict[int, JcmError],
        channel: str,
        topic_devices: Sequence[str | None] | None,
        by: Principal | None,
    ) -> list[BatchResult]:
        if channel not in CHANNELS:
            raise ValueError(f"unknown intake channel {channel!r}")
        if not self._recovered:
            self.recover()
        for attempt in range(_RETRIES):
            try:
                return self._accept_once(envelopes, early, channel, topic_devices, by)
            except JcmError as error:
                # Another process stored one of these (device, seq) meanwhile: classify
                # again, now seeing its receipt (a duplicate or a replay).
                if error.code not in {"G7_DUPLICATE", "G9_BUSY"} or attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _accept_once(
        self,
        envelopes: list[object],
        early: dict[int, JcmError],
        channel: str,
        topic_devices: Sequence[str | None] | None,
        by: Principal | None,
    ) -> list[BatchResult]:
        refused: list[_Refused] = [_Refused(i, e, None) for i, e in early.items()]
        with self._uow(read_only=True) as uow:
            lookups = _Lookups(uow)
            candidates: list[_Candidate] = []
            for index, envelope in enumerate(envelopes):
                if index in early:
                    continue
                topic = topic_devices[index] if topic_devices is not None else None
                examined = self._examine(index, envelope, topic, by, lookups)
                if isinstance(examined, _Refused):
                    refused.append(examined)
                else:
                    candidates.append(examined)
            keys = [(c.batch.device, c.batch.seq) for c in candidates]
            stored = uow.mrv_receipts.digests(keys) if keys else {}
        accepted, duplicates = _replay_rule(candidates, stored, refused)
        if accepted or duplicates:
            self._store(accepted, duplicates, channel)
        if refused:
            self._record_refusals(refused, channel)
        return _results(len(envelopes), accepted, duplicates, refused)

    def _examine(
        self,
        index: int,
        envelope: object,
        topic: str | None,
        by: Principal | None,
        lookups: _Lookups,
    ) -> _Candidate | _Refused:
        digest: str | None = None
        try:
            raw, signature = split_envelope(envelope)
            batch = parse_batch(raw)
            if not signature:
                raise unsigned(batch.device, batch.seq)
            device = lookups.device(batch.device)
            if device is None:
                raise unknown_device(batch.device, batch.seq)
            if topic is not None and topic != batch.device:
                raise wrong_device(batch.device, batch.seq, f"the topic of {topic}")
            if by is not None and by.organisation_id not in lookups.participants(device.project_id):
                raise wrong_device(batch.device, batch.seq, f"organisation {by.organisation_id}")
            signed = self._signatures.canonical(raw)
            digest = self._signatures.digest(signed)
            if not self._signatures.verify(signed, signature, device.public_key):
                raise bad_signature(batch.device, batch.seq)
        except JcmError as error:
            return _Refused(index, error, digest)
        return _Candidate(index, device, batch, signature, digest)

    def _store(
        self, accepted: list[_Candidate], duplicates: list[_Candidate], channel: str
    ) -> None:
        staged = (
            self._readings.stage([(c.device.project_id, c.batch) for c in accepted])
            if accepted
            else []
        )
        names = {name for files in staged for name in files}
        try:
            with self._uow() as uow:
                receipts = [
                    _receipt(c, files, channel, uow)
                    for c, files in zip(accepted, staged, strict=True)
                ]
                counted = [(c.batch.device, c.batch.seq) for c in duplicates]
                if receipts:
                    uow.mrv_receipts.add(receipts)
                if counted:
                    uow.mrv_receipts.count_duplicates(counted)
                # One entry per call, whatever its size: verify rebuilds the receipts and
                # the duplicate counts from it (a per-batch entry would cost intake).
                change = received_change(channel, receipts, counted)
                uow.ledger.add_event(BATCHES_RECEIVED, None, change, uow.now)
                uow.commit()
        except BaseException:
            self._settle(names)
            raise
        self._readings.publish(names)

    def _settle(self, names: set[str]) -> None:
        """After a failed commit: delete the staged files no receipt names. A commit whose
        outcome is unknown (the connection lost) may have stored them, so the receipts
        decide; when they cannot be read, :meth:`recover` decides later."""
        if not names:
            return
        try:
            with self._uow(read_only=True) as uow:
                named = uow.mrv_receipts.referenced(sorted(names))
        except Exception:  # the database is unreachable: leave the files to recovery
            log.warning("intake: %d staged file(s) left to recovery", len(names))
            return
        self._readings.publish(named)
        self._readings.discard(names - named)

    def _record_refusals(self, refused: list[_Refused], channel: str) -> None:
        """In their own transaction: a failure here never undoes an accepted batch."""
        try:
            with self._uow() as uow:
                records = [_refusal_record(r, channel, uow) for r in refused]
                ids = uow.mrv_receipts.add_refusals(records)
                change = refused_change(channel, ids, records)
                uow.ledger.add_event(BATCHES_REFUSED, None, change, uow.now)
                uow.commit()
        except JcmError as error:
            log.warning("refusals not recorded (%s): %s", error.code, error.message)

    # -- recovery -------------------------------------------------------------------------
    def recover(self, grace_seconds: float = RECOVERY_GRACE_SECONDS) -> Recovery:
        """Publish staged files that receipts name; delete unnamed ones older than the grace
        period (younger ones may belong to a call still running in another process)."""

        def referenced(names: Sequence[str]) -> set[str]:
            with self._uow(read_only=True) as uow:
                return uow.mrv_receipts.referenced(names)

        result = self._readings.recover(referenced, grace_seconds)
        self._recovered = True
        if result.published or result.removed:
            log.info(
                "intake recovery: %d file(s) published, %d removed",
                result.published,
                result.removed,
            )
        return result

    # -- reads ----------------------------------------------------------------------------
    def receipts(self, project_id: str, start_ts: int, end_ts: int) -> list[Receipt]:
        """Receipts of a project's batches with a reading in [start_ts, end_ts) (UTC
        seconds), ordered by device and seq."""
        with self._uow(read_only=True) as uow:
            return uow.mrv_receipts.receipts(project_id, start_ts, end_ts)

    def files(self, project_id: str, start_ts: int, end_ts: int) -> list[str]:
        """The receipted Parquet files (absolute paths) holding a project's readings that
        may fall in [start_ts, end_ts), sorted; rows outside the period must be filtered by
        ``ts``."""
        names = {n for r in self.receipts(project_id, start_ts, end_ts) for n in r.files}
        return sorted(str(self._readings.locate(n)) for n in names)

    def counts(self, project_id: str | None = None) -> IntakeCounts:
        with self._uow(read_only=True) as uow:
            return uow.mrv_receipts.counts(project_id)

    def refusals(self, device: str | None = None, limit: int = 50) -> list[RefusalRecord]:
        with self._uow(read_only=True) as uow:
            return uow.mrv_receipts.refusals(device, max(1, min(limit, 10_000)))


def _csv_rows(data: bytes) -> list[tuple[object, ...]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise malformed_file("An import file is Parquet or UTF-8 CSV.") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise malformed_file("The import file is empty.")
    where = column_positions(header)
    try:
        return [tuple(row[i] if i < len(row) else None for i in where) for row in reader if row]
    except csv.Error as error:
        raise malformed_file(f"The CSV file cannot be read: {error}.") from None


def _replay_rule(
    candidates: list[_Candidate], stored: dict[tuple[str, int], str], refused: list[_Refused]
) -> tuple[list[_Candidate], list[_Candidate]]:
    """Split candidates into accepted and duplicates (a repeat within the call counts as
    stored); replays with other content go to ``refused``."""
    seen = dict(stored)
    accepted: list[_Candidate] = []
    duplicates: list[_Candidate] = []
    for c in candidates:
        key = (c.batch.device, c.batch.seq)
        known = seen.get(key)
        if known is None:
            seen[key] = c.digest
            accepted.append(c)
        elif known == c.digest:
            duplicates.append(c)
        else:
            refused.append(_Refused(c.index, replayed(c.batch.device, c.batch.seq), c.digest))
    return accepted, duplicates


def _receipt(c: _Candidate, files: tuple[str, ...], channel: str, uow: IntakeUnitOfWork) -> Receipt:
    stamps = [r.utc_seconds for r in c.batch.readings]
    return Receipt(
        c.batch.device,
        c.batch.seq,
        c.device.project_id,
        c.digest,
        c.signature,
        len(stamps),
        min(stamps),
        max(stamps),
        files,
        channel,
        uow.now,
    )


def _refusal_record(r: _Refused, channel: str, uow: IntakeUnitOfWork) -> RefusalRecord:
    device = r.error.details.get("device")
    seq = r.error.details.get("seq")
    return RefusalRecord(
        device if isinstance(device, str) else None,
        seq if isinstance(seq, int) else None,
        r.error.code,
        r.error.message[:MAX_MESSAGE],
        channel,
        r.digest,
        uow.now,
    )


def _results(
    size: int, accepted: list[_Candidate], duplicates: list[_Candidate], refused: list[_Refused]
) -> list[BatchResult]:
    results: list[BatchResult | None] = [None] * size
    for c in accepted:
        results[c.index] = BatchResult(
            c.batch.device, c.batch.seq, Outcome.ACCEPTED, None, None, len(c.batch.readings)
        )
    for c in duplicates:
        results[c.index] = BatchResult(
            c.batch.device, c.batch.seq, Outcome.DUPLICATE, None, None, len(c.batch.readings)
        )
    for r in refused:
        device = r.error.details.get("device")
        seq = r.error.details.get("seq")
        results[r.index] = BatchResult(
            device if isinstance(device, str) else None,
            seq if isinstance(seq, int) else None,
            Outcome.REFUSED,
            r.error.code,
            r.error.message,
            0,
        )
    return [r for r in results if r is not None]
