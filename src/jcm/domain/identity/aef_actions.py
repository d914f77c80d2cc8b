"""Who may take the Article 6.2 reporting actions (the register and the AEF reports).

A Party acts through its registry's administrator (``Resource.REGISTRY`` with the Party's
registry code): Japan's for Japan's reports across every partnership, each partner's for
its own. What has been submitted is public, as is the register.
"""

from __future__ import annotations

from jcm.domain.cycle.actors import Role
from jcm.domain.identity.access import PUBLIC, AccessRule, Resource, rule
from jcm.domain.identity.principal import Scope

# The authorising Party (the approach's partner) acts through its registry administrator.
_PARTY_ACTS = rule(Scope.REGISTRY_ISSUE, Role.REGISTRY_ADMIN, resource=Resource.REGISTRY)

# The cooperative-approach register (approaches, authorisations, authorised entities):
# approaches are the platform administrator's to register (CARP gives their ids);
# authorisations and entities the authorising Party's; anyone reads the register.
REGISTER: dict[str, AccessRule] = {
    "register_approach": rule(Scope.ADMIN, Role.ADMINISTRATOR),
    "register_authorisation": _PARTY_ACTS,
    "amend_authorisation": _PARTY_ACTS,
    "register_entity": _PARTY_ACTS,
    "list_approaches": PUBLIC,
    "get_approach": PUBLIC,
    "list_authorisations": PUBLIC,
    "get_authorisation": PUBLIC,
    "list_entities": PUBLIC,
    "get_entity": PUBLIC,
}

# The action each register log entry records, by the entry's type (attribution judges it).
REGISTER_KINDS: dict[str, str] = {
    "aef.approach_registered": "register_approach",
    "aef.authorisation_registered": "register_authorisation",
    "aef.authorisation_amended": "amend_authorisation",
    "aef.entity_registered": "register_entity",
}

# A Party's AEF reports, and the public's view of submitted ones. The Party's own acts and
# its drafts: its registry's administrator (``registry`` = the Party's code).
_PARTY_ACTS = rule(Scope.REGISTRY_ISSUE, Role.REGISTRY_ADMIN, resource=Resource.REGISTRY)
_PARTY_READS = rule(Scope.REGISTRY_READ, Role.REGISTRY_ADMIN, resource=Resource.REGISTRY)
AEF: dict[str, AccessRule] = {
    "build_report": _PARTY_ACTS,
    "submit_report": _PARTY_ACTS,
    "check_report": _PARTY_READS,
    "read_draft_report": _PARTY_READS,  # showing or exporting a draft
    "list_reports": PUBLIC,  # the public sees submitted and superseded versions only
    "read_report": PUBLIC,
    "export_report": PUBLIC,
    "verify_report": PUBLIC,
}

# The action each report log entry records, by the entry's type (attribution judges it:
# a submission is taken by the administrator of the submitting Party's registry).
AEF_KINDS: dict[str, str] = {"aef.report_submitted": "submit_report"}
