"""Use cases that change the registry. Each runs inside one unit of work.

Every handler validates first, then changes state only through the working set or the
ledger port, so a refusal raised at any point leaves nothing behind (the unit of work
rolls back).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from jcm.domain import limits
from jcm.domain.errors import (
    AccountRuleViolation,
    InvalidInput,
    JcmError,
    NotFound,
)
from jcm.domain.identity.access import Holding
from jcm.domain.registry import accounts as acc
from jcm.domain.registry import commands as c
from jcm.domain.registry import policy
from jcm.domain.registry.accounts import Account, AccountStatus, AccountType, Organisation, Registry
from jcm.domain.registry.article6 import format_uses
from jcm.domain.registry.blocks import UnitBlock
from jcm.domain.registry.commands import (
    ApplyCorrespondingAdjustment,
    Authorise,
    CreateOrganisation,
    CreateRegistry,
    Move,
    OpenAccount,
)
from jcm.domain.registry.ndc_year import ndc_year_of
from jcm.domain.registry.transactions import (
    MovedRange,
    SetupEvent,
    TransactionKind,
    TransactionRecord,
)
from jcm.service_layer.aef.authorisation_link import registered_terms
from jcm.service_layer.authority import check_may
from jcm.service_layer.ports import Ledger, UnitOfWork
from jcm.service_layer.registry.lookups import (
    account_or_404,
    active_registries,
    active_registry,
    decision_of_serial,
)
from jcm.service_layer.registry.results import (
    AccountInfo,
    AccountOpened,
    AccountStatusChanged,
    BatchResult,
    OrganisationCreated,
    RegistryCreated,
    RegistryStatusChanged,
    TransactionResult,
)
from jcm.service_layer.registry.working_set import WorkingSet
from jcm.service_layer.results import JsonObject, extend, to_json_object

# -- set-up ----------------------------------------------------------------------------------


def create_registry(uow: UnitOfWork, cmd: CreateRegistry) -> RegistryCreated:
    code = limits.check_country(cmd.code, "registry")
    country = limits.country_name(code)
    if uow.ledger.get_registry(code) is not None:
        raise AccountRuleViolation(
            "G7_REGISTRY_EXISTS",
            f"Registry {code} already exists; each side has exactly one registry.",
            registry=code,
        )
    registry = Registry(code, cmd.name or f"JCM registry of {country}")
    uow.ledger.add_registry(registry, uow.now)
    government = Organisation(
        acc.organisation_id(code, 1),
        code,
        f"Government of {country}",
        acc.OrganisationKind.GOVERNMENT,
    )
    uow.ledger.add_organisation(government, uow.now)
    created = []
    for seq, account_type in enumerate(
        (AccountType.GOVERNMENT_HOLDING, AccountType.CANCELLATION, AccountType.RETIREMENT), 1
    ):
        account = Account(
            acc.account_id(code, account_type, seq),
            code,
            account_type,
            government.id,
            f"{government.name}: {account_type.value.replace('_', ' ')} account",
        )
        uow.ledger.add_account(account, uow.now)
        created.append(AccountInfo.of(account))
    result = RegistryCreated(code, registry.name, government.id, government.name, tuple(created))
    uow.ledger.add_event(SetupEvent.REGISTRY_CREATED, None, to_json_object(result), uow.now)
    return result


def create_organisation(uow: UnitOfWork, cmd: CreateOrganisation) -> OrganisationCreated:
    registry = active_registry(uow.ledger, cmd.registry, lock=True)  # serialises numbering
    name = cmd.name.strip()
    if not name:
        raise InvalidInput("G1_BAD_NAME", "An organisation needs a name.")
    org = Organisation(
        acc.organisation_id(registry.code, uow.ledger.count_organisations(registry.code) + 1),
        registry.code,
        name,
        cmd.kind,
    )
    uow.ledger.add_organisation(org, uow.now)
    result = OrganisationCreated(org.id, org.registry, org.name, org.kind)
    uow.ledger.add_event(SetupEvent.ORGANISATION_CREATED, None, to_json_object(result), uow.now)
    return result


def open_account(uow: UnitOfWork, cmd: OpenAccount) -> AccountOpened:
    registry = active_registry(uow.ledger, cmd.registry, lock=True)  # serialises numbering
    org = uow.ledger.get_organisation(cmd.organisation_id.upper())
    if org is None or org.registry != registry.code:
        raise NotFound(
            "G4_UNKNOWN_ORGANISATION",
            f"Registry {registry.code} has no organisation {cmd.organisation_id!r}.",
            organisation=cmd.organisation_id,
            registry=registry.code,
        )
    if cmd.type.is_singleton:
        existing = uow.ledger.singleton_account(registry.code, cmd.type)
        if existing is not None:
            raise AccountRuleViolation(
                "A3_SINGLETON_EXISTS",
                f"Registry {registry.code} already has its {cmd.type.value} account "
                f"{existing.id}; a registry has exactly one.",
                registry=registry.code,
                account=existing.id,
            )
    seq = uow.ledger.count_accounts(registry.code) + 1
    account = Account(
        acc.account_id(registry.code, cmd.type, seq),
        registry.code,
        cmd.type,
        org.id,
        cmd.name.strip() or org.name,
        AccountStatus.OPEN,
    )
    uow.ledger.add_account(account, uow.now)
    result = extend(AccountOpened, AccountInfo.of(account))
    uow.ledger.add_event(SetupEvent.ACCOUNT_CREATED, None, to_json_object(result), uow.now)
    return result


def set_registry_active(uow: UnitOfWork, cmd: c.SetRegistryActive) -> RegistryStatusChanged:
    """Suspend or reactivate a registry (G3: no transaction may involve a suspended one)."""
    code = cmd.code.strip().upper()
    registry = uow.ledger.get_registry(code)
    if registry is None:
        raise NotFound(
            "G4_UNKNOWN_REGISTRY", f"There is no registry {cmd.code!r}.", registry=cmd.code
        )
    if registry.active == cmd.active:
        raise InvalidInput(
            "G1_NO_CHANGE",
            f"Registry {code} is already {'active' if cmd.active else 'suspended'}.",
            registry=code,
        )
    uow.ledger.set_registry_active(code, cmd.active)
    result = RegistryStatusChanged(code, cmd.active, cmd.reason)
    uow.ledger.add_event(SetupEvent.REGISTRY_STATUS_CHANGED, None, to_json_object(result), uow.now)
    return result


def set_account_status(uow: UnitOfWork, cmd: c.SetAccountStatus) -> AccountStatusChanged:
    account = account_or_404(uow.ledger, cmd.account_id, lock=True)
    held = sum(row["quantity"] for row in uow.ledger.holdings(account.id, None))
    acc.check_status_change(account, cmd.status, held)
    uow.ledger.set_account_status(account.id, cmd.status)
    result = AccountStatusChanged(account.id, cmd.status, account.status, cmd.reason)
    uow.ledger.add_event(SetupEvent.ACCOUNT_STATUS_CHANGED, None, to_json_object(result), uow.now)
    return result


_MOVE_KINDS = {
    TransactionKind.TRANSFER,
    TransactionKind.EXTERNAL_TRANSFER,
    TransactionKind.CANCELLATION,
    TransactionKind.RETIREMENT,
}
_TERMINAL = {
    TransactionKind.CANCELLATION: AccountType.CANCELLATION,
    TransactionKind.RETIREMENT: AccountType.RETIREMENT,
}


# -- moving units ---------------------------------------------------------------------------


def _select(
    ws: WorkingSet, account_id: str | None, quantity: int | None, serials: str | None
) -> list[UnitBlock]:
    if (quantity is None) == (serials is None):
        raise InvalidInput(
            "G1_SELECT_UNITS",
            "Name the units either by quantity (lowest serials first) or by one serial range, "
            "not both and not neither.",
        )
    if quantity is not None:
        if account_id is None:
            raise InvalidInput("G1_SELECT_UNITS", "A quantity needs an account to take from.")
        if quantity < 1:
            raise InvalidInput(
                "G1_BAD_QUANTITY",
                f"Quantity must be a whole number of at least 1, got {quantity}.",
                quantity=quantity,
            )
        return ws.take_lowest(account_id, quantity)
    assert serials is not None
    serial, decision = decision_of_serial(ws.ledger, serials)
    return ws.take_range(account_id, serial, decision.id)


def move(uow: UnitOfWork, ws: WorkingSet, cmd: Move, kind: TransactionKind) -> TransactionRecord:
    """Transfer, external transfer, cancel or retire; the record is added to ``ws``."""
    if kind not in _MOVE_KINDS:
        raise ValueError(f"{kind} is not a movement")
    ledger = uow.ledger
    source = account_or_404(ledger, cmd.source, lock=True)
    check_may(uow, kind.value, holding=Holding(source.organisation_id, source.registry))
    destination = _move_destination(ledger, source, cmd, kind)
    proposal = policy.Proposal(
        kind,
        active_registries(ledger, source.registry, destination.registry),
        source,
        destination,
        cmd.purpose,
    )
    policy.admit(proposal)
    detail = _move_detail(cmd, kind, _utc_year(uow.now))
    blocks = _select(ws, source.id, cmd.quantity, cmd.serials)
    ranges, first_transferred = _move_blocks(ws, proposal, blocks)
    if first_transferred:
        detail["first_transferred"] = first_transferred
    record = TransactionRecord(
        kind,
        source.registry,
        source.id,
        destination.id,
        sum(r.quantity for r in ranges),
        detail,
        ranges,
    )
    ws.add_record(record)
    return record


def _move_destination(ledger: Ledger, source: Account, cmd: Move, kind: TransactionKind) -> Account:
    """The named destination of a transfer, or the registry's own terminal account."""
    terminal = _TERMINAL.get(kind)
    if terminal is None:
        if cmd.destination is None:
            raise InvalidInput("G1_NO_DESTINATION", "A transfer needs a destination account.")
        return account_or_404(ledger, cmd.destination)
    if cmd.destination is not None:
        raise InvalidInput(
            "G1_NO_DESTINATION",
            f"A {kind.value} goes to the registry's own {kind.value} account; do not name "
            "a destination.",
        )
    destination = ledger.singleton_account(source.registry, terminal)
    if destination is None:
        raise NotFound(
            "G4_NO_TERMINAL_ACCOUNT",
            f"Registry {source.registry} has no {terminal.value} account; open one first.",
            registry=source.registry,
        )
    return destination


