"""An account holder's four moves as forms: what each asks for, how a form becomes the
registry's commands, and what the confirmation screen says will happen.

A move goes form → confirmation → execution. The confirmation runs the move as a dry run
(``RegistryService.preview_move``: every check, then rolled back) and shows the exact
serials it took; the execution then names exactly those serial ranges (never "the lowest
N" again), so the ledger moves what the holder saw or refuses. An idempotency key made at
confirmation time travels in a hidden field: submitting the same confirmation twice
replays the first answer and changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Form

from jcm.domain.errors import InvalidInput
from jcm.domain.registry import commands as c
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind, parse_purpose
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.api.routing import scoped_key
from jcm.entrypoints.web.i18n import N_
from jcm.service_layer.registry.results import TransactionResult

MAX_RANGES = 500  # serial ranges one confirmation may carry (a batch of that many moves)


@dataclass(frozen=True)
class MoveKind:
    """One of the moves an account holder makes: its URL segment and what its form asks."""

    slug: str
    kind: TransactionKind
    title: str  # message id
    destination: bool  # names a destination account
    purpose: bool  # asks for a purpose (cancellations)
    beneficiary: bool  # asks for a beneficiary (cancellations and retirements)
    final: bool  # cannot be undone


MOVES: dict[str, MoveKind] = {
    m.slug: m
    for m in (
        MoveKind(
            "transfer", TransactionKind.TRANSFER, N_("Transfer units"), True, False, False, False
        ),
        MoveKind(
            "external-transfer",
            TransactionKind.EXTERNAL_TRANSFER,
            N_("Transfer units to the other registry"),
            True,
            False,
            False,
            False,
        ),
        MoveKind(
            "cancel", TransactionKind.CANCELLATION, N_("Cancel units"), False, True, True, True
        ),
        MoveKind(
            "retire", TransactionKind.RETIREMENT, N_("Retire units"), False, False, True, True
        ),
    )
}

PURPOSES: tuple[tuple[str, str], ...] = (
    (CancellationPurpose.NDC.value, N_("Use towards a nationally determined contribution (NDC)")),
    (CancellationPurpose.OIMP.value, N_("Other international mitigation purposes (OIMP)")),
    (CancellationPurpose.VOLUNTARY.value, N_("Voluntary cancellation")),
)

KIND_LABELS: dict[str, str] = {
    TransactionKind.ISSUANCE.value: N_("Issuance"),
    TransactionKind.TRANSFER.value: N_("Transfer"),
    TransactionKind.EXTERNAL_TRANSFER.value: N_("External transfer"),
    TransactionKind.CANCELLATION.value: N_("Cancellation"),
    TransactionKind.RETIREMENT.value: N_("Retirement"),
    TransactionKind.AUTHORISATION.value: N_("Authorisation"),
    TransactionKind.CORRESPONDING_ADJUSTMENT.value: N_("Corresponding adjustment"),
}

Text = Annotated[str, Form(max_length=2000)]


@dataclass(frozen=True)
class MoveForm:
    """What the holder typed, as typed (shown again on the form after a refusal)."""

    destination: str = ""
    quantity: str = ""
    serials: str = ""
    purpose: str = ""
    beneficiary: str = ""
    note: str = ""
    ndc_year: str = ""  # a cancellation towards an NDC: the year it counts for (optional)

    def command(self, account: str, move: MoveKind) -> c.Move:
        """The registry's command; the domain checks everything else (and says why)."""
        return c.Move(
            source=account,
            destination=(_text(self.destination).upper() or None) if move.destination else None,
            quantity=_quantity(self.quantity),
            serials=_text(self.serials) or None,
            purpose=parse_purpose(self.purpose) if move.purpose and self.purpose else None,
            beneficiary=(_text(self.beneficiary) or None) if move.beneficiary else None,
            note=_text(self.note) or None,
            ndc_year=_year(self.ndc_year) if move.purpose else None,
        )


def move_form(
    destination: Text = "",
    quantity: Text = "",
    serials: Text = "",
    purpose: Text = "",
    beneficiary: Text = "",
    note: Text = "",
    ndc_year: Text = "",
) -> MoveForm:
    """The form's fields (a dependency: FastAPI reads them from the posted form)."""
    return MoveForm(destination, quantity, serials, purpose, beneficiary, note, ndc_year)


def _text(value: str) -> str:
    return value.strip()


