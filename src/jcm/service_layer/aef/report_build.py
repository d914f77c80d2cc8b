"""Deriving a Party's report from the facts and checking it with its counterparts'.

A report is checked together with the reports of the same year of the Parties it deals
with: for Japan, every partner with a cooperative approach; for a partner, Japan. The
failures kept are those of the Party's own report and the cross-Party ones (AEF11, AEF13)
found in any of them, since those concern the Party's actions too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from jcm.domain.aef.checks import check_reports
from jcm.domain.aef.derive import build_reports
from jcm.domain.aef.facts import LedgerFacts
from jcm.domain.aef.register import JAPAN
from jcm.domain.aef.submissions import next_version
from jcm.domain.aef.tables import PartyReport
from jcm.domain.errors import InvalidInput, NotFound
from jcm.service_layer.aef.report_results import Failure

CROSS_PARTY_RULES = frozenset({"AEF11", "AEF13"})
FIRST_YEAR, LAST_YEAR = 1990, 9999


@dataclass(frozen=True)
class Derived:
    report: PartyReport
    failures: tuple[Failure, ...]


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            "R4_BAD_YEAR",
            f"Reported year {year} is outside {FIRST_YEAR}-{LAST_YEAR}.",
            year=year,
        )


def check_key(party: str | None, year: int | None, version: str | None = None) -> None:
    """A report's key as a caller gives it, refused before it reaches a query: a year in
    range (an integer column), a Party as a two-letter registry code, a version X.Y."""
    if year is not None:
        check_year(year)
    if party is not None and not (len(party) == 2 and party.isascii() and party.isupper()):
        raise NotFound(
            "R4_UNKNOWN_PARTY",
            f"Party {party[:40]!r} is not a two-letter registry code such as JP or KE.",
            party=party[:40],
        )
    if version is not None:
        next_version([version[:20]])  # raises R4_BAD_VERSION unless it is X.Y


def counterparts(facts: LedgerFacts, party: str) -> list[str]:
    """The Parties whose reports of the same year a report is checked against."""
    partners = sorted(a.partner for a in facts.register.approaches.values())
    if party == JAPAN:
        return partners
    return [JAPAN] if party in partners else []


def check_party(facts: LedgerFacts, party: str) -> None:
    """The Party reports: Japan, or a partner with a cooperative approach."""
    if party != JAPAN and party not in counterparts(facts, JAPAN):
        raise NotFound(
            "R4_UNKNOWN_PARTY",
            f"Party {party!r} is neither Japan nor the partner of a registered cooperative "
            "approach.",
            party=party,
        )


def derive(
    facts: LedgerFacts,
    party: str,
    year: int,
    version: str,
    submitted_on: date | None = None,
) -> Derived:
    """``party``'s report, checked with its counterparts' reports of the same year."""
    # One walk over the ledger for the Party and its counterparts (their version and date
    # of submission do not matter to the checks).
    reports = build_reports(
        facts,
        [party, *counterparts(facts, party)],
        year,
        version=version,
        submitted_on=submitted_on,
    )
    report = reports[0]
    failures = [
        Failure.of(f)
        for f in check_reports(reports)
        if f.party == party or f.rule in CROSS_PARTY_RULES
    ]
    return Derived(report, tuple(_unique(failures)))


def _unique(failures: list[Failure]) -> list[Failure]:
    seen: set[Failure] = set()
    kept = []
    for failure in failures:
        if failure not in seen:
            seen.add(failure)
            kept.append(failure)
    return kept


def year_over(year: int, now: datetime) -> bool:
    """Whether 31 December of ``year`` is past by ``now`` (UTC)."""
    return now >= datetime(year + 1, 1, 1, tzinfo=UTC)


def day_of(now: datetime) -> date:
    """The date of submission: the UTC date of the unit of work's clock."""
    return now.astimezone(UTC).date()
