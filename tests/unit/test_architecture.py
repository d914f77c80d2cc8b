"""The layers' import rules, checked statically on the source.

* ``jcm.domain`` imports only the standard library and ``jcm.domain`` itself;
* ``jcm.service_layer`` imports nothing from adapters, entrypoints, bootstrap, SQLAlchemy,
  Typer or Rich;
* ``jcm.adapters`` imports nothing from entrypoints or bootstrap;
* ``jcm.entrypoints`` imports no adapter (one exception, named below, until it moves);
* ``jcm.fleet`` (the PV fleet simulator, a client standing for devices in the field) imports
  from jcm only ``jcm.domain`` and ``jcm.adapters.mrv.signatures``.

Every import statement counts, wherever it is: at module level, inside functions and under
``if TYPE_CHECKING:``, absolute or relative, and ``importlib.import_module``/``__import__``
calls with a literal name. The source is parsed with :mod:`ast`, never imported.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
JCM = SRC / "jcm"

DOMAIN_MODULES = {
    "accounts",
    "allocation",
    "article6",
    "blocks",
    "commands",
    "errors",
    "issuance",
    "serials",
    "transactions",
}


@dataclass(frozen=True)
class ImportedName:
    name: str  # fully qualified, e.g. "sqlalchemy.orm" or "jcm.domain.errors.InvalidInput"
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(source: str, module: str, *, is_package: bool) -> Iterator[ImportedName]:
    """Every name ``source`` (the text of ``module``) imports, found anywhere in its tree."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield ImportedName(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: -(node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                # "from jcm import adapters" imports jcm.adapters: qualify every name.
                yield ImportedName(
                    base if alias.name == "*" else f"{base}.{alias.name}", node.lineno
                )
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if (
                called in ("import_module", "__import__")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield ImportedName(first.value, node.lineno)


def is_within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def is_stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names


def only_stdlib_and_domain(name: str) -> bool:
    return is_stdlib(name) or is_within(name, "jcm.domain")


def none_of(*prefixes: str) -> Callable[[str], bool]:
    def allowed(name: str) -> bool:
        return not any(is_within(name, prefix) for prefix in prefixes)

    return allowed


def only_stdlib_domain_and_service_layer(name: str) -> bool:
    """The service layer: the standard library, the domain and itself; no third party."""
    return only_stdlib_and_domain(name) or is_within(name, "jcm.service_layer")


SERVICE_LAYER_RULE = only_stdlib_domain_and_service_layer
ADAPTERS_RULE = none_of("jcm.entrypoints", "jcm.bootstrap")
# The monitoring-sheet reader moves behind a service in the inputs engineer's work (issue 8,
# items 8 and 19); until it lands it is the one adapter an entry point may import.
ENTRYPOINT_ADAPTER_EXCEPTIONS = ("jcm.adapters.monitoring_sheet",)


def entrypoints_rule(name: str) -> bool:
    """Entry points call services (wired by ``jcm.bootstrap``), never adapters directly."""
    if any(is_within(name, allowed) for allowed in ENTRYPOINT_ADAPTER_EXCEPTIONS):
        return True
    return not is_within(name, "jcm.adapters")


def fleet_rule(name: str) -> bool:
    """The simulator is a client: of jcm, only the domain and the batch signatures."""
    if not is_within(name, "jcm"):
        return True
    return (
        is_within(name, "jcm.domain")
        or is_within(name, "jcm.adapters.mrv.signatures")
        or (is_within(name, "jcm.fleet"))
    )


def python_files(package: str) -> list[Path]:
    return sorted((JCM / package).rglob("*.py"))


def violations(package: str, allowed: Callable[[str], bool]) -> list[str]:
    found: list[str] = []
    for path in python_files(package):
        names = imported_names(
            path.read_text(encoding="utf-8"),
            module_name(path),
            is_package=path.name == "__init__.py",
        )
        found.extend(
            f"{path.relative_to(SRC)}:{imp.line} imports {imp.name}"
            for imp in names
            if not allowed(imp.name)
        )
    return found


# -- the rules on the real source -----------------------------------------------------------


def test_every_domain_module_is_inspected() -> None:
    inspected = {path.stem for path in python_files("domain")}

    assert inspected >= DOMAIN_MODULES | {"__init__"}


@pytest.mark.parametrize("package", ["service_layer", "adapters", "entrypoints"])
def test_each_checked_layer_has_modules_to_inspect(package: str) -> None:
    assert len(python_files(package)) >= 2


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    assert violations("domain", only_stdlib_and_domain) == []


def test_the_service_layer_imports_only_the_standard_library_the_domain_and_itself() -> None:
    assert violations("service_layer", SERVICE_LAYER_RULE) == []


def test_the_adapters_import_no_entrypoint_or_bootstrap() -> None:
    assert violations("adapters", ADAPTERS_RULE) == []


def test_the_entry_points_import_no_adapter() -> None:
    assert violations("entrypoints", entrypoints_rule) == []


def test_the_fleet_simulator_imports_only_the_domain_and_batch_signatures_of_jcm() -> None:
    assert len(python_files("fleet")) >= 2
    assert violations("fleet", fleet_rule) == []


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("jcm.domain.mrv.batches.format_timestamp", True),
        ("jcm.adapters.mrv.signatures.sign_batch", True),
        ("jcm.fleet.solar", True),
        ("numpy", True),
        ("jcm.adapters.mrv.reading_store", False),
        ("jcm.adapters.canonical", False),
        ("jcm.service_layer.mrv.service", False),
        ("jcm.entrypoints.cli", False),
        ("jcm.bootstrap", False),
    ],
)
def test_the_fleet_rule_names_exactly_what_the_simulator_may_use(name: str, allowed: bool) -> None:
    assert fleet_rule(name) is allowed


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("jcm.adapters", False),
        ("jcm.adapters.document_store.DocumentStore", False),
        ("jcm.adapters.signing.NoteVerifier", False),
        ("jcm.adapters.monitoring_sheet.read_monitoring_sheet", True),
        ("jcm.service_layer.documents.service.DocumentService", True),
        ("jcm.bootstrap.App", True),
        ("jcm.adaptersx", True),
    ],
)
def test_the_entrypoints_rule_names_exactly_the_forbidden_packages(
    name: str, allowed: bool
) -> None:
    assert entrypoints_rule(name) is allowed