def _quantity(value: str) -> int | None:
    text = value.strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise InvalidInput(
            "G1_BAD_QUANTITY",
            f"Quantity must be a whole number of at least 1, got {value[:40]!r}.",
            quantity=value[:40],
        )
    return int(text)


def _year(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        raise InvalidInput(
            "T8_BAD_NDC_YEAR",
            f"The NDC year must be a year such as 2025, got {value[:40]!r}.",
            ndc_year=value[:40],
        )
    return int(text)


# -- confirmation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consequence:
    """A sentence of the confirmation screen: a message id and its named values."""

    message: str
    values: dict[str, object]


def new_confirmation_key() -> str:
    """The idempotency key of one confirmation screen (not a secret: it only makes a
    repeated submission of the same screen a replay)."""
    return "web-" + secrets.token_urlsafe(18)


def consequences(move: MoveKind, preview: TransactionResult) -> list[Consequence]:
    """What the move will do, in plain words, from the dry run's own result."""
    said: list[Consequence] = []
    if move.kind is TransactionKind.TRANSFER:
        said.append(
            Consequence(
                N_(
                    "The units move to account %(destination)s in this registry. Only that "
                    "account's holder can move them afterwards."
                ),
                {"destination": preview.destination},
            )
        )
    elif move.kind is TransactionKind.EXTERNAL_TRANSFER:
        said.append(
            Consequence(
                N_(
                    "The units leave registry %(source)s for account %(destination)s in "
                    "registry %(target)s. They will no longer be held in this registry."
                ),
                {
                    "source": preview.registry,
                    "destination": preview.destination,
                    "target": (preview.destination or "").split("-")[0],
                },
            )
        )
    else:
        said.append(_final(move.kind, preview.registry))
    said.extend(_article6(move.kind, preview))
    return said


def _final(kind: TransactionKind, registry: str) -> Consequence:
    if kind is TransactionKind.CANCELLATION:
        message = N_(
            "A cancellation is final and cannot be undone: the units go to registry "
            "%(registry)s's cancellation account and can never be transferred or used again."
        )
    else:
        message = N_(
            "A retirement is final and cannot be undone: the units go to registry "
            "%(registry)s's retirement account and can never be transferred or used again."
        )
    return Consequence(message, {"registry": registry})


def _article6(kind: TransactionKind, preview: TransactionResult) -> list[Consequence]:
    """Article 6.2 effects: a first transfer makes units ITMOs and a corresponding
    adjustment due (the domain decides; the dry run's detail reports how many)."""
    first = preview.detail.get("first_transferred")
    count = first if isinstance(first, int) and not isinstance(first, bool) else 0
    if count:
        return [
            Consequence(
                N_(
                    "Article 6.2: this is the first transfer of %(count)s of these units. "
                    "They become internationally transferred mitigation outcomes (ITMOs) and "
                    "a corresponding adjustment becomes due."
                ),
                {"count": count},
            )
        ]
    if kind is TransactionKind.EXTERNAL_TRANSFER:
        return [
            Consequence(
                N_(
                    "Article 6.2: this transfer is not the first transfer of any of these "
                    "units; no corresponding adjustment becomes due through it."
                ),
                {},
            )
        ]
    return []


# -- execution ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    """One committed transaction of an executed move."""

    transaction: int
    serials: tuple[str, ...]
    quantity: int


def execute(
    caller: Caller,
    move: MoveKind,
    cmd: c.Move,
    ranges: Sequence[str],
    key: str,
) -> tuple[list[Done], bool]:
    """Move exactly ``ranges`` (the confirmed serials): one range is one transaction;
    several are one batch, all or nothing, a transaction per range. Returns what was
    committed and whether it was a replay of an earlier submission."""
    wanted = [r.strip() for r in ranges if r.strip()]
    if not key.strip() or not wanted or len(wanted) > MAX_RANGES:
        raise InvalidInput(
            "H2_BAD_REQUEST",
            "This confirmation is incomplete (no serials or no confirmation key); start "
            "the move again from its form.",
        )
    scoped = scoped_key(caller, key.strip())
    registry = caller.services.registry
    exact = [replace(cmd, quantity=None, serials=serial) for serial in wanted]
    if len(exact) == 1:
        one = registry.move(exact[0], move.kind, scoped)
        return [Done(one.transaction, one.serials, one.quantity)], one.replayed
    batch = registry.batch([(m, move.kind) for m in exact], scoped)
    done = [
        Done(tx, (serial,), SerialRange.parse(serial).quantity)
        for tx, serial in zip(batch.transactions, wanted, strict=True)
    ]
    return done, batch.replayed
