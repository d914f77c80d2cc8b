"""Work queues: what an organisation's cycle roles can act on next.

For each project and monitoring period that concerns one of the organisation's registered
actors (``jcm.domain.identity.cycle_actions.concerns``), the steps open from its state that
the actor's role may take, with the documents they still need. The designation, side and
date checks are made when the step is taken, as for any step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Actor, Role
from jcm.domain.cycle.monitoring import MonitoringRequest
from jcm.domain.cycle.monitoring_transitions import MONITORING_TRANSITIONS
from jcm.domain.cycle.project_transitions import PROJECT_TRANSITIONS
from jcm.domain.errors import NotFound
from jcm.domain.identity.cycle_actions import CYCLE_ROLES, concerns
from jcm.service_layer.cycle import lookups as lk
from jcm.service_layer.cycle.results import StepInfo
from jcm.service_layer.ports import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class QueueItem:
    """Steps one role may take on one project or monitoring period (``monitoring_period``
    None: the project itself, or a new period when ``new_monitoring_period``)."""

    project: str
    monitoring_period: str | None
    state: str | None
    role: Role
    steps: tuple[StepInfo, ...]
    new_monitoring_period: bool = False


@dataclass(frozen=True)
class WorkQueue:
    organisation: str
    roles: tuple[Role, ...]
    items: tuple[QueueItem, ...]


def _actors(uow: UnitOfWork, organisation: str, roles: Iterable[Role]) -> list[Actor]:
    found = []
    for role in sorted(set(roles) & CYCLE_ROLES):
        try:
            found.append(lk.resolve_actor(uow, cc.ActingAs(organisation, role)))
        except NotFound:
            continue  # a role granted but not (yet) in the cycle's register
    return found


def _mine(steps: tuple[StepInfo, ...], role: Role) -> tuple[StepInfo, ...]:
    return tuple(s for s in steps if role.value in s.roles)


def _awaits(actor: Actor, period: MonitoringRequest) -> bool:
    """Whether a period may wait on ``actor`` at all: a TPE sees only periods it verifies
    (or no one does yet); a registry manager only decisions that give its side a share it
    has not issued yet (the guards its step checks)."""
    if actor.role is Role.TPE:
        return period.verifier in (None, actor.organisation_id)
    if actor.role is Role.REGISTRY_MANAGER and period.decision is not None:
        return actor.side in period.sides_with_share() - period.issued_sides
    return True


def work_queue(
    uow_factory: UnitOfWorkFactory, organisation: str, roles: Iterable[Role], state: str | None
) -> WorkQueue:
    from jcm.service_layer.cycle.service import _steps

    items: list[QueueItem] = []
    with uow_factory(read_only=True) as uow:
        actors = _actors(uow, organisation, roles)
        for project in uow.cycle.list_projects():
            periods = [r for r, _ in uow.cycle.monitoring_of_project(project.id)]
            for actor in actors:
                if not concerns(
                    actor,
                    project.partner,
                    project.participant_ids(),
                    project.sectoral_scope,
                    project.validator,
                ):
                    continue
                steps = _mine(
                    _steps(PROJECT_TRANSITIONS, project.state, project.documents), actor.role
                )
                if steps:
                    items.append(
                        QueueItem(project.id, None, project.state.value, actor.role, steps)
                    )
                if project.is_registered:
                    new = _mine(_steps(MONITORING_TRANSITIONS, None, project.documents), actor.role)
                    if new:
                        items.append(QueueItem(project.id, None, None, actor.role, new, True))
                for period in periods:
                    if not _awaits(actor, period):
                        continue
                    on_file = (*project.documents, *period.documents)
                    steps = _mine(_steps(MONITORING_TRANSITIONS, period.state, on_file), actor.role)
                    if steps:
                        items.append(
                            QueueItem(project.id, period.id, period.state.value, actor.role, steps)
                        )
    chosen = [i for i in items if state is None or i.state == state]
    return WorkQueue(organisation, tuple(a.role for a in actors), tuple(chosen))
