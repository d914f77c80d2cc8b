"""Use cases of the ledger views (filled in by that area's work)."""

from __future__ import annotations

from jcm.service_layer.public.ports import PublicUnitOfWorkFactory


class LedgerViews:
    def __init__(self, uow: PublicUnitOfWorkFactory) -> None:
        self.uow = uow
