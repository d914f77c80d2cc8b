"""A registry's public statistics, as Japan's JCM registry publishes them.

Japan's registry publishes "the amount of JCM credits recorded in each type of accounts"
and an "annual transactions summary of JCM credits (tCO2)" (research ``jcm_rules.md``
§2.2). This is that page for any registry: units held per account type (and per partner
country of the project), and per calendar year (UTC) the units issued, transferred within
the registry, transferred to and acquired from the other registry, cancelled and retired.
One unit is one tonne of CO2 equivalent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.transactions import TransactionKind
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.registry.lookups import find_registry


@dataclass(frozen=True)
class PartnerAmount:
    partner: str  # the project's partner country (ISO 3166-1 alpha-2)
    quantity: int


@dataclass(frozen=True)
class AccountTypeAmount:
    type: AccountType
    accounts: int  # how many accounts of this type the registry has
    quantity: int  # units held in them
    by_partner: tuple[PartnerAmount, ...]


@dataclass(frozen=True)
class AnnualSummary:
    year: int
    issued: int
    transferred: int  # between accounts of this registry
    transferred_externally: int  # to the other registry of the partnership
    acquired_externally: int  # from the other registry
    cancelled: int
    retired: int


@dataclass(frozen=True)
class RegistryStatistics:
    registry: str
    name: str
    active: bool
    unit: str  # what one unit is: "tCO2e"
    recorded: int  # units recorded in the registry's accounts, of every type
    accounts: tuple[AccountTypeAmount, ...]  # in the order of AccountType
    annual: tuple[AnnualSummary, ...]  # oldest year first; years with no movement omitted


# Transaction kind -> AnnualSummary field (authorisations and corresponding adjustments
# move no units, so they are not in the summary).
_ANNUAL_FIELD = {
    TransactionKind.ISSUANCE.value: "issued",
    TransactionKind.TRANSFER.value: "transferred",
    TransactionKind.EXTERNAL_TRANSFER.value: "transferred_externally",
    "external_acquisition": "acquired_externally",
    TransactionKind.CANCELLATION.value: "cancelled",
    TransactionKind.RETIREMENT.value: "retired",
}


def registry_statistics(uow: UnitOfWork, code: str) -> RegistryStatistics:
    """The public statistics of registry ``code`` (G4 when there is no such registry)."""
    registry = find_registry(uow.ledger, code)
    accounts = _per_account_type(uow.ledger.amounts_by_account_type(registry.code))
    return RegistryStatistics(
        registry.code,
        registry.name,
        registry.active,
        "tCO2e",
        sum(a.quantity for a in accounts),
        accounts,
        _annual(uow.ledger.annual_movements(registry.code)),
    )


def _per_account_type(rows: Iterable[Mapping[str, Any]]) -> tuple[AccountTypeAmount, ...]:
    counts: dict[str, int] = defaultdict(int)
    held: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if row["partner"] is None:
            counts[row["type"]] += int(row["accounts"])
        else:
            held[row["type"]][str(row["partner"])] += int(row["quantity"])
    return tuple(
        AccountTypeAmount(
            kind,
            counts[kind.value],
            sum(held[kind.value].values()),
            tuple(PartnerAmount(p, q) for p, q in sorted(held[kind.value].items())),
        )
        for kind in AccountType
    )


def _annual(rows: Iterable[Mapping[str, Any]]) -> tuple[AnnualSummary, ...]:
    years: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_ANNUAL_FIELD.values(), 0))
    for row in rows:
        name = _ANNUAL_FIELD.get(str(row["kind"]))
        if name is not None:
            years[int(row["year"])][name] += int(row["quantity"])
    return tuple(AnnualSummary(year, **years[year]) for year in sorted(years))
