"""The JCM project cycle as pure state machines: projects, monitoring periods, methodologies.

Each machine has one transition table (``PROJECT_TRANSITIONS``, ``MONITORING_TRANSITIONS``,
``METHODOLOGY_TRANSITIONS``) that lists, per row, the from-state, the action, the to-state,
the roles allowed, the documents required and the date guards. Steps are functions that
return a new aggregate and a transparency-log event, or raise a ``JcmError`` with a ``P*``
code and change nothing. See ``docs/project-cycle.md``.
"""

from __future__ import annotations

from jcm.domain.cycle.actors import (
    SECTORAL_SCOPES,
    Actor,
    Designation,
    Role,
    Side,
    TpeFunction,
    designations,
)
from jcm.domain.cycle.documents import (
    DocumentAccess,
    DocumentKind,
    DocumentRef,
    Visibility,
    check_sha256,
    may_read,
)
from jcm.domain.cycle.jsonvalues import Event, JsonValue, is_plain_json
from jcm.domain.cycle.machine import GUARD_TEXT, Guard, HistoryEntry, Transition, render_markdown
from jcm.domain.cycle.methodology_approval import (
    METHODOLOGY_TRANSITIONS,
    Approval,
    Methodology,
    MethodologyAction,
    MethodologyState,
    advance_methodology,
    check_methodology_applicable,
    propose_methodology,
    propose_revision,
)
from jcm.domain.cycle.monitoring import (
    JcDecision,
    MonitoringAction,
    MonitoringRequest,
    MonitoringState,
    Verification,
)
from jcm.domain.cycle.monitoring_guards import registry_of
from jcm.domain.cycle.monitoring_steps import (
    advance_monitoring,
    record_decision_command,
    submit_monitoring_report,
)
from jcm.domain.cycle.monitoring_transitions import MONITORING_TRANSITIONS
from jcm.domain.cycle.project import (
    REGISTERED_STATES,
    Allocation,
    CreditingPeriod,
    Participant,
    Participants,
    Project,
    ProjectAction,
    ProjectProposal,
    ProjectState,
    Renewal,
)
from jcm.domain.cycle.project_steps import advance_project, start_project
from jcm.domain.cycle.project_transitions import PROJECT_TRANSITIONS
from jcm.domain.cycle.rules import DEFAULT_RULE_BOOK, RuleBook

__all__ = [
    "DEFAULT_RULE_BOOK",
    "GUARD_TEXT",
    "METHODOLOGY_TRANSITIONS",
    "MONITORING_TRANSITIONS",
    "PROJECT_TRANSITIONS",
    "REGISTERED_STATES",
    "SECTORAL_SCOPES",
    "Actor",
    "Allocation",
    "Approval",
    "CreditingPeriod",
    "Designation",
    "DocumentAccess",
    "DocumentKind",
    "DocumentRef",
    "Event",
    "Guard",
    "HistoryEntry",
    "JcDecision",
    "JsonValue",
    "Methodology",
    "MethodologyAction",
    "MethodologyState",
    "MonitoringAction",
    "MonitoringRequest",
    "MonitoringState",
    "Participant",
    "Participants",
    "Project",
    "ProjectAction",
    "ProjectProposal",
    "ProjectState",
    "Renewal",
    "Role",
    "RuleBook",
    "Side",
    "TpeFunction",
    "Transition",
    "Verification",
    "Visibility",
    "advance_methodology",
    "advance_monitoring",
    "advance_project",
    "check_methodology_applicable",
    "check_sha256",
    "designations",
    "is_plain_json",
    "may_read",
    "propose_methodology",
    "propose_revision",
    "record_decision_command",
    "registry_of",
    "render_markdown",
    "start_project",
    "submit_monitoring_report",
]
