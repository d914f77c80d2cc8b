"""What every command shares: the root app, global options, state and output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.errors import DataCorruption, InvalidInput, JcmError
from jcm.entrypoints.cli.hints import hint_for

EXIT_REFUSED = 1
EXIT_CORRUPT = 3  # stored data failed its own check: not the caller's fault
EXIT_INTERNAL = 70

# Rich assumes 80 columns when output is not a terminal; registry tables need more.
_WIDTH = None if sys.stdout.isatty() else 200
out = Console(highlight=False, width=_WIDTH)
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 200)
_COUNTS = {"quantity", "blocks", "amount"}

cli = typer.Typer(
    name="jcm",
    help="Registry and MRV platform for Japan's Joint Crediting Mechanism (JCM).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        help="Repeat-safe key: running the command again with it returns the first result "
        "and changes nothing.",
    ),
]
QuantityOpt = Annotated[
    int | None, typer.Option("--quantity", "-q", help="Units to take, lowest serials first.")
]
SerialsOpt = Annotated[
    str | None, typer.Option("--serials", "-s", help="An explicit serial range to take.")
]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A free-text note.")]


@dataclass
class State:
    data_dir: Path | None = None
    database_url: str | None = None
    json: bool = False
    _app: App | None = field(default=None, repr=False)

    def app(self) -> App:
        if self._app is None:
            self._app = bootstrap(Settings.from_env(self.data_dir, self.database_url))
        return self._app


state = State()


@cli.callback()
def _main(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="JCM_DATA_DIR",
            help="Where the embedded database and files live (default ./jcm-data).",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="JCM_DATABASE_URL",
            help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db "
            "(default: SQLite in the data directory).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    if state._app is not None:  # a previous invocation in the same process (tests)
        state._app.close()
    state.data_dir = data_dir
    state.database_url = database_url
    state.json = json_out
    state._app = None


# -- output ----------------------------------------------------------------------------------


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def emit(result: Any, json_out: bool, render: Callable[[Any], None]) -> None:
    if json_out or state.json:
        print_json(result)
    else:
        render(result)


@contextmanager
def refusals(json_out: bool) -> Iterator[None]:
    try:
        yield
    except JcmError as error:
        hint = hint_for(error.code, error.details)
        if json_out or state.json:
            print_json({"error": error.to_dict() | ({"hint": hint} if hint else {})})
        else:
            err.print(f"[bold red]error[{error.code}][/]: {error.message}", soft_wrap=True)
            if hint:
                err.print(f"hint: {hint}", soft_wrap=True, markup=False)
        corrupt = isinstance(error, DataCorruption)
        raise typer.Exit(EXIT_CORRUPT if corrupt else EXIT_REFUSED) from None
    except typer.Exit:
        raise
    except Exception as error:
        if os.environ.get("JCM_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error[/]: {type(error).__name__}: {error}. Nothing was "
            "changed. Set JCM_DEBUG=1 to see the traceback and please report it.",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def run(json_out: bool, action: Callable[[], Any], render: Callable[[Any], None]) -> None:
    with refusals(json_out):
        result = action()
    emit(result, json_out, render)


def print_table(title: str, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        numeric = column in _COUNTS or column in ("id", "transaction", "decision", "vintage")
        table.add_column(
            column.replace("_", " "),
            justify="right" if numeric else "left",
            no_wrap=column in ("serials", "account"),
        )
    for row in rows:
        table.add_row(*(cell(row.get(col), count=col in _COUNTS) for col in columns))
    out.print(table)


def cell(value: Any, *, count: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and count:
        return f"{value:,}"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def print_summary(result: dict[str, Any]) -> None:
    replay = " (replayed: nothing changed)" if result.get("replayed") else ""
    if "transaction" in result:
        out.print(
            f"[green]✓[/] {result['kind']} {result['transaction']}: "
            f"{result['quantity']:,} units{replay}"
        )
        for serial in result.get("serials", []):
            out.print(f"  {serial}")
    else:
        out.print(f"[green]✓[/] done{replay}")
        for key, value in result.items():
            if key != "replayed":
                out.print(f"  {key}: {cell(value)}")


def parse_date_option(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "G1_BAD_DATE", f"{option} {text!r} is not a date; use YYYY-MM-DD.", value=text
        ) from None


def day_start(text: str, option: str) -> datetime:
    day = parse_date_option(text, option)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def write_or_print(value: Any, output: Path | None) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"[green]✓[/] written to {output}")


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


VersionOpt = Annotated[
    str | None, typer.Option("--version", help="Methodology version (default: latest).")
]
FactOpt = Annotated[
    list[str], typer.Option("--fact", help="Project fact NAME=VALUE (repeat), e.g. grid=jamali.")
]