def _utc_year(now: datetime) -> int:
    """The year of an action's date in UTC (a naive clock is taken as UTC)."""
    return (now if now.tzinfo is None else now.astimezone(UTC)).year


def _move_detail(cmd: Move, kind: TransactionKind, action_year: int) -> JsonObject:
    detail: JsonObject = {}
    if kind is TransactionKind.CANCELLATION:
        if cmd.purpose is None:
            raise InvalidInput(
                "G1_NO_PURPOSE",
                "A cancellation needs a purpose: ndc, oimp or voluntary.",
            )
        detail["purpose"] = cmd.purpose.value
    ndc_year = ndc_year_of(kind, cmd.purpose, cmd.ndc_year, action_year)
    if ndc_year is not None:
        detail["ndc_year"] = ndc_year
    if kind in _TERMINAL and cmd.beneficiary:
        detail["beneficiary"] = cmd.beneficiary
    if cmd.note:
        detail["note"] = cmd.note
    return detail


def _move_blocks(
    ws: WorkingSet, proposal: policy.Proposal, blocks: list[UnitBlock]
) -> tuple[list[MovedRange], int]:
    """Check each block against the policy, then move it; returns the ranges and how many
    units were first-transferred by this move."""
    source, destination = proposal.source, proposal.destination
    assert source is not None
    assert destination is not None
    ranges = []
    first_transferred = 0
    for block in blocks:
        host = ws.decision(block.decision_id).partner
        serial = ws.serial(block)
        policy.admit_units(proposal, host, block.article6, serial)
        before = block.article6
        if proposal.kind is TransactionKind.EXTERNAL_TRANSFER:
            block.article6 = before.on_external_transfer(source.registry == host)
        elif proposal.kind is TransactionKind.CANCELLATION:
            block.article6 = before.on_use()
        if block.article6.first_transferred and not before.first_transferred:
            first_transferred += block.quantity
        ws.place(block, destination.id, destination.registry)
        ranges.append(MovedRange(block.decision_id, block.start, block.end, serial))
    return ranges, first_transferred


