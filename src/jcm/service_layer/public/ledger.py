"""Use cases of the public ledger views: issuances, cancellations and retirements (a page at
a time for the HTML lists, every row streamed for the exports), and the serial search."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from jcm.domain.errors import InvalidInput
from jcm.domain.registry.serials import SerialRange, serial_text
from jcm.service_layer.public.kept import Kept
from jcm.service_layer.public.ledger_ports import RETIREMENT_EXPORT_FIELDS, LedgerQueries
from jcm.service_layer.public.ledger_results import (
    JAPAN,
    SEPARATOR,
    Article6Status,
    BlockEvent,
    FoundBlock,
    IssuanceFilter,
    IssuancePage,
    IssuanceRow,
    RetirementCells,
    RetirementFilter,
    RetirementPage,
    RetirementRow,
    SerialSearch,
)
from jcm.service_layer.public.ports import PublicUnitOfWork, PublicUnitOfWorkFactory
from jcm.service_layer.registry.lookups import decision_of_serial

DEFAULT_PAGE = 50
MAX_PAGE = 200
EXPORT_PAGE = 500  # rows read per statement while an export streams
EXPORT_TABLE_PAGE = 2_000  # transactions per statement of the cell exports: fewer round trips
MAX_SERIAL_QUERY = 100  # characters: the longest serial range is well under this
MAX_BLOCKS = 100  # blocks one search shows
MAX_EVENTS = 2_000  # history rows one search reads
_STATUS_OF_ACCOUNT = {"cancellation": "cancelled", "retirement": "retired"}

Row = Mapping[Any, Any]  # as the port gives it
T = TypeVar("T")


class _Keyed(Protocol):
    @property
    def transaction_id(self) -> int: ...


K = TypeVar("K", bound=_Keyed)


def page_size(size: int | None) -> int:
    """The page size asked for, within 1..MAX_PAGE (DEFAULT_PAGE when not asked)."""
    if size is None:
        return DEFAULT_PAGE
    return max(1, min(MAX_PAGE, size))


class LedgerViews:
    def __init__(self, uow: PublicUnitOfWorkFactory) -> None:
        self.uow = uow
        self._kept = Kept()  # issuance pages: their Article 6 sums read every block

    # -- issuances ------------------------------------------------------------------------
    def issuances(
        self, filters: IssuanceFilter, *, cursor: int | None = None, size: int | None = None
    ) -> IssuancePage:
        """One page, newest first; ``cursor`` is the previous page's ``next_cursor``."""
        limit = page_size(size)

        def read(uow: PublicUnitOfWork) -> IssuancePage:
            rows = _issuances_in(uow, filters, cursor, limit + 1)
            return IssuancePage(tuple(rows[:limit]), _next(rows, limit), limit)

        return self._kept.answer(self.uow, (filters, cursor, limit), read)

    def issuance_rows(self, filters: IssuanceFilter) -> Iterator[IssuanceRow]:
        """Every matching issuance, newest first, read a page at a time as it is consumed
        (each page in its own short read, so a slow download holds no connection)."""
        return _stream(lambda before: self._issuance_page(filters, before, EXPORT_PAGE))

    def _issuance_page(
        self, filters: IssuanceFilter, before: int | None, limit: int
    ) -> list[IssuanceRow]:
        with self.uow(read_only=True) as uow:
            return _issuances_in(uow, filters, before, limit)

    # -- cancellations and retirements ----------------------------------------------------
    def retirements(
        self, filters: RetirementFilter, *, cursor: int | None = None, size: int | None = None
    ) -> RetirementPage:
        limit = page_size(size)
        rows = self._retirement_page(filters, cursor, limit + 1)
        return RetirementPage(tuple(rows[:limit]), _next(rows, limit), limit)

    def _retirement_page(
        self, filters: RetirementFilter, before: int | None, limit: int
    ) -> list[RetirementRow]:
        with self.uow(read_only=True) as uow:
            found = uow.public.ledger.retirements(filters, before, limit)
        return [_retirement(rows) for rows in _by_transaction(found)]

    def retirement_table(self, filters: RetirementFilter) -> Iterator[list[RetirementCells]]:
        """Every matching cancellation and retirement, newest first, as export cells
        (``RETIREMENT_CELLS``) a page at a time, each page in its own short read as it is
        consumed (a slow download holds no connection)."""
        before: int | None = None
        while True:
            with self.uow(read_only=True) as uow:
                found = uow.public.ledger.retirement_export(filters, before, EXPORT_TABLE_PAGE)
            cells = retirement_cells(found)
            if cells:
                yield cells
            if len(cells) < EXPORT_TABLE_PAGE:
                return
            before = cells[-1][1]

    # -- serial search --------------------------------------------------------------------
    def search_serials(self, text: str) -> SerialSearch:
        """Where each unit of a serial or serial range is now, block by block, and every
        transaction that touched it (U6 for a malformed serial, U1 for one never issued)."""
        cleaned = text.strip()
        if not cleaned or len(cleaned) > MAX_SERIAL_QUERY:
            raise InvalidInput(
                "U6_BAD_SERIAL",
                f"Give one serial or serial range of at most {MAX_SERIAL_QUERY} characters, "
                "e.g. JP-KE-JCM-KE001-2024-1-501-1000.",
                length=len(cleaned),
            )
        with self.uow(read_only=True) as uow:
            serial, decision = decision_of_serial(uow.ledger, cleaned)
            queries = uow.public.ledger
            blocks = queries.blocks_in(
                decision.id, serial.origin, serial.start, serial.end, MAX_BLOCKS + 1
            )
            shown = blocks[:MAX_BLOCKS]
            last = min(serial.end, int(shown[-1]["serial_end"])) if shown else serial.start
            events = (
                queries.touching(decision.id, serial.start, last, MAX_EVENTS + 1) if shown else []
            )
        found = tuple(_found_block(serial, block, events[:MAX_EVENTS]) for block in shown)
        return SerialSearch(
            serial.format(),
            decision.project_id,
            serial.partner,
            decision.vintage,
            decision.period_seq,
            serial.quantity,
            sum(b.quantity for b in found),
            found,
            len(blocks) > MAX_BLOCKS or len(events) > MAX_EVENTS,
        )


