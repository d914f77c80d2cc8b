"""The cell exports (rows given ready as cells, a page at a time) write what the general
path writes: the same CSV text, the same neutralising, one row per transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jcm.entrypoints.web.export import csv_chunks, csv_page_chunks
from jcm.entrypoints.web.ledger_columns import RETIREMENT_COLUMNS
from jcm.service_layer.public.ledger import retirement_cells
from jcm.service_layer.public.ledger_ports import RETIREMENT_EXPORT_FIELDS
from jcm.service_layer.public.ledger_results import RETIREMENT_CELLS

cells = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.text(alphabet='=+-@\t\r\n",; aあ1', max_size=6)
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
)


@settings(max_examples=300)
@given(st.lists(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=4), max_size=5))
def test_pages_of_cells_are_written_as_the_rows_are_one_by_one(pages: list[list[Any]]) -> None:
    header = ["a", "=b", "c"]

    paged = "".join(csv_page_chunks(header, pages))
    rows = "".join(csv_chunks(header, [row for page in pages for row in page]))

    assert paged == rows


def test_a_page_of_1200_rows_is_sent_in_chunks_of_500() -> None:
    page = [[n, f"={n}"] for n in range(1200)]

    chunks = list(csv_page_chunks(["n", "text"], [page]))

    assert [chunk.count("\r\n") for chunk in chunks] == [501, 500, 200]
    assert chunks[0].split("\r\n")[1] == "0,'=0"


def test_the_cells_are_named_as_the_exported_columns_in_their_order() -> None:
    assert tuple(column.key for column in RETIREMENT_COLUMNS) == RETIREMENT_CELLS


def _row(**changes: Any) -> tuple[Any, ...]:
    base: dict[str, Any] = {
        "id": 7,
        "day": "2026-04-01",
        "kind": "retirement",
        "registry": "JP",
        "source": "JP-ENT-0001",
        "quantity": 40,
        "purpose": None,
        "beneficiary": '=HYPERLINK("x")',
        "note": "",
        "serial_start": 1,
        "serial_end": 40,
        "project_id": "KE001",
        "vintage": 2023,
        "period_seq": 1,
        "partner": "KE",
        "origin": "JP",
        "authorised_uses": None,
        "first_transferred": False,
        "ca_status": "not_required",
        "held": 40,
    }
    return tuple({**base, **changes}[field] for field in RETIREMENT_EXPORT_FIELDS)


def test_a_retirement_of_one_range_gives_its_cells_in_column_order() -> None:
    assert retirement_cells([_row()]) == [
        (
            "2026-04-01",
            7,
            "retirement",
            None,
            "JP",
            "JP-ENT-0001",
            "KE001",
            "KE",
            "2023",
            40,
            "JP-KE-JCM-KE001-2023-1-1-40",
            '=HYPERLINK("x")',
            None,
            "",
            0,
            0,
            0,
        )
    ]


def test_a_transaction_of_several_ranges_and_blocks_is_one_row_with_joined_cells() -> None:
    rows = [
        _row(serial_end=20, held=10, authorised_uses="ndc", first_transferred=True),
        _row(serial_end=20, held=10, authorised_uses="oimp,ndc"),
        _row(serial_start=51, serial_end=70, project_id="KE002", vintage=2024, held=20),
        _row(id=6, kind="cancellation", purpose="voluntary", held=40, ca_status="applied"),
    ]

    several, cancellation = retirement_cells(rows)

    assert several[6:11] == (
        "KE001; KE002",
        "KE",
        "2023; 2024",
        40,
        "JP-KE-JCM-KE001-2023-1-1-20; JP-KE-JCM-KE002-2024-1-51-70",
    )
    assert several[13:] == ("ndc,oimp", 20, 10, 0)
    assert (cancellation[1], cancellation[3], cancellation[16]) == (6, "voluntary", 40)


uses = st.sampled_from([None, "", "ndc", "oimp,ndc", ",ndc,"])
statuses = st.sampled_from(["not_required", "pending", "applied"])
texts = st.none() | st.text(alphabet="=+ ab", max_size=3)


@settings(max_examples=200)
@given(uses, st.booleans(), statuses, texts, texts, st.integers(min_value=2, max_value=10**6))
def test_one_block_gives_the_cells_of_the_same_range_held_in_two_blocks(
    authorised: str | None,
    first: bool,
    status: str,
    purpose: str | None,
    note: str | None,
    held: int,
) -> None:
    # One row takes the shortcut; two rows of the same range, the general path.
    row = _row(
        authorised_uses=authorised,
        first_transferred=first,
        ca_status=status,
        purpose=purpose,
        note=note,
        serial_end=held,
        quantity=held,
        held=held,
    )
    fields = dict(zip(RETIREMENT_EXPORT_FIELDS, row, strict=True))
    split = [_row(**{**fields, "held": part}) for part in (1, held - 1)]

    assert retirement_cells([row]) == retirement_cells(split)


def test_dates_and_decimals_are_written_as_the_general_path_writes_them() -> None:
    row = [date(2026, 4, 1), datetime(2026, 4, 1, 9, tzinfo=UTC), Decimal("-1.50"), True, None]

    assert list(csv_page_chunks(["x"], [[row]])) == list(csv_chunks(["x"], [row]))
