"""Bounds on every input, in one place, the same whatever the database or the entry point.

Every command the registry runs passes :func:`check_command` before its handler (the
runner calls it), and every idempotency key :func:`check_idempotency_key`; entry points
apply :func:`check_text` to every raw string argument they receive. The bounds fit the
columns of ``adapters/schema.py`` and the signed 64-bit integers the database holds, so a
value is refused here with a ``G1_…`` code instead of failing in the database (PostgreSQL)
or being stored silently (SQLite).

Stored strings are data, never markup or terminal control: text may not contain control
characters, bidirectional overrides or lone surrogates (entry points still escape on
output, for what was stored before these checks).

Country codes: the domain may not import pycountry (third-party), so the set of ISO 3166-1
alpha-2 codes is reference data handed to :func:`use_country_codes` once at start-up by
the composition root (``jcm.bootstrap``), the way configuration is. Threading one constant
through every command, aggregate and replay would add a parameter to dozens of functions
for no gain; the set never changes while a process runs. Without it, :func:`check_country`
refuses to guess and raises (a wiring error, not a refusal).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from jcm.domain.errors import InvalidInput

# -- numbers -----------------------------------------------------------------------------------

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# Far above any real quantity (world emissions are ~5·10^10 t a year) and far below what a
# batch's sum of 10,000 quantities needs to stay inside 64 bits.
MAX_QUANTITY = 10**12
MAX_YEAR = 9999
MAX_DECIMAL_DIGITS = 30  # significant digits of any decimal input
MAX_DECIMAL_MAGNITUDE = 15  # |value| < 10^15

# -- collections and files ---------------------------------------------------------------------

MAX_ITEMS = 1000  # any repeated option or list inside a command
MAX_BATCH_MOVES = 10_000
MAX_UPLOAD_BYTES = 64 * 2**20  # default; JCM_MAX_UPLOAD_BYTES overrides it
MAX_SHEET_BYTES = 16 * 2**20  # a monitoring sheet file as stored
MAX_SHEET_UNPACKED_BYTES = 128 * 2**20  # an XLSX's members once decompressed
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 200
MAX_ARGUMENT_LENGTH = 100_000  # any raw argument; each field has its own, lower, limit
MAX_KEY_FILE_BYTES = 64 * 2**10  # a verifier key file


@dataclass(frozen=True, slots=True)
class TextLimit:
    """How long a text field may be and which characters it may hold."""

    max_length: int
    pattern: re.Pattern[str] | None = None  # None: free text (printable, any script)
    describe: str = "text"


FREE_TEXT = TextLimit(1000)
NAME = TextLimit(200, describe="a name")
TITLE = TextLimit(300, describe="a title")
REFERENCE = TextLimit(200, describe="a reference")
REASON = TextLimit(500, describe="a reason")
NOTE = TextLimit(1000, describe="a note")
# Ids typed by users: ASCII letters, digits and . _ : - (no spaces, no markup).
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
IDENTIFIER = TextLimit(64, _ID, "an identifier (letters, digits, . _ : -)")
ACCOUNT = TextLimit(20, _ID, "an account id, e.g. JP-ENT-0004")
SHORT_ID = TextLimit(40, _ID, "an identifier (letters, digits, . _ : -)")
SERIALS = TextLimit(100, re.compile(r"^[A-Za-z0-9-]+$"), "a serial range")
IDEMPOTENCY_KEY = TextLimit(200, describe="an idempotency key")
COUNTRY = TextLimit(2, describe="an ISO 3166-1 alpha-2 country code")

# Per field name, across every command (registry and cycle). Fields not named here are free
# text of at most FREE_TEXT.max_length characters.
TEXT_FIELDS: Mapping[str, TextLimit] = {
    "code": COUNTRY,
    "registry": COUNTRY,
    "partner": COUNTRY,
    "name": NAME,
    "beneficiary": NAME,
    "title": TITLE,
    "reference": REFERENCE,
    "reason": REASON,
    "note": NOTE,
    "organisation_id": IDENTIFIER,
    "tpe": IDENTIFIER,
    "rule_book": TextLimit(64, describe="a rule-book version"),
    "version": TextLimit(64, describe="a version"),
    "account_id": ACCOUNT,
    "source": ACCOUNT,
    "destination": ACCOUNT,
    "remainder_to": ACCOUNT,
    "serials": SERIALS,
    "project_id": SHORT_ID,
    "request_id": SHORT_ID,
    "methodology_id": SHORT_ID,
    "methodology_version": SHORT_ID,
    "proposal_id": SHORT_ID,
    "approved_id": SHORT_ID,
    "action": SHORT_ID,
    "sha256": TextLimit(64, re.compile(r"^[0-9a-fA-F]+$"), "a SHA-256 in hex"),
}

# Inclusive bounds per integer field; others must fit a signed 64-bit column.
INT_FIELDS: Mapping[str, tuple[int, int]] = {
    "quantity": (-MAX_QUANTITY, MAX_QUANTITY),
    "amount": (-MAX_QUANTITY, MAX_QUANTITY),
    "verified_amount": (-MAX_QUANTITY, MAX_QUANTITY),
    "reported_reductions": (-MAX_QUANTITY, MAX_QUANTITY),
    "vintage": (-MAX_YEAR, MAX_YEAR),
    "reporting_year": (-MAX_YEAR, MAX_YEAR),
    "sectoral_scope": (-1000, 1000),
    "scope": (-1000, 1000),
    "scopes": (-1000, 1000),
    "pdd_public_input_days": (-100_000, 100_000),
    "methodology_public_input_days": (-100_000, 100_000),
}

ITEM_FIELDS: Mapping[str, int] = {"moves": MAX_BATCH_MOVES, "batch": MAX_BATCH_MOVES}

# -- characters --------------------------------------------------------------------------------

# Bidirectional embeddings, overrides and isolates (Trojan Source), and the marks that can
# reorder what a terminal shows. ZWJ/ZWNJ stay allowed: some scripts need them.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\u2028\u2029\x85")


def is_forbidden(char: str) -> bool:
    """May ``char`` not be stored or shown as data (controls, direction marks, surrogates)?"""
    if char in _BIDI or char in _LINE_BREAKS:
        return True
    return char != "\t" and unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn")


_ASCII_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def forbidden_character(text: str) -> str | None:
    """The first character that may not be stored or shown as data, if any."""
    if text.isascii():  # the common case, at C speed
        found = _ASCII_FORBIDDEN.search(text)
        return found.group() if found else None
    return next((char for char in text if is_forbidden(char)), None)


def made_visible(text: str) -> str:
    """``text`` with every forbidden character but the line feed replaced by its escape,
    e.g. ``\\x1b``: what was stored before these checks is shown, never obeyed."""
    if forbidden_character(text.replace("\n", " ")) is None:
        return text
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        if c != "\n" and is_forbidden(c)
        else c
        for c in text
    )


def check_text(
    value: str, field: str, limit: TextLimit = FREE_TEXT, *, max_length: int | None = None
) -> str:
    """Refuse text that is too long or holds characters ``limit`` does not allow."""
    longest = limit.max_length if max_length is None else max_length
    if len(value) > longest:
        raise InvalidInput(
            "G1_TOO_LONG",
            f"{field} is {len(value):,} characters long; at most {longest:,} are allowed.",
            field=field,
            length=len(value),
            max_length=longest,
        )
    if limit.pattern is not None and (not value or limit.pattern.fullmatch(value)):
        return value  # the identifier classes admit no control characters
    bad = forbidden_character(value)
    if bad is not None:
        raise InvalidInput(
            "G1_BAD_CHARACTERS",
            f"{field} contains the control or direction character U+{ord(bad):04X}; "
            "text may hold printable characters only.",
            field=field,
            character=f"U+{ord(bad):04X}",
        )
    if limit.pattern is not None:
        raise InvalidInput(
            "G1_BAD_CHARACTERS",
            f"{field} {value!r} is not {limit.describe}.",
            field=field,
            value=value,
        )
    return value


MAX_PATH_LENGTH = 4096  # PATH_MAX on Linux


def check_path(value: str, field: str) -> str:
    """A file name may be any bytes but NUL (non-UTF-8 names arrive as surrogates)."""
    if len(value) > MAX_PATH_LENGTH:
        raise InvalidInput(
            "G1_TOO_LONG",
            f"{field} is {len(value):,} characters long; at most {MAX_PATH_LENGTH:,} are allowed.",
            field=field,
            length=len(value),
            max_length=MAX_PATH_LENGTH,
        )
    if "\x00" in value:
        raise InvalidInput(
            "G1_BAD_CHARACTERS",
            f"{field} contains the character U+0000; a file name cannot.",
            field=field,
            character="U+0000",
        )
    return value


def check_int(value: int, field: str, low: int = INT64_MIN, high: int = INT64_MAX) -> int:
    if not low <= value <= high:
        raise InvalidInput(
            "G1_OUT_OF_RANGE",
            f"{field} {value} is out of range; it must lie between {low:,} and {high:,}.",
            field=field,
            value=str(value),
            low=low,
            high=high,
        )
    return value


def check_decimal(value: Decimal, field: str) -> Decimal:
    digits = value.as_tuple().digits if value.is_finite() else ()
    if (
        not value.is_finite()
        or len(digits) > MAX_DECIMAL_DIGITS
        or (value != 0 and value.adjusted() >= MAX_DECIMAL_MAGNITUDE)
    ):
        raise InvalidInput(
            "G1_OUT_OF_RANGE",
            f"{field} {value} is not a finite number below 10^{MAX_DECIMAL_MAGNITUDE} with at "
            f"most {MAX_DECIMAL_DIGITS} digits.",
            field=field,
            value=str(value),
        )
    return value


def check_count(items: int, field: str, most: int = MAX_ITEMS) -> None:
    if items > most:
        raise InvalidInput(
            "G1_TOO_MANY",
            f"{field} has {items:,} items; at most {most:,} are allowed.",
            field=field,
            items=items,
            max_items=most,
        )


# -- country codes -----------------------------------------------------------------------------

_countries: dict[str, str] = {}
_alpha_3: dict[str, str] = {}


def use_country_codes(names: Mapping[str, str], alpha_3: Mapping[str, str] | None = None) -> None:
    """Install the ISO 3166-1 alpha-2 codes and their names, and each code's alpha-3
    (the Article 6 reports name Parties by alpha-3) (bootstrap, once)."""
    _countries.clear()
    _countries.update({code.upper(): name for code, name in names.items()})
    _alpha_3.clear()
    _alpha_3.update({code.upper(): three.upper() for code, three in (alpha_3 or {}).items()})


def alpha_3(code: str) -> str:
    """The ISO 3166-1 alpha-3 code of an alpha-2 code (``JP`` → ``JPN``)."""
    normalised = check_country(code)
    if normalised not in _alpha_3:
        raise RuntimeError("alpha-3 codes are not installed; call use_country_codes first")
    return _alpha_3[normalised]


def check_country(code: str, field: str = "country") -> str:
    """``code`` in upper case if it is an ISO 3166-1 alpha-2 code; refused otherwise."""
    if not _countries:
        raise RuntimeError("country codes are not installed; call use_country_codes first")
    normalised = code.strip().upper()
    if normalised not in _countries:
        raise InvalidInput(
            "G1_BAD_COUNTRY",
            f"{field} {code!r} is not an ISO 3166-1 alpha-2 country code (e.g. JP, KE, ID).",
            field=field,
            value=code,
        )
    return normalised


def country_name(code: str) -> str:
    return _countries[check_country(code)]


# -- whole commands ----------------------------------------------------------------------------


def check_idempotency_key(key: str | None) -> None:
    if key is not None:
        check_text(key, "idempotency key", IDEMPOTENCY_KEY)


def check_command(command: object, name: str = "command") -> None:
    """Check every field of a command (dataclasses, tuples, dicts, nested) against the
    bounds above, by field name. Refuses with the first field at fault."""
    _check(command, name)


_FIELDS: dict[type, tuple[str, ...]] = {}  # field names per dataclass, filled on first sight


def _check(value: object, field: str) -> None:
    """``field`` names the value: the key into the tables above and the label in messages."""
    if value is None:
        return
    names = _FIELDS.get(type(value))
    if names is not None:  # a dataclass seen before (the hot path: commands)
        for name in names:
            _check(getattr(value, name), name)
    elif isinstance(value, str):
        if not isinstance(value, Enum):
            _check_str(value, field)
    elif isinstance(value, bool | Enum | date):
        return
    elif isinstance(value, int):
        low, high = INT_FIELDS.get(field, (INT64_MIN, INT64_MAX))
        check_int(value, field, low, high)
    elif isinstance(value, Decimal):
        check_decimal(value, field)
    elif is_dataclass(value) and not isinstance(value, type):
        _FIELDS[type(value)] = tuple(item.name for item in fields(value))
        _check(value, field)
    elif isinstance(value, Mapping):
        _check_mapping(value, field)
    elif isinstance(value, list | tuple | frozenset | set):
        check_count(len(value), field, ITEM_FIELDS.get(field, MAX_ITEMS))
        _check_items(value, field)


def _check_mapping(value: Mapping[object, object], field: str) -> None:
    check_count(len(value), field)
    for key, item in value.items():
        _check(key, f"{field} key")
        _check(item, f"{field} value")


def _check_items(items: Iterable[object], field: str) -> None:
    for item in items:
        if field == "facts" and isinstance(item, tuple) and len(item) == 2:
            name, fact = item
            if name == "host_country" and isinstance(fact, str):
                check_country(fact, "fact host_country")
        _check(item, field)


def _check_str(value: str, field: str) -> None:
    limit = TEXT_FIELDS.get(field, FREE_TEXT)
    if limit is COUNTRY:
        check_text(value, field, FREE_TEXT)  # a clear message for long garbage first
        check_country(value, field)
    else:
        check_text(value, field, limit)
