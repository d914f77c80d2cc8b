"""Request bodies: unknown fields are refused (422), never ignored.

Bounds on lengths and integers are the domain's (jcm.domain.limits), checked for every door
alike; these models only give the shape and the OpenAPI document.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jcm.domain import limits
from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: object) -> object:
        """No control characters in any text field: refused (422) before anything is looked
        up with it (PostgreSQL cannot even compare a NUL byte). Lengths are the domain's."""
        bad = limits.forbidden_character(value) if isinstance(value, str) else None
        if bad is not None:
            raise ValueError(f"holds the control or direction character U+{ord(bad):04X}")
        return value


class MoveBody(Body):
    source: str = Field(description="The account the units leave.")
    destination: str | None = Field(
        None, description="The receiving account (cancellation and retirement: omit it)."
    )
    quantity: int | None = Field(None, description="Units to take, lowest serials first.")
    serials: str | None = Field(None, description="An explicit serial range instead.")
    purpose: CancellationPurpose | None = None
    beneficiary: str | None = None
    note: str | None = None
    ndc_year: int | None = Field(
        None,
        description="A cancellation for purpose ndc: the NDC year the use counts for "
        "(default: the year of the action; not after it, not before 2013). Refused for "
        "any other move.",
    )


class MoveKind(StrEnum):
    """The kinds of transaction a batch may hold: the moves (never an issuance or an
    Article 6 step, which have their own routes)."""

    TRANSFER = TransactionKind.TRANSFER.value
    EXTERNAL_TRANSFER = TransactionKind.EXTERNAL_TRANSFER.value
    CANCELLATION = TransactionKind.CANCELLATION.value
    RETIREMENT = TransactionKind.RETIREMENT.value


class BatchMove(MoveBody):
    kind: MoveKind


class BatchBody(Body):
    moves: list[BatchMove] = Field(description="All or nothing, in this order.")


class AuthoriseBody(Body):
    """``reference``: the id of a registered authorisation; it gives the uses and the
    trigger (given here too, they must be its)."""

    account: str
    reference: str
    uses: list[AuthorisedUse] | None = None
    trigger: FirstTransferTrigger | None = None
    quantity: int | None = None
    serials: str | None = None


class AdjustmentBody(Body):
    serials: str
    reporting_year: int
    note: str | None = None


class IssueBody(Body):
    decision: int
    registry: str


class AccountStatusBody(Body):
    status: str
    reason: str | None = None


class OpenAccountBody(Body):
    registry: str
    organisation: str
    type: str
    name: str


class RegistryBody(Body):
    code: str
    name: str | None = None


class DateRange(Body):
    since: date | None = None
    until: date | None = None
