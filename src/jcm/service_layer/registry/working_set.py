"""The unit blocks one unit of work reads and changes, held in memory until commit.

A batch of a thousand transfers touches the database a few times instead of a few
thousand: blocks are read a page at a time, split and moved in memory (one object per
block row: an identity map), and written back in bulk, with the transactions and their
events, just before the commit.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

from jcm.domain.errors import UnitRuleViolation
from jcm.domain.registry.blocks import BlockKey, UnitBlock
from jcm.domain.registry.issuance import IssuanceDecision
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import TransactionRecord
from jcm.service_layer.ports import Ledger

# Page sizes grow: a single transfer usually needs one or two blocks, a long walk more.
PAGES = (4, 16, 64, 256)
FIRST_PAGE = PAGES[0]
_tiebreak = count()


@dataclass
class _AccountView:
    """What this unit of work knows of one account's blocks.

    ``known`` holds every in-memory block now in the account plus the database rows read so
    far; any block not known is an untouched row with a key above ``last_key``.
    """

    account_id: str
    known: dict[int, UnitBlock] = field(default_factory=dict)  # id(block) -> block
    # Min-heap over known blocks by key; entries of discarded blocks are skipped lazily.
    # A block's key does not change while it sits in an account (only moved pieces are
    # carved), so heap order stays valid.
    heap: list[tuple[BlockKey, int, UnitBlock]] = field(default_factory=list)
    last_key: BlockKey | None = None
    exhausted: bool = False
    pages: int = 0

    def add(self, block: UnitBlock) -> None:
        if id(block) not in self.known:
            self.known[id(block)] = block
            heapq.heappush(self.heap, (block.key, next(_tiebreak), block))

    def discard(self, block: UnitBlock) -> None:
        self.known.pop(id(block), None)

    def lowest(self) -> UnitBlock | None:
        heap = self.heap
        while heap:
            key, _, block = heap[0]
            if self.known.get(id(block)) is block and block.key == key:
                return block
            heapq.heappop(heap)
        return None


class WorkingSet:
    def __init__(
        self, ledger: Ledger, decisions: dict[int, IssuanceDecision] | None = None
    ) -> None:
        self.ledger = ledger
        self._by_id: dict[int, UnitBlock] = {}
        self._dirty: dict[int, UnitBlock] = {}  # stored blocks taken by a command
        self._new: list[UnitBlock] = []
        self._views: dict[str, _AccountView] = {}
        self._arrivals: defaultdict[str, list[UnitBlock]] = defaultdict(list)
        self._decisions: dict[int, IssuanceDecision] = {} if decisions is None else decisions
        self.records: list[TransactionRecord] = []

    # -- reading -----------------------------------------------------------------------
    def decision(self, decision_id: int) -> IssuanceDecision:
        found = self._decisions.get(decision_id)
        if found is None:
            found = self.ledger.get_decision(decision_id)
            if found is None:  # a block always has its decision; this is a broken database
                raise RuntimeError(f"unit block refers to missing decision {decision_id}")
            self._decisions[decision_id] = found
        return found

    def serial(self, block: UnitBlock, start: int | None = None, end: int | None = None) -> str:
        d = self.decision(block.decision_id)
        return SerialRange(
            block.origin_registry,
            d.partner,
            d.project_id,
            d.vintage,
            d.period_seq,
            block.start if start is None else start,
            block.end if end is None else end,
        ).format()

    def _adopt(self, row: UnitBlock) -> UnitBlock:
        if row.id is None:
            raise RuntimeError("a block read from the database has no id")
        block = self._by_id.get(row.id)
        if block is None:
            block = self._by_id[row.id] = row
        return block

    def _taken(self, block: UnitBlock) -> None:
        if block.id is not None:
            self._dirty[block.id] = block

    def _view(self, account_id: str) -> _AccountView:
        view = self._views.get(account_id)
        if view is None:
            view = self._views[account_id] = _AccountView(account_id)
            for block in self._arrivals.pop(account_id, []):
                if block.account_id == account_id:
                    view.add(block)
        return view

    def prefetch(self, account_ids: list[str]) -> None:
        """Read the first page of many accounts in a few statements (for batches)."""
        wanted = [a for a in dict.fromkeys(account_ids) if a not in self._views]
        if not wanted:
            return
        for account_id, rows in self.ledger.first_pages(wanted, FIRST_PAGE).items():
            self._absorb(self._view(account_id), rows, FIRST_PAGE)

    def _load_page(self, view: _AccountView) -> None:
        size = PAGES[min(view.pages, len(PAGES) - 1)]
        self._absorb(view, self.ledger.blocks_page(view.account_id, view.last_key, size), size)

    def _absorb(self, view: _AccountView, rows: list[UnitBlock], size: int) -> None:
        view.pages += 1
        if len(rows) < size:
            view.exhausted = True
        for row in rows:
            view.last_key = row.key
            block = self._adopt(row)
            if block.account_id == view.account_id:  # else it moved away in memory
                view.add(block)

    def _lowest(self, view: _AccountView) -> UnitBlock | None:
        """The account's block with the lowest key, reading more pages when needed."""
        while True:
            best = view.lowest()
            if not view.exhausted and (
                best is None or view.last_key is None or best.key > view.last_key
            ):
                self._load_page(view)
                continue
            return best

    # -- taking units --------------------------------------------------------------------
    def take_lowest(self, account_id: str, quantity: int) -> list[UnitBlock]:
        """Take ``quantity`` units from the account, oldest decision and lowest serial first."""
        view = self._view(account_id)
        taken: list[UnitBlock] = []
        need = quantity
        while need:
            block = self._lowest(view)
            if block is None:
                held = quantity - need
                raise UnitRuleViolation(
                    "U2_INSUFFICIENT_UNITS",
                    f"Account {account_id} holds {held} units, fewer than the {quantity} "
                    "requested.",
                    account=account_id,
                    requested=quantity,
                    held=held,
                )
            view.discard(block)
            self._taken(block)
            if block.quantity > need:
                for rest in block.carve(block.start, block.start + need - 1):
                    self._new.append(rest)
                    view.add(rest)
            need -= block.quantity
            taken.append(block)
        return taken

    def take_range(
        self, account_id: str | None, serial: SerialRange, decision_id: int
    ) -> list[UnitBlock]:
        """Take exactly the serials of ``serial`` (one decision), held by ``account_id``.

        With no account, the serials may be anywhere (attribute changes such as a
        corresponding adjustment). Left-over pieces stay where their block was.
        """
        in_range = self.held_in_range(account_id, serial, decision_id)
        for block in in_range:
            view = self._views.get(block.account_id)
            if view is not None:
                view.discard(block)
            self._taken(block)
            for rest in block.carve(max(block.start, serial.start), min(block.end, serial.end)):
                self.add_new(rest)
        return in_range

    def held_in_range(
        self, account_id: str | None, serial: SerialRange, decision_id: int
    ) -> list[UnitBlock]:
        """The blocks covering ``serial``; all must exist and, given an account, be held there."""
        in_range = self.blocks_in_range(decision_id, serial.start, serial.end)
        covered = 0
        for block in in_range:
            part = (max(block.start, serial.start), min(block.end, serial.end))
            if block.origin_registry != serial.origin:
                raise UnitRuleViolation(
                    "U1_UNKNOWN_SERIAL",
                    f"Serials {part[0]}-{part[1]} of {serial.project} period "
                    f"{serial.period_seq} were issued by registry {block.origin_registry}, "
                    f"not {serial.origin}; check the serial's first element.",
                    serials=serial.format(),
                )
            if account_id is not None and block.account_id != account_id:
                raise UnitRuleViolation(
                    "U2_UNITS_NOT_HELD",
                    f"Serials {self.serial(block, *part)} are held by account "
                    f"{block.account_id}, not by {account_id}.",
                    serials=serial.format(),
                    account=account_id,
                    holder=block.account_id,
                )
            covered += part[1] - part[0] + 1
        if covered != serial.quantity:
            raise UnitRuleViolation(
                "U1_UNKNOWN_SERIAL",
                f"Only {covered} of the {serial.quantity} serials in {serial.format()} exist; "
                "the rest were never issued.",
                serials=serial.format(),
                existing=covered,
            )
        return in_range

    def blocks_in_range(self, decision_id: int, start: int, end: int) -> list[UnitBlock]:
        found: dict[int, UnitBlock] = {}
        for row in self.ledger.blocks_overlapping(decision_id, start, end, lock=True):
            block = self._adopt(row)
            found[id(block)] = block
        for block in self._new:
            found[id(block)] = block
        hits = [
            b
            for b in found.values()
            if b.decision_id == decision_id and b.start <= end and start <= b.end
        ]
        return sorted(hits, key=lambda b: b.start)

    # -- placing units -------------------------------------------------------------------
    def place(self, block: UnitBlock, account_id: str, registry: str) -> None:
        """Move a taken block into an account; that account's view sees it at once."""
        block.account_id = account_id
        block.registry = registry
        self._arrive(block)

    def add_new(self, block: UnitBlock) -> None:
        self._new.append(block)
        self._arrive(block)

    def _arrive(self, block: UnitBlock) -> None:
        view = self._views.get(block.account_id)
        if view is not None:
            view.add(block)
        else:
            self._arrivals[block.account_id].append(block)

    def add_record(self, record: TransactionRecord) -> None:
        self.records.append(record)

    # -- writing -------------------------------------------------------------------------
    def flush(self, now: datetime) -> None:
        """Write changed blocks, new blocks, then the transactions with ranges and events.

        Changed rows are written before new ones: a carved row gives up serials that a new
        row then takes, and (decision, serial start) is unique.
        """
        self.ledger.write_changes(list(self._dirty.values()), self._new, self.records, now)
        self._new = []
        self.records = []
        self._dirty = {}
