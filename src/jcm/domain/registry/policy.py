"""The one transaction policy: every kind of registry transaction passes through here.

Issuance, transfer, external transfer, cancellation, retirement, authorisation and
corresponding adjustment are each checked in two steps, both written once:

1. :func:`admit` — the state of the registries and accounts involved: every registry
   active (G3), every account open (G4), the account types each kind allows (A1, A2) and
   where units may go (G5).
2. :func:`admit_units` — for each block of units the transaction touches: the bilateral
   rule of the JCM (G6) and the Article 6 rules (T1, T5, T7). The attribute changes
   themselves (T3, T4, T6) are in :mod:`jcm.domain.registry.article6`.

Handlers gather the parties (from the ledger) and call these before they change anything;
no handler repeats a rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jcm.domain.errors import AccountRuleViolation, Article6RuleViolation
from jcm.domain.registry.accounts import (
    JAPAN,
    Account,
    AccountType,
    Registry,
    check_can_receive_holding,
    check_can_send,
    check_external,
    check_internal,
    check_open,
)
from jcm.domain.registry.article6 import Article6, AuthorisedUse, format_uses
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind

_TERMINAL_OF = {
    TransactionKind.CANCELLATION: AccountType.CANCELLATION,
    TransactionKind.RETIREMENT: AccountType.RETIREMENT,
}


@dataclass(frozen=True, slots=True)
class Proposal:
    """A transaction about to be made, with the parties as the ledger found them.

    ``source`` is the account units leave or are changed in (the authorising account, the
    account holding adjusted units); ``destination`` the account they arrive in (the
    receiving account of an issuance line). ``registries`` are all registries involved.
    """

    kind: TransactionKind
    registries: Sequence[Registry]
    source: Account | None = None
    destination: Account | None = None
    purpose: CancellationPurpose | None = None


def check_active(registry: Registry) -> None:
    """G3: no transaction may involve a suspended registry."""
    if not registry.active:
        raise AccountRuleViolation(
            "G3_REGISTRY_INACTIVE",
            f"Registry {registry.code} is suspended; no transaction can involve it until it "
            "is reactivated.",
            registry=registry.code,
        )


def admit(proposal: Proposal) -> None:
    """Refuse the transaction if a registry or account involved may not take part."""
    for registry in proposal.registries:
        check_active(registry)
    kind, source, destination = proposal.kind, proposal.source, proposal.destination
    if kind is TransactionKind.ISSUANCE:
        assert destination is not None
        check_can_receive_holding(destination)
    elif kind is TransactionKind.CORRESPONDING_ADJUSTMENT:
        # The units may sit in a terminal account (cancelled towards an NDC): only the
        # account's state matters, not its type.
        assert source is not None
        check_open(source)
    elif kind is TransactionKind.AUTHORISATION:
        assert source is not None
        check_can_send(source)
    else:
        assert source is not None
        assert destination is not None
        check_can_send(source)
        _admit_destination(kind, source, destination)


def _admit_destination(kind: TransactionKind, source: Account, destination: Account) -> None:
    if kind is TransactionKind.TRANSFER:
        check_internal(source, destination)
        check_can_receive_holding(destination)
    elif kind is TransactionKind.EXTERNAL_TRANSFER:
        check_external(source, destination)
        check_involves_japan(source.registry, destination.registry)
        check_can_receive_holding(destination)
    else:
        terminal = _TERMINAL_OF[kind]
        if destination.type is not terminal or destination.registry != source.registry:
            raise ValueError(f"{destination.id} is not {source.registry}'s {terminal} account")
        check_open(destination)


def admit_units(proposal: Proposal, host: str, article6: Article6, serials: str) -> None:
    """Refuse the transaction for a block of units hosted by ``host`` (G6, T1, T5, T7)."""
    kind = proposal.kind
    if kind is TransactionKind.EXTERNAL_TRANSFER:
        assert proposal.source is not None
        assert proposal.destination is not None
        check_bilateral(proposal.source.registry, proposal.destination.registry, host, serials)
    elif kind is TransactionKind.CANCELLATION:
        assert proposal.source is not None
        assert proposal.purpose is not None
        check_use(proposal.purpose, proposal.source.registry, host, article6, serials)
    elif kind is TransactionKind.AUTHORISATION:
        assert proposal.source is not None
        check_authorising_party(proposal.source, host, serials)


def check_involves_japan(source: str, destination: str) -> None:
    """G6 (accounts): a JCM transfer goes between Japan's registry and a partner's."""
    if JAPAN not in (source, destination):
        raise AccountRuleViolation(
            "G6_NOT_BILATERAL",
            f"JCM transfers go between Japan's registry and a partner's; {source} → "
            f"{destination} involves no Japanese registry.",
            source_registry=source,
            destination_registry=destination,
        )


def check_bilateral(source: str, destination: str, host: str, serials: str) -> None:
    """G6 (units): units of the Japan–host JCM move only between Japan's and the host's registry."""
    if {source, destination} != {JAPAN, host}:
        raise AccountRuleViolation(
            "G6_NOT_BILATERAL",
            f"Units {serials} belong to the Japan–{host} JCM and can move only between "
            f"registries {JAPAN} and {host}, not from {source} to {destination}.",
            serials=serials,
            source_registry=source,
            destination_registry=destination,
        )


def check_use(
    purpose: CancellationPurpose, registry: str, host: str, article6: Article6, serials: str
) -> None:
    """What a cancellation may count for (Article 6.2; research §5.3, [I]).

    T1: units cancelled for other international mitigation purposes must be authorised for
    OIMP. T7: only authorised units are ITMOs, and only ITMOs count towards another Party's
    NDC, so units cancelled for an NDC in a registry other than their host Party's must be
    authorised for NDC use; the host's own units used in its own registry need none.
    """
    uses = format_uses(article6.authorised_uses)
    if purpose is CancellationPurpose.OIMP and AuthorisedUse.OIMP not in article6.authorised_uses:
        raise Article6RuleViolation(
            "T1_NOT_AUTHORISED_FOR_PURPOSE",
            f"Units {serials} are not authorised for other international mitigation "
            "purposes (OIMP); they cannot be cancelled for that purpose.",
            serials=serials,
            authorised_uses=uses,
        )
    if (
        purpose is CancellationPurpose.NDC
        and registry != host
        and AuthorisedUse.NDC not in article6.authorised_uses
    ):
        raise Article6RuleViolation(
            "T7_NOT_AUTHORISED_FOR_NDC",
            f"Units {serials} were hosted by {host}, which has not authorised them for use "
            f"towards another Party's NDC; registry {registry} cannot cancel them for its NDC "
            "(only authorised units are ITMOs).",
            serials=serials,
            host=host,
            registry=registry,
            authorised_uses=uses,
        )


def check_authorising_party(account: Account, host: str, serials: str) -> None:
    """T5: only the host Party authorises its units, held in its own registry or in
    Japan's (the other registry of the Japan–host JCM)."""
    if account.registry not in (host, JAPAN):
        raise Article6RuleViolation(
            "T5_NOT_AUTHORISING_PARTY",
            f"Units {serials} can be authorised only by their host Party {host}, in its "
            f"registry or in {JAPAN}'s; account {account.id} is in {account.registry}.",
            serials=serials,
            account=account.id,
            host=host,
            registry=account.registry,
        )
