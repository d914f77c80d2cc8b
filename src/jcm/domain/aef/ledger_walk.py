"""The fold over the ledger's transactions that the AEF derivation reads.

Each JC decision's serials are kept as sorted, disjoint runs (like the log replay's
``_carve``): who holds them, in which registry, where they were issued and their
Article 6 state. A transaction carves the runs it names and changes them with the
registry's own transitions (:mod:`jcm.domain.registry.article6`); every carved piece whose
units are authorised, before or after, is handed to a visitor together with both states.
Work is per piece, never per unit.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from jcm.domain.aef.facts import AccountFact, DecisionFact, TransactionFact
from jcm.domain.registry.article6 import (
    Article6,
    AuthorisedUse,
    FirstTransferTrigger,
    parse_uses,
)

NOT_AUTHORISED = Article6()


@dataclass(slots=True)
class Run:
    """Serials ``start..end`` of one decision, held alike."""

    start: int
    end: int
    account: str
    registry: str
    origin: str  # the registry that issued them
    article6: Article6


class Piece(NamedTuple):
    """A carved run one transaction changed: its state before and after."""

    decision_id: int
    start: int
    end: int
    origin: str
    before: Article6
    after: Article6
    source_account: str
    source_registry: str  # the registry holding the units before the transaction
    destination_registry: str  # … and after it


Visitor = Callable[[TransactionFact, Piece], None]


class LedgerWalkError(ValueError):
    """The facts contradict themselves (serials that were never issued, or not held)."""


@functools.cache
def _uses(text: str) -> frozenset[AuthorisedUse]:
    return parse_uses(text)


class LedgerWalk:
    """The runs of every decision, changed transaction by transaction."""

    def __init__(
        self, accounts: Mapping[str, AccountFact], decisions: Mapping[int, DecisionFact]
    ) -> None:
        self.accounts = accounts
        self.decisions = decisions
        self.hosts = {d.id: d.partner for d in decisions.values()}
        self.runs: dict[int, list[Run]] = {}
        self.starts: dict[int, list[int]] = {}
        self._transitions: dict[tuple[Article6, bool, bool], Article6] = {}
        self._adjusted: dict[Article6, Article6] = {}

    def apply(self, tx: TransactionFact, visit: Visitor | None) -> None:
        kind = tx.kind
        if kind == "issuance":
            self._issue(tx)
        elif kind == "authorisation":
            self._authorise(tx, visit)
        elif kind == "corresponding_adjustment":
            self._adjust(tx, visit)
        else:
            self._move(tx, visit)

    def held(self) -> Iterator[tuple[int, Run]]:
        """Every run, by decision and serial."""
        for decision_id in sorted(self.runs):
            for run in self.runs[decision_id]:
                yield decision_id, run

    # -- transitions ------------------------------------------------------------------
    def _issue(self, tx: TransactionFact) -> None:
        lines = tx.detail.get("lines") or [{"account": tx.destination}] * len(tx.ranges)
        for rng, line in zip(tx.ranges, lines, strict=True):
            runs = self.runs.setdefault(rng.decision_id, [])
            starts = self.starts.setdefault(rng.decision_id, [])
            run = Run(rng.start, rng.end, line["account"], tx.registry, tx.registry, NOT_AUTHORISED)
            position = bisect.bisect_left(starts, rng.start)
            runs.insert(position, run)
            starts.insert(position, rng.start)

    def _authorise(self, tx: TransactionFact, visit: Visitor | None) -> None:
        detail = tx.detail
        uses = _uses(str(detail["uses"]))
        trigger = FirstTransferTrigger(detail["first_transfer_at"])
        reference = str(detail["reference"])
        for rng in tx.ranges:
            host = self.hosts[rng.decision_id]
            for run in self._carve(rng.decision_id, rng.start, rng.end):
                before = run.article6
                run.article6 = before.authorise(
                    uses,
                    reference,
                    trigger,
                    serials=f"{rng.decision_id}:{run.start}-{run.end}",
                    held_abroad=run.registry != host,
                )
                if visit is not None:
                    visit(tx, self._piece(rng.decision_id, run, before, run.registry, run.account))

    def _adjust(self, tx: TransactionFact, visit: Visitor | None) -> None:
        for rng in tx.ranges:
            for run in self._carve(rng.decision_id, rng.start, rng.end):
                before = run.article6
                after = self._adjusted.get(before)
                if after is None:  # computed once per distinct state (a refusal is not kept)
                    after = before.apply_corresponding_adjustment(
                        serials=f"{rng.decision_id}:{run.start}-{run.end}"
                    )
                    self._adjusted[before] = after
                run.article6 = after
                if visit is not None:
                    visit(tx, self._piece(rng.decision_id, run, before, run.registry, run.account))

    def _move(self, tx: TransactionFact, visit: Visitor | None) -> None:
        kind = tx.kind
        source = tx.source
        destination = tx.destination
        if source is None or destination is None:
            raise LedgerWalkError(f"transaction {tx.id} ({kind}) names no source or destination")
        source_registry = self.accounts[source].registry
        destination_registry = self.accounts[destination].registry
        external = kind == "external_transfer"
        cancellation = kind == "cancellation"
        hosts = self.hosts
        for rng in tx.ranges:
            leaving = source_registry == hosts[rng.decision_id]
            for run in self._carve(rng.decision_id, rng.start, rng.end):
                if run.account != source:
                    raise LedgerWalkError(
                        f"transaction {tx.id}: serials {run.start}-{run.end} of decision "
                        f"{rng.decision_id} are in {run.account}, not {source}"
                    )
                before = run.article6
                if external or cancellation:
                    run.article6 = self._moved(before, external, leaving)
                run.account = destination
                run.registry = destination_registry
                if visit is not None and (before.authorised_uses or run.article6.authorised_uses):
                    visit(tx, self._piece(rng.decision_id, run, before, source_registry, source))

    def _moved(self, before: Article6, external: bool, leaving: bool) -> Article6:
        """The state after an external transfer (or, when not external, a use): the
        registry's transition, computed once per distinct state and direction."""
        key = (before, external, leaving)
        after = self._transitions.get(key)
        if after is None:
            after = before.on_external_transfer(leaving) if external else before.on_use()
            self._transitions[key] = after
        return after

    @staticmethod
    def _piece(
        decision_id: int, run: Run, before: Article6, source_registry: str, source: str
    ) -> Piece:
        return Piece(
            decision_id,
            run.start,
            run.end,
            run.origin,
            before,
            run.article6,
            source,
            source_registry,
            run.registry,
        )

    def _carve(self, decision_id: int, start: int, end: int) -> list[Run]:
        """Split runs at ``start`` and ``end``; the runs now exactly covering them."""
        runs = self.runs.get(decision_id)
        starts = self.starts.get(decision_id)
        if not runs or starts is None:
            raise LedgerWalkError(f"decision {decision_id} has no issued serials")
        i = bisect.bisect_right(starts, start) - 1
        if i < 0 or runs[i].end < start:
            raise LedgerWalkError(f"serials {start}-{end} of decision {decision_id} do not exist")
        run = runs[i]
        if run.start < start:
            right = Run(start, run.end, run.account, run.registry, run.origin, run.article6)
            run.end = start - 1
            i += 1
            runs.insert(i, right)
            starts.insert(i, start)
        covered: list[Run] = []
        count = 0
        j = i
        while j < len(runs) and runs[j].start <= end:
            run = runs[j]
            if run.end > end:
                right = Run(end + 1, run.end, run.account, run.registry, run.origin, run.article6)
                run.end = end
                runs.insert(j + 1, right)
                starts.insert(j + 1, end + 1)
            covered.append(run)
            count += run.end - run.start + 1
            j += 1
        if count != end - start + 1:
            raise LedgerWalkError(
                f"serials {start}-{end} of decision {decision_id} are not all issued"
            )
        return covered
