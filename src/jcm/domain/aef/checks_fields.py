"""AEF01–AEF04: the field rules, judged on the exported cells of each table.

Each column of each table has a :class:`ColumnSpec`: whether CARP fills it, whether a
value is required, optional, or must be the literal ``NA`` (for a conditional column this
depends on the row, e.g. on its action type), the format a value must have and the
controlled list it must come from. The checks read exactly the strings that will be
exported (``row.cells()``), so they judge what leaves the system.

* AEF01 a CARP-filled column is not empty.
* AEF02 a required (or applicable conditional) value is missing — empty or ``NA`` — or a
  conditional column that does not apply holds anything but ``NA``.
* AEF03 a value does not have its format (``CANNNN``, ``AAA99``, ``X.Y``, ``dddd - dddd``,
  alpha-3, integers, years, dates).
* AEF04 a value is not in its controlled list, or an action subtype does not fit the type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from jcm.domain.aef import nomenclature as nom
from jcm.domain.aef.failures import CheckFailure
from jcm.domain.aef.nomenclature import NA, ActionType, Subtype
from jcm.domain.aef.tables import TABLE_COLUMNS, PartyReport

Row = Mapping[str, str]  # column name -> exported cell


class Need(Enum):
    REQUIRED = "required"
    OPTIONAL = "optional"  # empty or NA when there is no value
    NOT_APPLICABLE = "NA"  # must be exactly "NA"
    CARP = "CARP"  # filled by CARP: must be empty


@dataclass(frozen=True, slots=True)
class Format:
    name: str  # as a message names it
    pattern: re.Pattern[str]

    def fits(self, value: str) -> bool:
        return self.pattern.fullmatch(value) is not None


APPROACH = Format("CANNNN", nom.APPROACH_ID)
PARTY = Format("an ISO 3166-1 alpha-3 code (AAA)", nom.PARTY_ID)
REGISTRY = Format("AAA99", nom.REGISTRY_ID)
VERSION = Format("X.Y", nom.VERSION)
TIMEFRAME = Format("dddd - dddd", nom.TIMEFRAME)
AUTHORISATION = Format("letters, digits, spaces and hyphens", nom.AUTHORISATION_ID)
COUNT = Format("a positive integer", re.compile(r"^[1-9][0-9]*$"))
SERIAL = Format("a non-negative integer", re.compile(r"^(0|[1-9][0-9]*)$"))
YEAR = Format("a year (dddd)", re.compile(r"^[0-9]{4}$"))
DAY = Format("an ISO 8601 date (YYYY-MM-DD)", re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
INSTANT = Format(
    "an ISO 8601 UTC date-time (YYYY-MM-DDThh:mm:ssZ)",
    re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"),
)

NeedOf = Need | Callable[[Row], Need]
ValuesOf = tuple[str, ...] | Callable[[Row], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    need: NeedOf
    format: Format | None = None
    values: ValuesOf | None = None  # the controlled list (or the list this row allows)
    many: bool = False  # a "; "-separated list of values
    # The other columns a conditional need or list reads: the judgement of a cell depends
    # on its value and theirs only, so check_table judges each combination once.
    reads: tuple[str, ...] = ()

    def need_in(self, row: Row) -> Need:
        return self.need if isinstance(self.need, Need) else self.need(row)

    def values_in(self, row: Row) -> tuple[str, ...] | None:
        if self.values is None or isinstance(self.values, tuple):
            return self.values
        return self.values(row)


REQ = ColumnSpec(Need.REQUIRED)
OPT = ColumnSpec(Need.OPTIONAL)
CARP = ColumnSpec(Need.CARP)

# --- conditions -------------------------------------------------------------------------
A = ActionType
_TYPE = "Action type"
_TYPES = (_TYPE,)
_METRIC = ("Metric",)
_PURPOSES = ("Purposes for authorization",)
_USING_TYPES = (A.USE, A.FIRST_TRANSFER, A.CANCELLATION, A.VOLUNTARY_CANCELLATION)
_OIMP_WORDS = frozenset({"OIMP", "IMP", "OP"})


def _action_type(row: Row) -> str | None:
    """The row's action type, or None when it is not one (AEF04 reports that; the
    conditional columns are then not judged)."""
    value = row[_TYPE]
    return value if value in nom.ACTION_TYPES else None


def _only_for(*types: str, need: Need = Need.REQUIRED) -> Callable[[Row], Need]:
    def need_of(row: Row) -> Need:
        action = _action_type(row)
        if action is None:
            return Need.OPTIONAL
        return need if action in types else Need.NOT_APPLICABLE

    return need_of


def _acquiring(row: Row) -> Need:
    """Only First transfer and Transfer; a first transfer that is not to another Party
    (at authorisation, issuance, use or cancellation) may leave it NA."""
    action = _action_type(row)
    if action is None:
        return Need.OPTIONAL
    if action == A.TRANSFER:
        return Need.REQUIRED
    if action == A.FIRST_TRANSFER:
        to_party = row["Action subtype"] == Subtype.FIRST_TRANSFER_TO_PARTY
        return Need.REQUIRED if to_party else Need.OPTIONAL
    return Need.NOT_APPLICABLE


def _using_party(row: Row) -> Need:
    action = _action_type(row)
    if action is None:
        return Need.OPTIONAL
    if action == A.USE:
        return Need.REQUIRED
    return Need.OPTIONAL if action in _USING_TYPES else Need.NOT_APPLICABLE


def _ndc_year(row: Row) -> Need:
    """Only a Use towards an NDC (its OIMP purpose NA), and there it is required."""
    action = _action_type(row)
    if action is None:
        return Need.OPTIONAL
    towards_ndc = row["Purpose used/cancelled for OIMP"] in (NA, "")
    return Need.REQUIRED if action == A.USE and towards_ndc else Need.NOT_APPLICABLE


def _non_ghg(row: Row) -> Need:
    metric = row["Metric"]
    if metric not in nom.METRICS:
        return Need.OPTIONAL
    return Need.REQUIRED if metric == "non-GHG" else Need.NOT_APPLICABLE


def purposes_include_oimp(purposes: str) -> bool:
    """Whether authorised purposes include other international mitigation purposes
    (OIMP, or its parts IMP and OP), as :attr:`Authorisation.uses` reads them."""
    return bool(_OIMP_WORDS.intersection(purposes.split(" and ")))


def _oimp_only(row: Row) -> Need:
    purposes = row["Purposes for authorization"]
    if purposes not in nom.PURPOSES:
        return Need.OPTIONAL
    return Need.REQUIRED if purposes_include_oimp(purposes) else Need.NOT_APPLICABLE


def _subtypes(row: Row) -> tuple[str, ...]:
    action = _action_type(row)
    if action is None:
        return nom.ACTION_SUBTYPES
    return nom.SUBTYPES_OF_TYPE.get(action, ())


# --- the tables -------------------------------------------------------------------------
_BLOCK: dict[str, ColumnSpec] = {
    "Cooperative approach ID": ColumnSpec(Need.REQUIRED, APPROACH),
    "Authorization ID": ColumnSpec(Need.REQUIRED, AUTHORISATION),
    "First transferring participating Party ID": ColumnSpec(Need.REQUIRED, PARTY),
    "Party ITMO registry ID": ColumnSpec(Need.REQUIRED, REGISTRY),
    "ITMO block First ID": ColumnSpec(Need.REQUIRED, SERIAL),
    "ITMO block Last ID": ColumnSpec(Need.REQUIRED, SERIAL),
    "Underlying unit registry ID": ColumnSpec(Need.OPTIONAL, values=nom.UNDERLYING_UNIT_REGISTRIES),
    "First unit ID": ColumnSpec(Need.OPTIONAL, SERIAL),
    "Last unit ID": ColumnSpec(Need.OPTIONAL, SERIAL),
    "Metric": ColumnSpec(Need.REQUIRED, values=nom.METRICS),
    "GWP value(s)": OPT,
    "Non-GHG metric": ColumnSpec(_non_ghg, reads=_METRIC),
    "Quantity (t CO2 eq)": ColumnSpec(Need.REQUIRED, COUNT),
    "Quantity (non-GHG)": ColumnSpec(_non_ghg, reads=_METRIC),
    "Mitigation type": ColumnSpec(Need.REQUIRED, values=nom.MITIGATION_TYPES),
    "Vintage": ColumnSpec(Need.REQUIRED, YEAR),
}

SUBMISSION: dict[str, ColumnSpec] = {
    "Party": ColumnSpec(Need.REQUIRED, PARTY),
    "Version": ColumnSpec(Need.REQUIRED, VERSION),
    "Reported year": ColumnSpec(Need.REQUIRED, YEAR),
    # Required at submission; a draft has none yet, so only its format is judged.
    "Date of submission": ColumnSpec(Need.OPTIONAL, DAY),
    "First year of NDC implementation period": ColumnSpec(Need.REQUIRED, YEAR),
    "Last year of NDC implementation period": ColumnSpec(Need.REQUIRED, YEAR),
    "Review status of initial report": CARP,
    "Result of consistency check of this submission": CARP,
    "Reference to the technical expert review report": CARP,
}
AUTHORIZATIONS: dict[str, ColumnSpec] = {
    "Authorization ID": ColumnSpec(Need.REQUIRED, AUTHORISATION),
    "Date of authorization": ColumnSpec(Need.REQUIRED, DAY),
    "Cooperative approach ID": ColumnSpec(Need.REQUIRED, APPROACH),
    "Version of the authorization": ColumnSpec(Need.REQUIRED, COUNT),
    "Authorized quantity": ColumnSpec(Need.OPTIONAL, COUNT),
    "Metric": ColumnSpec(Need.REQUIRED, values=nom.METRICS),
    "Applicable GWP value(s)": OPT,
    "Applicable non-GHG metric": ColumnSpec(_non_ghg, reads=_METRIC),
    "Sector(s)": ColumnSpec(Need.REQUIRED, values=nom.SECTORS, many=True),
    "Activity type(s)": ColumnSpec(Need.OPTIONAL, values=nom.ACTIVITY_TYPES, many=True),
    "Purposes for authorization": ColumnSpec(Need.REQUIRED, values=nom.PURPOSES),
    "Authorized Party(ies) ID": ColumnSpec(Need.OPTIONAL, PARTY, many=True),
    "Authorized entity(ies) ID": ColumnSpec(Need.OPTIONAL, many=True),
    "OIMP authorized by the Party": ColumnSpec(_oimp_only, reads=_PURPOSES),
    "Authorized timeframe": ColumnSpec(Need.OPTIONAL, TIMEFRAME),
    "Authorization terms and conditions": OPT,
    "Authorization documentation": CARP,
    "First transfer definition for OIMP": ColumnSpec(
        _oimp_only, values=nom.FIRST_TRANSFER_DEFINITIONS_OIMP, reads=_PURPOSES
    ),
    "Additional explanatory information": OPT,
}
ACTIONS: dict[str, ColumnSpec] = {
    "Action date": ColumnSpec(Need.REQUIRED, INSTANT),
    "Action type": ColumnSpec(Need.REQUIRED, values=nom.ACTION_TYPES),
    "Action subtype": ColumnSpec(Need.OPTIONAL, values=_subtypes, reads=_TYPES),
    **_BLOCK,
    "Transferring participating Party ID": ColumnSpec(
        _only_for(A.ACQUISITION), PARTY, reads=_TYPES
    ),
    "Acquiring participating Party ID": ColumnSpec(
        _acquiring, PARTY, reads=(_TYPE, "Action subtype")
    ),
    "Purpose used/cancelled for OIMP": ColumnSpec(
        _only_for(*_USING_TYPES, need=Need.OPTIONAL),
        values=tuple(sorted(_OIMP_WORDS)),
        reads=_TYPES,
    ),
    "Using/cancelling Party ID": ColumnSpec(_using_party, PARTY, reads=_TYPES),
    "Using/cancelling authorized entity ID": ColumnSpec(
        _only_for(*_USING_TYPES, need=Need.OPTIONAL), reads=_TYPES
    ),
    "Calendar year for which ITMOs are used towards the NDC": ColumnSpec(
        _ndc_year, YEAR, reads=(_TYPE, "Purpose used/cancelled for OIMP")
    ),
    "Result of the consistency checks": CARP,
    "Additional explanatory information": OPT,
}
HOLDINGS: dict[str, ColumnSpec] = dict(_BLOCK)
ENTITIES: dict[str, ColumnSpec] = {
    "Date of the authorization": ColumnSpec(Need.REQUIRED, DAY),
    "Name": REQ,
    "Country of incorporation": ColumnSpec(Need.REQUIRED, PARTY),
    "Identification number": REQ,
    "Cooperative approach ID": ColumnSpec(Need.REQUIRED, APPROACH),
    "Conditions": OPT,
    "Change and revocation conditions": OPT,
    "Additional explanatory information": OPT,
}
SPECS: tuple[dict[str, ColumnSpec], ...] = (
    SUBMISSION,
    AUTHORIZATIONS,
    ACTIONS,
    HOLDINGS,
    ENTITIES,
)


# --- judging cells ----------------------------------------------------------------------
def judge_cell(spec: ColumnSpec, column: str, value: str, row: Row) -> tuple[str, str] | None:
    """The rule a cell breaks and why, or None."""
    need = spec.need_in(row)
    if need is Need.CARP:
        return None if value == "" else ("AEF01", f'{column} is filled by CARP but holds "{value}"')
    if need is Need.NOT_APPLICABLE:
        if value == NA:
            return None
        return "AEF02", f'{column} does not apply to this row but holds "{value}" (not "NA")'
    if value in ("", NA):
        if need is Need.REQUIRED:
            return "AEF02", f'{column} is required but holds "{value}"'
        return None
    return _judge_value(spec, column, value, row)


def _judge_value(spec: ColumnSpec, column: str, value: str, row: Row) -> tuple[str, str] | None:
    items = value.split("; ") if spec.many else [value]
    allowed = spec.values_in(row)
    for item in items:
        if spec.format is not None and not spec.format.fits(item):
            return "AEF03", f'{column} "{item}" is not in the format {spec.format.name}'
        if allowed is not None and item not in allowed:
            return "AEF04", _not_allowed(column, item, allowed, row)
    return None


def _not_allowed(column: str, item: str, allowed: tuple[str, ...], row: Row) -> str:
    if column == "Action subtype" and item in nom.ACTION_SUBTYPES:
        fits = ", ".join(f'"{v}"' for v in allowed) or "none"
        return f'"{item}" does not fit action type "{row[_TYPE]}" (allowed: {fits})'
    return f'"{item}" is not in the controlled list of {column}'


def check_table(party: str, table: int, rows: Sequence[tuple[str, ...]]) -> list[CheckFailure]:
    """AEF01–AEF04 on the exported rows of table ``table`` (1 … 5), in row order.

    Column by column: a cell's judgement depends only on its value and the cells its
    conditions read (``ColumnSpec.reads``), so each distinct combination is judged once
    and only the rows holding a faulty one are visited again.
    """
    columns = TABLE_COLUMNS[table - 1]
    specs = SPECS[table - 1]
    by_column = list(zip(*rows, strict=True)) if rows else []
    found: list[tuple[int, int, str, str]] = []  # row, column index, rule, message
    for index, column in enumerate(columns):
        spec = specs[column]
        if spec != OPT and by_column:  # an optional free-text column cannot fail
            found.extend(_column_failures(spec, columns, by_column, index))
    found.sort(key=lambda f: (f[0], f[1]))
    return [
        CheckFailure(rule, party, table, number, columns[index], message)
        for number, index, rule, message in found
    ]


Key = str | tuple[str, ...]  # a cell, or a cell and the cells its conditions read


def _column_failures(
    spec: ColumnSpec, columns: tuple[str, ...], by_column: list[tuple[str, ...]], index: int
) -> list[tuple[int, int, str, str]]:
    """The faulty cells of one column: (row, column index, rule, message)."""
    keys: Sequence[Key] = by_column[index]
    if spec.reads:
        read = [by_column[columns.index(c)] for c in spec.reads]
        keys = list(zip(by_column[index], *read, strict=True))
    faulty = _faulty(spec, columns[index], columns, set(keys))
    if not faulty:
        return []
    return [
        (number, index, *faulty[key]) for number, key in enumerate(keys, start=1) if key in faulty
    ]


class _Cells(dict[str, str]):
    """The cells a condition declares it reads; any other column of the table reads as
    empty."""

    def __init__(self, columns: tuple[str, ...], cells: Mapping[str, str]) -> None:
        super().__init__(cells)
        self.columns = columns

    def __missing__(self, column: str) -> str:
        if column in self.columns:
            return ""
        raise KeyError(column)


def _faulty(
    spec: ColumnSpec, column: str, columns: tuple[str, ...], distinct: set[Key]
) -> dict[Key, tuple[str, str]]:
    """The faulty keys (the cell, or the cell then the cells it reads) of a column, with
    the rule and message of each. A condition sees only the cells it declares it reads."""
    names = (column, *spec.reads)
    faulty: dict[Key, tuple[str, str]] = {}
    for key in _suspects(spec, distinct):
        cells = (key,) if isinstance(key, str) else key
        row = _Cells(columns, dict(zip(names, cells, strict=True)))
        found = judge_cell(spec, column, cells[0], row)
        if found is not None:
            faulty[key] = found
    return faulty


def _suspects(spec: ColumnSpec, distinct: set[Key]) -> Iterable[Key]:
    """The keys :func:`judge_cell` must look at: for a plain column (a fixed need of a
    value, a fixed list, one value per cell) a value that is not empty or NA, fits its
    format and is in its list passes, so only the others are judged."""
    plain = spec.need in (Need.REQUIRED, Need.OPTIONAL) and not spec.many and not spec.reads
    if not plain or (spec.values is not None and not isinstance(spec.values, tuple)):
        return distinct
    fits = spec.format.pattern.fullmatch if spec.format is not None else None
    allowed = frozenset(spec.values) if isinstance(spec.values, tuple) else None
    return [
        v
        for v in distinct
        if not isinstance(v, str)
        or v in ("", NA)
        or (fits is not None and fits(v) is None)
        or (allowed is not None and v not in allowed)
    ]


def check_fields(report: PartyReport) -> list[CheckFailure]:
    """AEF01–AEF04 on every table of the report, as it will be exported."""
    failures: list[CheckFailure] = []
    for table, rows in enumerate(report.tables(), start=1):
        failures.extend(check_table(report.party, table, rows))
    return failures
