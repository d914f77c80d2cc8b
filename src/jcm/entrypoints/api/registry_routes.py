"""Registry routes: registries, accounts, holdings, transactions, serials, moves, Article 6."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import Body, Query
from fastapi.responses import JSONResponse

from jcm.domain.errors import InvalidInput, NotFound
from jcm.domain.identity.access import Holding, sees_holding
from jcm.domain.identity.actions import REGISTRY as RULES
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import parse_account_status
from jcm.domain.registry.batch_file import bad_batch, parse_batch
from jcm.domain.registry.transactions import TransactionKind
from jcm.entrypoints.api import schemas as s
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.api.routing import (
    CallerDep,
    IdempotencyKey,
    Router,
    guard_account,
    scoped_key,
)
from jcm.service_layer.registry.results import AccountInfo
from jcm.service_layer.results import ChangeResult, to_json

router = Router(tags=["registry"])
PUBLIC_KINDS = (
    TransactionKind.ISSUANCE,
    TransactionKind.CANCELLATION,
    TransactionKind.RETIREMENT,
)
Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page.")]
DryRun = Annotated[bool, Query(description="Report what would happen; change nothing.")]
Cursor = Annotated[
    int | None,
    Query(ge=1, le=(1 << 63) - 1, description="The `next` value of the previous page."),
]


def respond(result: Any, status: int = 200) -> JSONResponse:
    headers = {}
    if isinstance(result, ChangeResult) and result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(to_json(result), status_code=status, headers=headers)


def page(rows: list[Any], limit: int) -> JSONResponse:
    """A page of transactions, newest first, with the cursor for the next one."""
    following = rows[-1].id if len(rows) == limit else None
    return JSONResponse({"items": [to_json(r) for r in rows], "next": following})


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), UTC) if day else None


def _account(caller: Caller, account_id: str, action: str) -> AccountInfo:
    """The account if the caller may act on it (its holder or its registry's administrator);
    an absent account and another holder's get the same 404."""
    try:
        found = caller.services.registry.account(account_id)
    except NotFound:
        guard_account(caller, RULES[action], "", "")  # refuses: nobody holds it
        raise
    guard_account(caller, RULES[action], found.organisation, found.registry)
    return found


# -- public -------------------------------------------------------------------------------
@router.endpoint("GET", "/registries", access=RULES["list_registries"])
def list_registries(caller: CallerDep) -> JSONResponse:
    return respond(caller.services.registry.registries())


@router.endpoint("GET", "/serials/{serial}", access=RULES["lookup_serial"])
def lookup_serial(serial: str, caller: CallerDep) -> JSONResponse:
    return respond(caller.services.registry.lookup_serial(serial))


@router.endpoint("GET", "/decisions", access=RULES["list_decisions"])
def list_decisions(
    caller: CallerDep, project: Annotated[str | None, Query(max_length=16)] = None
) -> JSONResponse:
    return respond(caller.services.registry.decisions(project))


@router.endpoint("GET", "/public/transactions", access=RULES["list_public_transactions"])
def list_public_transactions(
    caller: CallerDep,
    kind: TransactionKind | None = None,
    registry: Annotated[str | None, Query(max_length=2)] = None,
    project: Annotated[str | None, Query(max_length=16)] = None,
    since: date | None = None,
    until: date | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JSONResponse:
    """Issuances, cancellations and retirements: what the public registry publishes."""
    if kind is not None and kind not in PUBLIC_KINDS:
        raise InvalidInput(
            "H2_NOT_PUBLIC",
            f"Only {', '.join(k.value for k in PUBLIC_KINDS)} are published; sign in for "
            f"{kind.value}.",
            kind=kind.value,
        )
    kinds = (kind.value,) if kind else tuple(k.value for k in PUBLIC_KINDS)
    rows = caller.services.registry.transactions(
        limit,
        kinds=kinds,
        registry=registry,
        project=project,
        since=_start(since),
        until=_start(until),
        before=cursor,
    )
    return page(rows, limit)


# -- accounts -----------------------------------------------------------------------------
@router.endpoint("GET", "/accounts", access=RULES["list_accounts"])
def list_accounts(
    caller: CallerDep, registry: Annotated[str | None, Query(max_length=2)] = None
) -> JSONResponse:
    """The caller's organisation's accounts (a registry administrator: its registry's)."""
    visible = [
        a
        for a in caller.services.registry.accounts(registry)
        if sees_holding(
            caller.principal, caller.roles, Holding(a.organisation, a.registry), caller.admin_of
        )
    ]
    return respond(visible)


@router.endpoint("GET", "/accounts/{account}", access=RULES["read_account"])
def read_account(account: str, caller: CallerDep) -> JSONResponse:
    return respond(_account(caller, account, "read_account"))


@router.endpoint("GET", "/accounts/{account}/holdings", access=RULES["read_account"])
def account_holdings(account: str, caller: CallerDep) -> JSONResponse:
    _account(caller, account, "read_account")
    return respond(caller.services.registry.holdings(account))


@router.endpoint("GET", "/accounts/{account}/transactions", access=RULES["list_transactions"])
def account_transactions(
    account: str,
    caller: CallerDep,
    kind: TransactionKind | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JSONResponse:
    _account(caller, account, "list_transactions")
    rows = caller.services.registry.transactions(
        limit,
        account=account,
        kind=kind.value if kind else None,
        since=_start(since),
        until=_start(until),
        before=cursor,
    )
    return page(rows, limit)


# -- moves --------------------------------------------------------------------------------
def _move(body: s.MoveBody) -> c.Move:
    return c.Move(
        source=body.source,
        destination=body.destination,
        quantity=body.quantity,
        serials=body.serials,
        purpose=body.purpose,
        beneficiary=body.beneficiary,
        note=body.note,
        ndc_year=body.ndc_year,
    )


def _run_move(
    caller: Caller, body: s.MoveBody, kind: TransactionKind, key: str | None
) -> JSONResponse:
    _account(caller, body.source, kind.value)
    result = caller.services.registry.move(_move(body), kind, scoped_key(caller, key))
    return respond(result, 201)


@router.endpoint("POST", "/transfers", access=RULES["transfer"], status_code=201)
def transfer(body: s.MoveBody, caller: CallerDep, key: IdempotencyKey = None) -> JSONResponse:
    """Units move to another account of the same registry."""
    return _run_move(caller, body, TransactionKind.TRANSFER, key)


@router.endpoint("POST", "/external-transfers", access=RULES["external_transfer"], status_code=201)
def external_transfer(
    body: s.MoveBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Units move to the other registry of the partnership."""
    return _run_move(caller, body, TransactionKind.EXTERNAL_TRANSFER, key)


@router.endpoint("POST", "/cancellations", access=RULES["cancellation"], status_code=201)
def cancellation(body: s.MoveBody, caller: CallerDep, key: IdempotencyKey = None) -> JSONResponse:
    """Units go to the registry's cancellation account, for a purpose. Final."""
    return _run_move(caller, body, TransactionKind.CANCELLATION, key)


@router.endpoint("POST", "/retirements", access=RULES["retirement"], status_code=201)
def retirement(body: s.MoveBody, caller: CallerDep, key: IdempotencyKey = None) -> JSONResponse:
    """Units go to the registry's retirement account. Final."""
    return _run_move(caller, body, TransactionKind.RETIREMENT, key)


@router.endpoint("POST", "/batches", access=RULES["batch"], status_code=201)
def batch(
    body: s.BatchBody,
    caller: CallerDep,
    key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> JSONResponse:
    """Several moves, all or nothing."""
    moves = [(_move(m), TransactionKind(m.kind.value)) for m in body.moves]
    return _run_batch(caller, moves, key, dry_run)


def _run_batch(
    caller: Caller, moves: list[tuple[c.Move, TransactionKind]], key: str | None, dry_run: bool
) -> JSONResponse:
    for move, kind in moves:
        _account(caller, move.source, kind.value)
    result = caller.services.registry.batch(moves, scoped_key(caller, key), dry_run=dry_run)
    if dry_run:
        return JSONResponse({"dry_run": True, "result": to_json(result)})
    return respond(result, 201)


@router.endpoint("POST", "/batches/csv", access=RULES["batch"], status_code=201)
def batch_csv(
    body: Annotated[
        bytes,
        Body(
            media_type="text/csv",
            description="Header kind,from,to,quantity,serials,purpose,beneficiary,note "
            "(and optionally ndc_year); "
            "UTF-8, one move per row.",
        ),
    ],
    caller: CallerDep,
    key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> JSONResponse:
    """The same batch as CSV (the file `jcm batch` reads), all or nothing."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise bad_batch("request body", f"not UTF-8 text (byte {error.start}).") from None
    moves = parse_batch(text, "request body")
    return _run_batch(caller, moves, key, dry_run)


# -- issuance and Article 6 ---------------------------------------------------------------
@router.endpoint("POST", "/issuances", access=RULES["issue"], status_code=201)
def issue(body: s.IssueBody, caller: CallerDep, key: IdempotencyKey = None) -> JSONResponse:
    """Issue one side's share of a recorded JC decision into its registry."""
    result = caller.services.registry.issue(
        c.Issue(body.decision, body.registry), scoped_key(caller, key)
    )
    return respond(result, 201)


@router.endpoint("POST", "/authorisations", access=RULES["authorise"], status_code=201)
def authorise(body: s.AuthoriseBody, caller: CallerDep, key: IdempotencyKey = None) -> JSONResponse:
    """The host Party authorises units for Article 6 uses, held in its registry or in
    Japan's (there they are first-transferred at the authorisation). The caller must
    administer the host's registry (checked for each block of units)."""
    cmd = c.Authorise(
        body.account,
        None if body.uses is None else frozenset(body.uses),
        body.reference,
        body.trigger,
        body.quantity,
        body.serials,
    )
    return respond(caller.services.registry.authorise(cmd, scoped_key(caller, key)), 201)


@router.endpoint(
    "POST",
    "/corresponding-adjustments",
    access=RULES["corresponding_adjustment"],
    status_code=201,
)
def corresponding_adjustment(
    body: s.AdjustmentBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    cmd = c.ApplyCorrespondingAdjustment(body.serials, body.reporting_year, body.note)
    result = caller.services.registry.apply_corresponding_adjustment(cmd, scoped_key(caller, key))
    return respond(result, 201)


# -- set-up -------------------------------------------------------------------------------
@router.endpoint("POST", "/registries", access=RULES["create_registry"], status_code=201)
def create_registry(
    body: s.RegistryBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    result = caller.services.registry.create_registry(
        c.CreateRegistry(body.code, body.name), scoped_key(caller, key)
    )
    return respond(result, 201)


@router.endpoint("PUT", "/accounts/{account}/status", access=RULES["set_account_status"])
def set_account_status(
    account: str, body: s.AccountStatusBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    found = _account(caller, account, "set_account_status")
    cmd = c.SetAccountStatus(found.account, parse_account_status(body.status), body.reason)
    return respond(caller.services.registry.set_account_status(cmd, scoped_key(caller, key)))
