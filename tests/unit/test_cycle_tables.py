"""The transition tables are well formed, and docs/project-cycle.md shows exactly them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from jcm.domain.cycle import (
    GUARD_TEXT,
    METHODOLOGY_TRANSITIONS,
    MONITORING_TRANSITIONS,
    PROJECT_TRANSITIONS,
    Guard,
    MethodologyState,
    MonitoringState,
    ProjectState,
    Role,
    Transition,
    render_markdown,
)

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "project-cycle.md"
CYCLE_SOURCES = [
    *sorted((ROOT / "src" / "jcm" / "domain" / "cycle").glob("*.py")),
    ROOT / "src" / "jcm" / "adapters" / "document_store.py",
    *sorted((ROOT / "src" / "jcm" / "service_layer" / "cycle").glob("*.py")),
    *sorted((ROOT / "src" / "jcm" / "entrypoints" / "cli").glob("*.py")),
]
TABLES: list[tuple[str, Sequence[Transition[Any, Any]], type[StrEnum]]] = [
    ("project", PROJECT_TRANSITIONS, ProjectState),
    ("monitoring", MONITORING_TRANSITIONS, MonitoringState),
    ("methodology", METHODOLOGY_TRANSITIONS, MethodologyState),
]
TERMINAL = {
    ProjectState.PIN_OBJECTED,
    ProjectState.REJECTED,
    ProjectState.REGISTRATION_WITHDRAWN,
    ProjectState.WITHDRAWN,
    MonitoringState.NOT_VERIFIED,
    MonitoringState.REJECTED,
    MonitoringState.WITHDRAWN,
    MonitoringState.ISSUED,
    MethodologyState.REJECTED,
    MethodologyState.SUPERSEDED,
}


def ids(table: tuple[str, object, object]) -> str:
    return table[0]


@pytest.mark.parametrize("table", TABLES, ids=ids)
def test_the_published_page_shows_the_table_of_the_code(
    table: tuple[str, Sequence[Transition[Any, Any]], type[StrEnum]],
) -> None:
    assert render_markdown(table[1]) in DOC.read_text(encoding="utf-8")


def test_the_published_page_explains_every_guard() -> None:
    text = DOC.read_text(encoding="utf-8")

    for guard in Guard:
        assert f"| `{guard.value}` | {GUARD_TEXT[guard]} |" in text


def test_every_project_cycle_code_in_the_source_is_documented_and_vice_versa() -> None:
    used: set[str] = set()
    for path in CYCLE_SOURCES:
        used |= set(re.findall(r'"(P\d_[A-Z_]+)"', path.read_text(encoding="utf-8")))
    documented = set(re.findall(r"`(P\d_[A-Z_]+)`", DOC.read_text(encoding="utf-8")))

    assert len(used) > 30
    assert used == documented


@pytest.mark.parametrize("table", TABLES, ids=ids)
def test_each_state_and_action_pair_has_one_row(
    table: tuple[str, Sequence[Transition[Any, Any]], type[StrEnum]],
) -> None:
    pairs = [(row.source, row.action) for row in table[1]]

    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("table", TABLES, ids=ids)
def test_every_state_is_reachable_and_only_terminal_states_are_dead_ends(
    table: tuple[str, Sequence[Transition[Any, Any]], type[StrEnum]],
) -> None:
    _, rows, states = table
    reached = {row.target for row in rows if row.source is None}
    frontier = set(reached)
    while frontier:
        frontier = {
            target
            for row in rows
            if row.source in frontier
            for target in (row.target, row.completes_to)
            if target is not None and target not in reached
        }
        reached |= frontier
    with_exits = {row.source for row in rows}

    assert reached == set(states)
    assert {s for s in states if s not in with_exits} == {s for s in states if s in TERMINAL}


@pytest.mark.parametrize("table", TABLES, ids=ids)
def test_every_row_names_its_roles_and_a_tagged_basis(
    table: tuple[str, Sequence[Transition[Any, Any]], type[StrEnum]],
) -> None:
    for row in table[1]:
        assert row.roles
        assert re.match(r"^\[[CI]", row.basis), row
        if row.tpe_function is not None or row.engaged_tpe:
            assert Role.TPE in row.roles, row
