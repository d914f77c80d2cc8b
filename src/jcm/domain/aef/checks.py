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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jcm.domain.aef.tables import PartyReport

TABLE_SUBMISSION, TABLE_AUTHORIZATIONS, TABLE_ACTIONS, TABLE_HOLDINGS, TABLE_ENTITIES = (
    1,
    2,
    3,
    4,
    5,
)


@dataclass(frozen=True, slots=True)
class CheckFailure:
    rule: str  # AEF01 … AEF14
    party: str  # alpha-2 of the report at fault
    table: int  # 1 … 5
    row: int | None  # 1-based row of that table; None: the table (or report) as a whole
    column: str  # the AEF column name, or "" for a whole row
    message: str

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "rule": self.rule,
            "party": self.party,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def check_report(report: PartyReport) -> list[CheckFailure]:
    """AEF01–AEF10, AEF12 and AEF14 for one Party's report."""
    raise NotImplementedError  # filled in by the checks branch


def check_reports(reports: Sequence[PartyReport]) -> list[CheckFailure]:
    """Every check of each report, then AEF11 and AEF13 across reports of the same year
    (or, for AEF13, of any year given)."""
    raise NotImplementedError  # filled in by the checks branch
