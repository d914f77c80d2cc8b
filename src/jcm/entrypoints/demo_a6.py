"""The main job's Article 6.2 step: each Party's AEF for the demo year, built, checked and
exported (stacked CSV, XLSX, JSON) under ``<data dir>/a6``.

The demo's actions all happen in the year of its clock, which has not ended, so the
reports stay drafts: a submission is refused until the reported year is over. Their
holdings are those at the time of the build, the position 31 December will show if nothing
else happens.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from jcm.service_layer.aef.reports import ReportService

DEMO_PARTIES = ("JP", "KE")
FORMATS = ("csv", "xlsx", "json")


def run_a6_demo(reports: ReportService, year: int, out_dir: Path) -> list[dict[str, Any]]:
    """Build and check Japan's and Kenya's drafts for ``year`` and write their files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    built = []
    for party in DEMO_PARTIES:
        summary = reports.build(party, year)
        files = []
        for fmt in FORMATS:
            exported = reports.export(party, year, fmt)
            path = out_dir / exported.name
            path.write_bytes(exported.data)
            files.append(str(path))
        built.append(
            {
                "party": party,
                "year": year,
                "version": summary.version,
                "status": summary.status,
                "digest": summary.digest,
                "counts": summary.counts,
                "failures": [asdict(f) for f in summary.failures],
                "files": files,
            }
        )
    return built
