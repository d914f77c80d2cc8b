"""Action pages of the work queue: one page per open step, a form that takes it.

Each page first asks the same question as the API's step routes (``acting``: 403 for an
organisation without a role the step admits), then shows the step only if it is open to
the caller now: in its work queue (404 otherwise, as for a resource it may not see). The
form posts to the same URL; the step runs through the caller's own services, attributed
to it, with the documents uploaded in the form staged until it commits; then back to the
queue (303) with a notice. A refused step is an error page with its code, as in the API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Role, Side
from jcm.domain.errors import NotFound
from jcm.domain.identity.cycle_actions import CYCLE as RULES
from jcm.domain.identity.cycle_actions import Machine, step_name
from jcm.domain.registry.accounts import JAPAN
from jcm.domain.registry.allocation import parse_share
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.api.cycle_support import acting
from jcm.entrypoints.api.routing import scoped_key
from jcm.entrypoints.web import work_forms as wf
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import page
from jcm.service_layer.cycle.queues import QueueItem
from jcm.service_layer.cycle.results import StepInfo
from jcm.service_layer.methodologies.service import parse_fact, parse_quantity

router = PageRouter()
RoleQuery = Annotated[Role | None, Query(description="The role to act in, when several fit.")]
PERIOD_STEP = "/work/periods/{period}/steps/{action}"
PROJECT_STEP = "/work/projects/{project}/steps/{action}"

# What a form asks for beyond documents and the date, by step.
PERIOD_FIELDS: dict[str, tuple[str, ...]] = {
    "verify": ("verified_amount",),
    "decide": ("amount", "vintage", "remainder_to", "reference"),
}
PROJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "submit_pdd": ("facts", "fixed"),
    "resubmit_pdd": ("facts", "fixed"),
    "request_registration": ("shares",),
    "request_allocation_change": ("shares",),
    "request_renewal": ("renewal_end",),
}


def open_step(
    caller: Caller, project: str, period: str | None, action: str, role: Role, new: bool = False
) -> tuple[QueueItem, StepInfo]:
    """The step as the caller's work queue lists it; absent (not open to the caller, or not
    open at all) is one answer, 404."""
    assert caller.organisation is not None  # the step's rule admits no anonymous caller
    queue = caller.services.cycle.work_queue(caller.organisation, caller.roles)
    for item in queue.items:
        if (item.project, item.monitoring_period, item.role) != (project, period, role):
            continue
        if item.new_monitoring_period != new:
            continue
        for step in item.steps:
            if step.action == action:
                return item, step
    raise NotFound(
        "K4_NOT_VISIBLE",
        f"No step {action} on {period or project} is open to this caller.",
        step=action,
    )


def step_context(item: QueueItem, step: StepInfo, role: Role | None) -> dict[str, Any]:
    return {
        "item": item,
        "step": step,
        "label": wf.STEP_LABELS.get(step.action, step.action),
        "documents": [*step.attach, *step.missing_on_file],
        "role": role.value if role else "",
        "idempotency_key": wf.idempotency_key(),
        "labels": wf.LABELS,
    }


# -- monitoring periods ---------------------------------------------------------------------
def _side_lines(caller: Caller, shown: dict[str, Any], role: Role) -> list[dict[str, Any]]:
    """The decision's lines the caller's registry issues (a registry manager's side)."""
    assert caller.organisation is not None
    actor = caller.services.cycle.resolve(cc.ActingAs(caller.organisation, role))
    registry = JAPAN if actor.side is Side.JAPAN else str(shown["project"])[:2]
    return [line for line in shown.get("lines", []) if str(line["account"])[:2] == registry]


def _period_facts(caller: Caller, shown: dict[str, Any], action: str, role: Role) -> dict[str, Any]:
    """What the page shows the step will work on."""
    calculation = shown.get("calculation") or {}
    facts: dict[str, Any] = {
        "period": shown["period"],
        "calculated": calculation.get("emission_reductions"),
        "verified": shown.get("verified_amount"),
        "decision": shown.get("decision"),
        "issued_sides": shown.get("issued_sides", []),
    }
    if action == "decide":
        facts["shares"] = caller.services.cycle.project(str(shown["project"])).get("shares", [])
    if action == "record_issuance":
        facts["lines"] = _side_lines(caller, shown, role)
    return facts


@router.page("GET", PERIOD_STEP, access=RULES["monitoring_step"])
def period_step_page(
    request: Request, period: str, action: str, caller: WebCallerDep, role: RoleQuery = None
) -> HTMLResponse:
    name = step_name(action)
    by = acting(caller, Machine.MONITORING, name, role)
    assert by.role is not None
    shown = caller.services.cycle.monitoring(period)
    item, step = open_step(caller, str(shown["project"]), period, name, by.role)
    values = {
        **step_context(item, step, role),
        "action_url": PERIOD_STEP.format(period=period, action=name),
        "fields": PERIOD_FIELDS.get(name, ()),
        "facts": _period_facts(caller, shown, name, by.role),
    }
    return page(request, "work/step.html", values)


@router.page("POST", PERIOD_STEP, access=RULES["monitoring_step"])
def period_step(
    period: str, action: str, caller: WebCallerDep, form: wf.FormDep, role: RoleQuery = None
) -> Response:
    name = step_name(action)
    chosen = _chosen_role(form, role)
    by = acting(caller, Machine.MONITORING, name, chosen)
    documents = caller.services.documents.for_request()
    with documents.step():
        cmd = cc.MonitoringStep(
            period,
            name,
            by,
            wf.day(form, "on"),
            wf.stage_documents(documents, form, _kinds(form)),
            verified_amount=wf.whole(form, "verified_amount"),
            amount=wf.whole(form, "amount"),
            vintage=wf.whole(form, "vintage"),
            remainder_to=wf.text(form, "remainder_to", 40),
            reference=wf.text(form, "reference", 200),
        )
        caller.services.cycle.monitoring_step(cmd, form_key(caller, form))
    return wf.done(name, period)


# -- projects -------------------------------------------------------------------------------
@router.page("GET", PROJECT_STEP, access=RULES["project_step"])
def project_step_page(
    request: Request, project: str, action: str, caller: WebCallerDep, role: RoleQuery = None
) -> HTMLResponse:
    name = step_name(action)
    by = acting(caller, Machine.PROJECT, name, role)
    assert by.role is not None
    shown = caller.services.cycle.project(project)
    item, step = open_step(caller, str(shown["id"]), None, name, by.role)
    values = {
        **step_context(item, step, role),
        "action_url": PROJECT_STEP.format(project=shown["id"], action=name),
        "fields": PROJECT_FIELDS.get(name, ()),
        "facts": {"shares": shown.get("shares", []), "title": shown.get("title")},
    }
    return page(request, "work/step.html", values)


@router.page("POST", PROJECT_STEP, access=RULES["project_step"])
def project_step(
    project: str, action: str, caller: WebCallerDep, form: wf.FormDep, role: RoleQuery = None
) -> Response:
    name = step_name(action)
    by = acting(caller, Machine.PROJECT, name, _chosen_role(form, role))
    documents = caller.services.documents.for_request()
    with documents.step():
        cmd = cc.ProjectStep(
            project,
            name,
            by,
            wf.day(form, "on"),
            wf.stage_documents(documents, form, _kinds(form)),
            tuple(parse_share(line) for line in wf.lines(form, "shares")),
            renewal_end=wf.day(form, "renewal_end"),
            parameters=_ex_ante(form),
        )
        caller.services.cycle.project_step(cmd, form_key(caller, form))
    return wf.done(name, project)


def _ex_ante(form: FormData) -> cc.ExAnteParameters | None:
    facts = [parse_fact(line) for line in wf.lines(form, "facts")]
    fixed = [parse_quantity(line) for line in wf.lines(form, "fixed")]
    if not facts and not fixed:
        return None
    values = [(n, v if isinstance(v, bool | int) else str(v)) for n, v in facts]
    return cc.ExAnteParameters(tuple(values), tuple(fixed))


# -- shared ---------------------------------------------------------------------------------
def _kinds(form: FormData) -> list[str]:
    """The document inputs the form offered (``document-<kind>`` names), known kinds only."""
    names = [key.removeprefix("document-") for key in form if key.startswith("document-")]
    return [name for name in dict.fromkeys(names) if name in wf.DOCUMENT_LABELS]


def _chosen_role(form: FormData, role: Role | None) -> Role | None:
    given = wf.text(form, "role", 40)
    if given is None:
        return role
    try:
        return Role(given)
    except ValueError:
        raise wf.bad_field("role", "one of the organisation's roles.") from None


def form_key(caller: Caller, form: FormData) -> str | None:
    return scoped_key(caller, wf.text(form, "idempotency_key", 60))
