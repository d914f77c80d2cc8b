"""Who may do what in digital MRV (issue 11).

A project's participants register its devices, upload and import its readings, run QA/QC
and its automatic verification (the use case then checks that the caller participates in
the device's project: a token of another organisation gets 404). Uploading readings needs
the ``mrv:submit`` scope, so a device gateway's token can carry nothing else. The cycle's
other roles read devices, intake counts and QA reports of the projects in their queues.
Evidence bundles and verification records are public: anyone may recompute a period.
"""

from __future__ import annotations

from jcm.domain.cycle.actors import Role
from jcm.domain.identity.access import PUBLIC, AccessRule, rule
from jcm.domain.identity.cycle_actions import CYCLE_ROLES
from jcm.domain.identity.principal import Scope

PARTICIPANT_SUBMITS = rule(Scope.CYCLE_SUBMIT, Role.PROJECT_PARTICIPANT)
CYCLE_READER = rule(None, *CYCLE_ROLES)

MRV: dict[str, AccessRule] = {
    # devices
    "register_device": PARTICIPANT_SUBMITS,
    "recalibrate_device": PARTICIPANT_SUBMITS,
    "replace_device": PARTICIPANT_SUBMITS,
    "issue_device_credentials": PARTICIPANT_SUBMITS,
    "list_devices": CYCLE_READER,
    "get_device": CYCLE_READER,
    # intake
    "submit_batches": rule(Scope.MRV_SUBMIT, Role.PROJECT_PARTICIPANT),
    "import_readings": rule(Scope.MRV_SUBMIT, Role.PROJECT_PARTICIPANT),
    "intake_statistics": CYCLE_READER,
    # QA/QC
    "run_qa": PARTICIPANT_SUBMITS,
    "qa_reports": CYCLE_READER,
    # automatic verification
    "verify_period": PARTICIPANT_SUBMITS,
    "verifications": PUBLIC,
    "evidence_bundle": PUBLIC,
}
