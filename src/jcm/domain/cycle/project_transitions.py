"""The project's transition table: every step from idea (PIN) to registration and after.

:data:`PROJECT_TRANSITIONS` is the one place listing them all: per row, the from-state, the
action, the to-state, the roles allowed, the documents required and on file, the guards and
the basis (`[C:…]` where the research confirms it, `[I]` where it is our reading). The steps
in :mod:`jcm.domain.cycle.project_steps` apply it; ``docs/project-cycle.md`` shows it.
"""

from __future__ import annotations

from jcm.domain.cycle.actors import Role, TpeFunction
from jcm.domain.cycle.documents import DocumentKind
from jcm.domain.cycle.machine import Guard, Transition
from jcm.domain.cycle.project import (
    Allocation,
    Participants,
    ProjectAction,
    ProjectState,
    Renewal,
)

_PP = frozenset({Role.PROJECT_PARTICIPANT})
_TPE = frozenset({Role.TPE})
_JC = frozenset({Role.JC_MEMBER})
_SEC = frozenset({Role.SECRETARIAT})
_K = DocumentKind
_S = ProjectState
_A = ProjectAction
_VAL = TpeFunction.VALIDATION
_REGISTRATION_FILE = frozenset(
    {_K.PDD, _K.MODALITIES_OF_COMMUNICATION, _K.MONITORING_PLAN, _K.VALIDATION_REPORT}
)

