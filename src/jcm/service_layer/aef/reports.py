"""Building, checking, submitting, exporting and verifying a Party's AEF reports."""

from __future__ import annotations

from jcm.service_layer.aef.ports import AefUnitOfWorkFactory, ReportFiles


class ReportService:
    def __init__(self, uow: AefUnitOfWorkFactory, files: ReportFiles) -> None:
        self.uow = uow
        self.files = files
