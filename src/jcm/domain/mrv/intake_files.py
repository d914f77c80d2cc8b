"""Readings imported from a file (CSV or Parquet): rows grouped back into signed batches.

A file has the columns ``device``, ``seq``, ``timestamp``, ``wh`` and ``signature`` (others
are ignored); each row is one reading, and the rows of one (device, seq) form one batch in
file order, carrying that batch's signature on every row. The batches then go through the
same checks as any other channel (a signature is checked over the rebuilt batch object).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from jcm.domain.errors import InvalidInput, JcmError

FILE_COLUMNS = ("device", "seq", "timestamp", "wh", "signature")
MAX_FILE_ROWS = 5_000_000
_INTEGER = re.compile(r"-?[0-9]{1,19}")


def column_positions(header: Sequence[object]) -> tuple[int, ...]:
    """Where each of :data:`FILE_COLUMNS` is in ``header``; D4 when one is missing."""
    names = [str(h).strip().lower() for h in header]
    missing = [c for c in FILE_COLUMNS if c not in names]
    if missing:
        raise InvalidInput(
            "D4_MALFORMED",
            f"An import file needs the columns {', '.join(FILE_COLUMNS)}; "
            f"{', '.join(missing)} missing.",
            device=None,
            seq=None,
            rule="D4_MALFORMED",
        )
    return tuple(names.index(c) for c in FILE_COLUMNS)


def _integer(value: object) -> object:
    """A CSV cell's integer (Parquet's are integers already); other values stay as they are
    and are refused by the wire format's checks, naming the batch."""
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    return value


def envelopes_from_rows(rows: Iterable[Sequence[object]]) -> list[object]:
    """One envelope per (device, seq) in order of first appearance, from rows in
    :data:`FILE_COLUMNS` order; a batch whose rows disagree on the signature is a D4
    refusal in its place."""
    batches: dict[tuple[object, object], tuple[list[list[object]], set[object]]] = {}
    for count, (device, seq, timestamp, wh, signature) in enumerate(rows, 1):
        if count > MAX_FILE_ROWS:
            raise InvalidInput(
                "D5_TOO_LARGE",
                f"An import file holds at most {MAX_FILE_ROWS:,} readings.",
                device=None,
                seq=None,
                rule="D5_TOO_LARGE",
            )
        key = (device, _integer(seq))
        readings, signatures = batches.setdefault(key, ([], set()))
        readings.append([timestamp, _integer(wh)])
        signatures.add(signature if signature is not None else "")
    envelopes: list[object] = []
    for (device, seq), (readings, signatures) in batches.items():
        if len(signatures) > 1:
            envelopes.append(_mixed(device, seq))
            continue
        (signature,) = signatures
        batch = {"device": device, "seq": seq, "readings": readings}
        envelopes.append({"batch": batch, "signature": signature})
    return envelopes


def _mixed(device: object, seq: object) -> JcmError:
    return InvalidInput(
        "D4_MALFORMED",
        f"The rows of batch {seq} of {device} carry different signatures; a batch has one.",
        device=device if isinstance(device, str) else None,
        seq=seq if isinstance(seq, int) else None,
        rule="D4_MALFORMED",
    )
