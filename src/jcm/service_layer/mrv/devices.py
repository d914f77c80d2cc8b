"""Registering, recalibrating and replacing metering devices (each a logged event).

Who sees a device: the participants of its project, the TPEs engaged on it, and the JC
members and secretariat of its partnership (as for the project's confidential documents);
anyone else gets ``D1_UNKNOWN_DEVICE``, the answer for a device that does not exist. Only
the project's participants change its devices (``D7_NOT_PARTICIPANT`` for the other roles
that see them). A unit of work without an organisation (the server's own code, the
operator's console acting for none) is not judged.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from jcm.domain import methodologies
from jcm.domain.cycle import Project
from jcm.domain.cycle.documents import Visibility, may_read
from jcm.domain.errors import Forbidden, JcmError, NotFound
from jcm.domain.identity.access import check_acts_for
from jcm.domain.identity.principal import Principal
from jcm.domain.mrv import device_rules as rules
from jcm.domain.mrv.device_json import device_json
from jcm.domain.mrv.devices import (
    DEVICE_RECALIBRATED,
    DEVICE_REGISTERED,
    DEVICE_REPLACED,
    Calibration,
    Device,
    Replacement,
)
from jcm.service_layer.cycle import lookups as lk
from jcm.service_layer.mrv.device_ports import DeviceUnitOfWork, DeviceUnitOfWorkFactory
from jcm.service_layer.ports import UnitOfWorkFactory


def unknown_device(device_id: str) -> NotFound:
    """The one answer for a device that is absent **or** not visible to the caller."""
    return NotFound(
        "D1_UNKNOWN_DEVICE",
        f"There is no device {device_id[:64]!r} visible to this caller.",
        device=device_id[:64],
        rule="D1_UNKNOWN_DEVICE",
    )


def _organisation(principal: Principal | None) -> str | None:
    return (
        principal.organisation_id if principal is not None and principal.organisation_id else None
    )


def _sees(uow: DeviceUnitOfWork, project: Project, organisation: str) -> bool:
    if organisation in project.participant_ids():
        return True
    periods = [r for r, _ in uow.cycle.monitoring_of_project(project.id)]
    access = project.access([r.verifier for r in periods if r.verifier])
    return any(
        may_read(actor, Visibility.CONFIDENTIAL, access)
        for actor, _ in uow.cycle.actors_of(organisation)
    )


def check_participant(uow: DeviceUnitOfWork, device: Device, principal: Principal | None) -> None:
    """``D1_UNKNOWN_DEVICE`` unless ``principal`` acts for a participant of the device's
    project (or for no organisation): for uploads and changes, a device of another
    project looks absent."""
    organisation = _organisation(principal)
    if organisation is None:
        return
    project = uow.cycle.get_project(device.project_id)
    if project is None or organisation not in project.participant_ids():
        raise unknown_device(device.id)


def device_or_404(uow: DeviceUnitOfWork, device_id: str, *, lock: bool = False) -> Device:
    """The device if the unit of work's principal may see it, else ``D1_UNKNOWN_DEVICE``."""
    found = uow.mrv_devices.get(device_id.strip(), lock=lock)
    if found is None:
        raise unknown_device(device_id)
    organisation = _organisation(uow.principal)
    if organisation is not None:
        project = uow.cycle.get_project(found.project_id)
        if project is None or not _sees(uow, project, organisation):
            raise unknown_device(device_id)
    return found


def _require_participant(uow: DeviceUnitOfWork, project: Project, organisation: str | None) -> None:
    if organisation is not None and organisation not in project.participant_ids():
        raise Forbidden(
            "D7_NOT_PARTICIPANT",
            f"Organisation {organisation} is not a participant of project {project.id}; only "
            "its participants register, recalibrate or replace its devices.",
            organisation=organisation,
            project=project.id,
            rule="D7_NOT_PARTICIPANT",
        )


def monitored_energy(project: Project) -> tuple[str, ...]:
    """The energy parameters the project's methodology version monitors (none when the
    platform has no executable version of it)."""
    try:
        methodology = methodologies.get(project.methodology_id, project.methodology_version)
    except JcmError:
        return ()
    return rules.energy_parameters(methodology)


