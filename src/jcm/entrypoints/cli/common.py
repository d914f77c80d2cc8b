"""What every command shares: the root app, global options, state and output."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from jcm.bootstrap import Acting, App, Settings, bootstrap, write_output
from jcm.domain import limits
from jcm.domain.errors import InvalidInput, JcmError
from jcm.entrypoints.cli.guard import EXIT_CORRUPT as EXIT_CORRUPT
from jcm.entrypoints.cli.guard import EXIT_INTERNAL as EXIT_INTERNAL
from jcm.entrypoints.cli.guard import EXIT_REFUSED as EXIT_REFUSED
from jcm.entrypoints.cli.guard import GuardedGroup, json_text, report_refusal
from jcm.entrypoints.cli.guard import shown as shown
from jcm.entrypoints.console import HoldersRegistry, StepByStepCycle, on_behalf_of
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.registry.results import TransactionResult
from jcm.service_layer.registry.service import RegistryService
from jcm.service_layer.results import ChangeResult, to_json

T = TypeVar("T")

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
    cls=GuardedGroup,  # argument errors honour --json; every argument is bounded
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
    database_url: str | None = field(default=None, repr=False)  # may carry a password
    key_dir: Path | None = None
    json: bool = False
    _app: App | None = field(default=None, repr=False)

    def app(self) -> App:
        if self._app is None:
            self._app = bootstrap(Settings.from_env(self.data_dir, self.database_url, self.key_dir))
        return self._app


state = State()


# -- whom the console's steps are logged as taken for (jcm.entrypoints.console) ---------------


def as_operator() -> Acting:
    """The operator's own set-up acts: logged ``{"via": "operator"}``."""
    return on_behalf_of(state.app(), None)


def console_registry() -> RegistryService:
    """Moves on behalf of the source account's holder (looked up); other changes as the
    operator's own."""
    return HoldersRegistry(state.app())


