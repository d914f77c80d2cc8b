"""The ledger facts the AEF is derived from, rebuilt from transparency-log entries alone.

Entries are read in log order (:meth:`LogFacts.add` one at a time):

* accounts from ``registry_created`` (its three singleton accounts) and ``account_created``;
* JC decisions from ``decision_recorded``;
* transactions from the entries of the seven transaction kinds, each entry's timestamp
  being the transaction's ``at`` (the unit of work's clock that stamped both);
* the cooperative-approach register from ``aef.approach_registered``,
  ``aef.authorisation_registered``, ``aef.authorisation_amended`` and
  ``aef.entity_registered`` (each ``change`` is the record in the register's JSON form,
  :mod:`jcm.domain.aef.register_json`).

Every other entry is left aside: nothing else feeds the AEF.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jcm.domain.aef.facts import (
    AccountFact,
    DecisionFact,
    LedgerFacts,
    RangeFact,
    Register,
    TransactionFact,
)
from jcm.domain.aef.register import Authorisation, AuthorisedEntity, CooperativeApproach
from jcm.domain.aef.register_json import approach_of, authorisation_of, entity_of
from jcm.domain.registry.transactions import TransactionKind
from jcm.service_layer.aef.register_results import (
    APPROACH_REGISTERED,
    AUTHORISATION_AMENDED,
    AUTHORISATION_REGISTERED,
    ENTITY_REGISTERED,
)

_TRANSACTION_KINDS = frozenset(k.value for k in TransactionKind)


class LogFacts:
    """Accumulates the facts of the entries given, in log order."""

    def __init__(self) -> None:
        self.accounts: dict[str, AccountFact] = {}
        self.decisions: dict[int, DecisionFact] = {}
        self.transactions: list[TransactionFact] = []
        self.approaches: dict[str, CooperativeApproach] = {}
        self.authorisations: dict[str, list[Authorisation]] = {}
        self.entities: dict[str, AuthorisedEntity] = {}

    def add(self, kind: str, change: dict[str, Any], at: datetime) -> None:
        """Take one entry's facts (``KeyError``/``ValueError``/``TypeError`` if malformed)."""
        if kind in _TRANSACTION_KINDS:
            self.transactions.append(_transaction(change, at))
        elif kind == "registry_created":
            for account in change["accounts"]:
                self._account(account)
        elif kind == "account_created":
            self._account(change)
        elif kind == "decision_recorded":
            self._decision(change)
        elif kind == APPROACH_REGISTERED:
            approach = approach_of(change)
            self.approaches[approach.id] = approach
        elif kind in (AUTHORISATION_REGISTERED, AUTHORISATION_AMENDED):
            authorisation = authorisation_of(change)
            self.authorisations.setdefault(authorisation.id, []).append(authorisation)
        elif kind == ENTITY_REGISTERED:
            entity = entity_of(change)
            self.entities[entity.id] = entity

    def _account(self, change: dict[str, Any]) -> None:
        account = AccountFact(
            change["account"], change["registry"], change["type"], change["organisation"]
        )
        self.accounts[account.id] = account

    def _decision(self, change: dict[str, Any]) -> None:
        decision = DecisionFact(
            int(change["decision"]),
            change["project"],
            int(change["vintage"]),
            int(change["amount"]),
            int(change.get("period_seq", 1)),
        )
        self.decisions[decision.id] = decision

    def facts(self) -> LedgerFacts:
        register = Register(
            dict(self.approaches),
            {k: tuple(sorted(v, key=lambda a: a.version)) for k, v in self.authorisations.items()},
            dict(self.entities),
        )
        ordered = sorted(self.transactions, key=lambda t: t.id)
        return LedgerFacts(dict(self.accounts), dict(self.decisions), ordered, register)


def _transaction(change: dict[str, Any], at: datetime) -> TransactionFact:
    ranges = tuple(
        RangeFact(int(r["decision"]), int(r["start"]), int(r["end"])) for r in change["ranges"]
    )
    return TransactionFact(
        int(change["transaction"]),
        at,
        change["kind"],
        change["registry"],
        change["source"],
        change["destination"],
        dict(change["detail"] or {}),
        ranges,
    )