# -- assembling rows (pure) -------------------------------------------------------------------
def _issuances_in(
    uow: PublicUnitOfWork, filters: IssuanceFilter, before: int | None, limit: int
) -> list[IssuanceRow]:
    queries = uow.public.ledger
    found = queries.issuances(filters, before, limit)
    ranges, article6 = _pieces(queries, [int(row["id"]) for row in found])
    return [_issuance(row, ranges[int(row["id"])], article6[int(row["id"])]) for row in found]


def _next(rows: Sequence[_Keyed], limit: int) -> int | None:
    return rows[limit - 1].transaction_id if len(rows) > limit else None


def _stream(read: Callable[[int | None], list[K]]) -> Iterator[K]:
    before: int | None = None
    while True:
        rows = read(before)
        yield from rows
        if len(rows) < EXPORT_PAGE:
            return
        before = rows[-1].transaction_id


def _pieces(
    queries: LedgerQueries, ids: Sequence[int]
) -> tuple[dict[int, list[Row]], dict[int, list[Row]]]:
    ranges: dict[int, list[Row]] = defaultdict(list)
    for row in queries.ranges_of(ids):
        ranges[int(row["transaction_id"])].append(row)
    article6: dict[int, list[Row]] = defaultdict(list)
    for row in queries.article6_of(ids):
        article6[int(row["transaction_id"])].append(row)
    return ranges, article6


def _serial(row: Row, start: int | None = None, end: int | None = None) -> str:
    # Stored ranges were checked when they were made: written out without a new check.
    return serial_text(
        str(row["origin"]),
        str(row["partner"]),
        str(row["project_id"]),
        int(row["vintage"]),
        int(row["period_seq"]),
        int(row["serial_start"] if start is None else start),
        int(row["serial_end"] if end is None else end),
    )


def _article6(quantity: int, blocks: Iterable[Row], held_key: str = "quantity") -> Article6Status:
    authorised = first = applied = pending = 0
    uses: set[str] = set()
    for block in blocks:
        held = int(block[held_key])
        found = [u for u in str(block["authorised_uses"] or "").split(",") if u]
        if found:
            authorised += held
            uses.update(found)
        first += held if block["first_transferred"] else 0
        applied += held if block["ca_status"] == "applied" else 0
        pending += held if block["ca_status"] == "pending" else 0
    return Article6Status(quantity, authorised, tuple(sorted(uses)), first, applied, pending)


def _issuance(row: Row, ranges: list[Row], blocks: list[Row]) -> IssuanceRow:
    first = ranges[0]  # an issuance has one range per allocation line it issued
    registry = str(row["registry"])
    quantity = int(row["quantity"])
    return IssuanceRow(
        int(row["id"]),
        row["created_at"],
        str(first["project_id"]),
        first["title"],
        str(first["partner"]),
        registry,
        "japan" if registry == JAPAN else "partner",
        int(first["decision_id"]),
        first["reference"],
        int(first["vintage"]),
        int(first["period_seq"]),
        first["period_start"],
        first["period_end"],
        quantity,
        tuple(_serial(r) for r in ranges),
        _article6(quantity, blocks),
    )


def _distinct(values: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(values))


