"""The failure a consistency check reports, and the table numbers it names.

Kept apart from :mod:`.checks` so the rule modules can build failures without importing
the module that composes them; :mod:`.checks` re-exports both.
"""

from __future__ import annotations

from dataclasses import dataclass

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
