"""The project-cycle commands of `jcm`: actors, rule books, documents, projects, monitoring
periods and methodology approval. Registered on the main `cli` by ``cli.py``.

Every step names who takes it (``--as ORG``, plus ``--role`` when the organisation acts in
several roles), its date (``--on``, default today) and the documents attached
(``--doc KIND=FILE``; ``--confidential-doc KIND=FILE`` adds the confidential version). Files
are stored in the content-addressed document store first; ``--doc KIND=sha256:HEX`` attaches
a document stored earlier.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from jcm.adapters.monitoring_sheet import read_monitoring_sheet
from jcm.domain.cycle import (
    PROJECT_TRANSITIONS,
    CreditingPeriod,
    Designation,
    DocumentKind,
    DocumentRef,
    Participant,
    ProjectProposal,
    Role,
    RuleBook,
    Side,
    TpeFunction,
    check_sha256,
    render_markdown,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.methodology_approval import METHODOLOGY_TRANSITIONS
from jcm.domain.cycle.monitoring import MONITORING_TRANSITIONS
from jcm.domain.errors import InvalidInput
from jcm.domain.registry.allocation import parse_share
from jcm.entrypoints.cli import (
    FactOpt,
    JsonOpt,
    KeyOpt,
    _parse_date,
    _run,
    _table,
    err,
    out,
    state,
)
from jcm.service_layer.methodologies.service import parse_fact, parse_quantity

actor_cli: typer.Typer = typer.Typer(
    help="Who acts in the project cycle: participants, TPEs, JC, registries."
)
rule_book_cli: typer.Typer = typer.Typer(
    help="Versions of a partner's rule set (PCP) the cycle runs under."
)
document_cli: typer.Typer = typer.Typer(help="The content-addressed document store (SHA-256).")
project_cli: typer.Typer = typer.Typer(
    help="JCM projects: PIN, PDD, validation, registration and after."
)
monitoring_cli: typer.Typer = typer.Typer(
    help="Monitoring periods: report, verification, JC decision, issuance in both registries."
)

AsOpt = Annotated[str, typer.Option("--as", help="Organisation taking the step.")]
RoleOpt = Annotated[
    str | None,
    typer.Option("--role", help="Role it acts in, when it holds several (e.g. tpe, jc_member)."),
]
OnOpt = Annotated[str | None, typer.Option("--on", help="Date of the step, YYYY-MM-DD (today).")]
DocOpt = Annotated[
    list[str] | None,
    typer.Option("--doc", help="KIND=FILE or KIND=sha256:HEX, public version (repeat)."),
]
ConfidentialOpt = Annotated[
    list[str] | None,
    typer.Option("--confidential-doc", help="KIND=FILE: the confidential version (repeat)."),
]
FixedOpt = Annotated[
    list[str] | None,
    typer.Option("--fixed", help="Ex-ante parameter NAME=VALUE:UNIT fixed in the PDD (repeat)."),
]


# -- helpers -----------------------------------------------------------------------------------


def _role(text: str | None) -> Role | None:
    if text is None:
        return None
    try:
        return Role(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"Role {text!r} is not one of {', '.join(r.value for r in Role)}.",
            role=text,
        ) from None


def _acting(organisation: str, role: str | None) -> cc.ActingAs:
    return cc.ActingAs(organisation, _role(role))


def _on(text: str | None) -> date:
    return _parse_date(text, "--on") if text else datetime.now(UTC).date()


def _kind(text: str) -> DocumentKind:
    try:
        return DocumentKind(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise InvalidInput(
            "P8_BAD_DOCUMENT",
            f"Document kind {text!r} is not one of: {', '.join(k.value for k in DocumentKind)}.",
            kind=text,
        ) from None


def _split(text: str, option: str) -> tuple[DocumentKind, str]:
    kind, sep, where = text.partition("=")
    if not sep or not where:
        raise InvalidInput(
            "P8_BAD_DOCUMENT",
            f"{option} {text!r} must look like KIND=FILE, e.g. pdd=./pdd.pdf.",
            value=text,
        )
    return _kind(kind), where


def _media_type(path: Path) -> str:
    return {
        ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".csv": "text/csv",
        ".txt": "text/plain",
        ".json": "application/json",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }.get(path.suffix.lower(), "application/octet-stream")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(
            "P8_BAD_DOCUMENT",
            f"Document file {str(path)!r} cannot be read: {error.strerror or error}.",
            path=str(path),
        ) from None


def _documents(public: list[str] | None, confidential: list[str] | None) -> tuple[DocumentRef, ...]:
    """Store the files given and return their references (public first)."""
    store = state.app().documents
    refs: list[DocumentRef] = []
    secret = dict(_split(x, "--confidential-doc") for x in confidential or [])
    for text in public or []:
        kind, where = _split(text, "--doc")
        if where.startswith("sha256:"):
            sha = check_sha256(where.removeprefix("sha256:"))
            store.stat(sha)  # refuses an unknown document (confidential ones need rights)
            refs.append(DocumentRef(kind, sha))
            continue
        path = Path(where)
        confidential_path = secret.pop(kind, None)
        stored = store.put_document(
            kind,
            _read(path),
            media_type=_media_type(path),
            filename=path.name,
            confidential=_read(Path(confidential_path)) if confidential_path else None,
            confidential_filename=Path(confidential_path).name if confidential_path else None,
        )
        refs.extend(stored.refs())
    if secret:
        kinds = ", ".join(k.value for k in secret)
        raise InvalidInput(
            "P8_BAD_DOCUMENT",
            f"--confidential-doc {kinds} has no public version; give --doc {kinds}=FILE with "
            "the confidential parts made illegible.",
            kinds=[k.value for k in secret],
        )
    return tuple(refs)


def _parameters(fact: list[str] | None, fixed: list[str] | None) -> cc.ExAnteParameters | None:
    if not fact and not fixed:
        return None
    facts = []
    for text in fact or []:
        name, value = parse_fact(text)
        facts.append((name, str(value) if not isinstance(value, bool | int) else value))
    return cc.ExAnteParameters(tuple(facts), tuple(parse_quantity(x) for x in fixed or []))


def _participant(text: str) -> Participant:
    parts = text.split(":")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "focal"):
        raise InvalidInput(
            "P8_BAD_PARTICIPANTS",
            f"--participant {text!r} must look like ORG:japan, ORG:partner or ORG:japan:focal.",
            value=text,
        )
    try:
        side = Side(parts[1].lower())
    except ValueError:
        raise InvalidInput(
            "P8_BAD_PARTICIPANTS",
            f"--participant {text!r}: the side must be japan or partner.",
            value=text,
        ) from None
    return Participant(parts[0], side, len(parts) == 3)


def _period(text: str, option: str) -> tuple[date, date]:
    start, sep, end = text.partition("..")
    if not sep:
        raise InvalidInput(
            "G1_BAD_DATE",
            f"{option} {text!r} must look like START..END, e.g. 2023-01-01..2030-12-31.",
            value=text,
        )
    return _parse_date(start, option), _parse_date(end, option)


def _scopes(text: str) -> tuple[int, ...]:
    """``1-3`` or ``1,3`` or ``2``."""
    try:
        numbers: set[int] = set()
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            numbers.update(range(int(low), int(high or low) + 1))
    except ValueError:
        raise InvalidInput(
            "P8_BAD_SCOPE", f"--scope {text!r} must look like 1-3, 1,3 or 2.", scope=text
        ) from None
    return tuple(sorted(numbers))


def _function(text: str) -> TpeFunction:
    try:
        return TpeFunction(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"--function {text!r} is not validation or verification.",
            function=text,
        ) from None


def _designation(text: str) -> frozenset[Designation]:
    """``KE:1-3:validation,verification`` → every (scope, function) pair for the KE JC."""
    partner, *rest = text.split(":")
    if len(rest) != 2:
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"--designation {text!r} must look like KE:1-3:validation,verification.",
            value=text,
        )
    scopes, functions = rest
    kinds = [_function(f) for f in functions.split(",")]
    return frozenset(Designation(partner.upper(), s, f) for s in _scopes(scopes) for f in kinds)


def _say(r: dict[str, Any], what: str) -> None:
    replay = " (replayed: nothing changed)" if r.get("replayed") else ""
    out.print(f"[green]✓[/] {what}{replay}")


# -- actors, rule books, documents -------------------------------------------------------------


@actor_cli.command("register")
def actor_register(
    organisation: Annotated[str, typer.Argument(help="Organisation id, e.g. jqa or KE-PP-01.")],
    role: Annotated[str, typer.Option("--role", help=", ".join(r.value for r in Role))],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    side: Annotated[str | None, typer.Option(help="japan or partner.")] = None,
    partner: Annotated[
        str | None, typer.Option(help="Partnership served (partner ISO code), e.g. KE.")
    ] = None,
    designation: Annotated[
        list[str] | None,
        typer.Option(help="TPE designation PARTNER:SCOPES:FUNCTIONS (repeat)."),
    ] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Register (or update) an organisation acting in one cycle role."""

    def action() -> dict[str, Any]:
        designations = frozenset().union(*(_designation(d) for d in designation or []))
        acting = _role(role)
        assert acting is not None
        return state.app().cycle.register_actor(
            cc.RegisterActor(
                organisation,
                acting,
                name,
                Side(side.lower()) if side else None,
                partner.upper() if partner else None,
                designations,
            ),
            key,
        )

    _run(json_out, action, lambda r: _say(r, f"{organisation} registered as {role}"))


