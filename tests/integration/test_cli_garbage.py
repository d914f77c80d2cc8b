"""Garbage for every command of the CLI: always a coded refusal, never a traceback or a change.

The commands are enumerated from the Typer app itself, so a command added later is covered
without touching this test. Each example picks a command and one kind of garbage that no
command may accept: an unknown option, an extra argument, missing required arguments, or
every value replaced by text with control or direction characters, text longer than any
argument may be, or numbers that are no integers or do not fit 64 bits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, MetaData, create_engine, select
from typer import _click
from typer.testing import CliRunner

from jcm.domain import limits
from jcm.entrypoints.cli import cli

runner = CliRunner()
CODE = re.compile(r"^[A-Z][0-9]+_[A-Z0-9_]+$")


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    params: tuple[_click.Parameter, ...]

    @property
    def required(self) -> bool:
        return any(p.required for p in self.params)


def commands(group: _click.Command, path: tuple[str, ...] = ()) -> list[Command]:
    found = []
    for name, command in sorted(getattr(group, "commands", {}).items()):
        if getattr(command, "commands", None):
            found.extend(commands(command, (*path, name)))
        else:
            params = tuple(p for p in command.params if p.name not in ("help", "json_out"))
            found.append(Command((*path, name), params))
    return found


COMMANDS = commands(typer.main.get_command(cli))

# Text no argument may hold: a forbidden character somewhere in otherwise plausible text.
FORBIDDEN = st.sampled_from(["\x00", "\x1b", "\x07", "\u202e", "\u2066", "\ud800", "\x7f", "\n"])
BAD_TEXT = st.one_of(
    st.builds(
        lambda head, bad, tail: head + bad + tail,
        st.text(max_size=20),
        FORBIDDEN,
        st.text(max_size=20),
    ),
    st.just("x" * (limits.MAX_ARGUMENT_LENGTH + 1)),
)
BAD_NUMBER = st.sampled_from(
    ["1e309", "nan", "²", "", "0x10", str(2**63), str(-(2**63) - 1), "9" * 40, "1.5"]
)


def is_flag(param: _click.Parameter) -> bool:
    return bool(getattr(param, "is_flag", False))


def is_number(param: _click.Parameter) -> bool:
    descriptor = getattr(param, "type_descriptor", None)
    annotation = str(getattr(descriptor, "annotation", ""))
    return "int" in annotation and "str" not in annotation


def is_argument(param: _click.Parameter) -> bool:
    return param.param_type_name == "argument"


def option_name(param: _click.Parameter) -> str:
    return max(param.opts, key=len)


@st.composite
def garbage(draw: st.DrawFn) -> tuple[Command, list[str], str]:
    command = draw(st.sampled_from(COMMANDS))
    kinds = ["unknown option", "extra argument"]
    if command.required:
        kinds.append("missing arguments")
    if any(not is_flag(p) for p in command.params):
        kinds.append("bad values")
    kind = draw(st.sampled_from(kinds))
    args: list[str] = []
    if kind == "unknown option":
        args = [f"--zz-{draw(st.from_regex(r'[a-z]{1,8}', fullmatch=True))}", "1"]
    elif kind == "extra argument":
        args = [*valid_enough(command), "--", "surplus", "arguments"]
    elif kind == "bad values":
        args = bad_values(draw, command)
    return command, args, kind


def valid_enough(command: Command) -> list[str]:
    """Syntactically complete arguments (the surplus ones must still be refused)."""
    args: list[str] = []
    for param in command.params:
        if not param.required:
            continue
        value = "1" if is_number(param) else "JP"
        args += [value] if is_argument(param) else [option_name(param), value]
    return args


def bad_values(draw: st.DrawFn, command: Command) -> list[str]:
    positional: list[str] = []
    options: list[str] = []
    for param in command.params:
        if is_flag(param):
            if draw(st.booleans()):
                options.append(option_name(param))
            continue
        value = draw(BAD_NUMBER if is_number(param) else BAD_TEXT)
        if is_argument(param):
            positional.append(value)
        else:
            options += [option_name(param), value]
    return [*options, "--", *positional] if positional else options


@dataclass(frozen=True)
class Populated:
    root: list[str]
    data_dir: Path
    engine: Engine
    tables: MetaData


def dump(db: Populated) -> dict[str, Any]:
    """Every row of every table, and the files of the data directory."""
    with db.engine.connect() as conn:
        rows = {
            name: sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            for name, table in db.tables.tables.items()
        }
    data_dir = db.data_dir
    files = sorted(
        str(p.relative_to(data_dir))
        for p in data_dir.rglob("*")
        if p.is_file() and not p.name.endswith(("-wal", "-shm", ".sqlite3"))
    )
    return {"tables": rows, "files": files}


def test_every_command_is_enumerated_from_the_app() -> None:
    paths = {" ".join(c.path) for c in COMMANDS}
    assert {"registry create", "batch", "log verify-proof", "monitoring submit"} <= paths
    assert len(COMMANDS) >= 50


@pytest.fixture
def populated(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Populated]:
    # Commands that write where they are told (broker-config DIR, fleet create --out) write
    # relative paths under the test's own directory, never the checkout's.
    monkeypatch.chdir(tmp_path)
    data_dir = tmp_path / "data"
    root = ["--data-dir", str(data_dir), "--database-url", database_url]
    for args in (["registry", "create", "JP"], ["registry", "create", "KE"]):
        assert runner.invoke(cli, [*root, *args]).exit_code == 0
    assert runner.invoke(cli, [*root, "org", "create", "Solar [/] Ltd", "-r", "KE"]).exit_code == 0
    engine = create_engine(database_url)
    tables = MetaData()
    tables.reflect(engine)
    yield Populated(root, data_dir, engine, tables)
    engine.dispose()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=garbage())
def test_garbage_for_any_command_is_a_coded_refusal_that_changes_nothing(
    populated: Populated, case: tuple[Command, list[str], str]
) -> None:
    command, args, kind = case
    before = dump(populated)

    result = runner.invoke(cli, [*populated.root, "--json", *command.path, *args])

    shown = f"{' '.join(command.path)} ({kind}): {result.output[:500]!r}"
    assert result.exit_code not in (0, 70), shown
    assert isinstance(result.exception, SystemExit), (shown, result.exception)
    assert "Traceback" not in result.output, shown
    error = json.loads(result.stdout)["error"]
    assert CODE.match(error["code"]), shown
    assert dump(populated) == before, shown


# Printable values that pass the argument guard and reach the commands themselves: markup,
# over-long text for every field, numbers at the edges of 64 bits, paths to devices.
PRINTABLE = st.sampled_from(
    [
        "[/]",
        "[link=https://evil.example]x[/link]",
        "x" * 5000,
        "ZZ",
        "KE001",
        "ZZ001",
        "JP-GOV-0001",
        "JP-KE-JCM-KE001-2023-1-1-99999999999999999",
        "a=b:c",
        "pdd=/dev/zero",
        "KE:1-99999999999:validation",
        "2023-01-01..2022-01-01",
        "/dev/zero",
        "/etc/passwd",
        "",
        "ké²",
    ]
)
EDGE_NUMBER = st.sampled_from(["0", "-1", str(2**63 - 1), str(-(2**63)), "99999"])
# Slow, or never ending: the webhook delivery worker and the MQTT subscriber run until
# stopped (the worker's --once round is a flag, which this test leaves out; the subscriber
# retries an unreachable broker with backoff, by design).
SLOW = {
    ("demo",),
    ("log", "verify"),
    ("webhook", "deliver"),
    ("serve",),
    ("mrv", "subscribe"),
}


@st.composite
def printable_garbage(draw: st.DrawFn) -> tuple[Command, list[str]]:
    command = draw(st.sampled_from([c for c in COMMANDS if c.path not in SLOW]))
    positional: list[str] = []
    options: list[str] = []
    for param in command.params:
        if is_flag(param) or (not param.required and draw(st.booleans())):
            continue
        value = draw(EDGE_NUMBER if is_number(param) else PRINTABLE)
        if is_argument(param):
            positional.append(value)
        else:
            options += [option_name(param), value]
    return command, [*options, "--", *positional] if positional else options


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=printable_garbage())
def test_printable_garbage_reaching_any_command_never_crashes_it(
    populated: Populated, case: tuple[Command, list[str]]
) -> None:
    command, args = case
    result = runner.invoke(cli, [*populated.root, "--json", *command.path, *args])

    shown = f"{' '.join(command.path)} {[a[:40] for a in args]}: {result.output[-500:]!r}"
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in result.output, shown
    if result.exit_code != 0:  # a coded refusal, or a verdict (audit, verify-proof …) of "no"
        payload = json.loads(result.stdout)
        if "error" in payload:
            assert CODE.match(payload["error"]["code"]), shown
        else:
            assert payload["ok"] is False, shown