def move_one(uow: UnitOfWork, cmd: Move, kind: TransactionKind) -> TransactionResult:
    ws = WorkingSet(uow.ledger, uow.decision_cache)
    record = move(uow, ws, cmd, kind)
    ws.flush(uow.now)
    result = TransactionResult.of(record)
    if kind is TransactionKind.EXTERNAL_TRANSFER:
        # Said plainly: unauthorised units move without becoming ITMOs (no first transfer).
        result = replace(result, first_transfer=bool(record.detail.get("first_transferred")))
    return result


def move_batch(uow: UnitOfWork, moves: list[tuple[Move, TransactionKind]]) -> BatchResult:
    """Many moves in one database transaction: all are committed or none."""
    ws = WorkingSet(uow.ledger, uow.decision_cache)
    # Lock every sending account up front in id order, so that concurrent batches cannot
    # deadlock, and read their first blocks in a few statements instead of one each.
    uow.ledger.lock_accounts([cmd.source.upper() for cmd, _ in moves])
    uow.ledger.get_accounts([cmd.destination.upper() for cmd, _ in moves if cmd.destination])
    ws.prefetch([cmd.source.upper() for cmd, _ in moves if cmd.quantity is not None])
    records = []
    for index, (cmd, kind) in enumerate(moves):
        try:
            records.append(move(uow, ws, cmd, kind))
        except JcmError as error:
            error.details["batch_index"] = index
            error.message = f"Batch item {index} (nothing in the batch was committed): " + (
                error.message
            )
            raise
    ws.flush(uow.now)
    ids = tuple(r.id for r in records if r.id is not None)
    return BatchResult(ids, len(records), sum(r.quantity for r in records))


