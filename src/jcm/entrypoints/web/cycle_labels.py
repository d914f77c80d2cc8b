"""The words the pages use for the project cycle's states, roles and document kinds: one
table each, shared by the public project pages and the work queues, so the two never name
the same thing differently (message ids, translated when shown)."""

from __future__ import annotations

from jcm.entrypoints.web.i18n import N_

# The funded portfolio's seed states (pipeline projects not, or not yet, in the cycle).
PORTFOLIO_STATES: dict[str, str] = {
    "funded": N_("Funded"),
    "operating": N_("Operating"),
}

PROJECT_STATES: dict[str, str] = {
    "pin_submitted": N_("PIN submitted"),
    "no_objection": N_("No objection"),
    "pin_objected": N_("PIN objected to"),
    "pdd_submitted": N_("PDD submitted"),
    "public_input": N_("Open to public input"),
    "under_validation": N_("Under validation"),
    "validated": N_("Validated"),
    "not_validated": N_("Not validated"),
    "registration_requested": N_("Registration requested"),
    "under_jc_consideration": N_("Under consideration by the Joint Committee"),
    "registered": N_("Registered"),
    "rejected": N_("Rejected"),
    "registration_withdrawn": N_("Registration request withdrawn"),
    "change_requested": N_("Change requested"),
    "renewal_requested": N_("Renewal requested"),
    "withdrawn": N_("Withdrawn"),
}

MONITORING_STATES: dict[str, str] = {
    "report_submitted": N_("Monitoring report submitted"),
    "under_verification": N_("Under verification"),
    "verified": N_("Verified"),
    "not_verified": N_("Not verified"),
    "issuance_requested": N_("Issuance requested"),
    "under_jc_consideration": N_("Under consideration by the Joint Committee"),
    "decided": N_("Issuance decided"),
    "partially_issued": N_("Partly issued"),
    "issued": N_("Issued"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}

STATES: dict[str, str] = {**PORTFOLIO_STATES, **PROJECT_STATES, **MONITORING_STATES}

ROLES: dict[str, str] = {
    "project_participant": N_("Project participant"),
    "tpe": N_("Third-party entity (TPE)"),
    "secretariat": N_("Joint Committee secretariat"),
    "jc_member": N_("Joint Committee member"),
    "registry_manager": N_("Registry manager"),
    "registry_admin": N_("Registry administrator"),
    "administrator": N_("Administrator"),
}

DOCUMENTS: dict[str, str] = {
    "pin": N_("Project idea note (PIN)"),
    "pdd": N_("Project design document (PDD)"),
    "modalities_of_communication": N_("Modalities of communication statement"),
    "monitoring_plan": N_("Monitoring plan"),
    "validation_report": N_("Validation report"),
    "registration_request": N_("Registration request form"),
    "credit_allocation_form": N_("Credit allocation form"),
    "monitoring_report": N_("Monitoring report"),
    "verification_report": N_("Verification report"),
    "issuance_request": N_("Credits issuance request form"),
    "issuance_request_withdrawal": N_("Withdrawal of the issuance request"),
    "reference_emissions_request": N_("Request for reference emissions"),
    "sd_implementation_plan": N_("Sustainable development implementation plan"),
    "project_implementation_report": N_("Project implementation report"),
    "sd_implementation_report": N_("Sustainable development implementation report"),
    "crediting_period_renewal_request": N_("Crediting period renewal request"),
    "methodology_revision_request": N_("Methodology revision request"),
    "post_registration_changes_request": N_("Post-registration changes request"),
    "project_withdrawal_request": N_("Project withdrawal request"),
    "registration_request_withdrawal": N_("Withdrawal of the registration request"),
    "proposed_methodology": N_("Proposed methodology"),
    "methodology_spreadsheet": N_("Methodology spreadsheet"),
    "jc_decision": N_("Joint Committee decision text"),
}
