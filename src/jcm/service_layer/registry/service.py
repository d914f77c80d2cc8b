"""The registry's public use cases in one place, for the CLI today and the HTTP API next."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from jcm.domain.identity.access import Holding as AccountHolding
from jcm.domain.registry import commands as c
from jcm.domain.registry.transactions import TransactionKind
from jcm.service_layer.ports import UnitOfWork, UnitOfWorkFactory
from jcm.service_layer.registry import handlers, issuance_handlers, lookups, queries
from jcm.service_layer.registry.account_blocks import AccountBlocks, account_blocks
from jcm.service_layer.registry.results import (
    AccountInfo,
    AccountOpened,
    AccountStatusChanged,
    AuditReport,
    BatchResult,
    DecisionInfo,
    DecisionRecorded,
    Holding,
    IssuanceResult,
    OrganisationCreated,
    OrganisationInfo,
    RegistryCreated,
    RegistryInfo,
    RegistryStatusChanged,
    SerialLookup,
    TransactionResult,
    TransactionRow,
)
from jcm.service_layer.registry.statistics import RegistryStatistics, registry_statistics
from jcm.service_layer.results import ChangeResult
from jcm.service_layer.runner import execute, preview

R = TypeVar("R", bound=ChangeResult)


class RegistryService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.uow = uow_factory

    def _run(
        self,
        name: str,
        cmd: object,
        handler: Callable[[UnitOfWork], R],
        key: str | None,
        result_type: type[R],
    ) -> R:
        return execute(self._uow_for(cmd), name, cmd, handler, key, result_type=result_type)

    def _uow_for(self, cmd: object) -> UnitOfWorkFactory:
        """The units of work a change runs in: this service's own (a console that acts for
        the holder of each move's source account overrides it)."""
        return self.uow

    # -- changes ------------------------------------------------------------------------
    def create_registry(self, cmd: c.CreateRegistry, key: str | None = None) -> RegistryCreated:
        return self._run(
            "create_registry",
            cmd,
            lambda u: handlers.create_registry(u, cmd),
            key,
            RegistryCreated,
        )

    def create_organisation(
        self, cmd: c.CreateOrganisation, key: str | None = None
    ) -> OrganisationCreated:
        return self._run(
            "create_organisation",
            cmd,
            lambda u: handlers.create_organisation(u, cmd),
            key,
            OrganisationCreated,
        )

    def open_account(self, cmd: c.OpenAccount, key: str | None = None) -> AccountOpened:
        return self._run(
            "open_account", cmd, lambda u: handlers.open_account(u, cmd), key, AccountOpened
        )

    def set_registry_active(
        self, cmd: c.SetRegistryActive, key: str | None = None
    ) -> RegistryStatusChanged:
        return self._run(
            "set_registry_active",
            cmd,
            lambda u: handlers.set_registry_active(u, cmd),
            key,
            RegistryStatusChanged,
        )

    def set_account_status(
        self, cmd: c.SetAccountStatus, key: str | None = None
    ) -> AccountStatusChanged:
        return self._run(
            "set_account_status",
            cmd,
            lambda u: handlers.set_account_status(u, cmd),
            key,
            AccountStatusChanged,
        )

    def record_decision(self, cmd: c.RecordDecision, key: str | None = None) -> DecisionRecorded:
        return self._run(
            "record_decision",
            cmd,
            lambda u: issuance_handlers.record_decision(u, cmd),
            key,
            DecisionRecorded,
        )

    def issue(self, cmd: c.Issue, key: str | None = None) -> IssuanceResult:
        return self._run(
            "issue", cmd, lambda u: issuance_handlers.issue(u, cmd), key, IssuanceResult
        )

    def move(self, cmd: c.Move, kind: TransactionKind, key: str | None = None) -> TransactionResult:
        return self._run(
            kind.value, cmd, lambda u: handlers.move_one(u, cmd, kind), key, TransactionResult
        )

    def transfer(self, cmd: c.Move, key: str | None = None) -> TransactionResult:
        return self.move(cmd, TransactionKind.TRANSFER, key)

    def external_transfer(self, cmd: c.Move, key: str | None = None) -> TransactionResult:
        return self.move(cmd, TransactionKind.EXTERNAL_TRANSFER, key)

    def cancel(self, cmd: c.Move, key: str | None = None) -> TransactionResult:
        return self.move(cmd, TransactionKind.CANCELLATION, key)

    def retire(self, cmd: c.Move, key: str | None = None) -> TransactionResult:
        return self.move(cmd, TransactionKind.RETIREMENT, key)

    def batch(
        self,
        moves: Sequence[tuple[c.Move, TransactionKind]],
        key: str | None = None,
        *,
        dry_run: bool = False,
    ) -> BatchResult:
        """All or nothing. ``dry_run``: every check and every move is made, then rolled
        back, so the result says exactly what would happen and nothing changes."""
        items = list(moves)
        if dry_run:
            command = [(m, k.value) for m, k in items]
            return preview(self.uow, "batch", command, lambda u: handlers.move_batch(u, items))
        return self._run(
            "batch",
            [(m, k.value) for m, k in items],
            lambda u: handlers.move_batch(u, items),
            key,
            BatchResult,
        )

    def preview_move(self, cmd: c.Move, kind: TransactionKind) -> TransactionResult:
        """What :meth:`move` would do, with every check and the exact serials it would take,
        then rolled back: nothing changes (a confirmation screen shows it)."""
        return preview(
            self._uow_for(cmd), kind.value, cmd, lambda u: handlers.move_one(u, cmd, kind)
        )

    def authorise(self, cmd: c.Authorise, key: str | None = None) -> TransactionResult:
        return self._run(
            "authorise", cmd, lambda u: handlers.authorise(u, cmd), key, TransactionResult
        )

    def apply_corresponding_adjustment(
        self, cmd: c.ApplyCorrespondingAdjustment, key: str | None = None
    ) -> TransactionResult:
        return self._run(
            "corresponding_adjustment",
            cmd,
            lambda u: handlers.apply_corresponding_adjustment(u, cmd),
            key,
            TransactionResult,
        )

    # -- reads --------------------------------------------------------------------------
    def registries(self) -> list[RegistryInfo]:
        with self.uow(read_only=True) as u:
            return [RegistryInfo.of(r) for r in u.ledger.list_registries()]

    def organisations(self, registry: str | None = None) -> list[OrganisationInfo]:
        with self.uow(read_only=True) as u:
            return [
                OrganisationInfo.of(o)
                for o in u.ledger.list_organisations(registry.upper() if registry else None)
            ]

    def accounts(self, registry: str | None = None) -> list[AccountInfo]:
        with self.uow(read_only=True) as u:
            return [
                AccountInfo.of(a)
                for a in u.ledger.list_accounts(registry.upper() if registry else None, None)
            ]

    def account(self, account_id: str) -> AccountInfo:
        with self.uow(read_only=True) as u:
            return AccountInfo.of(lookups.account_or_404(u.ledger, account_id.upper()))

    def account_holding(self, account_id: str) -> AccountHolding | None:
        """Who holds an account, in which registry (None: there is no such account): what
        an account-holder access rule looks at."""
        with self.uow(read_only=True) as u:
            found = u.ledger.get_account(account_id.strip().upper())
        return None if found is None else AccountHolding(found.organisation_id, found.registry)

    def holdings(self, account: str | None = None, registry: str | None = None) -> list[Holding]:
        with self.uow(read_only=True) as u:
            return queries.holdings(u, account, registry)

    def account_blocks(self, account_id: str, limit: int = 200) -> AccountBlocks:
        """An account's blocks with their serials, lowest first (at most ``limit``)."""
        with self.uow(read_only=True) as u:
            found = lookups.account_or_404(u.ledger, account_id.upper())
            return account_blocks(u, found.id, limit)

    def lookup_serial(self, serial: str) -> SerialLookup:
        with self.uow(read_only=True) as u:
            return queries.lookup_serial(u, serial)

    def transactions(
        self, limit: int = 50, **filters: str | int | tuple[str, ...] | datetime | None
    ) -> list[TransactionRow]:
        """Newest first; filters: account, registry, kind, kinds (any of), project, since,
        until, before (a transaction id: only older ones, the page cursor)."""
        with self.uow(read_only=True) as u:
            return queries.list_transactions(u, filters, limit)

    def decisions(self, project: str | None = None) -> list[DecisionInfo]:
        with self.uow(read_only=True) as u:
            return queries.list_decisions(u, project)

    def statistics(self, registry: str) -> RegistryStatistics:
        """What the registry publishes: units per account type, and a yearly summary."""
        with self.uow(read_only=True) as u:
            return registry_statistics(u, registry)

    def audit(self) -> AuditReport:
        with self.uow(read_only=True) as u:
            return queries.audit(u)