def console_cycle() -> CycleService:
    """Cycle steps on behalf of the organisation each names (``--as``)."""
    return StepByStepCycle(state.app())


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
            help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (default: SQLite in "
            "the data directory). Keep the password off the command line: put it in a private "
            "file named by JCM_DATABASE_PASSWORD_FILE, or in JCM_DATABASE_PASSWORD.",
        ),
    ] = None,
    key_dir: Annotated[
        Path | None,
        typer.Option(
            "--key-dir",
            envvar="JCM_KEY_DIR",
            help="Where the log's signing key lives (default: the data directory's keys/).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    if state._app is not None:  # a previous invocation in the same process (tests)
        state._app.close()
    state.data_dir = data_dir
    state.database_url = database_url
    state.key_dir = key_dir
    state.json = json_out
    state._app = None


# -- output ----------------------------------------------------------------------------------


def print_json(value: object) -> None:
    """Print a result (a typed result, a list of them, or plain data) in its JSON form."""
    sys.stdout.write(json_text(_plain(value)) + "\n")


def _plain(value: object) -> object:
    """Typed results in their JSON form, wherever they sit in ``value``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def emit(result: T, json_out: bool, render: Callable[[T], None]) -> None:
    """Show a result. It may be committed already: rendering must not fail, so every string
    in it is escaped (data, never markup) and a renderer that breaks falls back to JSON."""
    if json_out or state.json:
        print_json(result)
        return
    try:
        render(shown(result))
    except Exception:
        if os.environ.get("JCM_DEBUG"):
            raise
        print_json(result)


@contextmanager
def refusals(json_out: bool) -> Iterator[None]:
    try:
        yield
    except JcmError as error:
        raise typer.Exit(report_refusal(error, json_out or state.json)) from None
    except typer.Exit:
        raise
    except Exception as error:
        if os.environ.get("JCM_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error[/]: {shown(f'{type(error).__name__}: {error}')}. "
            "Nothing was changed. Set JCM_DEBUG=1 to see the traceback and please report it.",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


@contextmanager
def settled_uploads() -> Iterator[None]:
    """Files a step staged reach the document store only if the step returned."""
    try:
        yield
    except BaseException:
        if state._app is not None:
            state._app.documents.settle(committed=False)
        raise
    if state._app is not None:
        state._app.documents.settle(committed=True)


def run(json_out: bool, action: Callable[[], T], render: Callable[[T], None]) -> None:
    with refusals(json_out), settled_uploads():
        result = action()
    emit(result, json_out, render)


def print_table(title: str, rows: Sequence[object], columns: Sequence[str]) -> None:
    """A table of ``columns`` read from each row's attributes (or keys, for plain rows)."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        numeric = column in _COUNTS or column in ("id", "transaction", "decision", "vintage")
        table.add_column(
            column.replace("_", " "),
            justify="right" if numeric else "left",
            no_wrap=column in ("serials", "account"),
        )
    for row in rows:
        table.add_row(*(cell(_field(row, col), count=col in _COUNTS) for col in columns))
    out.print(table)


def _field(row: object, name: str) -> object:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def cell(value: object, *, count: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int) and count:
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return "\n".join(cell(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json.dumps(to_json(value), ensure_ascii=False)
    return str(value)


def print_summary(result: ChangeResult | Mapping[str, Any]) -> None:
    """One line for a change (its transaction and serials), or its fields one per line."""
    replayed = result.get("replayed") if isinstance(result, Mapping) else result.replayed
    replay = " (replayed: nothing changed)" if replayed else ""
    if isinstance(result, TransactionResult):
        out.print(
            f"[green]✓[/] {result.kind} {result.transaction}: {result.quantity:,} units{replay}"
        )
        for serial in result.serials:
            out.print(f"  {serial}")
        return
    out.print(f"[green]✓[/] done{replay}")
    if isinstance(result, Mapping):
        fields = [(k, v) for k, v in result.items() if k != "replayed"]
    else:
        fields = [(f.name, getattr(result, f.name)) for f in dataclasses.fields(result)]
    for key, value in fields:
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


def write_or_print(value: object, output: Path | None) -> None:
    text = json_text(_plain(value)) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        with refusals(True):
            write_file(output, text.encode("utf-8"))
        err.print(f"[green]✓[/] written to {shown(str(output))}")


def upload_limit() -> int:
    """The largest file a command reads: JCM_MAX_UPLOAD_BYTES, or the domain's default."""
    configured = os.environ.get("JCM_MAX_UPLOAD_BYTES", "").strip()
    if configured.isascii() and configured.isdigit() and 0 < len(configured) < 19:
        return int(configured)
    return limits.MAX_UPLOAD_BYTES


def read_file(path: Path, what: str, code: str, max_bytes: int | None = None) -> bytes:
    """A regular file's bytes, at most ``max_bytes`` (default: the upload limit).

    Opened without blocking (a FIFO would wait for a writer forever) and checked to be a
    regular file before reading (``/dev/zero`` never ends). ``code`` refuses a missing or
    unreadable file with the caller's code."""
    limit = upload_limit() if max_bytes is None else max_bytes
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        raise InvalidInput(
            code,
            f"{what} {str(path)!r} cannot be read: {getattr(error, 'strerror', None) or error}.",
            path=str(path),
        ) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise InvalidInput(
            "G1_NOT_A_FILE", f"{what} {str(path)!r} is not a regular file.", path=str(path)
        )
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise InvalidInput(
                code, f"{what} {str(path)!r} cannot be read: {error.strerror}.", path=str(path)
            ) from None
    if len(data) > limit:
        raise InvalidInput(
            "G1_FILE_TOO_LARGE",
            f"{what} {str(path)!r} is larger than {limit:,} bytes.",
            path=str(path),
            max_bytes=limit,
        )
    return data


def write_file(path: Path, data: bytes) -> None:
    """Write an output the user named; a missing directory or a full disk is a refusal.

    A regular file (or a new one) is replaced atomically; a device or a pipe (``/dev/stdout``)
    is written in place: renaming over it would replace the device node itself."""
    try:
        special = path.exists() and not path.is_file()
        if special:
            with open(path, "wb") as handle:
                handle.write(data)
        else:
            write_output(path, data)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        raise InvalidInput(
            "G1_CANNOT_WRITE",
            f"Cannot write {str(path)!r}: {getattr(error, 'strerror', None) or error}.",
            path=str(path),
        ) from None


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


VersionOpt = Annotated[
    str | None, typer.Option("--version", help="Methodology version (default: latest).")
]
FactOpt = Annotated[
    list[str], typer.Option("--fact", help="Project fact NAME=VALUE (repeat), e.g. grid=jamali.")
]
