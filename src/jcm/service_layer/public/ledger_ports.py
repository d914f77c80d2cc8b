"""Queries of the public ledger views: one page of rows at a time (keyset on the
transaction id, newest first), then the pieces of that page in one statement each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from jcm.service_layer.public.ledger_results import IssuanceFilter, RetirementFilter

# A row by column name (the adapter's mappings also accept column objects as keys, and a
# Mapping is invariant in its key type).
Row = Mapping[Any, Any]

# The columns of ``retirement_export``'s rows, in order.
RETIREMENT_EXPORT_FIELDS = (
    "id",
    "day",
    "kind",
    "registry",
    "source",
    "quantity",
    "purpose",
    "beneficiary",
    "note",
    "serial_start",
    "serial_end",
    "project_id",
    "vintage",
    "period_seq",
    "partner",
    "origin",
    "authorised_uses",
    "first_transferred",
    "ca_status",
    "held",
)


class LedgerQueries(Protocol):
    """Read-only queries of this area."""

    def issuances(self, filters: IssuanceFilter, before: int | None, limit: int) -> Sequence[Row]:
        """Issuance transactions (id, registry, quantity, created_at), newest first, older
        than the transaction ``before`` when given."""
        ...

    def retirements(
        self, filters: RetirementFilter, before: int | None, limit: int
    ) -> Sequence[Row]:
        """Cancellations and retirements (id, kind, registry, source, quantity, detail,
        created_at), newest first, ``limit`` transactions: one row per range and block
        now holding its units, with the range (serial_start, serial_end), its decision
        (project_id, vintage, period_seq, partner), the origin registry and the block's
        Article 6 attributes and quantity (``held``)."""
        ...

    def retirement_export(
        self, filters: RetirementFilter, before: int | None, limit: int
    ) -> Sequence[Sequence[Any]]:
        """The rows ``retirements`` gives, as sequences of RETIREMENT_EXPORT_FIELDS, with the
        day of ``created_at`` as ISO text (``day``) in place of the timestamp."""
        ...

    def ranges_of(self, transactions: Sequence[int]) -> Sequence[Row]:
        """The serial ranges of these transactions, each with its decision (project, partner,
        vintage, period, reference), the origin registry and the project's title."""
        ...

    def article6_of(self, transactions: Sequence[int]) -> Sequence[Row]:
        """Per transaction, the units of its ranges now held, grouped by their Article 6
        attributes (authorised_uses, first_transferred, ca_status, quantity)."""
        ...

    def blocks_in(
        self, decision_id: int, origin: str, start: int, end: int, limit: int
    ) -> Sequence[Row]:
        """The blocks of ``origin``'s units overlapping serials [start, end] of a decision, in
        serial order, with their account's type and status (at most ``limit``)."""
        ...

    def touching(self, decision_id: int, start: int, end: int, limit: int) -> Sequence[Row]:
        """The transactions whose ranges overlap serials [start, end] of a decision, oldest
        first (transaction id, kind, registry, source, destination, created_at, range)."""
        ...
