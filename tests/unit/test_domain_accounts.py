"""Account types and the account checks (A1, A2, G1, G4, G5, G6)."""

from __future__ import annotations

import pytest

from jcm.domain.errors import AccountRuleViolation, InvalidInput
from jcm.domain.registry.accounts import (
    Account,
    AccountStatus,
    AccountType,
    Registry,
    account_id,
    check_can_receive_holding,
    check_can_send,
    check_external,
    check_internal,
    check_open,
    organisation_id,
    parse_account_type,
)

HOLDING = [AccountType.GOVERNMENT_HOLDING, AccountType.ENTITY_HOLDING]
TERMINAL = [AccountType.CANCELLATION, AccountType.RETIREMENT]
NOT_OPEN = [AccountStatus.BLOCKED, AccountStatus.CLOSED]


def account(
    registry: str = "JP",
    type_: AccountType = AccountType.ENTITY_HOLDING,
    seq: int = 1,
    status: AccountStatus = AccountStatus.OPEN,
) -> Account:
    return Account(
        account_id(registry, type_, seq),
        registry,
        type_,
        organisation_id(registry, 1),
        f"{registry} {type_.value} {seq}",
        status,
    )


@pytest.mark.parametrize(
    ("registry", "type_", "seq", "expected"),
    [
        ("JP", AccountType.GOVERNMENT_HOLDING, 1, "JP-GOV-0001"),
        ("KE", AccountType.ENTITY_HOLDING, 42, "KE-ENT-0042"),
        ("JP", AccountType.CANCELLATION, 1, "JP-CAN-0001"),
        ("TZ", AccountType.RETIREMENT, 3, "TZ-RET-0003"),
        ("JP", AccountType.ENTITY_HOLDING, 12345, "JP-ENT-12345"),
    ],
)
def test_account_ids_are_registry_type_tag_and_a_zero_padded_sequence(
    registry: str, type_: AccountType, seq: int, expected: str
) -> None:
    assert account_id(registry, type_, seq) == expected


def test_organisation_ids_are_registry_org_and_a_zero_padded_sequence() -> None:
    assert organisation_id("KE", 7) == "KE-ORG-0007"


def test_every_account_type_has_a_distinct_id_tag() -> None:
    tags = [t.id_tag for t in AccountType]

    assert len(set(tags)) == len(AccountType)


def test_only_cancellation_and_retirement_accounts_are_terminal() -> None:
    assert [t for t in AccountType if t.is_terminal] == TERMINAL
    assert [t for t in AccountType if t.is_holding] == HOLDING


def test_every_account_type_but_entity_holding_is_one_per_registry() -> None:
    assert [t for t in AccountType if not t.is_singleton] == [AccountType.ENTITY_HOLDING]


def test_only_the_japanese_registry_is_japan() -> None:
    assert Registry("JP", "Japan").is_japan
    assert not Registry("KE", "Kenya").is_japan


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("entity_holding", AccountType.ENTITY_HOLDING),
        ("Entity-Holding", AccountType.ENTITY_HOLDING),
        ("  GOVERNMENT_HOLDING ", AccountType.GOVERNMENT_HOLDING),
        ("cancellation", AccountType.CANCELLATION),
        ("RETIREMENT", AccountType.RETIREMENT),
    ],
)
def test_account_types_are_parsed_regardless_of_case_dashes_and_spaces(
    text: str, expected: AccountType
) -> None:
    assert parse_account_type(text) is expected


