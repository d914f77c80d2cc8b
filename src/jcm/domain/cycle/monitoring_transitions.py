"""The monitoring period's transition table: report, verification, JC decision, issuance.

:data:`MONITORING_TRANSITIONS` lists every step of a monitoring period in one place: per
row, the from-state, the action, the to-state, the roles allowed, the documents required
and on file, the guards and the basis. The steps in :mod:`jcm.domain.cycle.monitoring_steps`
apply it; ``docs/project-cycle.md`` shows it.
"""

from __future__ import annotations

from jcm.domain.cycle.actors import Role, TpeFunction
from jcm.domain.cycle.documents import DocumentKind
from jcm.domain.cycle.machine import Guard, Transition
from jcm.domain.cycle.monitoring import (
    JcDecision,
    MonitoringAction,
    MonitoringState,
    Verification,
)

_PP = frozenset({Role.PROJECT_PARTICIPANT})
_TPE = frozenset({Role.TPE})
_JC = frozenset({Role.JC_MEMBER})
_SEC = frozenset({Role.SECRETARIAT})
_RM = frozenset({Role.REGISTRY_MANAGER})
_K = DocumentKind
_S = MonitoringState
_A = MonitoringAction
_VER = TpeFunction.VERIFICATION
_ISSUANCE_FILE = frozenset({_K.MONITORING_REPORT, _K.VERIFICATION_REPORT, _K.ISSUANCE_REQUEST})

MT = Transition[MonitoringState, MonitoringAction]
MONITORING_TRANSITIONS: tuple[MT, ...] = (
    Transition(
        None,
        _A.SUBMIT_REPORT,
        _S.REPORT_SUBMITTED,
        _PP,
        frozenset({_K.MONITORING_REPORT}),
        on_file=frozenset({_K.MONITORING_PLAN}),
        guards=(
            Guard.PROJECT_REGISTERED,
            Guard.PERIOD_ENDED,
            Guard.PERIOD_IN_CREDITING_PERIOD,
            Guard.PERIOD_NOT_OVERLAPPING,
        ),
        basis="[C:S9] monitoring report; one per period [C:S7]; period rules [I]/[D]",
    ),
    Transition(
        _S.REPORT_SUBMITTED,
        _A.START_VERIFICATION,
        _S.UNDER_VERIFICATION,
        _TPE,
        guards=(Guard.VERIFIER_INDEPENDENT,),
        tpe_function=_VER,
        basis="[C:S7,S8] TPE designated for verification in the scope",
    ),
    Transition(
        _S.UNDER_VERIFICATION,
        _A.VERIFY,
        _S.VERIFIED,
        _TPE,
        frozenset({_K.VERIFICATION_REPORT}),
        guards=(Guard.METHODOLOGY_NOT_ILLUSTRATIVE,),
        tpe_function=_VER,
        engaged_tpe=True,
        payload=Verification,
        basis="[C:S1,S4] verification report form 3.8",
    ),
    Transition(
        _S.UNDER_VERIFICATION,
        _A.GIVE_NEGATIVE_OPINION,
        _S.NOT_VERIFIED,
        _TPE,
        frozenset({_K.VERIFICATION_REPORT}),
        tpe_function=_VER,
        engaged_tpe=True,
        basis="[I] negative verification opinion; the period may be reported again",
    ),
    Transition(
        _S.VERIFIED,
        _A.REQUEST_ISSUANCE,
        _S.ISSUANCE_REQUESTED,
        _PP,
        frozenset({_K.ISSUANCE_REQUEST}),
        on_file=frozenset({_K.MONITORING_REPORT, _K.VERIFICATION_REPORT}),
        guards=(Guard.PROJECT_REGISTERED,),
        basis="[C:S1,S4] credits issuance request form 3.9",
    ),
    Transition(
        _S.ISSUANCE_REQUESTED,
        _A.ACCEPT_ISSUANCE_REQUEST,
        _S.UNDER_JC_CONSIDERATION,
        _SEC,
        on_file=_ISSUANCE_FILE,
        basis="[C:S9] secretariat completeness check; state name [I]",
    ),
    Transition(
        _S.UNDER_JC_CONSIDERATION,
        _A.DECIDE,
        _S.DECIDED,
        _JC,
        on_file=_ISSUANCE_FILE,
        guards=(Guard.PROJECT_REGISTERED, Guard.METHODOLOGY_NOT_ILLUSTRATIVE),
        payload=JcDecision,
        basis="[C:S7,S10] JC decides the amount per project and monitoring period",
    ),
    Transition(_S.UNDER_JC_CONSIDERATION, _A.REJECT, _S.REJECTED, _JC, basis="[I]"),
    Transition(
        _S.ISSUANCE_REQUESTED,
        _A.WITHDRAW,
        _S.WITHDRAWN,
        _PP,
        frozenset({_K.ISSUANCE_REQUEST_WITHDRAWAL}),
        basis="[C:S4] form 3.15",
    ),
    Transition(
        _S.UNDER_JC_CONSIDERATION,
        _A.WITHDRAW,
        _S.WITHDRAWN,
        _PP,
        frozenset({_K.ISSUANCE_REQUEST_WITHDRAWAL}),
        basis="[C:S4] form 3.15",
    ),
    Transition(
        _S.DECIDED,
        _A.RECORD_ISSUANCE,
        _S.PARTIALLY_ISSUED,
        _RM,
        guards=(Guard.SIDE_HAS_SHARE, Guard.SIDE_NOT_ISSUED),
        completes_to=_S.ISSUED,
        basis="[C:S10,S11] each side's registry manager issues its share",
    ),
    Transition(
        _S.PARTIALLY_ISSUED,
        _A.RECORD_ISSUANCE,
        _S.ISSUED,
        _RM,
        guards=(Guard.SIDE_HAS_SHARE, Guard.SIDE_NOT_ISSUED),
        basis="[C:S10,S11] each side's registry manager issues its share",
    ),
)
