"""Building, checking, submitting, exporting and verifying a Party's AEF reports.

A **draft** is the working copy of a Party's report for a year, derived from the ledger and
checked with its counterparts' reports (:mod:`.report_build`); each build replaces it.
**Submitting** it freezes it: only after the reported year is over, only if every check
passes, and only if the ledger still gives the same tables (else the draft is stale). The
submitted version (1.0, then 1.1 …) is stored with the date of submission in Table 1 and
its digest (:mod:`jcm.domain.aef.formats`), the version before becomes superseded, and the
log records ``aef.report_submitted`` with the digest. A submitted report is never
rewritten; :meth:`ReportService.verify` derives it again from the log alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from jcm.domain.aef import formats
from jcm.domain.aef.formats import ReportTables
from jcm.domain.aef.submissions import SubmissionStatus, next_version
from jcm.domain.errors import InvalidInput, NotFound, RuleViolation
from jcm.service_layer.aef.ports import (
    AefUnitOfWork,
    AefUnitOfWorkFactory,
    ReportFiles,
    StoredReport,
)
from jcm.service_layer.aef.report_build import (
    check_key,
    check_party,
    check_year,
    day_of,
    derive,
    year_over,
)
from jcm.service_layer.aef.report_results import (
    CheckResult,
    ExportedReport,
    ReportSummary,
    ReportVerification,
    ReportView,
)
from jcm.service_layer.aef.report_verify import REPORT_SUBMITTED, verify_stored

Format = Literal["csv", "xlsx", "json"]
FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_PUBLISHED = (SubmissionStatus.SUBMITTED, SubmissionStatus.SUPERSEDED)


class ReportService:
    def __init__(self, uow: AefUnitOfWorkFactory, files: ReportFiles) -> None:
        self.uow = uow
        self.files = files

    # -- changes --------------------------------------------------------------------------
    def build(self, party: str, year: int) -> ReportSummary:
        """Derive and check ``party``'s report for ``year``; store it as the draft."""
        check_year(year)
        with self.uow() as uow:
            facts = uow.aef_facts.facts()
            check_party(facts, party)
            version = next_version([r.version for r in uow.aef_submissions.versions(party, year)])
            derived = derive(facts, party, year, version)
            tables = ReportTables.of(derived.report)
            draft = StoredReport(
                party,
                year,
                version,
                SubmissionStatus.DRAFT,
                tables,
                tuple(f.as_dict() for f in derived.failures),
                formats.digest(tables),
                uow.now,
            )
            uow.aef_submissions.put_draft(draft)
            uow.commit()
        return ReportSummary.of(draft)

    def submit(self, party: str, year: int) -> ReportSummary:
        """Submit the draft (see the module docstring for the refusals)."""
        check_year(year)
        with self.uow() as uow:
            uow.ledger.log.lock()  # facts read now are exactly those logged before the entry
            now = uow.now
            if not year_over(year, now):
                raise RuleViolation(
                    "R4_YEAR_NOT_OVER",
                    f"Reported year {year} is not over yet ({now.date().isoformat()}): a "
                    "report is submitted after 31 December.",
                    party=party,
                    year=year,
                )
            draft = uow.aef_submissions.draft(party, year)
            if draft is None:
                raise NotFound(
                    "R4_NO_DRAFT",
                    f"There is no draft of {party}'s report for {year} to submit.",
                    party=party,
                    year=year,
                )
            submitted = self._submitted(uow, draft)
            uow.commit()
        return ReportSummary.of(submitted)

    def _submitted(self, uow: AefUnitOfWork, draft: StoredReport) -> StoredReport:
        party, year = draft.party, draft.year
        facts = uow.aef_facts.facts()
        version = next_version([r.version for r in uow.aef_submissions.versions(party, year)])
        again = derive(facts, party, year, draft.version)
        if ReportTables.of(again.report) != draft.tables or version != draft.version:
            raise RuleViolation(
                "R4_DRAFT_STALE",
                f"The ledger changed since the draft of {party}'s report for {year} was "
                f"built ({draft.created_at.isoformat()}); build it again.",
                party=party,
                year=year,
            )
        if again.failures:
            raise RuleViolation(
                "R4_CHECKS_FAILED",
                f"{party}'s report for {year} fails {len(again.failures)} consistency check(s).",
                party=party,
                year=year,
                failures=[f.as_dict() for f in again.failures],
            )
        dated = replace(again.report.submission, submitted_on=day_of(uow.now))
        tables = ReportTables.of(replace(again.report, submission=dated))
        submitted = StoredReport(
            party,
            year,
            version,
            SubmissionStatus.SUBMITTED,
            tables,
            (),
            formats.digest(tables),
            uow.now,
            submitted_at=uow.now,
            log_index=uow.ledger.log.size(),  # the entry appended below (head locked)
        )
        previous = uow.aef_submissions.current(party, year)
        uow.aef_submissions.submit(submitted)
        change = {
            "party": party,
            "year": year,
            "version": version,
            "digest": submitted.digest,
            "counts": tables.counts(),
            "supersedes": None if previous is None else previous.version,
        }
        uow.ledger.add_event(REPORT_SUBMITTED, None, dict(change), uow.now)
        return submitted

    # -- reads ----------------------------------------------------------------------------
    def check(self, party: str, year: int) -> CheckResult:
        """The failures of the report the ledger gives now (nothing is stored)."""
        check_year(year)
        with self.uow(read_only=True) as uow:
            facts = uow.aef_facts.facts()
            check_party(facts, party)
            derived = derive(facts, party, year, "1.0")
        return CheckResult(party, year, not derived.failures, derived.failures)

    def show(
        self, party: str, year: int, version: str | None = None, *, drafts: bool = True
    ) -> ReportView:
        """A stored report: ``version``, else the current submitted one, else the draft
        (``drafts``: whether a draft may be shown at all)."""
        return ReportView.of(self._stored(party, year, version, drafts))

    def list(
        self,
        party: str | None = None,
        year: int | None = None,
        status: SubmissionStatus | None = None,
        *,
        drafts: bool = True,
    ) -> list[ReportSummary]:
        check_key(party, year)
        with self.uow(read_only=True) as uow:
            found = uow.aef_submissions.list(party, year, status)
        return [ReportSummary.of(r) for r in found if drafts or r.status in _PUBLISHED]

    def export(
        self,
        party: str,
        year: int,
        fmt: str,
        version: str | None = None,
        *,
        drafts: bool = True,
    ) -> ExportedReport:
        if fmt not in FORMATS:
            raise InvalidInput(
                "R4_BAD_FORMAT",
                f"Export format {fmt!r} is not one of csv, xlsx, json.",
                format=fmt,
            )
        stored = self._stored(party, year, version, drafts)
        if fmt == "csv":
            data = formats.csv_bytes(stored.tables)
        elif fmt == "json":
            data = formats.json_bytes(stored.tables)
        else:
            data = self.files.xlsx_bytes(stored.tables)
        suffix = "-draft" if stored.status is SubmissionStatus.DRAFT else ""
        return ExportedReport(
            f"AEF-{party}-{year}-{stored.version}{suffix}.{fmt}",
            FORMATS[fmt],
            data,
            party,
            year,
            stored.version,
            stored.status.value,
            stored.digest,
        )

    def verify(self, party: str, year: int, version: str | None = None) -> ReportVerification:
        """Derive the submitted report again from the log alone and compare."""
        check_key(party, year, version)
        with self.uow(read_only=True) as uow:
            stored = self._published(uow, party, year, version)
            return verify_stored(stored, uow.ledger.log.iter_entries())

    def _published(
        self, uow: AefUnitOfWork, party: str, year: int, version: str | None
    ) -> StoredReport:
        store = uow.aef_submissions
        stored = store.current(party, year) if version is None else store.get(party, year, version)
        if stored is None or stored.status not in _PUBLISHED:
            raise NotFound(
                "R5_NOT_SUBMITTED",
                f"{party} has submitted no report for {year}"
                + (f" as version {version}." if version else "."),
                party=party,
                year=year,
                version=version,
            )
        return stored

    def _stored(self, party: str, year: int, version: str | None, drafts: bool) -> StoredReport:
        check_key(party, year, version)
        with self.uow(read_only=True) as uow:
            store = uow.aef_submissions
            if version is not None:
                stored = store.get(party, year, version)
            else:
                stored = store.current(party, year) or store.draft(party, year)
        if stored is None or (not drafts and stored.status is SubmissionStatus.DRAFT):
            raise NotFound(
                "R4_NO_REPORT",
                f"No report of {party} for {year}"
                + (f" version {version}" if version else "")
                + " is there to show.",
                party=party,
                year=year,
                version=version,
            )
        return stored
