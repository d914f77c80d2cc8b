"""The NDC year a use towards a nationally determined contribution counts for (T8).

A cancellation for purpose ``ndc`` is a use of units towards an NDC; the Party may count it
for the year of the action or an earlier one (a use in March 2026 may count for 2025), never
for a later one, and never before 2013, the first year any JCM unit can stem from. The year
is recorded in the transaction's detail as ``ndc_year``; the AEF reports it with the use.
"""

from __future__ import annotations

from jcm.domain.errors import InvalidInput
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind

EARLIEST_NDC_YEAR = 2013


def ndc_year_of(
    kind: TransactionKind,
    purpose: CancellationPurpose | None,
    ndc_year: int | None,
    action_year: int,
) -> int | None:
    """The NDC year to record for a move, or None when the move is no use towards an NDC.

    ``ndc_year``: the year the caller asks for (None: the action's year);
    ``action_year``: the UTC year of the action's date."""
    is_use = kind is TransactionKind.CANCELLATION and purpose is CancellationPurpose.NDC
    if not is_use:
        if ndc_year is not None:
            raise InvalidInput(
                "T8_NDC_YEAR_NOT_USE",
                f"An NDC year ({ndc_year}) is recorded only with a cancellation for use "
                "towards an NDC (purpose ndc), not with a "
                + (f"cancellation for {purpose.value}" if purpose else kind.value)
                + ".",
                ndc_year=ndc_year,
                kind=kind.value,
                purpose=purpose.value if purpose else None,
            )
        return None
    if ndc_year is None:
        return action_year
    if not EARLIEST_NDC_YEAR <= ndc_year <= action_year:
        raise InvalidInput(
            "T8_BAD_NDC_YEAR",
            f"NDC year {ndc_year} is not possible for a use made in {action_year}: it must "
            f"be from {EARLIEST_NDC_YEAR} to the year of the action.",
            ndc_year=ndc_year,
            action_year=action_year,
            earliest=EARLIEST_NDC_YEAR,
        )
    return ndc_year
