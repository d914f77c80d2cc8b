"""The registry's public use cases in one place, for the CLI today and the HTTP API next."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jcm.domain.registry import commands as c
from jcm.domain.registry.transactions import TransactionKind
from jcm.service_layer.ports import UnitOfWorkFactory
from jcm.service_layer.registry import handlers, queries
from jcm.service_layer.runner import execute


class RegistryService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.uow = uow_factory

    # -- changes ------------------------------------------------------------------------
    def create_registry(self, cmd: c.CreateRegistry, key: str | None = None) -> dict[str, Any]:
        return execute(
            self.uow, "create_registry", cmd, lambda u: handlers.create_registry(u, cmd), key
        )

    def create_organisation(
        self, cmd: c.CreateOrganisation, key: str | None = None
    ) -> dict[str, Any]:
        return execute(
            self.uow,
            "create_organisation",
            cmd,
            lambda u: handlers.create_organisation(u, cmd),
            key,
        )

    def open_account(self, cmd: c.OpenAccount, key: str | None = None) -> dict[str, Any]:
        return execute(self.uow, "open_account", cmd, lambda u: handlers.open_account(u, cmd), key)

    def set_registry_active(
        self, cmd: c.SetRegistryActive, key: str | None = None
    ) -> dict[str, Any]:
        return execute(
            self.uow,
            "set_registry_active",
            cmd,
            lambda u: handlers.set_registry_active(u, cmd),
            key,
        )

    def set_account_status(self, cmd: c.SetAccountStatus, key: str | None = None) -> dict[str, Any]:
        return execute(
            self.uow, "set_account_status", cmd, lambda u: handlers.set_account_status(u, cmd), key
        )

    def record_decision(self, cmd: c.RecordDecision, key: str | None = None) -> dict[str, Any]:
        return execute(
            self.uow, "record_decision", cmd, lambda u: handlers.record_decision(u, cmd), key
        )

    def issue(self, cmd: c.Issue, key: str | None = None) -> dict[str, Any]:
        return execute(self.uow, "issue", cmd, lambda u: handlers.issue(u, cmd), key)

    def move(self, cmd: c.Move, kind: TransactionKind, key: str | None = None) -> dict[str, Any]:
        return execute(self.uow, kind.value, cmd, lambda u: handlers.move_one(u, cmd, kind), key)

    def transfer(self, cmd: c.Move, key: str | None = None) -> dict[str, Any]:
        return self.move(cmd, TransactionKind.TRANSFER, key)

    def external_transfer(self, cmd: c.Move, key: str | None = None) -> dict[str, Any]:
        return self.move(cmd, TransactionKind.EXTERNAL_TRANSFER, key)

    def cancel(self, cmd: c.Move, key: str | None = None) -> dict[str, Any]:
        return self.move(cmd, TransactionKind.CANCELLATION, key)

    def retire(self, cmd: c.Move, key: str | None = None) -> dict[str, Any]:
        return self.move(cmd, TransactionKind.RETIREMENT, key)

    def batch(
        self, moves: Sequence[tuple[c.Move, TransactionKind]], key: str | None = None
    ) -> dict[str, Any]:
        items = list(moves)
        return execute(
            self.uow,
            "batch",
            [(m, k.value) for m, k in items],
            lambda u: handlers.move_batch(u, items),
            key,
        )

    def authorise(self, cmd: c.Authorise, key: str | None = None) -> dict[str, Any]:
        return execute(self.uow, "authorise", cmd, lambda u: handlers.authorise(u, cmd), key)

    def apply_corresponding_adjustment(
        self, cmd: c.ApplyCorrespondingAdjustment, key: str | None = None
    ) -> dict[str, Any]:
        return execute(
            self.uow,
            "corresponding_adjustment",
            cmd,
            lambda u: handlers.apply_corresponding_adjustment(u, cmd),
            key,
        )

    # -- reads --------------------------------------------------------------------------
    def registries(self) -> list[dict[str, Any]]:
        with self.uow(read_only=True) as u:
            return [
                {"registry": r.code, "name": r.name, "active": r.active}
                for r in u.ledger.list_registries()
            ]

    def organisations(self, registry: str | None = None) -> list[dict[str, Any]]:
        with self.uow(read_only=True) as u:
            return [
                {"organisation": o.id, "registry": o.registry, "name": o.name, "kind": o.kind.value}
                for o in u.ledger.list_organisations(registry.upper() if registry else None)
            ]

    def accounts(self, registry: str | None = None) -> list[dict[str, Any]]:
        with self.uow(read_only=True) as u:
            return [
                handlers.account_dict(a)
                for a in u.ledger.list_accounts(registry.upper() if registry else None, None)
            ]

    def holdings(
        self, account: str | None = None, registry: str | None = None
    ) -> list[dict[str, Any]]:
        with self.uow(read_only=True) as u:
            return queries.holdings(u, account, registry)

    def lookup_serial(self, serial: str) -> dict[str, Any]:
        with self.uow(read_only=True) as u:
            return queries.lookup_serial(u, serial)

    def transactions(self, limit: int = 50, **filters: Any) -> list[dict[str, Any]]:
        with self.uow(read_only=True) as u:
            return queries.list_transactions(u, filters, limit)

    def decisions(self, project: str | None = None) -> list[dict[str, Any]]:
        with self.uow(read_only=True) as u:
            return queries.list_decisions(u, project)

    def audit(self) -> dict[str, Any]:
        with self.uow(read_only=True) as u:
            return queries.audit(u)
