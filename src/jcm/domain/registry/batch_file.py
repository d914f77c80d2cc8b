"""A batch of moves as text: CSV (header ``kind,from,to,quantity,serials,purpose,
beneficiary,note``, optionally ``ndc_year`` for cancellations towards an NDC) or JSON lines
with the same keys. One reader for every door (the CLI
reads files, the HTTP API request bodies), so both refuse the same rows the same way."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from jcm.domain import limits
from jcm.domain.errors import InvalidInput
from jcm.domain.registry.commands import Move
from jcm.domain.registry.transactions import TransactionKind, parse_purpose

BATCH_KINDS = {
    "transfer": TransactionKind.TRANSFER,
    "external_transfer": TransactionKind.EXTERNAL_TRANSFER,
    "cancel": TransactionKind.CANCELLATION,
    "cancellation": TransactionKind.CANCELLATION,
    "retire": TransactionKind.RETIREMENT,
    "retirement": TransactionKind.RETIREMENT,
}
_WHOLE = re.compile(r"[0-9]{1,18}")  # ASCII digits only: "²".isdigit() is True


def bad_batch(name: str, message: str, **details: Any) -> InvalidInput:
    return InvalidInput("G1_BAD_BATCH", f"{name}: {message}", path=name, **details)


def batch_rows(text: str, name: str, *, json_lines: bool) -> list[dict[str, Any]]:
    """The rows of a CSV or JSON-lines batch, as dicts; any malformed line refused."""
    if not json_lines:
        # A field may be as long as the text: the domain's bounds refuse it with its field.
        csv.field_size_limit(max(len(text) + 1, csv.field_size_limit()))
        try:
            return list(csv.DictReader(io.StringIO(text, newline="")))
        except csv.Error as error:
            raise bad_batch(name, f"not a readable CSV file: {error}.") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise bad_batch(name, f"line {number} is not valid JSON.", row=number) from None
        if not isinstance(row, dict):
            raise bad_batch(name, f"line {number} must be a JSON object.", row=number)
        rows.append(row)
    return rows


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def parse_batch(
    text: str, name: str, *, json_lines: bool = False
) -> list[tuple[Move, TransactionKind]]:
    """The moves of a batch, in order; the first bad row refused with its number."""
    rows = batch_rows(text, name, json_lines=json_lines)
    limits.check_count(len(rows), "batch", limits.MAX_BATCH_MOVES)
    return [_move(row, number, name) for number, row in enumerate(rows, start=1)]


def _move(row: dict[str, Any], number: int, name: str) -> tuple[Move, TransactionKind]:
    kind = BATCH_KINDS.get(_text(row, "kind").lower())
    if kind is None:
        raise bad_batch(
            name,
            f"row {number}: kind {str(row.get('kind'))[:40]!r} is not one of "
            f"{', '.join(sorted(BATCH_KINDS))}.",
            row=number,
        )
    quantity = _text(row, "quantity")
    if quantity and not _WHOLE.fullmatch(quantity):
        raise bad_batch(
            name, f"row {number}: quantity {quantity!r} is not a whole number.", row=number
        )
    purpose = _text(row, "purpose")
    ndc_year = _text(row, "ndc_year")
    if ndc_year and not _WHOLE.fullmatch(ndc_year):
        raise bad_batch(
            name, f"row {number}: ndc_year {ndc_year[:40]!r} is not a year.", row=number
        )
    move = Move(
        _text(row, "from"),
        _text(row, "to") or None,
        int(quantity) if quantity else None,
        _text(row, "serials") or None,
        parse_purpose(purpose) if purpose else None,
        _text(row, "beneficiary") or None,
        _text(row, "note") or None,
        int(ndc_year) if ndc_year else None,
    )
    return move, kind
