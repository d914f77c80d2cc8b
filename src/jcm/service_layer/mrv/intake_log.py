"""The log entries of intake: what the log check (`log verify`) rebuilds ``mrv_batches`` and
``mrv_refusals`` from (``jcm.service_layer.transparency.mrv_intake_replay``).

One call of ``IntakeService.accept`` appends at most two entries, each in the transaction
that writes its rows: ``mrv_batches_received`` (the receipts it inserted, column by column,
and the (device, seq) of the duplicates it counted) and ``mrv_batches_refused`` (its
refusals with the ids the database assigned them). A row's ``received_at`` is the entry's
timestamp, so neither entry repeats it. A call takes at most ~1,000 payloads, which bounds
an entry's size (about 400 bytes a receipt).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jcm.service_layer.mrv.intake_ports import Receipt, RefusalRecord


def received_change(
    channel: str, receipts: Sequence[Receipt], duplicates: Sequence[tuple[str, int]]
) -> dict[str, Any]:
    return {
        "channel": channel,
        "batches": [
            {
                "device": r.device,
                "seq": r.seq,
                "project": r.project_id,
                "digest": r.digest,
                "signature": r.signature,
                "readings": r.readings,
                "first_ts": r.first_ts,
                "last_ts": r.last_ts,
                "files": list(r.files),
            }
            for r in receipts
        ],
        "duplicates": [[device, seq] for device, seq in duplicates],
    }


def refused_change(
    channel: str, ids: Sequence[int], refusals: Sequence[RefusalRecord]
) -> dict[str, Any]:
    return {
        "channel": channel,
        "refusals": [
            {
                "id": i,
                "device": r.device,
                "seq": r.seq,
                "code": r.code,
                "message": r.message,
                "digest": r.digest,
            }
            for i, r in zip(ids, refusals, strict=True)
        ],
    }
