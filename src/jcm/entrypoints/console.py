"""The operator's console on the server: whom its steps are logged as taken for.

The CLI is the operator's console. A step it takes for an organisation (a cycle step with
``--as ORG``, a move from an account) runs through ``app.acting(operator_for(ORG))``, so its
log entries say ``{"via": "operator", "organisation": ORG}``: the operator, on that
organisation's behalf. Its own set-up acts (registries, organisations, accounts, actors,
rule books, Article 6 acts of a Party, issuance from the registry's console, key rotation)
run through ``app.acting(OPERATOR)`` and say ``{"via": "operator"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jcm.bootstrap import Acting, App
from jcm.domain.cycle import commands as cc
from jcm.domain.identity.principal import OPERATOR, Principal, operator_for
from jcm.domain.registry.commands import Move
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.ports import UnitOfWorkFactory
from jcm.service_layer.registry.service import RegistryService


def on_behalf_of(app: App, organisation: str | None) -> Acting:
    """The operator acting for ``organisation`` (None: for no organisation, its own act)."""
    return app.acting(operator_for(organisation) if organisation else OPERATOR)


def for_sources(app: App, accounts: Iterable[str]) -> Acting:
    """The operator moving units on behalf of the holder of the source accounts: one holder
    (looked up); several, or an unknown account (refused by the move itself), none."""
    holders: set[str | None] = set()
    for account in dict.fromkeys(a.strip().upper() for a in accounts):
        holding = app.registry.account_holding(account)
        holders.add(None if holding is None else holding.organisation_id)
        if len(holders) > 1:
            break
    return on_behalf_of(app, holders.pop() if len(holders) == 1 else None)


class StepByStepCycle(CycleService):
    """The cycle's use cases taking each step for the organisation its command names
    (``by``), as ``principal_for(organisation)``; set-up commands (actors, rule books) as
    ``setup``. By default the operator's console on each organisation's behalf."""

    def __init__(
        self,
        app: App,
        principal_for: Callable[[str], Principal] = operator_for,
        setup: Principal = OPERATOR,
    ) -> None:
        super().__init__(app.acting(setup).unit_of_work)
        self._app = app
        self._principal_for = principal_for

    def _uow_for(self, cmd: object) -> UnitOfWorkFactory:
        by = getattr(cmd, "by", None)
        if isinstance(by, cc.ActingAs):
            return self._app.acting(self._principal_for(by.organisation_id)).unit_of_work
        return self.uow


class HoldersRegistry(RegistryService):
    """The registry's use cases moving units on behalf of the holder of the source account
    (looked up before the move; a batch from several holders: for none); every other change
    as ``setup`` (the operator's own act)."""

    def __init__(self, app: App, setup: Principal = OPERATOR) -> None:
        super().__init__(app.acting(setup).unit_of_work)
        self._app = app

    def _uow_for(self, cmd: object) -> UnitOfWorkFactory:
        if isinstance(cmd, Move):
            return for_sources(self._app, [cmd.source]).unit_of_work
        if isinstance(cmd, list) and cmd and all(isinstance(m, tuple) for m in cmd):
            moves = [m[0] for m in cmd if isinstance(m[0], Move)]
            return for_sources(self._app, [m.source for m in moves]).unit_of_work
        return self.uow