@pytest.mark.parametrize("text", ["", "holding", "ENT", "entity holding", "retired"])
def test_an_unknown_account_type_is_refused_naming_it_and_the_valid_types(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_account_type(text)

    assert refused.value.code == "G1_BAD_ACCOUNT_TYPE"
    assert repr(text) in refused.value.message
    assert all(t.value in refused.value.message for t in AccountType)
    assert refused.value.details == {"account_type": text}


@pytest.mark.parametrize("type_", list(AccountType))
def test_an_open_account_of_any_type_passes_check_open(type_: AccountType) -> None:
    check_open(account(type_=type_))


@pytest.mark.parametrize("status", NOT_OPEN)
def test_a_blocked_or_closed_account_fails_check_open_with_g4(status: AccountStatus) -> None:
    acct = account(status=status)

    with pytest.raises(AccountRuleViolation) as refused:
        check_open(acct)

    assert refused.value.code == "G4_ACCOUNT_NOT_OPEN"
    assert acct.id in refused.value.message
    assert status.value in refused.value.message
    assert refused.value.details == {"account": acct.id, "status": status.value}


@pytest.mark.parametrize("type_", HOLDING)
def test_an_open_holding_account_can_send(type_: AccountType) -> None:
    check_can_send(account(type_=type_))


@pytest.mark.parametrize("type_", TERMINAL)
def test_nothing_leaves_a_cancellation_or_retirement_account_a1(type_: AccountType) -> None:
    acct = account(type_=type_)

    with pytest.raises(AccountRuleViolation) as refused:
        check_can_send(acct)

    assert refused.value.code == "A1_TERMINAL_ACCOUNT"
    assert acct.id in refused.value.message
    assert refused.value.details == {"account": acct.id, "account_type": type_.value}


@pytest.mark.parametrize("status", NOT_OPEN)
def test_a_terminal_account_is_refused_as_terminal_whatever_its_status(
    status: AccountStatus,
) -> None:
    with pytest.raises(AccountRuleViolation) as refused:
        check_can_send(account(type_=AccountType.RETIREMENT, status=status))

    assert refused.value.code == "A1_TERMINAL_ACCOUNT"


@pytest.mark.parametrize("status", NOT_OPEN)
def test_a_holding_account_that_is_not_open_cannot_send(status: AccountStatus) -> None:
    with pytest.raises(AccountRuleViolation) as refused:
        check_can_send(account(status=status))

    assert refused.value.code == "G4_ACCOUNT_NOT_OPEN"


@pytest.mark.parametrize("type_", HOLDING)
def test_an_open_holding_account_can_receive_transfers_and_issuance(type_: AccountType) -> None:
    check_can_receive_holding(account(type_=type_))


@pytest.mark.parametrize("type_", TERMINAL)
def test_a_terminal_account_cannot_receive_a_transfer_or_issuance_a2(type_: AccountType) -> None:
    acct = account(type_=type_)

    with pytest.raises(AccountRuleViolation) as refused:
        check_can_receive_holding(acct)

    assert refused.value.code == "A2_NOT_A_HOLDING_ACCOUNT"
    assert acct.id in refused.value.message
    assert refused.value.details == {"account": acct.id, "account_type": type_.value}


@pytest.mark.parametrize("status", NOT_OPEN)
def test_a_holding_account_that_is_not_open_cannot_receive(status: AccountStatus) -> None:
    with pytest.raises(AccountRuleViolation) as refused:
        check_can_receive_holding(account(type_=AccountType.GOVERNMENT_HOLDING, status=status))

    assert refused.value.code == "G4_ACCOUNT_NOT_OPEN"


def test_an_internal_transfer_between_two_accounts_of_one_registry_passes() -> None:
    check_internal(account("KE", seq=1), account("KE", seq=2))


def test_an_internal_transfer_across_registries_is_refused_with_g5() -> None:
    source, destination = account("JP"), account("KE")

    with pytest.raises(AccountRuleViolation) as refused:
        check_internal(source, destination)

    assert refused.value.code == "G5_REGISTRY_MISMATCH"
    assert source.id in refused.value.message
    assert destination.id in refused.value.message
    assert refused.value.details == {"source": source.id, "destination": destination.id}


def test_an_internal_transfer_to_the_same_account_is_refused_as_invalid_input() -> None:
    acct = account("JP", seq=5)

    with pytest.raises(InvalidInput) as refused:
        check_internal(acct, acct)

    assert refused.value.code == "G1_SAME_ACCOUNT"
    assert acct.id in refused.value.message
    assert refused.value.details == {"account": acct.id}


@pytest.mark.parametrize(("src", "dst"), [("JP", "KE"), ("KE", "JP"), ("TZ", "JP")])
def test_an_external_transfer_between_japan_and_a_partner_passes(src: str, dst: str) -> None:
    check_external(account(src), account(dst))


def test_an_external_transfer_inside_one_registry_is_refused_with_g5() -> None:
    source, destination = account("JP", seq=1), account("JP", seq=2)

    with pytest.raises(AccountRuleViolation) as refused:
        check_external(source, destination)

    assert refused.value.code == "G5_SAME_REGISTRY"
    assert source.id in refused.value.message
    assert destination.id in refused.value.message
    assert refused.value.details == {"source": source.id, "destination": destination.id}


def test_an_unknown_organisation_kind_is_refused_with_the_allowed_ones() -> None:
    from jcm.domain.errors import InvalidInput
    from jcm.domain.registry.accounts import OrganisationKind, parse_organisation_kind

    assert parse_organisation_kind(" Government ") is OrganisationKind.GOVERNMENT
    with pytest.raises(InvalidInput) as caught:
        parse_organisation_kind("ngo")
    assert caught.value.code == "G1_BAD_KIND"
    assert "'ngo'" in caught.value.message


def test_setting_the_status_an_account_already_has_is_refused() -> None:
    from jcm.domain.errors import InvalidInput
    from jcm.domain.registry.accounts import (
        Account,
        AccountStatus,
        AccountType,
        check_status_change,
        parse_account_status,
    )

    account = Account("JP-ENT-0004", "JP", AccountType.ENTITY_HOLDING, "JP-ORG-0002", "x")
    with pytest.raises(InvalidInput) as caught:
        check_status_change(account, AccountStatus.OPEN, 0)
    assert caught.value.code == "G1_NO_CHANGE"
    check_status_change(account, AccountStatus.BLOCKED, 10)  # blocking keeps the units
    assert parse_account_status(" Blocked ") is AccountStatus.BLOCKED
    with pytest.raises(InvalidInput):
        parse_account_status("frozen")
