"""The `jcm` command line: every registry use case, human tables or `--json`.

Refusals print one line (`error[CODE]: message`) on standard error and exit with status 1;
`--json` prints them as an object on standard output instead. Unexpected failures print a
one-line summary and exit 70 (set JCM_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import csv
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
from jcm.domain.errors import InvalidInput, JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import (
    parse_account_status,
    parse_account_type,
    parse_organisation_kind,
)
from jcm.domain.registry.allocation import parse_share
from jcm.domain.registry.article6 import FirstTransferTrigger, parse_trigger, parse_uses
from jcm.domain.registry.transactions import TransactionKind, parse_purpose

EXIT_REFUSED = 1
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
registry_cli = typer.Typer(help="Registries: one per side (JP and each partner).")
org_cli = typer.Typer(help="Organisations that hold accounts.")
account_cli = typer.Typer(help="Accounts: government/entity holding, cancellation, retirement.")
decision_cli = typer.Typer(help="Joint Committee issuance decisions.")
tx_cli = typer.Typer(help="Transactions.")
a6_cli = typer.Typer(help="Article 6.2: authorisation and corresponding adjustments.")
cli.add_typer(registry_cli, name="registry")
cli.add_typer(org_cli, name="org")
cli.add_typer(account_cli, name="account")
cli.add_typer(decision_cli, name="decision")
cli.add_typer(tx_cli, name="tx")
cli.add_typer(a6_cli, name="a6")
log_cli = typer.Typer(help="The tamper-evident transparency log: checkpoints, proofs, verify.")
cli.add_typer(log_cli, name="log")
methodology_cli = typer.Typer(help="JCM methodologies: browse, check eligibility, calculate.")
cli.add_typer(methodology_cli, name="methodology")

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


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def _emit(result: Any, json_out: bool, render: Callable[[Any], None]) -> None:
    if json_out or state.json:
        _print_json(result)
    else:
        render(result)


@contextmanager
def _refusals(json_out: bool) -> Iterator[None]:
    try:
        yield
    except JcmError as error:
        if json_out or state.json:
            _print_json({"error": error.to_dict()})
        else:
            err.print(f"[bold red]error[{error.code}][/]: {error.message}", soft_wrap=True)
        raise typer.Exit(EXIT_REFUSED) from None
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


def _run(json_out: bool, action: Callable[[], Any], render: Callable[[Any], None]) -> None:
    with _refusals(json_out):
        result = action()
    _emit(result, json_out, render)


def _table(title: str, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        numeric = column in _COUNTS or column in ("id", "transaction", "decision", "vintage")
        table.add_column(
            column.replace("_", " "),
            justify="right" if numeric else "left",
            no_wrap=column in ("serials", "account"),
        )
    for row in rows:
        table.add_row(*(_cell(row.get(col), count=col in _COUNTS) for col in columns))
    out.print(table)


def _cell(value: Any, *, count: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and count:
        return f"{value:,}"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def _summary(result: dict[str, Any]) -> None:
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
                out.print(f"  {key}: {_cell(value)}")


# -- set-up ----------------------------------------------------------------------------------


@cli.command()
def init(json_out: JsonOpt = False) -> None:
    """Create or upgrade the registry database (runs the migrations)."""
    _run(
        json_out,
        lambda: {"database": _safe_url(state.app().settings.database_url), "schema": "current"},
        lambda r: out.print(f"[green]✓[/] database ready: {r['database']}"),
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@registry_cli.command("create")
def registry_create(
    code: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 code, e.g. JP, KE, ID.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Create a registry with its government organisation and its three system accounts."""

    def render(r: dict[str, Any]) -> None:
        out.print(f"[green]✓[/] registry {r['registry']}: {r['name']}")
        _table("accounts", r["accounts"], ["account", "type", "name"])

    _run(
        json_out,
        lambda: state.app().registry.create_registry(c.CreateRegistry(code, name), key),
        render,
    )


ReasonOpt = Annotated[str | None, typer.Option(help="Why (kept in the log).")]
RegistryArg = Annotated[str, typer.Argument(help="Registry code.")]


