"""Monitoring sheets as use cases: read a sheet's periods, pick one, calculate, write a blank.

Entry points hand over the file's bytes (read with a size limit) and its name; the format
itself (XLSX, CSV) lives behind the :class:`MonitoringSheets` port, implemented by
``jcm.adapters.monitoring_sheet`` and wired in ``jcm.bootstrap``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from jcm.domain import limits, methodologies
from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies import Methodology
from jcm.domain.methodologies.model import FactValue
from jcm.service_layer.methodologies.results import SheetCalculation
from jcm.service_layer.methodologies.service import MonitoringRow, calculate_monitoring


class MonitoringSheets(Protocol):
    """Reads monitoring periods from a sheet's bytes and writes blank sheets."""

    def read(self, data: bytes, name: str) -> Sequence[MonitoringRow]: ...

    def template(self, methodology: Methodology, name: str) -> tuple[bytes, list[str]]: ...


class SheetService:
    def __init__(self, sheets: MonitoringSheets) -> None:
        self.sheets = sheets

    def read(self, data: bytes, name: str) -> Sequence[MonitoringRow]:
        if len(data) > limits.MAX_SHEET_BYTES:
            raise InvalidInput(
                "S1_SHEET_TOO_LARGE",
                f"Sheet {name!r} is too large: {len(data):,} bytes, at most "
                f"{limits.MAX_SHEET_BYTES:,}.",
                sheet=name,
                bytes=len(data),
                max_bytes=limits.MAX_SHEET_BYTES,
            )
        return self.sheets.read(data, name)

    def period(self, data: bytes, name: str, row: int | None) -> MonitoringRow:
        """The one monitoring period of the sheet, or the one in ``row``."""
        rows = self.read(data, name)
        chosen = [r for r in rows if row is None or r.row == row]
        if len(chosen) != 1:
            raise InvalidInput(
                "S1_BAD_SHEET",
                f"Sheet {rows[0].sheet!r} has {len(rows)} monitoring periods (rows "
                f"{', '.join(str(r.row) for r in rows)}); say which row."
                if row is None
                else f"Sheet {rows[0].sheet!r} has no monitoring period in row {row}.",
                sheet=rows[0].sheet,
            )
        return chosen[0]

    def calculate(
        self,
        methodology_id: str,
        facts: dict[str, FactValue],
        fixed: dict[str, tuple[str, str]],
        data: bytes,
        name: str,
        version: str | None = None,
    ) -> SheetCalculation:
        return calculate_monitoring(methodology_id, facts, fixed, self.read(data, name), version)

    def template(
        self, methodology_id: str, version: str | None, name: str
    ) -> tuple[bytes, dict[str, Any]]:
        """A blank sheet's bytes for the methodology, and what was made."""
        upper = methodology_id.strip().upper()
        found = methodologies.get(upper, version) if version else methodologies.latest(upper)
        data, headers = self.sheets.template(found, name)
        return data, {"methodology": found.id, "version": found.version, "columns": headers}
