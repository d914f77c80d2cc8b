"""The transaction policy as pure rules: G3, G6 per unit, T1, T5 and T7."""

from __future__ import annotations

import pytest

from jcm.domain.errors import AccountRuleViolation, Article6RuleViolation
from jcm.domain.registry import policy
from jcm.domain.registry.accounts import Account, AccountStatus, AccountType, Registry
from jcm.domain.registry.article6 import NOT_AUTHORISED, Article6, AuthorisedUse
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind

SERIALS = "JP-KE-JCM-KE001-2023-1-1-10"
NDC_AUTHORISED = Article6(frozenset({AuthorisedUse.NDC}), "LoA")


def account(registry: str, seq: int = 4, status: AccountStatus = AccountStatus.OPEN) -> Account:
    return Account(
        f"{registry}-ENT-{seq:04d}", registry, AccountType.ENTITY_HOLDING, "o", "n", status
    )


def cancellation(registry: str, purpose: CancellationPurpose) -> policy.Proposal:
    source = account(registry)
    terminal = Account(f"{registry}-CAN-0002", registry, AccountType.CANCELLATION, "o", "n")
    return policy.Proposal(
        TransactionKind.CANCELLATION, [Registry(registry, "r")], source, terminal, purpose
    )


@pytest.mark.parametrize("kind", list(TransactionKind))
def test_no_kind_of_transaction_may_involve_a_suspended_registry(kind: TransactionKind) -> None:
    proposal = policy.Proposal(
        kind, [Registry("JP", "Japan"), Registry("KE", "Kenya", active=False)], account("KE")
    )
    with pytest.raises(AccountRuleViolation) as refused:
        policy.admit(proposal)
    assert refused.value.code == "G3_REGISTRY_INACTIVE"
    assert refused.value.details == {"registry": "KE"}


@pytest.mark.parametrize("status", [AccountStatus.BLOCKED, AccountStatus.CLOSED])
@pytest.mark.parametrize(
    "kind", [TransactionKind.AUTHORISATION, TransactionKind.CORRESPONDING_ADJUSTMENT]
)
def test_authorisation_and_adjustment_need_an_open_account(
    kind: TransactionKind, status: AccountStatus
) -> None:
    proposal = policy.Proposal(kind, [Registry("KE", "Kenya")], account("KE", status=status))
    with pytest.raises(AccountRuleViolation) as refused:
        policy.admit(proposal)
    assert refused.value.code == "G4_ACCOUNT_NOT_OPEN"


def test_an_external_transfer_between_two_partners_is_refused_with_g6() -> None:
    proposal = policy.Proposal(
        TransactionKind.EXTERNAL_TRANSFER,
        [Registry("KE", "Kenya"), Registry("TZ", "Tanzania")],
        account("KE"),
        account("TZ"),
    )
    with pytest.raises(AccountRuleViolation) as refused:
        policy.admit(proposal)
    assert refused.value.code == "G6_NOT_BILATERAL"
    assert refused.value.details == {"source_registry": "KE", "destination_registry": "TZ"}


def test_units_of_one_partnership_never_go_to_another_partner() -> None:
    with pytest.raises(AccountRuleViolation) as refused:
        policy.check_bilateral("JP", "ID", "KE", SERIALS)
    assert refused.value.code == "G6_NOT_BILATERAL"
    assert refused.value.details["serials"] == SERIALS


@pytest.mark.parametrize(
    ("registry", "purpose", "article6", "code"),
    [
        ("JP", CancellationPurpose.NDC, NOT_AUTHORISED, "T7_NOT_AUTHORISED_FOR_NDC"),
        ("JP", CancellationPurpose.OIMP, NDC_AUTHORISED, "T1_NOT_AUTHORISED_FOR_PURPOSE"),
        ("KE", CancellationPurpose.OIMP, NOT_AUTHORISED, "T1_NOT_AUTHORISED_FOR_PURPOSE"),
        ("JP", CancellationPurpose.NDC, NDC_AUTHORISED, None),
        ("KE", CancellationPurpose.NDC, NOT_AUTHORISED, None),  # the host's own NDC
        ("JP", CancellationPurpose.VOLUNTARY, NOT_AUTHORISED, None),
    ],
)
def test_what_a_cancellation_may_count_for(
    registry: str, purpose: CancellationPurpose, article6: Article6, code: str | None
) -> None:
    proposal = cancellation(registry, purpose)
    if code is None:
        policy.admit_units(proposal, "KE", article6, SERIALS)
        return
    with pytest.raises(Article6RuleViolation) as refused:
        policy.admit_units(proposal, "KE", article6, SERIALS)
    assert refused.value.code == code


@pytest.mark.parametrize("registry", ["KE", "JP"])
def test_the_host_party_authorises_its_units_in_its_registry_or_in_japans(registry: str) -> None:
    proposal = policy.Proposal(
        TransactionKind.AUTHORISATION, [Registry(registry, "r")], account(registry)
    )

    policy.admit_units(proposal, "KE", NOT_AUTHORISED, SERIALS)  # no refusal


def test_units_held_in_a_third_registry_cannot_be_authorised_t5() -> None:
    proposal = policy.Proposal(
        TransactionKind.AUTHORISATION, [Registry("ID", "Indonesia")], account("ID")
    )
    with pytest.raises(Article6RuleViolation) as refused:
        policy.admit_units(proposal, "KE", NOT_AUTHORISED, SERIALS)
    assert refused.value.code == "T5_NOT_AUTHORISING_PARTY"
    assert refused.value.details == {
        "serials": SERIALS,
        "account": "ID-ENT-0004",
        "host": "KE",
        "registry": "ID",
    }
