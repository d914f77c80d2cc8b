"""Registries, organisations and accounts, and the account-type rules (checks A*, G4, G5)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from jcm.domain.errors import AccountRuleViolation, InvalidInput

JAPAN = "JP"


class AccountType(StrEnum):
    GOVERNMENT_HOLDING = "government_holding"  # 政府保有口座
    ENTITY_HOLDING = "entity_holding"  # 法人保有口座
    CANCELLATION = "cancellation"  # 無効化口座
    RETIREMENT = "retirement"  # 償却口座

    @property
    def is_terminal(self) -> bool:
        return self in (AccountType.CANCELLATION, AccountType.RETIREMENT)

    @property
    def is_holding(self) -> bool:
        return not self.is_terminal

    @property
    def is_singleton(self) -> bool:
        """One per registry: the government's holding account and the two terminal ones."""
        return self is not AccountType.ENTITY_HOLDING

    @property
    def id_tag(self) -> str:
        return _ID_TAGS[self]


_ID_TAGS = {
    AccountType.GOVERNMENT_HOLDING: "GOV",
    AccountType.ENTITY_HOLDING: "ENT",
    AccountType.CANCELLATION: "CAN",
    AccountType.RETIREMENT: "RET",
}


class AccountStatus(StrEnum):
    OPEN = "open"
    BLOCKED = "blocked"
    CLOSED = "closed"


class OrganisationKind(StrEnum):
    GOVERNMENT = "government"
    COMPANY = "company"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Registry:
    code: str
    name: str
    active: bool = True

    @property
    def is_japan(self) -> bool:
        return self.code == JAPAN


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    registry: str
    name: str
    kind: OrganisationKind


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    registry: str
    type: AccountType
    organisation_id: str
    name: str
    status: AccountStatus = AccountStatus.OPEN


def account_id(registry: str, account_type: AccountType, seq: int) -> str:
    return f"{registry}-{account_type.id_tag}-{seq:04d}"


def organisation_id(registry: str, seq: int) -> str:
    return f"{registry}-ORG-{seq:04d}"


def parse_account_type(text: str) -> AccountType:
    try:
        return AccountType(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise InvalidInput(
            "G1_BAD_ACCOUNT_TYPE",
            f"Unknown account type {text!r}; use one of "
            + ", ".join(t.value for t in AccountType)
            + ".",
            account_type=text,
        ) from None


def parse_organisation_kind(text: str) -> OrganisationKind:
    try:
        return OrganisationKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "G1_BAD_KIND",
            f"Unknown organisation kind {text!r}; use company, government or other.",
            kind=text,
        ) from None


def parse_account_status(text: str) -> AccountStatus:
    try:
        return AccountStatus(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "G1_BAD_STATUS",
            f"Unknown account status {text!r}; use open, blocked or closed.",
            status=text,
        ) from None


def check_status_change(account: Account, new: AccountStatus, units_held: int) -> None:
    """A4: closed is final; system accounts stay open; an account closes only when empty."""
    if account.status is AccountStatus.CLOSED:
        raise AccountRuleViolation(
            "A4_ACCOUNT_CLOSED",
            f"Account {account.id} is closed; a closed account never reopens. Open a new one.",
            account=account.id,
        )
    if account.type.is_singleton and new is not AccountStatus.OPEN:
        raise AccountRuleViolation(
            "A4_SYSTEM_ACCOUNT",
            f"Account {account.id} is the registry's {account.type.value} account; it cannot "
            f"be {new.value}.",
            account=account.id,
            account_type=account.type.value,
        )
    if new is AccountStatus.CLOSED and units_held:
        raise AccountRuleViolation(
            "A4_NOT_EMPTY",
            f"Account {account.id} still holds {units_held:,} units; transfer them before "
            "closing it.",
            account=account.id,
            held=units_held,
        )
    if new is account.status:
        raise InvalidInput(
            "G1_NO_CHANGE",
            f"Account {account.id} is already {new.value}.",
            account=account.id,
            status=new.value,
        )


def check_open(account: Account) -> None:
    """G4: an account must be open to send or receive."""
    if account.status is not AccountStatus.OPEN:
        raise AccountRuleViolation(
            "G4_ACCOUNT_NOT_OPEN",
            f"Account {account.id} is {account.status.value}; only open accounts can send or "
            "receive units.",
            account=account.id,
            status=account.status.value,
        )


def check_can_send(account: Account) -> None:
    """A1: nothing leaves a cancellation or retirement account."""
    if account.type.is_terminal:
        raise AccountRuleViolation(
            "A1_TERMINAL_ACCOUNT",
            f"Account {account.id} is a {account.type.value} account; units in it are final "
            "and can never move again.",
            account=account.id,
            account_type=account.type.value,
        )
    check_open(account)


def check_can_receive_holding(account: Account) -> None:
    """Transfers and issuance go to holding accounts; cancel and retire have commands."""
    if not account.type.is_holding:
        raise AccountRuleViolation(
            "A2_NOT_A_HOLDING_ACCOUNT",
            f"Account {account.id} is a {account.type.value} account; transfers and issuance "
            "go to holding accounts; units reach it only by cancellation or retirement.",
            account=account.id,
            account_type=account.type.value,
        )
    check_open(account)


def check_internal(source: Account, destination: Account) -> None:
    """G5 (internal): both accounts in one registry, and not the same account."""
    if source.registry != destination.registry:
        raise AccountRuleViolation(
            "G5_REGISTRY_MISMATCH",
            f"{source.id} is in registry {source.registry} and {destination.id} in "
            f"{destination.registry}; an internal transfer stays in one registry, an external "
            "transfer moves units between registries.",
            source=source.id,
            destination=destination.id,
        )
    if source.id == destination.id:
        raise InvalidInput(
            "G1_SAME_ACCOUNT",
            f"Source and destination are both {source.id}; choose two different accounts.",
            account=source.id,
        )


def check_external(source: Account, destination: Account) -> None:
    """G5 (external): the registries differ (which registries, per unit: the policy's G6)."""
    if source.registry == destination.registry:
        raise AccountRuleViolation(
            "G5_SAME_REGISTRY",
            f"{source.id} and {destination.id} are both in registry {source.registry}; an "
            "external transfer moves units between two registries; this is an internal transfer.",
            source=source.id,
            destination=destination.id,
        )