PT = Transition[ProjectState, ProjectAction]
PROJECT_TRANSITIONS: tuple[PT, ...] = (
    Transition(None, _A.SUBMIT_PIN, _S.PIN_SUBMITTED, _PP, frozenset({_K.PIN}), basis="[C:S4,S6]"),
    Transition(
        None,
        _A.SUBMIT_PDD,
        _S.PDD_SUBMITTED,
        _PP,
        frozenset({_K.PDD, _K.MODALITIES_OF_COMMUNICATION, _K.MONITORING_PLAN}),
        guards=(Guard.PIN_NOT_REQUIRED,),
        basis="[C:S9] rule sets without PIN; monitoring plan as its own document [I]",
    ),
    Transition(_S.PIN_SUBMITTED, _A.DECIDE_NO_OBJECTION, _S.NO_OBJECTION, _JC, basis="[C:S6]"),
    Transition(_S.PIN_SUBMITTED, _A.OBJECT, _S.PIN_OBJECTED, _JC, basis="[I]"),
    Transition(
        _S.NO_OBJECTION,
        _A.SUBMIT_PDD,
        _S.PDD_SUBMITTED,
        _PP,
        frozenset({_K.PDD, _K.MODALITIES_OF_COMMUNICATION, _K.MONITORING_PLAN}),
        basis="[C:S4] forms; monitoring plan as its own document [I]",
    ),
    Transition(
        _S.PDD_SUBMITTED,
        _A.OPEN_PUBLIC_INPUT,
        _S.PUBLIC_INPUT,
        _TPE | _SEC,
        on_file=frozenset({_K.PDD}),
        tpe_function=_VAL,
        basis="[C:S14] publication of the PDD; by secretariat or TPE, N days [I]",
    ),
    Transition(
        _S.PUBLIC_INPUT,
        _A.START_VALIDATION,
        _S.UNDER_VALIDATION,
        _TPE,
        guards=(Guard.PDD_PUBLIC_INPUT_CLOSED,),
        tpe_function=_VAL,
        engaged_tpe=True,
        basis="[C:S7,S14] TPE validates; after the window [I]",
    ),
    Transition(
        _S.UNDER_VALIDATION,
        _A.VALIDATE,
        _S.VALIDATED,
        _TPE,
        frozenset({_K.VALIDATION_REPORT}),
        guards=(Guard.PDD_PUBLIC_INPUT_CLOSED,),
        tpe_function=_VAL,
        engaged_tpe=True,
        basis="[C:S4] validation report form 3.4",
    ),
    Transition(
        _S.UNDER_VALIDATION,
        _A.GIVE_NEGATIVE_OPINION,
        _S.NOT_VALIDATED,
        _TPE,
        frozenset({_K.VALIDATION_REPORT}),
        tpe_function=_VAL,
        engaged_tpe=True,
        basis="[I] negative validation opinion",
    ),
    Transition(
        _S.NOT_VALIDATED,
        _A.RESUBMIT_PDD,
        _S.PDD_SUBMITTED,
        _PP,
        frozenset({_K.PDD}),
        basis="[I] a revised PDD starts a new public-input window",
    ),
    Transition(
        _S.VALIDATED,
        _A.REQUEST_REGISTRATION,
        _S.REGISTRATION_REQUESTED,
        _PP,
        frozenset({_K.REGISTRATION_REQUEST, _K.CREDIT_ALLOCATION_FORM}),
        on_file=_REGISTRATION_FILE,
        guards=(Guard.PDD_PUBLIC_INPUT_CLOSED,),
        payload=Allocation,
        basis="[C:S4] forms 3.5, 3.6 with PDD, MoC, validation report",
    ),
    Transition(
        _S.REGISTRATION_REQUESTED,
        _A.ACCEPT_REGISTRATION_REQUEST,
        _S.UNDER_JC_CONSIDERATION,
        _SEC,
        on_file=_REGISTRATION_FILE | {_K.REGISTRATION_REQUEST, _K.CREDIT_ALLOCATION_FORM},
        basis="[C:S9] secretariat completeness check; state name [I]",
    ),
    Transition(
        _S.UNDER_JC_CONSIDERATION,
        _A.REGISTER,
        _S.REGISTERED,
        _JC,
        on_file=_REGISTRATION_FILE | {_K.REGISTRATION_REQUEST, _K.CREDIT_ALLOCATION_FORM},
        guards=(Guard.PDD_PUBLIC_INPUT_CLOSED,),
        basis="[C:S7,S8] JC registration decision",
    ),
    Transition(_S.UNDER_JC_CONSIDERATION, _A.REJECT_REGISTRATION, _S.REJECTED, _JC, basis="[I]"),
    Transition(
        _S.REGISTRATION_REQUESTED,
        _A.WITHDRAW_REGISTRATION_REQUEST,
        _S.REGISTRATION_WITHDRAWN,
        _PP,
        frozenset({_K.REGISTRATION_REQUEST_WITHDRAWAL}),
        basis="[C:S4] form 3.14",
    ),
    Transition(
        _S.UNDER_JC_CONSIDERATION,
        _A.WITHDRAW_REGISTRATION_REQUEST,
        _S.REGISTRATION_WITHDRAWN,
        _PP,
        frozenset({_K.REGISTRATION_REQUEST_WITHDRAWAL}),
        basis="[C:S4] form 3.14",
    ),
    Transition(
        _S.REGISTERED,
        _A.REQUEST_ALLOCATION_CHANGE,
        _S.CHANGE_REQUESTED,
        _PP,
        frozenset({_K.POST_REGISTRATION_CHANGES_REQUEST, _K.CREDIT_ALLOCATION_FORM}),
        payload=Allocation,
        basis="[C:S4] forms 3.12 and 3.5; decided by the JC [I]",
    ),
    Transition(
        _S.REGISTERED,
        _A.REQUEST_PARTICIPANT_CHANGE,
        _S.CHANGE_REQUESTED,
        _PP,
        frozenset({_K.POST_REGISTRATION_CHANGES_REQUEST, _K.MODALITIES_OF_COMMUNICATION}),
        payload=Participants,
        basis="[C:S4] forms 3.12 and 3.2; decided by the JC [I]",
    ),
    Transition(_S.CHANGE_REQUESTED, _A.APPROVE_CHANGE, _S.REGISTERED, _JC, basis="[I]"),
    Transition(_S.CHANGE_REQUESTED, _A.REJECT_CHANGE, _S.REGISTERED, _JC, basis="[I]"),
    Transition(
        _S.REGISTERED,
        _A.REQUEST_RENEWAL,
        _S.RENEWAL_REQUESTED,
        _PP,
        frozenset({_K.CREDITING_PERIOD_RENEWAL_REQUEST}),
        payload=Renewal,
        basis="[C:S4] form 3.10; decided by the JC [I]",
    ),
    Transition(_S.RENEWAL_REQUESTED, _A.APPROVE_RENEWAL, _S.REGISTERED, _JC, basis="[I]"),
    Transition(_S.RENEWAL_REQUESTED, _A.REJECT_RENEWAL, _S.REGISTERED, _JC, basis="[I]"),
    Transition(
        _S.REGISTERED,
        _A.WITHDRAW_PROJECT,
        _S.WITHDRAWN,
        _PP,
        frozenset({_K.PROJECT_WITHDRAWAL_REQUEST}),
        basis="[C:S4] form 3.13",
    ),
)