# -- the checker itself finds what it must --------------------------------------------------

SNEAKY_DOMAIN_MODULE = """
from __future__ import annotations
import re
from typing import TYPE_CHECKING
from jcm.domain.errors import InvalidInput
from . import serials

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from jcm.service_layer.ports import Ledger

def load():
    import typer
    from ...adapters import schema
    from jcm import bootstrap
    import importlib
    importlib.import_module("rich.console")
    return __import__("jcm.entrypoints.cli")
"""


def test_the_checker_finds_imports_anywhere_including_type_checking_blocks() -> None:
    names = {
        imp.name
        for imp in imported_names(
            SNEAKY_DOMAIN_MODULE, "jcm.domain.registry.blocks", is_package=False
        )
    }

    assert names == {
        "__future__.annotations",
        "re",
        "typing.TYPE_CHECKING",
        "jcm.domain.errors.InvalidInput",
        "jcm.domain.registry.serials",
        "sqlalchemy.Connection",
        "jcm.service_layer.ports.Ledger",
        "typer",
        "jcm.adapters.schema",
        "jcm.bootstrap",
        "importlib",
        "rich.console",
        "jcm.entrypoints.cli",
    }


def test_the_domain_rule_refuses_everything_but_the_standard_library_and_the_domain() -> None:
    refused = sorted(
        imp.name
        for imp in imported_names(
            SNEAKY_DOMAIN_MODULE, "jcm.domain.registry.blocks", is_package=False
        )
        if not only_stdlib_and_domain(imp.name)
    )

    assert refused == [
        "jcm.adapters.schema",
        "jcm.bootstrap",
        "jcm.entrypoints.cli",
        "jcm.service_layer.ports.Ledger",
        "rich.console",
        "sqlalchemy.Connection",
        "typer",
    ]
    assert not only_stdlib_and_domain("pycountry")
    assert not only_stdlib_and_domain("jcm.domainx")


def test_relative_imports_resolve_against_the_importing_package() -> None:
    source = "from . import working_set\nfrom .. import adapters\nfrom ..adapters.schema import t\n"

    from_module = {
        i.name for i in imported_names(source, "jcm.service_layer.handlers", is_package=False)
    }
    from_package = {i.name for i in imported_names(source, "jcm.service_layer", is_package=True)}

    assert from_module == {
        "jcm.service_layer.working_set",
        "jcm.adapters",
        "jcm.adapters.schema.t",
    }
    assert from_package == from_module


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("jcm.domain.registry.blocks", True),
        ("jcm.service_layer.ports", True),
        ("pycountry", False),
        ("jcm.adapters", False),
        ("jcm.adapters.sql_ledger.SqlLedger", False),
        ("jcm.entrypoints.cli", False),
        ("jcm.bootstrap.App", False),
        ("sqlalchemy", False),
        ("sqlalchemy.orm", False),
        ("typer", False),
        ("rich.table.Table", False),
        ("richer", False),
        ("json", True),
        ("collections.abc.Callable", True),
    ],
)
def test_the_service_layer_rule_allows_only_the_standard_library_domain_and_itself(
    name: str, allowed: bool
) -> None:
    assert SERVICE_LAYER_RULE(name) is allowed


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("sqlalchemy", True),
        ("jcm.service_layer.ports.Ledger", True),
        ("jcm.entrypoints", False),
        ("jcm.bootstrap", False),
    ],
)
def test_the_adapters_rule_names_exactly_the_forbidden_packages(name: str, allowed: bool) -> None:
    assert ADAPTERS_RULE(name) is allowed
