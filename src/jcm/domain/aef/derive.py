"""The five AEF tables of a Party and a reported year, computed from ledger facts only.

One pass over the committed transactions in order rebuilds every serial block's holder
and Article 6 state with the registry's own rules (:mod:`jcm.domain.registry.article6`),
emits the action rows of the reported year, and takes the holdings at 31 December of the
year before (the opening, for the reconciliation) and of the reported year.
"""

from __future__ import annotations

from datetime import date

from jcm.domain.aef.facts import LedgerFacts
from jcm.domain.aef.tables import PartyReport


def build_report(
    facts: LedgerFacts,
    party: str,
    year: int,
    *,
    version: str = "1.0",
    submitted_on: date | None = None,
) -> PartyReport:
    """Party ``party`` (alpha-2)'s report for calendar year ``year``."""
    raise NotImplementedError  # filled in by the derivation branch
