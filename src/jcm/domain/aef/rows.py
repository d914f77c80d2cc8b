"""Table 3 rows of one Party from the pieces the ledger walk hands over.

Which event makes which row is the shared contract (see :mod:`jcm.domain.aef.derive`).
Rows of one transaction are merged while they carry equal attributes and continue each
other's serials within one decision; the merged rows are ordered by (action time,
transaction id, first ITMO id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import NamedTuple

from jcm.domain.aef.attributes import ReportContext
from jcm.domain.aef.facts import TransactionFact
from jcm.domain.aef.ledger_walk import Piece
from jcm.domain.aef.nomenclature import NA, ActionType, Subtype
from jcm.domain.aef.tables import ActionRow
from jcm.domain.registry.article6 import FirstTransferTrigger


class RowKind(NamedTuple):
    """Everything of a row but its serials (and so the merge key)."""

    action_type: str
    subtype: str = ""
    transferring_party: str = NA
    acquiring_party: str = NA
    purpose_oimp: str = NA
    using_party: str = NA
    using_entity: str = NA
    ndc_year: int | None = None


@dataclass(slots=True)
class _Open:
    kind: RowKind
    decision_id: int
    origin: str
    reference: str
    registry: str
    start: int
    end: int
    seq: int


class ActionRows:
    """Collects Party ``party``'s rows, transaction by transaction."""

    def __init__(self, context: ReportContext, party: str) -> None:
        self.ctx = context
        self.party = party
        self.rows: list[ActionRow] = []
        self._tx: TransactionFact | None = None
        self._pending: list[_Open] = []
        self._open: dict[tuple[RowKind, int, str, str, str], _Open] = {}

    # -- the visitor --------------------------------------------------------------------
    def __call__(self, tx: TransactionFact, piece: Piece) -> None:
        if tx is not self._tx:
            self.flush()
            self._tx = tx
        kind = tx.kind
        if kind == "authorisation":
            self._authorisation(piece)
        elif kind == "external_transfer":
            self._external(piece)
        elif kind == "cancellation":
            self._cancellation(tx, piece)
        elif kind == "retirement":
            self._retirement(piece)

    def flush(self) -> None:
        """Turn the open transaction's rows into action rows."""
        tx = self._tx
        pending = self._pending
        if tx is not None and pending:
            if len(pending) > 1:
                pending.sort(key=lambda o: (self._first_id(o), o.seq))
            self.rows.extend(self._row(tx, o) for o in pending)
        self._pending = []
        self._open = {}
        self._tx = None

    def result(self) -> tuple[ActionRow, ...]:
        self.flush()
        self.rows.sort(key=lambda r: (r.at, r.transaction_id, r.block.first_id))
        return tuple(self.rows)

    # -- the contract's cases -----------------------------------------------------------
    def _authorisation(self, p: Piece) -> None:
        host = self.ctx.decisions[p.decision_id].host
        registry = p.source_registry
        first = p.after.first_transferred and not p.before.first_transferred
        if self.party == host:
            # Units authorised again (new terms before their first transfer) were already
            # reported, and are already in the holdings: only their first authorisation is a
            # row, so the reconciliation (AEF12) counts each unit once.
            if not p.before.authorised_uses:
                self._emit(p, RowKind(ActionType.AUTHORIZATION, Subtype.AUTHORIZATION), registry)
            if first:
                self._emit(p, self._first_at_authorisation(p, host, registry), registry)
        if self.party == registry != host:
            kind = RowKind(ActionType.ACQUISITION, transferring_party=self.ctx.alpha3(host))
            self._emit(p, kind, registry)

    def _first_at_authorisation(self, p: Piece, host: str, registry: str) -> RowKind:
        if registry != host:
            return RowKind(
                ActionType.FIRST_TRANSFER,
                Subtype.FIRST_TRANSFER_TO_PARTY,
                acquiring_party=self.ctx.alpha3(registry),
            )
        trigger = p.after.first_transfer_trigger
        subtype = (
            Subtype.ISSUANCE if trigger is FirstTransferTrigger.ISSUANCE else Subtype.AUTHORIZATION
        )
        return RowKind(ActionType.FIRST_TRANSFER, subtype)

    def _external(self, p: Piece) -> None:
        sender, receiver = p.source_registry, p.destination_registry
        first = p.after.first_transferred and not p.before.first_transferred
        if not first and not p.after.authorised_uses:
            return
        if self.party == sender:
            kind = (
                RowKind(
                    ActionType.FIRST_TRANSFER,
                    Subtype.FIRST_TRANSFER_TO_PARTY,
                    acquiring_party=self.ctx.alpha3(receiver),
                )
                if first
                else RowKind(ActionType.TRANSFER, acquiring_party=self.ctx.alpha3(receiver))
            )
            self._emit(p, kind, sender)
        if self.party == receiver:
            transferring = self.ctx.alpha3(sender)
            acquisition = RowKind(ActionType.ACQUISITION, transferring_party=transferring)
            self._emit(p, acquisition, receiver)

    def _using(self, p: Piece) -> tuple[str, str]:
        registry = p.source_registry
        approach = self.ctx.decisions[p.decision_id].approach_id
        account = self.ctx.accounts.get(p.source_account)
        return self.ctx.alpha3(registry), self.ctx.using_entity(approach, account)

    def _cancellation(self, tx: TransactionFact, p: Piece) -> None:
        if not p.before.authorised_uses:
            return
        registry = p.source_registry
        host = self.ctx.decisions[p.decision_id].host
        first = p.after.first_transferred and not p.before.first_transferred
        party, entity = self._using(p)
        if first and self.party == host:
            kind = RowKind(
                ActionType.FIRST_TRANSFER,
                Subtype.USE_OR_CANCELLATION,
                purpose_oimp="OIMP",
                using_party=party,
                using_entity=entity,
            )
            self._emit(p, kind, registry)
        if self.party == registry:
            self._emit(p, self._use_kind(tx, p, party, entity), registry)

    @staticmethod
    def _use_kind(tx: TransactionFact, p: Piece, party: str, entity: str) -> RowKind:
        purpose = str(tx.detail.get("purpose", "voluntary"))
        if purpose == "ndc" and p.after.first_transferred:
            year = tx.detail.get("ndc_year")
            ndc_year = int(year) if year is not None else tx.at.astimezone(UTC).year
            return RowKind(
                ActionType.USE, using_party=party, using_entity=entity, ndc_year=ndc_year
            )
        if purpose == "oimp":
            return RowKind(
                ActionType.USE, purpose_oimp="OIMP", using_party=party, using_entity=entity
            )
        action = ActionType.CANCELLATION if purpose == "ndc" else ActionType.VOLUNTARY_CANCELLATION
        return RowKind(action, Subtype.OTHER_CANCELLATIONS, using_party=party, using_entity=entity)

    def _retirement(self, p: Piece) -> None:
        if self.party != p.source_registry or not p.before.authorised_uses:
            return
        party, entity = self._using(p)
        kind = RowKind(
            ActionType.CANCELLATION,
            Subtype.OTHER_CANCELLATIONS,
            using_party=party,
            using_entity=entity,
        )
        self._emit(p, kind, p.source_registry)

    # -- merging and building -----------------------------------------------------------
    def _emit(self, p: Piece, kind: RowKind, registry: str) -> None:
        reference = p.after.authorisation_ref or p.before.authorisation_ref or ""
        key = (kind, p.decision_id, p.origin, reference, registry)
        current = self._open.get(key)
        if current is not None and current.end + 1 == p.start:
            current.end = p.end
            return
        row = _Open(kind, p.decision_id, p.origin, reference, registry, p.start, p.end, 0)
        row.seq = len(self._pending)
        self._pending.append(row)
        self._open[key] = row

    def _first_id(self, o: _Open) -> int:
        return self.ctx.decisions[o.decision_id].offset + o.start

    def _row(self, tx: TransactionFact, o: _Open) -> ActionRow:
        k = o.kind
        return ActionRow(
            tx.at,
            k.action_type,
            k.subtype,
            self.ctx.block(o.decision_id, o.start, o.end, o.reference, o.registry),
            k.transferring_party,
            k.acquiring_party,
            k.purpose_oimp,
            k.using_party,
            k.using_entity,
            k.ndc_year,
            self.ctx.serial_text(o.decision_id, o.origin, o.start, o.end),
            tx.id,
        )
