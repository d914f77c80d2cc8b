"""The public views as one object the entry points hold (``App.public``)."""

from __future__ import annotations

from dataclasses import dataclass

from jcm.service_layer.public.certificates import CertificateRenderer, CertificateViews
from jcm.service_layer.public.dashboard import DashboardViews
from jcm.service_layer.public.ledger import LedgerViews
from jcm.service_layer.public.ports import PublicUnitOfWorkFactory
from jcm.service_layer.public.project_ports import ReferenceData
from jcm.service_layer.public.projects import ProjectViews
from jcm.service_layer.public.statistics import StatisticsViews


@dataclass(frozen=True)
class PublicService:
    projects: ProjectViews
    ledger: LedgerViews
    dashboard: DashboardViews
    certificates: CertificateViews
    statistics: StatisticsViews

    @classmethod
    def over(
        cls,
        uow: PublicUnitOfWorkFactory,
        certificates: CertificateRenderer | None = None,
        reference: ReferenceData | None = None,
    ) -> PublicService:
        return cls(
            ProjectViews(uow, reference),
            LedgerViews(uow),
            DashboardViews(uow),
            CertificateViews(uow, certificates),
            StatisticsViews(uow),
        )
