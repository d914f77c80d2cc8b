"""The AEF as an XLSX workbook, one sheet per table (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from jcm.domain.aef.tables import PartyReport


class OpenpyxlReportFiles:
    def write_xlsx(self, report: PartyReport, path: Path) -> None:
        path.write_bytes(self.xlsx_bytes(report))

    def xlsx_bytes(self, report: PartyReport) -> bytes:
        raise NotImplementedError  # filled in by the submissions branch