def _set_registry_active(
    code: str, active: bool, reason: str | None, key: str | None, json_out: bool
) -> None:
    cmd = c.SetRegistryActive(code, active, reason)
    _run(json_out, lambda: state.app().registry.set_registry_active(cmd, key), _summary)


@registry_cli.command("suspend")
def registry_suspend(
    code: RegistryArg, reason: ReasonOpt = None, key: KeyOpt = None, json_out: JsonOpt = False
) -> None:
    """Suspend a registry: no transaction may involve it until it is reactivated."""
    _set_registry_active(code, False, reason, key, json_out)


@registry_cli.command("activate")
def registry_activate(
    code: RegistryArg, reason: ReasonOpt = None, key: KeyOpt = None, json_out: JsonOpt = False
) -> None:
    """Reactivate a suspended registry."""
    _set_registry_active(code, True, reason, key, json_out)


@registry_cli.command("list")
def registry_list(json_out: JsonOpt = False) -> None:
    """List registries."""
    _run(
        json_out,
        lambda: state.app().registry.registries(),
        lambda rows: _table("registries", rows, ["registry", "name", "active"]),
    )


@org_cli.command("create")
def org_create(
    name: Annotated[str, typer.Argument(help="Legal name.")],
    registry: Annotated[str, typer.Option("--registry", "-r", help="Registry code.")],
    kind: Annotated[str, typer.Option(help="company, government or other.")] = "company",
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Register an organisation that may hold accounts."""

    def action() -> dict[str, Any]:
        org_kind = parse_organisation_kind(kind)
        return state.app().registry.create_organisation(
            c.CreateOrganisation(registry, name, org_kind), key
        )

    _run(json_out, action, _summary)


@org_cli.command("list")
def org_list(
    registry: Annotated[str | None, typer.Option("--registry", "-r")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List organisations."""
    _run(
        json_out,
        lambda: state.app().registry.organisations(registry),
        lambda rows: _table("organisations", rows, ["organisation", "registry", "kind", "name"]),
    )


@account_cli.command("create")
def account_create(
    registry: Annotated[str, typer.Option("--registry", "-r")],
    org: Annotated[str, typer.Option("--org", help="Organisation id, e.g. JP-ORG-0002.")],
    account_type: Annotated[
        str,
        typer.Option(
            "--type", help="government_holding, entity_holding, cancellation, retirement."
        ),
    ] = "entity_holding",
    name: Annotated[str, typer.Option(help="Account name (default: the organisation's).")] = "",
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Open an account."""
    _run(
        json_out,
        lambda: state.app().registry.open_account(
            c.OpenAccount(registry, org, parse_account_type(account_type), name), key
        ),
        _summary,
    )


@account_cli.command("set-status")
def account_set_status(
    account: Annotated[str, typer.Argument(help="Account id, e.g. JP-ENT-0004.")],
    status: Annotated[str, typer.Option("--status", help="open, blocked or closed.")],
    reason: ReasonOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Block, reopen or close an account (closing needs an empty account; it is final)."""

    def action() -> dict[str, Any]:
        cmd = c.SetAccountStatus(account.upper(), parse_account_status(status), reason)
        return state.app().registry.set_account_status(cmd, key)

    _run(json_out, action, _summary)


@account_cli.command("list")
def account_list(
    registry: Annotated[str | None, typer.Option("--registry", "-r")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List accounts."""
    _run(
        json_out,
        lambda: state.app().registry.accounts(registry),
        lambda rows: _table(
            "accounts", rows, ["account", "registry", "type", "organisation", "name", "status"]
        ),
    )


# -- decisions and issuance ------------------------------------------------------------------


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "G1_BAD_DATE", f"{option} {text!r} is not a date; use YYYY-MM-DD.", value=text
        ) from None


def _day_start(text: str, option: str) -> datetime:
    day = _parse_date(text, option)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _render_decision(r: dict[str, Any]) -> None:
    replay = " (replayed: nothing changed)" if r.get("replayed") else ""
    out.print(
        f"[green]✓[/] decision {r['decision']}: {r['project']} period {r['period_seq']} "
        f"({r['period_start']} … {r['period_end']}), vintage {r['vintage']}, "
        f"{r['amount']:,} tCO2, {r['status']}{replay}"
    )
    _table(
        "allocation",
        r["lines"],
        ["line", "account", "share_pct", "quantity", "serials", "issued_in_transaction"],
    )


@decision_cli.command("record")
def decision_record(
    project: Annotated[str, typer.Option("--project", "-p", help="Project id, e.g. KE001.")],
    start: Annotated[str, typer.Option(help="Monitoring period start, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option(help="Monitoring period end, YYYY-MM-DD.")],
    vintage: Annotated[int, typer.Option(help="Vintage year.")],
    amount: Annotated[int, typer.Option(help="Decided amount in tCO2 (whole units).")],
    share: Annotated[
        list[str], typer.Option("--share", help="ACCOUNT=PERCENT; repeat; must sum to 100.")
    ],
    remainder_to: Annotated[
        str | None, typer.Option(help="Holder who gets the rounding remainder (default: first).")
    ] = None,
    reference: Annotated[str | None, typer.Option(help="JC decision reference.")] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record a Joint Committee issuance decision with its allocation shares."""

    def action() -> dict[str, Any]:
        cmd = c.RecordDecision(
            project,
            _parse_date(start, "--start"),
            _parse_date(end, "--end"),
            vintage,
            amount,
            tuple(parse_share(s) for s in share),
            remainder_to,
            reference,
        )
        return state.app().registry.record_decision(cmd, key)

    _run(json_out, action, _render_decision)


@decision_cli.command("list")
def decision_list(
    project: Annotated[str | None, typer.Option("--project", "-p")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List decisions with their allocation lines."""

    def render(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            _render_decision(row)

    _run(json_out, lambda: state.app().registry.decisions(project), render)


@cli.command()
def issue(
    decision: Annotated[int, typer.Argument(help="Decision number.")],
    registry: Annotated[str, typer.Option("--registry", "-r", help="The side that issues.")],
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Issue one registry's share of a decision into its holders' accounts."""
    _run(json_out, lambda: state.app().registry.issue(c.Issue(decision, registry), key), _summary)


# -- moving units ----------------------------------------------------------------------------


@cli.command()
def transfer(
    source: Annotated[str, typer.Option("--from", help="Sending account.")],
    destination: Annotated[str, typer.Option("--to", help="Receiving account.")],
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    note: NoteOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Transfer units between two accounts of one registry."""
    cmd = c.Move(source, destination, quantity, serials, note=note)
    _run(json_out, lambda: state.app().registry.transfer(cmd, key), _summary)


@cli.command("external-transfer")
def external_transfer(
    source: Annotated[str, typer.Option("--from", help="Sending account.")],
    destination: Annotated[str, typer.Option("--to", help="Account in the other registry.")],
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    note: NoteOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Transfer units between Japan's registry and a partner's (records first transfers)."""
    cmd = c.Move(source, destination, quantity, serials, note=note)
    _run(json_out, lambda: state.app().registry.external_transfer(cmd, key), _summary)


@cli.command()
def cancel(
    source: Annotated[str, typer.Option("--from", help="Holding account.")],
    purpose: Annotated[str, typer.Option(help="ndc, oimp or voluntary.")],
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    beneficiary: Annotated[
        str | None, typer.Option(help="Using entity / beneficiary of the cancellation.")
    ] = None,
    note: NoteOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Cancel units into the registry's cancellation account (final)."""

    def action() -> dict[str, Any]:
        cmd = c.Move(source, None, quantity, serials, parse_purpose(purpose), beneficiary, note)
        return state.app().registry.cancel(cmd, key)

    _run(json_out, action, _summary)


@cli.command()
def retire(
    source: Annotated[str, typer.Option("--from", help="Holding account.")],
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    beneficiary: Annotated[str | None, typer.Option(help="On whose behalf.")] = None,
    note: NoteOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Retire units into the registry's retirement account (final)."""
    cmd = c.Move(source, None, quantity, serials, beneficiary=beneficiary, note=note)
    _run(json_out, lambda: state.app().registry.retire(cmd, key), _summary)


_BATCH_KINDS = {
    "transfer": TransactionKind.TRANSFER,
    "external_transfer": TransactionKind.EXTERNAL_TRANSFER,
    "cancel": TransactionKind.CANCELLATION,
    "cancellation": TransactionKind.CANCELLATION,
    "retire": TransactionKind.RETIREMENT,
    "retirement": TransactionKind.RETIREMENT,
}


def read_batch(path: Path) -> list[tuple[c.Move, TransactionKind]]:
    """Read moves from CSV (header: kind,from,to,quantity,serials,purpose,beneficiary,note)
    or JSON lines with the same keys."""
    if not path.is_file():
        raise InvalidInput("G1_NO_FILE", f"Batch file {path} does not exist.", path=str(path))
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".jsonl", ".json"):
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        rows = list(csv.DictReader(text.splitlines()))
    moves = []
    for number, row in enumerate(rows, start=1):
        kind = _BATCH_KINDS.get(str(row.get("kind", "")).strip().lower())
        if kind is None:
            raise InvalidInput(
                "G1_BAD_BATCH",
                f"{path.name} row {number}: kind {row.get('kind')!r} is not one of "
                f"{', '.join(sorted(_BATCH_KINDS))}.",
                row=number,
            )
        quantity = str(row.get("quantity") or "").strip()
        if quantity and not quantity.isdigit():
            raise InvalidInput(
                "G1_BAD_BATCH",
                f"{path.name} row {number}: quantity {quantity!r} is not a whole number.",
                row=number,
            )
        purpose = str(row.get("purpose") or "").strip()
        moves.append(
            (
                c.Move(
                    str(row.get("from") or "").strip(),
                    str(row.get("to") or "").strip() or None,
                    int(quantity) if quantity else None,
                    str(row.get("serials") or "").strip() or None,
                    parse_purpose(purpose) if purpose else None,
                    str(row.get("beneficiary") or "").strip() or None,
                    str(row.get("note") or "").strip() or None,
                ),
                kind,
            )
        )
    return moves


@cli.command()
def batch(
    path: Annotated[Path, typer.Argument(help="CSV or JSON-lines file of moves.")],
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Run many transfers/cancellations/retirements in one transaction: all or nothing."""

    def render(r: dict[str, Any]) -> None:
        replay = " (replayed: nothing changed)" if r.get("replayed") else ""
        out.print(f"[green]✓[/] {r['count']:,} transactions, {r['quantity']:,} units{replay}")

    _run(json_out, lambda: state.app().registry.batch(read_batch(path), key), render)


# -- Article 6 -------------------------------------------------------------------------------


@a6_cli.command("authorise")
def a6_authorise(
    account: Annotated[
        str, typer.Option("--account", help="Holding account in the partner (host Party) registry.")
    ],
    uses: Annotated[str, typer.Option(help="ndc, oimp or ndc,oimp.")],
    reference: Annotated[str, typer.Option(help="Letter of authorisation reference.")],
    first_transfer_at: Annotated[
        str,
        typer.Option(
            help="international_transfer (default; required for NDC use), "
            "authorisation, issuance or use."
        ),
    ] = FirstTransferTrigger.INTERNATIONAL_TRANSFER.value,
    quantity: QuantityOpt = None,
    serials: SerialsOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record the host Party's authorisation of units (they become ITMOs)."""

    def action() -> dict[str, Any]:
        trigger = parse_trigger(first_transfer_at)
        cmd = c.Authorise(account, parse_uses(uses), reference, trigger, quantity, serials)
        return state.app().registry.authorise(cmd, key)

    _run(json_out, action, _summary)


@a6_cli.command("adjust")
def a6_adjust(
    serials: Annotated[str, typer.Option("--serials", "-s", help="First-transferred serials.")],
    year: Annotated[int, typer.Option(help="Reporting year of the adjustment.")],
    note: NoteOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record that the corresponding adjustment for first-transferred units was applied."""
    cmd = c.ApplyCorrespondingAdjustment(serials, year, note)
    _run(json_out, lambda: state.app().registry.apply_corresponding_adjustment(cmd, key), _summary)


# -- looking things up -----------------------------------------------------------------------


@cli.command()
def serial(
    serials: Annotated[str, typer.Argument(help="A serial or serial range.")],
    json_out: JsonOpt = False,
) -> None:
    """Where every unit of a serial range is now, and its complete history."""

    def render(r: dict[str, Any]) -> None:
        out.print(
            f"{r['serials']}: project {r['project']}, vintage {r['vintage']}, "
            f"{r['issued']:,} of {r['requested']:,} serials issued"
        )
        _table(
            "where the units are",
            r["locations"],
            [
                "serials",
                "quantity",
                "registry",
                "account",
                "authorised_uses",
                "first_transferred",
                "corresponding_adjustment",
            ],
        )
        _table(
            "history",
            r["history"],
            ["transaction", "at", "kind", "source", "destination", "serials"],
        )

    _run(json_out, lambda: state.app().registry.lookup_serial(serials), render)


@cli.command()
def holdings(
    account: Annotated[str | None, typer.Option("--account", "-a")] = None,
    registry: Annotated[str | None, typer.Option("--registry", "-r")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Holdings per account (and project, vintage, Article 6 status)."""
    _run(
        json_out,
        lambda: state.app().registry.holdings(account, registry),
        lambda rows: render_holdings(rows),
    )


def render_holdings(rows: list[dict[str, Any]]) -> None:
    _table(
        "holdings",
        rows,
        [
            "registry",
            "account",
            "type",
            "project",
            "vintage",
            "origin",
            "authorised_uses",
            "first_transferred",
            "ca_status",
            "quantity",
            "blocks",
        ],
    )


@tx_cli.command("list")
def tx_list(
    account: Annotated[str | None, typer.Option("--account", "-a")] = None,
    registry: Annotated[str | None, typer.Option("--registry", "-r")] = None,
    kind: Annotated[str | None, typer.Option(help="issuance, transfer, …")] = None,
    project: Annotated[str | None, typer.Option("--project", "-p")] = None,
    since: Annotated[str | None, typer.Option(help="From this day (UTC), YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Before this day (UTC), YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(help="Newest first, at most this many.")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """List transactions, newest first, with filters."""

    def action() -> list[dict[str, Any]]:
        if kind is not None and kind not in {k.value for k in TransactionKind}:
            raise InvalidInput(
                "G1_BAD_KIND",
                f"Unknown transaction kind {kind!r}; use one of "
                + ", ".join(k.value for k in TransactionKind)
                + ".",
                kind=kind,
            )
        filters = {
            "account": account.upper() if account else None,
            "registry": registry.upper() if registry else None,
            "kind": kind,
            "project": project.upper() if project else None,
            "since": _day_start(since, "--since") if since else None,
            "until": _day_start(until, "--until") if until else None,
        }
        return state.app().registry.transactions(limit, **filters)

    _run(
        json_out,
        action,
        lambda rows: _table(
            "transactions",
            rows,
            ["id", "created_at", "kind", "registry", "source", "destination", "quantity"],
        ),
    )


@cli.command()
def audit(json_out: JsonOpt = False) -> None:
    """Check every invariant over the whole database (conservation, no overlap, events)."""

    def render(r: dict[str, Any]) -> None:
        mark = "[green]✓ all invariants hold[/]" if r["ok"] else "[red]✗ problems found[/]"
        out.print(
            f"{mark}: {r['decisions']} decisions, issued {r['issued']:,} = held "
            f"{r['held']:,} + cancelled {r['cancelled']:,} + retired {r['retired']:,}"
        )
        for problem in r["problems"]:
            out.print(f"  [red]•[/] {problem}")

    with _refusals(json_out):
        result = state.app().registry.audit()
    _emit(result, json_out, render)
    if not result["ok"]:
        raise typer.Exit(EXIT_REFUSED)


@cli.command()
def demo(json_out: JsonOpt = False) -> None:
    """Set up a demo: registries JP, KE and ID, two projects from idea to credits, credits moved."""
    from jcm.entrypoints.demo import run_demo

    with _refusals(json_out):
        app = state.app()
        result = run_demo(
            app.registry,
            app.cycle,
            app.documents,
            app.log,
            progress=not (json_out or state.json),
        )

    def render(r: dict[str, Any]) -> None:
        _table(
            "project cycle: monitoring periods",
            r["monitoring_periods"],
            [
                "monitoring_period",
                "period",
                "state",
                "verified_amount",
                "decided_amount",
                "decision",
                "issued_sides",
            ],
        )
        render_holdings(r["holdings"])

    _emit(result, json_out, render)


# -- transparency log ------------------------------------------------------------------------


def _write_or_print(value: Any, output: Path | None) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"[green]✓[/] written to {output}")


@log_cli.command("checkpoint")
def log_checkpoint(json_out: JsonOpt = False) -> None:
    """Sign a checkpoint of the log as it is now."""
    _run(
        json_out,
        lambda: state.app().log.sign_checkpoint(),
        lambda r: out.print(f"[green]✓[/] checkpoint of size {r['size']}\n{r['note']}"),
    )


@log_cli.command("checkpoints")
def log_checkpoints(json_out: JsonOpt = False) -> None:
    """List the signed checkpoints."""
    _run(
        json_out,
        lambda: state.app().log.checkpoints(),
        lambda rows: _table("checkpoints", rows, ["size", "root_hash", "key_id", "created_at"]),
    )


@log_cli.command("public-key")
def log_public_key(json_out: JsonOpt = False) -> None:
    """Print the log's verifier keys (the active one last); publish them."""

    def render(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            out.print(row["verifier"])

    _run(json_out, lambda: state.app().public_keys(), render)


@log_cli.command("rotate-key")
def log_rotate_key(json_out: JsonOpt = False) -> None:
    """Start signing checkpoints with a new key; old checkpoints stay verifiable."""
    _run(json_out, lambda: state.app().rotate_log_key(), _summary)


@log_cli.command("proof")
def log_proof(
    transaction: Annotated[int | None, typer.Option("--tx", help="A transaction id.")] = None,
    index: Annotated[int | None, typer.Option("--index", help="A log entry index.")] = None,
    serial_text: Annotated[
        str | None,
        typer.Option("--serial", help="A serial or serial range: every entry that touched it."),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Accepted: the output is JSON.")] = True,
) -> None:
    """Inclusion proof bundle(s) to a signed checkpoint, as JSON."""

    def action() -> Any:
        chosen = [v for v in (transaction, index, serial_text) if v is not None]
        if len(chosen) != 1:
            raise InvalidInput("G1_SELECT_ENTRY", "Give exactly one of --tx, --index, --serial.")
        log = state.app().log
        if serial_text is not None:
            return log.inclusion_proofs_for_serial(serial_text)
        return log.inclusion_proof(index=index, transaction=transaction)

    with _refusals(True):
        result = action()
    _write_or_print(result, output)


@log_cli.command("consistency")
def log_consistency(
    old_size: Annotated[int, typer.Option("--from", help="Size of the older checkpoint.")],
    new_size: Annotated[
        int | None, typer.Option("--to", help="Size of the newer checkpoint (default: latest).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Accepted: the output is JSON.")] = True,
) -> None:
    """Consistency proof bundle between two signed checkpoints, as JSON."""
    with _refusals(True):
        result = state.app().log.consistency_proof(old_size, new_size)
    _write_or_print(result, output)


@log_cli.command("verify-proof")
def log_verify_proof(
    bundle: Annotated[Path, typer.Argument(help="A proof bundle file ('-' for stdin).")],
    public_key: Annotated[
        str, typer.Option("--public-key", help="Verifier key string, or a file holding it.")
    ],
    json_out: JsonOpt = False,
) -> None:
    """Check a proof bundle offline with nothing but the log's public key."""
    from jcm.adapters.signing import NoteVerifier
    from jcm.domain.transparency.signed_note import MalformedKey
    from jcm.service_layer.transparency.proofs import check_bundle

    key_path = Path(public_key)
    key_text = key_path.read_text(encoding="utf-8").strip() if key_path.is_file() else public_key
    try:
        verifier = NoteVerifier.from_verifier_key(key_text)
    except (MalformedKey, ValueError) as error:
        verdict = {"ok": False, "checks": [], "failure": f"the public key is not valid: {error}"}
    else:
        try:
            text = sys.stdin.read() if str(bundle) == "-" else bundle.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            verdict = {"ok": False, "checks": [], "failure": f"cannot read the bundle: {error}"}
        else:
            verdict = check_bundle(text, [verifier])

    def render(v: dict[str, Any]) -> None:
        for step in v["checks"]:
            out.print(f"[green]✓[/] {step}")
        if v["ok"]:
            out.print("[bold green]VALID[/]")
        else:
            out.print(f"[bold red]INVALID[/]: {v['failure']}")

    _emit(verdict, json_out, render)
    if not verdict["ok"]:
        raise typer.Exit(EXIT_REFUSED)


@log_cli.command("verify")
def log_verify(json_out: JsonOpt = False) -> None:
    """Recompute the tree, check every checkpoint, replay every entry, compare with the DB."""
    from rich.progress import Progress

    with _refusals(json_out):
        app = state.app()
        verifiers: dict[str, Any] = dict(app.log_verifiers())
        if json_out or state.json:
            result = app.log.verify(verifiers)
        else:
            with Progress(console=err, transient=True) as bar:
                task = bar.add_task("verifying the log", total=None)
                result = app.log.verify(verifiers, lambda n: bar.update(task, completed=n))

    def render(r: dict[str, Any]) -> None:
        if r["ok"]:
            out.print(
                f"[bold green]✓ log verified[/]: {r['entries']:,} entries, "
                f"{r['checkpoints']} checkpoints, root {r['root_hash']}; replay matches "
                "the database"
            )
        else:
            out.print(f"[bold red]✗ log verification failed[/]: {r['problem']['message']}")

    _emit(result, json_out, render)
    if not result["ok"]:
        raise typer.Exit(EXIT_REFUSED)


# -- methodologies ---------------------------------------------------------------------------

VersionOpt = Annotated[
    str | None, typer.Option("--version", help="Methodology version (default: latest).")
]
FactOpt = Annotated[
    list[str], typer.Option("--fact", help="Project fact NAME=VALUE (repeat), e.g. grid=jamali.")
]


@methodology_cli.command("list")
def methodology_list(
    country: Annotated[str | None, typer.Option("--country", help="Partner ISO code.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the executable methodologies."""
    from jcm.service_layer.methodologies import service as ms

    _run(
        json_out,
        lambda: ms.list_methodologies(country),
        lambda rows: _table(
            "methodologies", rows, ["id", "version", "country", "family", "id_status", "title"]
        ),
    )


@methodology_cli.command("show")
def methodology_show(
    methodology_id: Annotated[str, typer.Argument(help="e.g. ID_AM002")],
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Describe a methodology: criteria, parameters, equations, default tables."""
    from jcm.service_layer.methodologies import service as ms

    def render(d: dict[str, Any]) -> None:
        out.print(
            f"[bold]{d['id']} v{d['version']}[/]: {d['title']} ({d['family']}, id {d['id_status']})"
        )
        _table("eligibility criteria", d["criteria"], ["id", "confirmation", "text"])
        _table("parameters", d["parameters"], ["name", "unit", "kind", "range", "confirmation"])

    _run(json_out, lambda: ms.describe(methodology_id, version), render)


@methodology_cli.command("eligibility")
def methodology_eligibility(
    methodology_id: Annotated[str, typer.Argument()],
    fact: FactOpt,
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Check a proposed project's facts against the eligibility criteria."""
    from jcm.service_layer.methodologies import service as ms

    def render(r: dict[str, Any]) -> None:
        verdict = "[green]eligible[/]" if r["eligible"] else "[red]NOT eligible[/]"
        out.print(f"{r['methodology']} v{r['version']}: {verdict}")
        _table("criteria", r["criteria"], ["criterion", "passed", "reason"])

    _run(
        json_out,
        lambda: ms.eligibility(methodology_id, dict(map(ms.parse_fact, fact)), version),
        render,
    )


@methodology_cli.command("calculate")
def methodology_calculate(
    methodology_id: Annotated[str, typer.Argument()],
    fact: FactOpt,
    fixed: Annotated[
        list[str], typer.Option("--fixed", help="Ex-ante parameter NAME=VALUE:UNIT (repeat).")
    ],
    monitored: Annotated[
        list[str], typer.Option("--monitored", help="Monitored value NAME=VALUE:UNIT (repeat).")
    ],
    start: Annotated[str | None, typer.Option(help="Monitoring period start.")] = None,
    end: Annotated[str | None, typer.Option(help="Monitoring period end.")] = None,
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Compute reference, project emissions and reductions with a full calculation record."""
    from jcm.service_layer.methodologies import service as ms

    def action() -> dict[str, Any]:
        return ms.calculate(
            methodology_id,
            dict(map(ms.parse_fact, fact)),
            dict(map(ms.parse_quantity, fixed)),
            dict(map(ms.parse_quantity, monitored)),
            _parse_date(start, "--start") if start else None,
            _parse_date(end, "--end") if end else None,
            version,
        )

    def render(r: dict[str, Any]) -> None:
        out.print(
            f"{r['methodology']} v{r['version']}: RE {r['reference_emissions']} − "
            f"PE {r['project_emissions']} = {r['emission_reductions_unrounded']} tCO2 → "
            f"[bold]{r['emission_reductions']:,} tCO2[/] credited (record {r['digest'][:16]}…)"
        )

    _run(json_out, action, render)


@methodology_cli.command("sheet")
def methodology_sheet(
    methodology_id: Annotated[str, typer.Argument()],
    output: Annotated[Path, typer.Option("--output", "-o", help="A .xlsx or .csv file.")],
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a blank monitoring sheet for a methodology (one row per monitoring period)."""
    from jcm.adapters.monitoring_sheet import write_monitoring_template
    from jcm.domain import methodologies

    def action() -> dict[str, Any]:
        found = (
            methodologies.get(methodology_id.upper(), version)
            if version
            else methodologies.latest(methodology_id.upper())
        )
        headers = write_monitoring_template(output, found)
        return {
            "methodology": found.id,
            "version": found.version,
            "columns": headers,
            "output": str(output),
        }

    _run(
        json_out,
        action,
        lambda r: err.print(f"[green]✓[/] {', '.join(r['columns'])} → {r['output']}"),
    )


@methodology_cli.command("calculate-sheet")
def methodology_calculate_sheet(
    methodology_id: Annotated[str, typer.Argument()],
    sheet: Annotated[Path, typer.Argument(help="Monitoring sheet: .xlsx or .csv.")],
    fact: FactOpt,
    fixed: Annotated[
        list[str], typer.Option("--fixed", help="Ex-ante parameter NAME=VALUE:UNIT (repeat).")
    ],
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Emission reductions for every monitoring period of a sheet (XLSX or CSV)."""
    from jcm.adapters.monitoring_sheet import read_monitoring_sheet
    from jcm.service_layer.methodologies import service as ms

    def action() -> dict[str, Any]:
        return ms.calculate_monitoring(
            methodology_id,
            dict(map(ms.parse_fact, fact)),
            dict(map(ms.parse_quantity, fixed)),
            read_monitoring_sheet(sheet),
            version,
        )

    def render(r: dict[str, Any]) -> None:
        _table(
            f"{r['methodology']} v{r['version']}",
            r["periods"],
            [
                "row",
                "period_start",
                "period_end",
                "reference_emissions",
                "project_emissions",
                "emission_reductions",
            ],
        )
        out.print(f"total: [bold]{r['total_emission_reductions']:,} tCO2[/]")

    _run(json_out, action, render)


# -- the project cycle (commands in cycle_cli.py, which imports the helpers above) ----------

from jcm.entrypoints import cycle_cli  # noqa: E402 - needs the helpers defined above

cli.add_typer(cycle_cli.actor_cli, name="actor")
cli.add_typer(cycle_cli.rule_book_cli, name="rule-book")
cli.add_typer(cycle_cli.document_cli, name="document")
cli.add_typer(cycle_cli.project_cli, name="project")
cli.add_typer(cycle_cli.monitoring_cli, name="monitoring")
cycle_cli.register_methodology_commands(methodology_cli)


def main() -> None:
    cli()
