"""The account holder's pages: its accounts, each account's serial blocks and transactions,
and the moves (transfer, external transfer, cancellation, retirement) behind a
confirmation screen that shows the exact serials and what the move means.

Access is the API's: the same rules (``domain/identity/actions.py``) and the same 404 for
an account the caller does not hold (absent and another's alike, ``K4_NOT_VISIBLE``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from jcm.domain.errors import JcmError, NotFound
from jcm.domain.identity.access import Holding, sees_holding
from jcm.domain.identity.actions import REGISTRY as RULES
from jcm.domain.registry.accounts import AccountStatus, AccountType
from jcm.domain.registry.transactions import TransactionKind
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.api.routing import guard_account
from jcm.entrypoints.web import account_moves as mv
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import page
from jcm.service_layer.registry.results import AccountInfo

router = PageRouter()

RECENT = 20  # transactions on an account's page
BLOCKS = 200  # serial blocks on an account's page
HOLDING_TYPES = (AccountType.ENTITY_HOLDING, AccountType.GOVERNMENT_HOLDING)
CERTIFIED = (TransactionKind.CANCELLATION, TransactionKind.RETIREMENT)
# The four moves share one rule (the source account's holder, registry:move); a page route
# takes it, and each move is guarded again with its own action's rule, account in hand.
MOVE_RULE = RULES[TransactionKind.TRANSFER.value]
assert all(RULES[m.kind.value] == MOVE_RULE for m in mv.MOVES.values())

FormDep = Annotated[mv.MoveForm, Depends(mv.move_form)]
Key = Annotated[str, Form(max_length=200)]
Ranges = Annotated[list[str] | None, Form(alias="range")]


def visible_account(caller: Caller, account_id: str, action: str) -> AccountInfo:
    """The account if the caller may take ``action`` on it; otherwise the API's 404."""
    try:
        found = caller.services.registry.account(account_id)
    except NotFound:
        guard_account(caller, RULES[action], "", "")  # refuses: nobody holds it
        raise
    guard_account(caller, RULES[action], found.organisation, found.registry)
    return found


def move_of(slug: str) -> mv.MoveKind:
    found = mv.MOVES.get(slug)
    if found is None:
        raise NotFound("H1_NO_SUCH_ROUTE", "No such page.", path=slug[:40])
    return found


def movable(account: AccountInfo) -> bool:
    """Whether the page offers moves (the domain refuses the rest anyway, with its code)."""
    return account.type in HOLDING_TYPES and account.status is AccountStatus.OPEN


# -- reading ------------------------------------------------------------------------------------


@router.page("GET", "/accounts", access=RULES["list_accounts"])
def accounts(
    request: Request,
    caller: WebCallerDep,
    registry_code: Annotated[str | None, Query(alias="registry", max_length=2)] = None,
) -> HTMLResponse:
    """The caller's organisation's accounts (a registry's administrator: its registry's);
    ``?registry=KE``: one registry's only."""
    registry = caller.services.registry
    visible = [
        a
        for a in registry.accounts(registry_code)
        if sees_holding(
            caller.principal, caller.roles, Holding(a.organisation, a.registry), caller.admin_of
        )
    ]
    totals = {a.account: sum(h.quantity for h in registry.holdings(a.account)) for a in visible}
    return page(
        request,
        "accounts/list.html",
        {"accounts": visible, "totals": totals, "movable": movable},
    )


@router.page("GET", "/accounts/{account}", access=RULES["read_account"])
def account(account: str, request: Request, caller: WebCallerDep) -> HTMLResponse:
    """One account: its serial blocks (lowest first) and its recent transactions."""
    found = visible_account(caller, account, "read_account")
    guard_account(caller, RULES["list_transactions"], found.organisation, found.registry)
    registry = caller.services.registry
    blocks = registry.account_blocks(found.account, BLOCKS)
    recent = registry.transactions(RECENT, account=found.account)
    return page(
        request,
        "accounts/detail.html",
        {
            "account": found,
            "blocks": blocks,
            "total": sum(h.quantity for h in registry.holdings(found.account)),
            "transactions": recent,
            "moves": mv.MOVES.values() if movable(found) else (),
            "kinds": mv.KIND_LABELS,
            "certified": {k.value for k in CERTIFIED},
        },
    )


# -- moving: form → confirmation → execution ----------------------------------------------------


def _form(
    request: Request,
    found: AccountInfo,
    move: mv.MoveKind,
    form: mv.MoveForm,
    error: JcmError | None = None,
) -> HTMLResponse:
    context = {
        "account": found,
        "move": move,
        "form": form,
        "purposes": mv.PURPOSES,
        "error": error,
    }
    status = error.http_status if error is not None else 200
    return page(request, "accounts/move_form.html", context, status_code=status)


@router.page("GET", "/accounts/{account}/{move}", access=MOVE_RULE)
def move_form(account: str, move: str, request: Request, caller: WebCallerDep) -> HTMLResponse:
    chosen = move_of(move)
    found = visible_account(caller, account, chosen.kind.value)
    return _form(request, found, chosen, mv.MoveForm())


@router.page("POST", "/accounts/{account}/{move}/edit", access=MOVE_RULE)
def edit(
    account: str, move: str, form: FormDep, request: Request, caller: WebCallerDep
) -> HTMLResponse:
    """Back from the confirmation to the form, with what was typed (nothing changes)."""
    chosen = move_of(move)
    found = visible_account(caller, account, chosen.kind.value)
    return _form(request, found, chosen, form)


@router.page("POST", "/accounts/{account}/{move}/confirm", access=MOVE_RULE)
def confirm(
    account: str, move: str, form: FormDep, request: Request, caller: WebCallerDep
) -> HTMLResponse:
    """The dry run: the exact serials and the consequences, or the refusal on the form."""
    chosen = move_of(move)
    found = visible_account(caller, account, chosen.kind.value)
    try:
        cmd = form.command(found.account, chosen)
        preview = caller.services.registry.preview_move(cmd, chosen.kind)
    except JcmError as refusal:
        return _form(request, found, chosen, form, refusal)
    context = {
        "account": found,
        "move": chosen,
        "form": form,
        "command": cmd,
        "preview": preview,
        "consequences": mv.consequences(chosen, preview),
        "purposes": dict(mv.PURPOSES),
        "key": mv.new_confirmation_key(),
    }
    # A confirmation is never cached: its key must not be reused for another screen.
    return page(request, "accounts/confirm.html", context, headers={"Cache-Control": "no-store"})


@router.page("POST", "/accounts/{account}/{move}", access=MOVE_RULE)
def execute(
    account: str,
    move: str,
    form: FormDep,
    request: Request,
    caller: WebCallerDep,
    idempotency_key: Key = "",
    serial_range: Ranges = None,
) -> HTMLResponse:
    """Move exactly the confirmed serials, once (a repeated submission is a replay)."""
    chosen = move_of(move)
    found = visible_account(caller, account, chosen.kind.value)
    try:
        cmd = form.command(found.account, chosen)
        done, replayed = mv.execute(caller, chosen, cmd, serial_range or [], idempotency_key)
    except JcmError as refusal:
        return _form(request, found, chosen, form, refusal)
    context = {
        "account": found,
        "move": chosen,
        "form": form,
        "done": done,
        "replayed": replayed,
        "quantity": sum(d.quantity for d in done),
        "certificate": chosen.kind in CERTIFIED,
        "purposes": dict(mv.PURPOSES),
    }
    return page(request, "accounts/result.html", context, headers={"Cache-Control": "no-store"})
