"""The AEF as an XLSX workbook, one sheet per table (openpyxl).

Each sheet is named after its table (``Table 1 Submission`` …, Excel's 31-character limit
respected), its first row is the header in bold and frozen, the cells are text exactly as
in the CSV. The workbook is deterministic: its core properties carry a fixed date and the
zip members a fixed time, so the same report gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from jcm.domain.aef.formats import ReportTables
from jcm.domain.aef.tables import TABLE_COLUMNS, TABLE_TITLES

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_STAMP = "2000-01-01T00:00:00Z"
_STAMPS = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


class OpenpyxlReportFiles:
    def write_xlsx(self, report: ReportTables, path: Path) -> None:
        path.write_bytes(self.xlsx_bytes(report))

    def xlsx_bytes(self, report: ReportTables) -> bytes:
        # openpyxl takes about 0.1 s to import: only when a workbook is written.
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        book.remove(book.active)  # type: ignore[arg-type]
        bold = Font(bold=True)
        for title, columns, rows in zip(TABLE_TITLES, TABLE_COLUMNS, report.tables, strict=True):
            sheet = book.create_sheet(title[:31])
            sheet.append(list(columns))
            for cell in sheet[1]:
                cell.font = bold
            for row in rows:
                sheet.append(list(row))
            sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        book.save(buffer)
        return _deterministic(buffer.getvalue())


def _deterministic(data: bytes) -> bytes:
    """The same workbook with fixed core-property dates and zip member times."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _STAMPS.sub(rb"\g<1>" + _FIXED_STAMP.encode() + rb"\g<2>", content)
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            target.writestr(member, content)
    return out.getvalue()