@actor_cli.command("designate")
def actor_designate(
    tpe: Annotated[str, typer.Argument(help="The TPE's organisation id.")],
    partner: Annotated[str, typer.Option(help="The designating JC's partner, e.g. KE.")],
    scope: Annotated[str, typer.Option(help="Sectoral scopes, e.g. 1-3 or 1,3.")],
    function: Annotated[list[str], typer.Option(help="validation and/or verification (repeat).")],
    as_: AsOpt,
    role: RoleOpt = None,
    on: OnOpt = None,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="Withdraw these designations instead.")
    ] = False,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record the JC's decision designating a TPE (or withdrawing the designation)."""

    def action() -> dict[str, Any]:
        return state.app().cycle.designate_tpe(
            cc.DesignateTpe(
                tpe,
                partner.upper(),
                _scopes(scope),
                tuple(_function(f) for f in function),
                _acting(as_, role),
                _on(on),
                withdraw,
            ),
            key,
        )

    def render(r: dict[str, Any]) -> None:
        held = [
            f"{d['partner']} scope {d['scope']} {d['function']}" for d in r["actor"]["designations"]
        ]
        _say(r, f"{tpe} now holds: {', '.join(held) or 'no designation'}")

    _run(json_out, action, render)


@actor_cli.command("list")
def actor_list(json_out: JsonOpt = False) -> None:
    """List the registered actors and their designations."""

    def render(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            row["designations"] = [
                f"{d['partner']} scope {d['scope']} {d['function']}" for d in row["designations"]
            ]
        _table("actors", rows, ["organisation", "role", "name", "side", "partner", "designations"])

    _run(json_out, lambda: state.app().cycle.actors(), render)


@rule_book_cli.command("define")
def rule_book_define(
    version: Annotated[str, typer.Argument(help="e.g. 'KE PCP ver03.0'.")],
    pdd_public_input_days: int = 30,
    methodology_public_input_days: int = 15,
    pin_required: Annotated[bool, typer.Option("--pin-required/--no-pin")] = True,
    verifier_may_be_validator: Annotated[
        bool, typer.Option("--verifier-may-be-validator/--verifier-must-differ")
    ] = True,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Define a rule-book version (it never changes afterwards)."""

    def action() -> dict[str, Any]:
        rules = RuleBook(
            version,
            pdd_public_input_days=pdd_public_input_days,
            methodology_public_input_days=methodology_public_input_days,
            pin_required=pin_required,
            verifier_may_be_validator=verifier_may_be_validator,
        )
        return state.app().cycle.define_rule_book(cc.DefineRuleBook(rules), key)

    _run(json_out, action, lambda r: _say(r, f"rule book {version!r} defined"))


@rule_book_cli.command("list")
def rule_book_list(json_out: JsonOpt = False) -> None:
    """List the rule-book versions."""
    _run(
        json_out,
        lambda: state.app().cycle.rule_books(),
        lambda rows: _table(
            "rule books",
            rows,
            [
                "version",
                "pdd_public_input_days",
                "methodology_public_input_days",
                "pin_required",
                "verifier_may_be_validator",
            ],
        ),
    )


@document_cli.command("put")
def document_put(
    kind: Annotated[str, typer.Argument(help="Document kind, e.g. pdd.")],
    file: Annotated[Path, typer.Argument(help="The public version.")],
    confidential: Annotated[
        Path | None, typer.Option(help="The confidential version, if any.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Store a document; prints the SHA-256 to attach it with --doc KIND=sha256:HEX."""

    def action() -> dict[str, Any]:
        stored = state.app().documents.put_document(
            _kind(kind),
            _read(file),
            media_type=_media_type(file),
            filename=file.name,
            confidential=_read(confidential) if confidential else None,
            confidential_filename=confidential.name if confidential else None,
        )
        return {
            "kind": stored.kind.value,
            "public": stored.public.to_json(),
            "confidential": stored.confidential.to_json() if stored.confidential else None,
        }

    _run(json_out, action, lambda r: out.print(f"{r['kind']} sha256:{r['public']['sha256']}"))


@document_cli.command("get")
def document_get(
    sha256: Annotated[str, typer.Argument(help="The document's SHA-256.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write it.")],
    project: Annotated[
        str | None, typer.Option(help="Project the document belongs to (confidential ones).")
    ] = None,
    as_: Annotated[str | None, typer.Option("--as", help="Reader organisation.")] = None,
    role: RoleOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a stored document to a file; confidential versions only for permitted readers."""

    def action() -> dict[str, Any]:
        app = state.app()
        reader = app.cycle.resolve(_acting(as_, role)) if as_ else None
        access = app.cycle.document_access(project, sha256) if project else None
        data = app.documents.read(sha256, reader=reader, access=access)
        output.write_bytes(data)
        return {"sha256": sha256, "bytes": len(data), "output": str(output)}

    _run(json_out, action, lambda r: err.print(f"[green]✓[/] {r['bytes']:,} bytes → {r['output']}"))


@document_cli.command("verify")
def document_verify(json_out: JsonOpt = False) -> None:
    """Re-hash every stored document; list any that is damaged or lacks its metadata."""
    found: dict[str, Any] = {}

    def action() -> dict[str, Any]:
        damaged = state.app().documents.verify_all()
        found.update(ok=not damaged, damaged=damaged)
        return found

    def render(r: dict[str, Any]) -> None:
        if r["ok"]:
            out.print("[green]✓[/] every stored document matches its hash")
        for sha in r["damaged"]:
            out.print(f"[red]✗[/] {sha} is damaged: restore it or store its bytes again")

    _run(json_out, action, render)
    if not found["ok"]:
        raise typer.Exit(1)


# -- projects ----------------------------------------------------------------------------------


@project_cli.command("start")
def project_start(
    project: Annotated[str, typer.Argument(help="Project id, e.g. KE001.")],
    title: Annotated[str, typer.Option(help="Project title.")],
    methodology: Annotated[str, typer.Option(help="Approved methodology id, e.g. KE_AM002.")],
    scope: Annotated[int, typer.Option(help="Sectoral scope 1-15.")],
    participant: Annotated[list[str], typer.Option(help="ORG:japan|partner[:focal] (repeat).")],
    crediting_period: Annotated[str, typer.Option(help="START..END.")],
    as_: AsOpt,
    version: Annotated[str, typer.Option("--version", help="Methodology version.")] = "1.0",
    role: RoleOpt = None,
    on: OnOpt = None,
    doc: DocOpt = None,
    confidential_doc: ConfidentialOpt = None,
    with_pdd: Annotated[
        bool, typer.Option("--with-pdd", help="Start at the PDD (rule books without PIN).")
    ] = False,
    rule_book: Annotated[str, typer.Option(help="Rule-book version.")] = "default",
    fact: FactOpt = [],  # noqa: B006 - Typer reads the default, never mutates it
    fixed: FixedOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Start a project with its PIN (or, with --with-pdd, its PDD)."""

    def action() -> dict[str, Any]:
        start, end = _period(crediting_period, "--crediting-period")
        proposal = ProjectProposal(
            project.strip().upper(),
            title,
            methodology.strip().upper(),
            version,
            scope,
            tuple(_participant(p) for p in participant),
            CreditingPeriod(start, end),
        )
        return state.app().cycle.start_project(
            cc.StartProject(
                proposal,
                _acting(as_, role),
                _on(on),
                _documents(doc, confidential_doc),
                with_pdd,
                rule_book,
                _parameters(fact, fixed),
            ),
            key,
        )

    _run(json_out, action, lambda r: _say(r, f"project {r['project']} is {r['state']}"))


@project_cli.command("step")
def project_step(
    project: Annotated[str, typer.Argument(help="Project id.")],
    action_name: Annotated[str, typer.Argument(metavar="ACTION", help="e.g. submit-pdd.")],
    as_: AsOpt,
    role: RoleOpt = None,
    on: OnOpt = None,
    doc: DocOpt = None,
    confidential_doc: ConfidentialOpt = None,
    share: Annotated[
        list[str] | None, typer.Option(help="ACCOUNT=PERCENT of the allocation form (repeat).")
    ] = None,
    participant: Annotated[
        list[str] | None, typer.Option(help="New participants ORG:side[:focal] (repeat).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Renewed crediting-period end.")] = None,
    fact: FactOpt = [],  # noqa: B006
    fixed: FixedOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Take one step of a project (`jcm project transitions` lists them all)."""

    def action() -> dict[str, Any]:
        return state.app().cycle.project_step(
            cc.ProjectStep(
                project,
                action_name,
                _acting(as_, role),
                _on(on),
                _documents(doc, confidential_doc),
                tuple(parse_share(s) for s in share or []),
                tuple(_participant(p) for p in participant or []),
                _parse_date(until, "--until") if until else None,
                _parameters(fact, fixed),
            ),
            key,
        )

    _run(json_out, action, lambda r: _say(r, f"project {r['project']} is {r['state']}"))


@project_cli.command("show")
def project_show(
    project: Annotated[str, typer.Argument(help="Project id.")], json_out: JsonOpt = False
) -> None:
    """A project: its state, participants, shares, documents, history and periods."""

    def render(r: dict[str, Any]) -> None:
        out.print(f"[bold]{r['id']}[/] {r['title']} — [bold]{r['state']}[/]")
        out.print(
            f"methodology {r['methodology']['id']} v{r['methodology']['version']}, scope "
            f"{r['sectoral_scope']}, crediting period {r['crediting_period']['start']}.."
            f"{r['crediting_period']['end']}, rule book {r['rule_book']}"
        )
        shares = ", ".join(f"{s['account']} {s['share_pct']}%" for s in r["shares"])
        out.print(f"allocation: {shares or '–'}")
        if r["public_input_closes_on"] and r["state"] in ("public_input", "pdd_submitted"):
            out.print(f"PDD public input closes on {r['public_input_closes_on']}")
        _table(
            "history",
            [{**h, "documents": [d["kind"] for d in h["documents"]]} for h in r["history"]],
            ["on", "action", "from", "to", "organisation", "role", "documents"],
        )
        if r["monitoring_periods"]:
            _table(
                "monitoring periods",
                r["monitoring_periods"],
                [
                    "monitoring_period",
                    "period",
                    "state",
                    "verified_amount",
                    "decided_amount",
                    "decision",
                ],
            )

    _run(json_out, lambda: state.app().cycle.project(project), render)


@project_cli.command("next")
def project_next(
    project: Annotated[str, typer.Argument(help="Project id.")], json_out: JsonOpt = False
) -> None:
    """What can happen next: the steps open to the project and its monitoring periods."""

    def render(r: dict[str, Any]) -> None:
        out.print(f"[bold]{r['project']}[/] is [bold]{r['state']}[/]")
        if r["public_input_closes_on"] and r["state"] == "public_input":
            out.print(f"PDD public input closes on {r['public_input_closes_on']}")
        columns = ["action", "to", "roles", "attach", "missing_on_file", "guards"]
        _table("next project steps", r["steps"], columns)
        if r["new_monitoring_period"]:
            _table("a new monitoring period", r["new_monitoring_period"], columns)
        for period in r["monitoring_periods"]:
            _table(f"{period['monitoring_period']} ({period['state']})", period["steps"], columns)

    _run(json_out, lambda: state.app().cycle.next_steps(project), render)


@project_cli.command("list")
def project_list(
    partner: Annotated[str | None, typer.Option(help="Partner ISO code.")] = None,
    state_: Annotated[
        str | None, typer.Option("--state", help="Only projects in this state.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the projects in the cycle."""
    _run(
        json_out,
        lambda: state.app().cycle.projects(partner.upper() if partner else None, state_),
        lambda rows: _table(
            "projects", rows, ["project", "state", "methodology", "last_step", "on", "title"]
        ),
    )


@project_cli.command("transitions")
def project_transitions(
    machine: Annotated[str, typer.Argument(help="project, monitoring or methodology.")] = "project",
    json_out: JsonOpt = False,
) -> None:
    """Print a state machine's transition table (who, documents, date guards)."""
    tables: dict[str, Any] = {
        "project": PROJECT_TRANSITIONS,
        "monitoring": MONITORING_TRANSITIONS,
        "methodology": METHODOLOGY_TRANSITIONS,
    }

    def action() -> dict[str, Any]:
        if machine not in tables:
            raise InvalidInput(
                "P8_BAD_ACTION",
                f"{machine!r} is not a state machine; choose project, monitoring or methodology.",
                machine=machine,
            )
        return {"machine": machine, "markdown": render_markdown(tables[machine])}

    def render(r: dict[str, Any]) -> None:
        sys.stdout.write(r["markdown"])  # raw: a console would wrap the long rows

    _run(json_out, action, render)


# -- monitoring periods ------------------------------------------------------------------------


@monitoring_cli.command("submit")
def monitoring_submit(
    project: Annotated[str, typer.Argument(help="Project id.")],
    sheet: Annotated[Path, typer.Argument(help="Monitoring sheet (.xlsx or .csv).")],
    as_: AsOpt,
    role: RoleOpt = None,
    on: OnOpt = None,
    row: Annotated[
        int | None, typer.Option(help="Sheet row of the period (default: the only row).")
    ] = None,
    reductions: Annotated[
        int | None,
        typer.Option(
            help="tCO2 the report states; needed when the methodology is not executable here, "
            "checked against the calculation when it is."
        ),
    ] = None,
    doc: DocOpt = None,
    confidential_doc: ConfidentialOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Submit a monitoring report: the methodology calculates the period's reductions.

    Without a --doc monitoring_report=FILE, the sheet itself is stored as the report.
    """

    def action() -> dict[str, Any]:
        rows = read_monitoring_sheet(sheet)
        chosen = [r for r in rows if row is None or r.row == row]
        if len(chosen) != 1:
            raise InvalidInput(
                "S1_BAD_SHEET",
                f"Sheet {rows[0].sheet!r} has {len(rows)} monitoring periods (rows "
                f"{', '.join(str(r.row) for r in rows)}); say which with --row."
                if row is None
                else f"Sheet {rows[0].sheet!r} has no monitoring period in row {row}.",
                sheet=rows[0].sheet,
            )
        picked = chosen[0]
        docs = list(doc or [])
        if not any(_split(d, "--doc")[0] is DocumentKind.MONITORING_REPORT for d in docs):
            docs.append(f"monitoring_report={sheet}")
        source = {"sheet": f"Sheet {picked.sheet!r} row {picked.row}", **picked.columns}
        return state.app().cycle.submit_report(
            cc.SubmitMonitoringReport(
                project,
                picked.start,
                picked.end,
                _acting(as_, role),
                _on(on),
                tuple(picked.values.items()),
                _documents(docs, confidential_doc),
                source,
                reductions,
            ),
            key,
        )

    def render(r: dict[str, Any]) -> None:
        calc = r["calculation"]
        _say(
            r,
            f"{r['monitoring_period']} {r['period']}: {calc['emission_reductions']:,} tCO2 "
            f"({calc['methodology']} v{calc['version']}, record {calc['digest'][:16]}…)",
        )

    _run(json_out, action, render)


@monitoring_cli.command("step")
def monitoring_step(
    request: Annotated[str, typer.Argument(help="Monitoring period id, e.g. KE001-M001.")],
    action_name: Annotated[str, typer.Argument(metavar="ACTION", help="e.g. verify.")],
    as_: AsOpt,
    role: RoleOpt = None,
    on: OnOpt = None,
    doc: DocOpt = None,
    confidential_doc: ConfidentialOpt = None,
    amount: Annotated[
        int | None,
        typer.Option(help="verify: verified tCO2 (default: calculated); decide: decided tCO2."),
    ] = None,
    vintage: Annotated[int | None, typer.Option(help="decide: vintage year.")] = None,
    remainder_to: Annotated[str | None, typer.Option(help="decide: remainder holder.")] = None,
    reference: Annotated[str | None, typer.Option(help="decide: JC decision reference.")] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Take one step of a monitoring period (verification, request, decision, issuance)."""
    verify = action_name.replace("-", "_") == "verify"

    def action() -> dict[str, Any]:
        return state.app().cycle.monitoring_step(
            cc.MonitoringStep(
                request,
                action_name,
                _acting(as_, role),
                _on(on),
                _documents(doc, confidential_doc),
                verified_amount=amount if verify else None,
                amount=None if verify else amount,
                vintage=vintage,
                remainder_to=remainder_to,
                reference=reference,
            ),
            key,
        )

    def render(r: dict[str, Any]) -> None:
        _say(r, f"{r['monitoring_period']} is {r['state']}")
        if "issuance" in r:
            issued = r["issuance"]
            out.print(
                f"issued {issued['quantity']:,} in {r['registry']}: {', '.join(issued['serials'])}"
            )
        elif r.get("lines"):
            _table("JC decision", r["lines"], ["line", "account", "share_pct", "quantity"])

    _run(json_out, action, render)


@monitoring_cli.command("list")
def monitoring_list(
    project: Annotated[str | None, typer.Option(help="Only this project's periods.")] = None,
    state_: Annotated[
        str | None,
        typer.Option("--state", help="Only periods in this state, e.g. under_jc_consideration."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List monitoring periods, e.g. those waiting for a verifier, the JC or a registry."""
    _run(
        json_out,
        lambda: state.app().cycle.monitoring_periods(project, state_),
        lambda rows: _table(
            "monitoring periods",
            rows,
            [
                "monitoring_period",
                "period",
                "state",
                "verified_amount",
                "decided_amount",
                "decision",
                "issued_sides",
                "last_step",
            ],
        ),
    )


@monitoring_cli.command("show")
def monitoring_show(
    request: Annotated[str, typer.Argument(help="Monitoring period id.")],
    record: Annotated[bool, typer.Option(help="Include the whole calculation record.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """A monitoring period: state, calculation, verification, decision and history."""

    def render(r: dict[str, Any]) -> None:
        out.print(
            f"[bold]{r['id']}[/] {r['period']['start']}..{r['period']['end']} — "
            f"[bold]{r['state']}[/]"
        )
        calc = r.get("calculation")
        if calc:
            out.print(
                f"calculated {calc['emission_reductions']:,} tCO2 by {calc['methodology']} "
                f"v{calc['version']} (record sha256 {calc['digest']})"
            )
        out.print(
            f"verified {r['verified_amount'] if r['verified_amount'] is not None else '–'}; "
            f"decided {r['decision']['amount'] if r['decision'] else '–'}; "
            f"registry decision {r['decision_id'] or '–'}; issued in "
            f"{', '.join(r['issued_sides']) or '–'}"
        )
        _table(
            "history",
            [{**h, "documents": [d["kind"] for d in h["documents"]]} for h in r["history"]],
            ["on", "action", "from", "to", "organisation", "role", "documents"],
        )

    _run(json_out, lambda: state.app().cycle.monitoring(request, with_record=record), render)


# -- methodology approval (registered on the existing `jcm methodology` group) -----------------


def register_methodology_commands(methodology_cli: typer.Typer) -> None:
    @methodology_cli.command("propose")
    def methodology_propose(
        proposal_id: Annotated[str, typer.Argument(help="Proposed id, e.g. KE_PM001.")],
        title: Annotated[str, typer.Option(help="Title.")],
        scope: Annotated[int, typer.Option(help="Sectoral scope 1-15.")],
        as_: AsOpt,
        role: RoleOpt = None,
        on: OnOpt = None,
        doc: DocOpt = None,
        rule_book: Annotated[str, typer.Option(help="Rule-book version.")] = "default",
        key: KeyOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Propose a new methodology (form and spreadsheet attached)."""

        def action() -> dict[str, Any]:
            return state.app().cycle.propose_methodology(
                cc.ProposeMethodology(
                    proposal_id.strip().upper(),
                    title,
                    scope,
                    _acting(as_, role),
                    _on(on),
                    _documents(doc, None),
                    rule_book,
                ),
                key,
            )

        _run(json_out, action, lambda r: _say(r, f"{r['methodology']} is {r['state']}"))

    @methodology_cli.command("revise")
    def methodology_revise(
        methodology_id: Annotated[str, typer.Argument(help="Approved id, e.g. KE_AM001.")],
        version: Annotated[str, typer.Argument(help="The valid version revised, e.g. 1.0.")],
        as_: AsOpt,
        role: RoleOpt = None,
        on: OnOpt = None,
        doc: DocOpt = None,
        title: Annotated[str | None, typer.Option(help="New title, if it changes.")] = None,
        rule_book: Annotated[str, typer.Option(help="Rule-book version.")] = "default",
        key: KeyOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Propose a revision of a valid methodology: the next major version."""

        def action() -> dict[str, Any]:
            return state.app().cycle.revise_methodology(
                cc.ReviseMethodology(
                    methodology_id,
                    version,
                    _acting(as_, role),
                    _on(on),
                    _documents(doc, None),
                    title,
                    rule_book,
                ),
                key,
            )

        _run(
            json_out,
            action,
            lambda r: _say(r, f"{r['methodology']} v{r['version']} is {r['state']}"),
        )

    @methodology_cli.command("step")
    def methodology_step(
        methodology_id: Annotated[str, typer.Argument(help="PM id (or AM id once approved).")],
        version: Annotated[str, typer.Argument(help="Version, e.g. 1.0.")],
        action_name: Annotated[str, typer.Argument(metavar="ACTION", help="e.g. approve.")],
        as_: AsOpt,
        role: RoleOpt = None,
        on: OnOpt = None,
        doc: DocOpt = None,
        approved_id: Annotated[
            str | None, typer.Option(help="approve: the AM id it gets, e.g. KE_AM003.")
        ] = None,
        key: KeyOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Take one step of a methodology's approval."""

        def action() -> dict[str, Any]:
            return state.app().cycle.methodology_step(
                cc.MethodologyStep(
                    methodology_id,
                    version,
                    action_name,
                    _acting(as_, role),
                    _on(on),
                    _documents(doc, None),
                    approved_id,
                ),
                key,
            )

        _run(
            json_out,
            action,
            lambda r: _say(r, f"{r['methodology']} v{r['version']} is {r['state']}"),
        )

    @methodology_cli.command("proposals")
    def methodology_proposals(json_out: JsonOpt = False) -> None:
        """List the methodologies going through (or through with) approval in the cycle."""
        _run(
            json_out,
            lambda: state.app().cycle.methodologies(),
            lambda rows: _table(
                "methodology approval",
                rows,
                ["methodology", "version", "proposal_id", "state", "last_step", "title"],
            ),
        )


__all__ = [
    "actor_cli",
    "document_cli",
    "monitoring_cli",
    "project_cli",
    "register_methodology_commands",
    "rule_book_cli",
]
