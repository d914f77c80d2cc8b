"""Synthetic ledger facts for the AEF benchmark: one Japan–Kenya approach, ``blocks`` issued
blocks of 250 units (three in Kenya's registry and one straight into Japan's per decision
of 1,000), and ``actions`` Article 6 actions in the reported year: one authorisation per
block (Japan's share authorised where it is held, so first-transferred at once), then
random first transfers, transfers both ways, internal transfers, uses, voluntary
cancellations and retirements, half of them on part of a lot (splitting it).

The generator keeps its own list of lots (decision, start, end, account), so every move
names serials its source holds; the derivation re-checks that as it walks.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from jcm.domain.aef.facts import (
    AccountFact,
    DecisionFact,
    LedgerFacts,
    RangeFact,
    Register,
    TransactionFact,
)
from jcm.domain.aef.register import ApproachParty, Authorisation, CooperativeApproach

YEAR = 2026
UNITS = 1000  # per decision
BLOCK = 250  # units per issued block
AUTHORISATIONS = 10
ENTITY_ACCOUNTS = 20

Lot = list[Any]  # [decision, start, end, account, first-transferred]


def accounts() -> dict[str, AccountFact]:
    found: dict[str, AccountFact] = {}
    for party in ("KE", "JP"):
        found[f"{party}-GOV"] = AccountFact(f"{party}-GOV", party, "government_holding", party)
        found[f"{party}-CAN"] = AccountFact(f"{party}-CAN", party, "cancellation", party)
        found[f"{party}-RET"] = AccountFact(f"{party}-RET", party, "retirement", party)
        for i in range(ENTITY_ACCOUNTS):
            name = f"{party}-E{i:02}"
            found[name] = AccountFact(name, party, "entity_holding", f"ORG-{name}")
    return found


def register() -> Register:
    approach = CooperativeApproach(
        "CA0001",
        "Japan-Kenya JCM",
        (
            ApproachParty("JP", "JPN", "JPN01", 2021, 2030),
            ApproachParty("KE", "KEN", "KEN01", 2021, 2035),
        ),
    )
    authorisations = {
        f"KE-AUTH-{i}": [
            Authorisation(
                f"KE-AUTH-{i}",
                1,
                "KE",
                "CA0001",
                date(2025, 12, 1),
                "NDC",
                ("Energy generation",),
                ("Solar",),
                gwp="AR5",
                timeframe=(2024, 2026),
            )
        ]
        for i in range(AUTHORISATIONS)
    }
    return Register({"CA0001": approach}, authorisations, {})


class Synthesis:
    def __init__(self, blocks: int, actions: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.decisions = {
            d: DecisionFact(d, f"KE{d % 1000:03}", 2024 + d % 2, UNITS, 1 + d // 1000)
            for d in range(1, blocks * BLOCK // UNITS + 1)
        }
        self.txs: list[TransactionFact] = []
        self.lots: dict[str, list[Lot]] = {"KE": [], "JP": []}
        self.first_transferred: list[RangeFact] = []
        self.actions = actions

    def facts(self) -> LedgerFacts:
        self._issue()
        self._authorise()
        moves = self.actions - len(self.txs) + len(self.decisions) * 2
        start = datetime(YEAR, 2, 1, tzinfo=UTC)
        step = timedelta(days=330) / max(moves, 1)
        for i in range(moves):
            self._act(start + step * i)
        self._adjust()
        return LedgerFacts(accounts(), self.decisions, tuple(self.txs), register())

    def _tx(
        self,
        at: datetime,
        kind: str,
        registry: str,
        src: str | None,
        dst: str | None,
        detail: dict[str, Any],
        ranges: list[RangeFact],
    ) -> None:
        tx_id = len(self.txs) + 1
        self.txs.append(TransactionFact(tx_id, at, kind, registry, src, dst, detail, tuple(ranges)))

    def _issue(self) -> None:
        at = datetime(YEAR - 1, 6, 1, tzinfo=UTC)
        for d in self.decisions:
            ke = [RangeFact(d, s, s + BLOCK - 1) for s in range(1, UNITS - BLOCK + 1, BLOCK)]
            owners = [f"KE-E{(d + i) % ENTITY_ACCOUNTS:02}" for i in range(len(ke))]
            lines = [{"account": a} for a in owners]
            self._tx(at, "issuance", "KE", None, None, {"decision": d, "lines": lines}, ke)
            jp = [RangeFact(d, UNITS - BLOCK + 1, UNITS)]
            lines = [{"account": "JP-GOV"}]
            self._tx(at, "issuance", "JP", None, None, {"decision": d, "lines": lines}, jp)
            for r, owner in zip(ke, owners, strict=True):
                self.lots["KE"].append([d, r.start, r.end, owner, False])
            self.lots["JP"].append([d, jp[0].start, jp[0].end, "JP-GOV", True])
            self.first_transferred.append(jp[0])

    def _authorise(self) -> None:
        at = datetime(YEAR, 1, 5, tzinfo=UTC)
        for party in ("KE", "JP"):
            for d, start, end, account, _ in self.lots[party]:
                detail = {
                    "uses": "ndc",
                    "reference": f"KE-AUTH-{d % AUTHORISATIONS}",
                    "first_transfer_at": "international_transfer",
                }
                ranges = [RangeFact(d, start, end)]
                self._tx(at, "authorisation", party, account, account, detail, ranges)

    def _take(self, party: str) -> Lot | None:
        lots = self.lots[party]
        if not lots:
            return None
        i = self.rng.randrange(len(lots))
        lot = lots[i]
        size = lot[2] - lot[1] + 1
        if size > 1 and self.rng.random() < 0.5:
            cut = lot[1] + self.rng.randrange(1, size)
            lots.append([lot[0], cut, lot[2], lot[3], lot[4]])
            lot = [lot[0], lot[1], cut - 1, lot[3], lot[4]]
            lots[i] = lot
        lots[i] = lots[-1]
        lots.pop()
        return lot

    def _act(self, at: datetime) -> None:
        party = "KE" if self.rng.random() < 0.5 else "JP"
        lot = self._take(party) or self._take("JP" if party == "KE" else "KE")
        if lot is None:
            return
        party = "KE" if lot[3].startswith("KE") else "JP"
        other = "JP" if party == "KE" else "KE"
        roll = self.rng.random()
        d, start, end, src, first = lot
        ranges = [RangeFact(d, start, end)]
        if roll < 0.45:
            dst = f"{other}-E{self.rng.randrange(ENTITY_ACCOUNTS):02}"
            self._tx(at, "external_transfer", party, src, dst, {}, ranges)
            self.lots[other].append([d, start, end, dst, True])
            if not first:
                self.first_transferred.append(ranges[0])
        elif roll < 0.75:
            dst = f"{party}-E{self.rng.randrange(ENTITY_ACCOUNTS):02}"
            self._tx(at, "transfer", party, src, dst, {}, ranges)
            self.lots[party].append([d, start, end, dst, first])
        elif roll < 0.9:
            purpose = "ndc" if roll < 0.85 else "voluntary"
            detail = {"purpose": purpose, **({"ndc_year": YEAR} if purpose == "ndc" else {})}
            self._tx(at, "cancellation", party, src, f"{party}-CAN", detail, ranges)
        else:
            self._tx(at, "retirement", party, src, f"{party}-RET", {}, ranges)

    def _adjust(self) -> None:
        """Kenya's corresponding adjustments for every range first-transferred in the
        year, 100 ranges a transaction, on 31 December."""
        at = datetime(YEAR, 12, 31, 12, tzinfo=UTC)
        done = sorted(self.first_transferred, key=lambda r: (r.decision_id, r.start))
        detail = {"reporting_year": YEAR}
        for i in range(0, len(done), 100):
            self._tx(at, "corresponding_adjustment", "KE", None, None, detail, done[i : i + 100])
