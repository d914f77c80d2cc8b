"""Use cases of the dashboard views (filled in by that area's work)."""

from __future__ import annotations

from jcm.service_layer.public.ports import PublicUnitOfWorkFactory


class DashboardViews:
    def __init__(self, uow: PublicUnitOfWorkFactory) -> None:
        self.uow = uow
