"""One error tree, one catalogue: every code is catalogued, documented and raised as listed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from jcm.domain import errors
from jcm.domain.codes import BY_CODE, CATALOGUE, FAMILIES, catalogue_markdown

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "jcm"
CODE = re.compile(r"[GUIATLMPSKHWDR]\d+_[A-Z0-9_]+")
ERROR_CLASSES = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, errors.JcmError)
}
# Which classes a family's codes may be raised with: a family is an area, and within it
# a code is malformed input, something missing, a broken rule, or damaged data.
GENERIC = {"InvalidInput", "NotFound", "DataCorruption"}
FAMILY_CLASSES = {
    "G": GENERIC | {"AccountRuleViolation", "IdempotencyConflict", "ConcurrencyConflict"},
    "U": GENERIC | {"UnitRuleViolation"},
    "I": GENERIC | {"IssuanceRuleViolation"},
    "A": GENERIC | {"AccountRuleViolation"},
    "T": GENERIC | {"Article6RuleViolation"},
    "L": GENERIC,
    "M": GENERIC | {"RuleViolation"},
    "S": GENERIC,
    "P": GENERIC | {"RuleViolation", "IssuanceRuleViolation"},
    "K": GENERIC | {"Unauthenticated", "Forbidden", "RateLimited", "RuleViolation"},
    "H": GENERIC | {"RuleViolation", "BadQuery"},
    "W": GENERIC | {"RuleViolation"},
    "D": GENERIC | {"RuleViolation", "Forbidden", "ConcurrencyConflict"},
    "R": GENERIC | {"RuleViolation", "Forbidden", "ConcurrencyConflict", "DataCorruption"},
}


def raise_sites() -> list[tuple[str, str, str]]:
    """(code, class name, where) for every error built with a literal code in src/."""
    found = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            first = node.args[0]
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if name in ERROR_CLASSES and CODE.fullmatch(first.value):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append((first.value, name, where))
    return found


def codes_in_source() -> set[str]:
    used: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if path.name != "codes.py":
            used |= set(re.findall(r'"([GUIATLMPSKHWDR]\d+_[A-Z0-9_]+)"', path.read_text("utf-8")))
    return used


def test_every_code_in_the_source_is_catalogued_and_every_catalogued_code_is_used() -> None:
    catalogued = set(BY_CODE)

    assert len(catalogued) == len(CATALOGUE), "a code is catalogued twice"
    assert codes_in_source() - catalogued == set()
    assert catalogued - codes_in_source() == set()


def test_every_raise_site_uses_the_class_the_catalogue_gives_its_code() -> None:
    sites = raise_sites()
    wrong = [
        f"{where}: {code} raised as {name}, catalogued as {BY_CODE[code].raised_as.__name__}"
        for code, name, where in sites
        if code in BY_CODE and BY_CODE[code].raised_as.__name__ != name
    ]

    assert len(sites) > 100
    assert wrong == []


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.code)
def test_each_code_is_raised_with_a_class_of_its_family(entry: object) -> None:
    assert entry.family in FAMILIES  # type: ignore[attr-defined]
    assert entry.raised_as.__name__ in FAMILY_CLASSES[entry.family]  # type: ignore[attr-defined]


def test_the_check_catalogue_page_carries_the_generated_catalogue() -> None:
    page = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")

    assert catalogue_markdown() in page


def test_data_corruption_is_not_a_refusal_and_maps_to_a_server_error() -> None:
    assert not issubclass(errors.DataCorruption, errors.Refusal)
    assert errors.DataCorruption.http_status == 500
    refusals = [c for c in ERROR_CLASSES.values() if issubclass(c, errors.Refusal)]
    assert all(400 <= c.http_status < 500 or c.http_status == 503 for c in refusals)


def test_no_refusal_message_names_a_cli_command() -> None:
    offenders = []
    for area in ("domain", "service_layer"):
        for path in (SOURCE / area).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Constant):
                    continue
                text = node.value
                if isinstance(text, str) and re.search(r"`jcm |(?<![\w-])--[a-z]", text):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:60]}")
    assert offenders == []