def _by_transaction(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Consecutive rows of the same transaction, grouped (the query orders them so)."""
    group: list[Row] = []
    for row in rows:
        if group and group[0]["id"] != row["id"]:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def _ranges(rows: Iterable[Row]) -> list[Row]:
    """A transaction's ranges, once each (a range split into several blocks is in several
    rows)."""
    return list({(r["serial_start"], r["serial_end"]): r for r in rows}.values())


def _retirement(rows: list[Row]) -> RetirementRow:
    row = rows[0]
    quantity = int(row["quantity"])
    ranges = _ranges(rows)
    return RetirementRow(
        int(row["id"]),
        row["created_at"],
        str(row["kind"]),
        _text(row["purpose"]),
        str(row["registry"]),
        row["source"],
        _distinct(str(r["project_id"]) for r in ranges),
        _distinct(str(r["partner"]) for r in ranges),
        _distinct(int(r["vintage"]) for r in ranges),
        quantity,
        tuple(_serial(r) for r in ranges),
        _text(row["beneficiary"]),
        _text(row["note"]),
        _article6(quantity, rows, "held"),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


# -- export cells (pure): what _retirement gives, flat, without an object per row --------------
def retirement_cells(rows: Sequence[Sequence[Any]]) -> list[RetirementCells]:
    """One row of cells per transaction from rows of RETIREMENT_EXPORT_FIELDS (a
    transaction's rows are consecutive, as the query orders them)."""
    cells: list[RetirementCells] = []
    count, first = len(rows), 0
    while first < count:
        end = first + 1
        while end < count and rows[end][0] == rows[first][0]:
            end += 1
        cells.append(_one_block_cells(rows[first]) if end == first + 1 else _cells(rows[first:end]))
        first = end
    return cells


def _one_block_cells(row: Sequence[Any]) -> RetirementCells:
    # The common case (one range, held in one block): _cells' result without its sets and
    # mappings, a tenth of the time on 10^5 rows.
    (
        transaction,
        day,
        kind,
        registry,
        source,
        quantity,
        purpose,
        beneficiary,
        note,
        start,
        end,
        project,
        vintage,
        period_seq,
        partner,
        origin,
        uses,
        first_transferred,
        ca_status,
        held,
    ) = row
    found = sorted({use for use in str(uses).split(",") if use}) if uses else []
    held = int(held)
    return (
        day,
        int(transaction),
        str(kind),
        _text(purpose),
        str(registry),
        source,
        str(project),
        str(partner),
        str(int(vintage)),
        int(quantity),
        serial_text(
            str(origin),
            str(partner),
            str(project),
            int(vintage),
            int(period_seq),
            int(start),
            int(end),
        ),
        _text(beneficiary),
        _text(note),
        ",".join(found),
        held if found else 0,
        held if first_transferred else 0,
        held if ca_status == "applied" else 0,
    )


def _cells(rows: Sequence[Sequence[Any]]) -> RetirementCells:
    named = [dict(zip(RETIREMENT_EXPORT_FIELDS, row, strict=True)) for row in rows]
    row = named[0]
    quantity = int(row["quantity"])
    ranges = _ranges(named)
    article6 = _article6(quantity, named, "held")
    return (
        str(row["day"]),
        int(row["id"]),
        str(row["kind"]),
        _text(row["purpose"]),
        str(row["registry"]),
        row["source"],
        SEPARATOR.join(_distinct(str(r["project_id"]) for r in ranges)),
        SEPARATOR.join(_distinct(str(r["partner"]) for r in ranges)),
        SEPARATOR.join(_distinct(str(int(r["vintage"])) for r in ranges)),
        quantity,
        SEPARATOR.join(_serial(r) for r in ranges),
        _text(row["beneficiary"]),
        _text(row["note"]),
        ",".join(article6.uses),
        article6.authorised,
        article6.first_transferred,
        article6.ca_applied,
    )


def _found_block(serial: SerialRange, block: Row, events: Sequence[Row]) -> FoundBlock:
    start, end = int(block["serial_start"]), int(block["serial_end"])
    # Ranges are earlier blocks and blocks only ever split, so every range that overlaps
    # this block contains it: its history is exactly those transactions.
    history = tuple(
        BlockEvent(
            int(e["transaction_id"]),
            str(e["kind"]),
            e["created_at"],
            str(e["registry"]),
            e["source"],
            e["destination"],
            _range_text(serial, int(e["serial_start"]), int(e["serial_end"])),
        )
        for e in events
        if int(e["serial_start"]) <= end and int(e["serial_end"]) >= start
    )
    status = _STATUS_OF_ACCOUNT.get(str(block["account_type"]), "held")
    ending = [e.transaction_id for e in history if e.kind in ("cancellation", "retirement")]
    shown_start, shown_end = max(start, serial.start), min(end, serial.end)
    return FoundBlock(
        _range_text(serial, shown_start, shown_end),
        shown_end - shown_start + 1,
        str(block["registry"]),
        str(block["account_id"]),
        str(block["account_type"]),
        str(block["account_status"]),
        status,
        tuple(u for u in str(block["authorised_uses"] or "").split(",") if u),
        bool(block["first_transferred"]),
        str(block["ca_status"]),
        history,
        ending[-1] if ending and status != "held" else None,
    )


def _range_text(serial: SerialRange, start: int, end: int) -> str:
    return SerialRange(
        serial.origin,
        serial.partner,
        serial.project,
        serial.vintage,
        serial.period_seq,
        start,
        end,
    ).format()
