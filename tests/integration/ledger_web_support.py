"""A small ledger for the public ledger pages' tests, built through the real services.

Kenya's project KE001 (vintage 2023) is issued half by Japan (serials 1-500 to Japan's
government account) and half by Kenya (501-1000 to a Kenyan holder); KE002 (vintage 2024)
only by Kenya (1-200). Japan moves 100 units to a Japanese buyer, who retires 40 of them
for a beneficiary whose name is a spreadsheet formula; the Kenyan holder cancels 30
voluntarily for "Acme". A checkpoint is signed at the end.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from api_support import api_world

from jcm.bootstrap import App
from jcm.domain.registry import commands as c
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.transactions import CancellationPurpose

FORMULA = '=HYPERLINK("x")'
BOM = "\ufeff"


@dataclass(frozen=True)
class LedgerWorld:
    jp_account: str
    ke_account: str
    issued_jp: int  # KE001, Japan's side
    issued_ke: int  # KE001, Kenya's side
    issued_ke002: int
    transfer: int
    retirement: int
    cancellation: int


def ledger_world(app: App) -> LedgerWorld:
    world = api_world(app)
    r = app.registry
    jp, ke = world.accounts["jp"], world.accounts["ke"]
    second = r.record_decision(
        c.RecordDecision(
            "KE002",
            date(2024, 1, 1),
            date(2024, 12, 31),
            2024,
            200,
            (AllocationShare(ke, Decimal(100)),),
            reference="JC-KE-2024-7",
        )
    ).decision
    issued_ke002 = r.issue(c.Issue(second, "KE")).transaction
    transfer = r.transfer(c.Move("JP-GOV-0001", jp, quantity=100)).transaction
    retirement = r.retire(
        c.Move(jp, quantity=40, beneficiary=FORMULA, note="FY2025 claim")
    ).transaction
    cancellation = r.cancel(
        c.Move(
            ke,
            serials="KE-KE-JCM-KE001-2023-1-501-530",
            purpose=CancellationPurpose.VOLUNTARY,
            beneficiary="Acme",
        )
    ).transaction
    app.log.sign_checkpoint()
    issuances = {t.registry: t.id for t in r.transactions(10, kind="issuance", project="KE001")}
    return LedgerWorld(
        jp,
        ke,
        issuances["JP"],
        issuances["KE"],
        int(issued_ke002),
        int(transfer),
        int(retirement),
        int(cancellation),
    )


def csv_rows(text: str) -> list[dict[str, str]]:
    """The rows of a CSV export (BOM removed) as dictionaries by column key."""
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))
