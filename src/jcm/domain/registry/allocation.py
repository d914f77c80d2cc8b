"""Splitting a Joint Committee decision into whole units per holder.

Rounding rule (documented in ``docs/checks.md``): every holder gets
``floor(amount × share / 100)`` units and the designated remainder holder also gets
``amount − Σ floors``, so the lines always add up to the decided amount exactly.
Serial ranges are handed out in the order the shares are listed, starting at 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from jcm.domain.errors import InvalidInput

HUNDRED = Decimal(100)
# Far above any real decision (Japan's 2030 goal is 10^8 t), far below what 28-digit
# Decimal arithmetic and 64-bit serial columns can hold exactly.
MAX_AMOUNT = 10**15


@dataclass(frozen=True, slots=True)
class AllocationShare:
    account_id: str
    share_pct: Decimal


@dataclass(frozen=True, slots=True)
class AllocatedLine:
    line_no: int
    account_id: str
    share_pct: Decimal
    quantity: int
    serial_start: int | None
    serial_end: int | None
    receives_remainder: bool


def parse_share(text: str) -> AllocationShare:
    """Parse ``ACCOUNT=PERCENT`` as typed on the command line."""
    account, sep, pct = text.partition("=")
    if not sep or not account.strip():
        raise InvalidInput(
            "G1_BAD_SHARE",
            f"Allocation share {text!r} must look like ACCOUNT=PERCENT, e.g. JP-GOV-0001=50.",
            share=text,
        )
    try:
        value = Decimal(pct.strip())
    except InvalidOperation:
        raise InvalidInput(
            "G1_BAD_SHARE",
            f"Allocation share {text!r}: {pct!r} is not a number.",
            share=text,
        ) from None
    return AllocationShare(account.strip().upper(), value)


def allocate(
    amount: int, shares: Sequence[AllocationShare], remainder_to: str | None = None
) -> list[AllocatedLine]:
    """Split ``amount`` units over ``shares`` (which must sum to exactly 100)."""
    if not 1 <= amount <= MAX_AMOUNT:
        raise InvalidInput(
            "I6_BAD_AMOUNT",
            f"The decided amount must be a whole number of tCO2 from 1 to {MAX_AMOUNT:,}, "
            f"got {amount}.",
            amount=amount,
        )
    if not shares:
        raise InvalidInput("I7_BAD_ALLOCATION", "An allocation needs at least one share.")
    seen: set[str] = set()
    for share in shares:
        if share.account_id in seen:
            raise InvalidInput(
                "I7_BAD_ALLOCATION",
                f"Account {share.account_id} appears twice in the allocation; list each "
                "holder once.",
                account=share.account_id,
            )
        seen.add(share.account_id)
        if not share.share_pct.is_finite() or not (0 < share.share_pct <= HUNDRED):
            raise InvalidInput(
                "I7_BAD_ALLOCATION",
                f"Share {share.share_pct}% for {share.account_id} must be above 0 and at most 100.",
                account=share.account_id,
                share_pct=str(share.share_pct),
            )
    total = sum((s.share_pct for s in shares), Decimal(0))
    if total != HUNDRED:
        raise InvalidInput(
            "I7_BAD_ALLOCATION",
            f"Allocation shares sum to {total}%, not exactly 100%: "
            + ", ".join(f"{s.account_id}={s.share_pct}" for s in shares)
            + ".",
            total_pct=str(total),
        )
    remainder_holder = remainder_to.upper() if remainder_to else shares[0].account_id
    if remainder_holder not in seen:
        raise InvalidInput(
            "I7_BAD_ALLOCATION",
            f"The remainder holder {remainder_holder} is not one of the allocation's holders "
            f"({', '.join(s.account_id for s in shares)}).",
            remainder_to=remainder_holder,
        )
    floors = [
        int((Decimal(amount) * s.share_pct / HUNDRED).to_integral_value(ROUND_FLOOR))
        for s in shares
    ]
    remainder = amount - sum(floors)
    lines: list[AllocatedLine] = []
    next_serial = 1
    for line_no, (share, floor) in enumerate(zip(shares, floors, strict=True), start=1):
        is_remainder = share.account_id == remainder_holder
        quantity = floor + (remainder if is_remainder else 0)
        start = next_serial if quantity else None
        end = next_serial + quantity - 1 if quantity else None
        next_serial += quantity
        lines.append(
            AllocatedLine(
                line_no, share.account_id, share.share_pct, quantity, start, end, is_remainder
            )
        )
    return lines
