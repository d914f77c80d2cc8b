"""Project-cycle routes: projects and their steps, next steps, work queues, designations.

The caller's organisation takes every step, in the role the step's transition table admits
(``jcm.domain.identity.cycle_actions``); the designation, partnership and participant
checks are the cycle's own, and their refusals pass through as they are. Monitoring
periods are in ``monitoring_routes``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse

from jcm.domain.cycle import CreditingPeriod, Participant, ProjectProposal, RuleBook
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Role
from jcm.domain.identity.cycle_actions import CYCLE as RULES
from jcm.domain.identity.cycle_actions import Machine
from jcm.domain.registry.allocation import parse_share
from jcm.entrypoints.api import cycle_schemas as cs
from jcm.entrypoints.api.cycle_support import acting, body_attachments, ex_ante, public_only
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, IdempotencyKey, Router, scoped_key

router = Router(tags=["cycle"])
State = Annotated[
    str | None, Query(max_length=40, description="Only those in this state, e.g. registered.")
]


def _participant(p: cs.ParticipantBody) -> Participant:
    return Participant(p.organisation, p.side, p.focal_point)


# -- public: projects with their cycle status -------------------------------------------------
@router.endpoint("GET", "/projects", access=RULES["list_projects"])
def list_projects(
    caller: CallerDep,
    partner: Annotated[str | None, Query(max_length=2, description="Partner ISO code.")] = None,
    state: State = None,
) -> JSONResponse:
    """Projects in the cycle with their state and last step (e.g. the JC's queue with
    `state=under_jc_consideration`)."""
    return respond(caller.services.cycle.projects(partner.upper() if partner else None, state))


@router.endpoint("GET", "/projects/{project}", access=RULES["show_project"])
def show_project(project: str, caller: CallerDep) -> JSONResponse:
    """A project: state, participants, shares, history with dates, monitoring periods and
    its documents' public versions (confidential versions are never listed here)."""
    return JSONResponse(public_only(caller.services.cycle.project(project)))


# -- the cycle's working views ----------------------------------------------------------------
@router.endpoint("GET", "/projects/{project}/next-steps", access=RULES["project_next_steps"])
def project_next_steps(project: str, caller: CallerDep) -> JSONResponse:
    """The steps open to the project and its monitoring periods, who may take them and the
    documents they still need."""
    return respond(caller.services.cycle.next_steps(project))


@router.endpoint("GET", "/work-queue", access=RULES["work_queue"])
def work_queue(caller: CallerDep, state: State = None) -> JSONResponse:
    """What the caller's organisation can act on next: for each of its cycle roles, the
    projects and monitoring periods that concern it and the steps that role may take."""
    assert caller.organisation is not None  # the route's rule admits no anonymous caller
    return respond(caller.services.cycle.work_queue(caller.organisation, caller.roles, state))


@router.endpoint("GET", "/rule-books", access=RULES["list_rule_books"])
def list_rule_books(caller: CallerDep) -> JSONResponse:
    return JSONResponse(caller.services.cycle.rule_books())


# -- steps ------------------------------------------------------------------------------------
@router.endpoint("POST", "/projects", access=RULES["start_project"], status_code=201)
def start_project(
    body: cs.StartProjectBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Start a project with its PIN (or, with `with_pdd`, its PDD): a participant's step."""
    action = "submit_pdd" if body.with_pdd else "submit_pin"
    by = acting(caller, Machine.PROJECT, action, body.role)
    proposal = ProjectProposal(
        body.project.strip().upper(),
        body.title,
        body.methodology.strip().upper(),
        body.version,
        body.scope,
        tuple(_participant(p) for p in body.participants),
        CreditingPeriod(body.crediting_period.start, body.crediting_period.end),
    )
    cmd = cc.StartProject(
        proposal,
        by,
        body.on,
        body_attachments(caller, body),
        body.with_pdd,
        body.rule_book,
        ex_ante(body.facts, body.fixed),
    )
    return respond(caller.services.cycle.start_project(cmd, scoped_key(caller, key)), 201)


@router.endpoint("POST", "/projects/{project}/steps", access=RULES["project_step"])
def project_step(
    project: str, body: cs.ProjectStepBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Take one step of a project (`next-steps` lists those open and who may take them).
    The caller's organisation acts, in the role the step's table admits; the token needs
    that role's scope (participant cycle:submit, TPE cycle:verify, others cycle:decide)."""
    cmd = cc.ProjectStep(
        project,
        body.action,
        acting(caller, Machine.PROJECT, body.action, body.role),
        body.on,
        body_attachments(caller, body),
        tuple(parse_share(f"{s.account}={s.percent}") for s in body.shares),
        tuple(_participant(p) for p in body.participants),
        body.renewal_end,
        ex_ante(body.facts, body.fixed),
    )
    return respond(caller.services.cycle.project_step(cmd, scoped_key(caller, key)))


@router.endpoint("POST", "/tpe-designations", access=RULES["designate_tpe"], status_code=201)
def designate_tpe(
    body: cs.DesignationBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """A JC decision designating a TPE (or withdrawing it) for sectoral scopes and functions;
    taken by a JC member of the designating partnership."""
    assert caller.organisation is not None
    cmd = cc.DesignateTpe(
        body.tpe,
        body.partner.upper(),
        tuple(body.scopes),
        tuple(body.functions),
        cc.ActingAs(caller.organisation, Role.JC_MEMBER),
        body.on,
        body.withdraw,
    )
    return respond(caller.services.cycle.designate_tpe(cmd, scoped_key(caller, key)), 201)


@router.endpoint("POST", "/rule-books", access=RULES["define_rule_book"], status_code=201)
def define_rule_book(
    body: cs.RuleBookBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Define a rule-book version (it never changes afterwards)."""
    rules = RuleBook(
        body.version,
        body.pdd_public_input_days,
        body.methodology_public_input_days,
        body.pin_required,
        body.verifier_may_be_validator,
        body.allow_illustrative_methodologies,
        body.automatic_verification,
    )
    result = caller.services.cycle.define_rule_book(
        cc.DefineRuleBook(rules), scoped_key(caller, key)
    )
    return respond(result, 201)