# -- Article 6 ------------------------------------------------------------------------------


def authorise(uow: UnitOfWork, cmd: Authorise) -> TransactionResult:
    ledger = uow.ledger
    account = account_or_404(ledger, cmd.account_id, lock=True)
    proposal = policy.Proposal(
        TransactionKind.AUTHORISATION, active_registries(ledger, account.registry), source=account
    )
    policy.admit(proposal)
    reference = cmd.reference.strip()
    if not reference:
        raise InvalidInput(
            "G1_NO_REFERENCE",
            "An authorisation needs the reference of the authorising Party's letter or decision.",
        )
    ws = WorkingSet(ledger, uow.decision_cache)
    blocks = _select(ws, account.id, cmd.quantity, cmd.serials)
    for block in blocks:  # the host's registry administrator, before anything is looked up
        check_may(uow, "authorise", registry=ws.decision(block.decision_id).partner)
    uses, trigger = registered_terms(
        uow, cmd, [(ws.decision(b.decision_id), b, ws.serial(b)) for b in blocks]
    )
    ranges = []
    first_transferred = 0
    for block in blocks:
        serial = ws.serial(block)
        host = ws.decision(block.decision_id).partner
        policy.admit_units(proposal, host, block.article6, serial)
        block.article6 = block.article6.authorise(
            uses, reference, trigger, serials=serial, held_abroad=account.registry != host
        )
        if block.article6.first_transferred:  # T4: it was not before
            first_transferred += block.quantity
        ws.place(block, account.id, account.registry)
        ranges.append(MovedRange(block.decision_id, block.start, block.end, serial))
    record = TransactionRecord(
        TransactionKind.AUTHORISATION,
        account.registry,
        account.id,
        account.id,
        sum(r.quantity for r in ranges),
        {
            "uses": format_uses(uses),
            "reference": reference,
            "first_transfer_at": trigger.value,
            **({"first_transferred": first_transferred} if first_transferred else {}),
        },
        ranges,
    )
    ws.add_record(record)
    ws.flush(uow.now)
    return TransactionResult.of(record)


def apply_corresponding_adjustment(
    uow: UnitOfWork, cmd: ApplyCorrespondingAdjustment
) -> TransactionResult:
    ws = WorkingSet(uow.ledger, uow.decision_cache)
    blocks = _select(ws, None, None, cmd.serials)
    ranges = []
    for block in blocks:
        serial = ws.serial(block)
        host = ws.decision(block.decision_id).partner
        check_may(uow, "corresponding_adjustment", registry=host)
        holder = account_or_404(uow.ledger, block.account_id)
        policy.admit(
            policy.Proposal(
                TransactionKind.CORRESPONDING_ADJUSTMENT,
                active_registries(uow.ledger, host, block.registry),
                source=holder,
            )
        )
        block.article6 = block.article6.apply_corresponding_adjustment(serials=serial)
        ws.place(block, block.account_id, block.registry)
        ranges.append(MovedRange(block.decision_id, block.start, block.end, serial))
    partner = ws.decision(blocks[0].decision_id).partner
    record = TransactionRecord(
        TransactionKind.CORRESPONDING_ADJUSTMENT,
        partner,
        None,
        None,
        sum(r.quantity for r in ranges),
        {"reporting_year": cmd.reporting_year, **({"note": cmd.note} if cmd.note else {})},
        ranges,
    )
    ws.add_record(record)
    ws.flush(uow.now)
    return TransactionResult.of(record)
