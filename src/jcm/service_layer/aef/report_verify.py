"""Verifying a submitted report against the transparency log alone.

The log's entries are read in order up to the entry that records the submission
(``aef.report_submitted`` naming the Party, year and version); each entry's bytes must hash
to its stored leaf hash. The facts of the entries before it (:mod:`.log_facts`) give the
report again, with the version and the date of submission the entry states; then:

* its digest must be the one the entry states (R5_DIGEST_DIFFERS otherwise);
* the stored row's digest, and the digest of its stored tables, must be that one too;
* each stored table must equal the re-derived one (R5_TABLE_DIFFERS names the first
  differing row and column of each table that differs).

Nothing of the database but the log's entries goes into the derivation: the registry's
tables (accounts, transactions, blocks) and the register's are not read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jcm.domain.aef.derive import build_report
from jcm.domain.aef.formats import ReportTables, digest, first_difference
from jcm.domain.aef.tables import TABLE_COLUMNS, TABLE_TITLES
from jcm.domain.errors import JcmError
from jcm.domain.transparency.merkle import leaf_hash
from jcm.service_layer.aef.log_facts import LogFacts
from jcm.service_layer.aef.ports import StoredReport
from jcm.service_layer.aef.report_results import Difference, ReportVerification

REPORT_SUBMITTED = "aef.report_submitted"


@dataclass(frozen=True)
class _Found:
    index: int
    change: dict[str, Any]
    at: datetime


class _LogRead:
    def __init__(self) -> None:
        self.facts = LogFacts()
        self.read = 0
        self.altered: list[Difference] = []


def verify_stored(
    stored: StoredReport, entries: Iterator[tuple[int | None, int, str, bytes | None]]
) -> ReportVerification:
    """Compare ``stored`` with the report the log's ``entries`` give (see the module)."""
    state = _LogRead()
    found = _read_until_submission(stored, entries, state)
    problems = list(state.altered)
    if found is None:
        problems.append(
            Difference(
                "R5_NOT_LOGGED",
                "",
                None,
                "",
                f"No {REPORT_SUBMITTED} entry names {stored.party} {stored.year} "
                f"version {stored.version}.",
            )
        )
        return _verdict(stored, None, None, None, state.read, problems)
    logged = str(found.change.get("digest"))
    try:
        report = build_report(
            state.facts.facts(),
            stored.party,
            stored.year,
            version=stored.version,
            submitted_on=found.at.astimezone(UTC).date(),
        )
    except JcmError as error:  # the entries break the registry's own rules
        problems.append(
            Difference(
                "R5_DIGEST_DIFFERS",
                "",
                None,
                "",
                f"The log's entries do not derive to a report: {error.message}",
            )
        )
        return _verdict(stored, logged, None, found.index, state.read, problems)
    derived = ReportTables.of(report)
    derived_digest = digest(derived)
    problems += _digest_problems(stored, logged, derived_digest)
    problems += _table_problems(derived, stored.tables)
    return _verdict(stored, logged, derived_digest, found.index, state.read, problems)


def _read_until_submission(
    stored: StoredReport,
    entries: Iterator[tuple[int | None, int, str, bytes | None]],
    state: _LogRead,
) -> _Found | None:
    wanted = (stored.party, stored.year, stored.version)
    for index, _seq, text, leaf in entries:
        state.read += 1
        if leaf is not None and leaf != leaf_hash(text.encode("utf-8")):
            state.altered.append(
                Difference(
                    "R5_LOG_ALTERED",
                    "",
                    None,
                    "",
                    f"Log entry {index} does not hash to its stored leaf hash.",
                )
            )
        try:
            entry = json.loads(text)
            kind = str(entry.get("type"))
            change = entry.get("change") or {}
            at = datetime.fromisoformat(entry["timestamp"])
            if kind == REPORT_SUBMITTED and _names(change) == wanted:
                return _Found(-1 if index is None else int(index), change, at)
            state.facts.add(kind, change, at)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            state.altered.append(
                Difference(
                    "R5_LOG_ALTERED", "", None, "", f"Log entry {index} cannot be read: {error!r}."
                )
            )
    return None


def _names(change: dict[str, Any]) -> tuple[Any, Any, Any]:
    return change.get("party"), change.get("year"), change.get("version")


def _digest_problems(stored: StoredReport, logged: str, derived: str) -> list[Difference]:
    problems = []
    if derived != logged:
        problems.append(
            Difference(
                "R5_DIGEST_DIFFERS",
                "",
                None,
                "",
                f"The report re-derived from the log has digest {derived}; the submission "
                f"entry states {logged}.",
            )
        )
    if stored.digest != logged:
        problems.append(
            Difference(
                "R5_DIGEST_DIFFERS",
                "",
                None,
                "digest",
                f"The stored digest {stored.digest} is not the logged {logged}.",
            )
        )
    kept = digest(stored.tables)
    if kept != logged:
        problems.append(
            Difference(
                "R5_DIGEST_DIFFERS",
                "",
                None,
                "tables",
                f"The stored tables have digest {kept}, not the logged {logged}.",
            )
        )
    return problems


def _table_problems(derived: ReportTables, stored: ReportTables) -> list[Difference]:
    problems = []
    for title, columns, want, have in zip(
        TABLE_TITLES, TABLE_COLUMNS, derived.tables, stored.tables, strict=True
    ):
        row, column = first_difference(want, have, columns)
        if row is None:
            continue
        problems.append(
            Difference(
                "R5_TABLE_DIFFERS",
                title,
                row,
                column,
                f"{title} differs from the log's derivation at row {row}"
                + (f", column {column!r}" if column else "")
                + f" ({len(want)} rows derived, {len(have)} stored).",
            )
        )
    return problems


def _verdict(
    stored: StoredReport,
    logged: str | None,
    derived: str | None,
    index: int | None,
    read: int,
    problems: list[Difference],
) -> ReportVerification:
    return ReportVerification(
        stored.party,
        stored.year,
        stored.version,
        not problems,
        stored.digest,
        logged,
        derived,
        index,
        read,
        tuple(problems),
    )