def device_view(device: Device, organisation: str | None) -> dict[str, Any]:
    return {**device_json(device), "organisation": organisation}


class DeviceService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        # The SQL unit of work has the device store; the generic port does not name it.
        self._uow = cast(DeviceUnitOfWorkFactory, uow)

    def register(self, device: Device, organisation_id: str) -> dict[str, Any]:
        """Register ``device`` for ``organisation_id``, a participant of its project."""
        with self._uow() as uow:
            check_acts_for(uow.principal, organisation_id)
            project = lk.project_or_404(uow, device.project_id, lock=True)
            _require_participant(uow, project, organisation_id)
            new = rules.check_new_device(
                replace(device, project_id=project.id),
                monitored_energy(project),
                uow.now.date(),
            )
            if uow.mrv_devices.get(new.id) is not None:
                raise rules.device_exists(new.id)
            uow.mrv_devices.add(new, organisation_id, uow.now)
            uow.ledger.add_event(
                DEVICE_REGISTERED, None, rules.registered(new, organisation_id), uow.now
            )
            uow.commit()
            return {**device_view(new, organisation_id), "event": DEVICE_REGISTERED}

    def recalibrate(self, device_id: str, calibration: Calibration) -> dict[str, Any]:
        with self._uow() as uow:
            device, organisation = self._changing(uow, device_id)
            changed, change = rules.recalibrate(device, calibration, uow.now.date())
            return self._save(uow, changed, organisation, DEVICE_RECALIBRATED, change)

    def replace(
        self,
        device_id: str,
        replacement: Replacement,
        public_key: str,
        calibration: Calibration,
    ) -> dict[str, Any]:
        """A new meter at the metering point (``replacement.old_serial`` is the stored one)."""
        with self._uow() as uow:
            device, organisation = self._changing(uow, device_id)
            changed, change = rules.replace_meter(
                device, replacement, public_key, calibration, uow.now
            )
            return self._save(uow, changed, organisation, DEVICE_REPLACED, change)

    def get(self, device_id: str) -> dict[str, Any]:
        with self._uow(read_only=True) as uow:
            device = device_or_404(uow, device_id)
            return device_view(device, uow.mrv_devices.organisation_of(device.id))

    def device(self, device_id: str) -> Device:
        """The device itself, for the other MRV use cases (the same visibility)."""
        with self._uow(read_only=True) as uow:
            return device_or_404(uow, device_id)

    def list(self, project_id: str | None = None) -> list[dict[str, Any]]:
        """The devices the caller sees, of one project or of all."""
        with self._uow(read_only=True) as uow:
            organisation = _organisation(uow.principal)
            if project_id is not None:
                project_id = lk.project_or_404(uow, project_id).id
            listed = uow.mrv_devices.listed(project_id)
            if organisation is not None:
                seen: dict[str, bool] = {}  # by project: judged once each
                for device, _ in listed:
                    if device.project_id not in seen:
                        project = uow.cycle.get_project(device.project_id)
                        seen[device.project_id] = project is not None and _sees(
                            uow, project, organisation
                        )
                listed = [(d, by) for d, by in listed if seen[d.project_id]]
            return [device_view(d, by) for d, by in listed]

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _changing(uow: DeviceUnitOfWork, device_id: str) -> tuple[Device, str | None]:
        device = device_or_404(uow, device_id, lock=True)
        project = lk.project_or_404(uow, device.project_id)
        _require_participant(uow, project, _organisation(uow.principal))
        return device, uow.mrv_devices.organisation_of(device.id)

    @staticmethod
    def _save(
        uow: DeviceUnitOfWork,
        device: Device,
        organisation: str | None,
        kind: str,
        change: dict[str, Any],
    ) -> dict[str, Any]:
        uow.mrv_devices.update(device, uow.now)
        uow.ledger.add_event(kind, None, change, uow.now)
        uow.commit()
        return {**device_view(device, organisation), "event": kind}
