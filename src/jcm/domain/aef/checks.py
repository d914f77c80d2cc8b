"""The consistency checks run before a report is exported or submitted.

Local checks (research ``reporting_programme.md`` §A.6, one rule id each) look at one
Party's report; the registry's own checks reconcile a report with the ledger evidence it
carries and with the other Party's report for the same year. Every failure names the
table, the row (1-based, as exported) and the column at fault, and the rule.

Rule ids (``docs/article6-reporting.md`` lists them with their meaning):

* AEF01 CARP-filled fields empty; AEF02 required and conditional fields present ("NA"
  counts as absent where a value is required) and NA where a field does not apply;
  AEF03 formats (CANNNN, AAA99, X.Y, dddd - dddd); AEF04 values in the controlled lists,
  subtype fits type; AEF05 an Authorization ID of Table 3 or 4 is in Table 2; AEF06 a
  using entity of Table 3 is in Table 5; AEF07 First ID <= Last ID; AEF08 no two holdings
  rows overlap in one registry; AEF09 a block used or cancelled is not still held at
  31 December; AEF10 fixed block attributes agree between actions and holdings.
* AEF11 each block a first transferring Party reports transferred appears, with the same
  attributes, as an acquisition in the acquiring Party's report for the same year (and
  the reverse); AEF12 the actions reconcile with the change in holdings over the year;
  AEF13 no unit is reported used or cancelled twice across the reports; AEF14 the
  corresponding adjustments applied match the first transfers.

The rules live in :mod:`.checks_fields` (AEF01–AEF04, on the exported cells),
:mod:`.checks_blocks` (AEF05–AEF10) and :mod:`.checks_ledger` (AEF11–AEF14); checks
return failures, they never raise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from jcm.domain.aef.bulk import cycle_collection_paused
from jcm.domain.aef.checks_blocks import check_blocks
from jcm.domain.aef.checks_fields import check_fields
from jcm.domain.aef.checks_ledger import (
    check_adjustments,
    check_reconciliation,
    check_single_use,
    check_transfers,
)
from jcm.domain.aef.failures import (
    TABLE_ACTIONS,
    TABLE_AUTHORIZATIONS,
    TABLE_ENTITIES,
    TABLE_HOLDINGS,
    TABLE_SUBMISSION,
    CheckFailure,
)
from jcm.domain.aef.tables import PartyReport

__all__ = [
    "TABLE_ACTIONS",
    "TABLE_AUTHORIZATIONS",
    "TABLE_ENTITIES",
    "TABLE_HOLDINGS",
    "TABLE_SUBMISSION",
    "CheckFailure",
    "check_report",
    "check_reports",
]


def check_report(report: PartyReport) -> list[CheckFailure]:
    """AEF01–AEF10, AEF12 and AEF14 for one Party's report."""
    with cycle_collection_paused():
        return _local(report)


def _local(report: PartyReport) -> list[CheckFailure]:
    return [
        *check_fields(report),
        *check_blocks(report),
        *check_reconciliation(report),
        *check_adjustments(report),
    ]


def check_reports(reports: Sequence[PartyReport]) -> list[CheckFailure]:
    """Every check of each report, then AEF11 and AEF13 across reports of the same year
    (or, for AEF13, of any year given)."""
    with cycle_collection_paused():
        return _across(reports)


def _across(reports: Sequence[PartyReport]) -> list[CheckFailure]:
    failures = [failure for report in reports for failure in _local(report)]
    by_year: dict[int, list[PartyReport]] = defaultdict(list)
    for report in reports:
        by_year[report.year].append(report)
    for year in sorted(by_year):
        failures.extend(check_transfers(by_year[year]))
    failures.extend(check_single_use(reports))
    return failures
