"""What to do next after a refusal, in this console's own words.

The domain and the services say what is wrong (a code, a message, the values at fault); only
the CLI knows its commands, so the hints that name them live here, keyed by code. A hint may
use the refusal's details by name; a hint whose details are missing is left out.
"""

from __future__ import annotations

from typing import Any

HINTS: dict[str, str] = {
    "G1_SELECT_UNITS": "give either --quantity (lowest serials first) or --serials",
    "G1_SELECT_ENTRY": "give exactly one of --tx, --index, --serial",
    "G1_NO_REFERENCE": "give the authorising Party's letter or decision with --reference",
    "G4_UNKNOWN_REGISTRY": "create it with `jcm registry create {registry}`",
    "G4_UNKNOWN_ACCOUNT": "list accounts with `jcm account list`",
    "G4_UNKNOWN_ORGANISATION": "create it with `jcm org create --registry {registry} NAME`",
    "G4_NO_TERMINAL_ACCOUNT": "open one with `jcm account create --registry {registry} --type …`",
    "G5_REGISTRY_MISMATCH": "use `jcm external-transfer` to move units between registries",
    "G5_SAME_REGISTRY": "use `jcm transfer` within one registry",
    "A2_NOT_A_HOLDING_ACCOUNT": "use `jcm cancel` or `jcm retire` to move units into it",
    "I1_UNKNOWN_DECISION": "record it first with `jcm decision record`",
    "T7_NOT_AUTHORISED_FOR_NDC": "their host authorises them under an authorisation for NDC "
    "with `jcm a6 authorise --reference ID`",
    "R1_UNKNOWN_APPROACH": "list them with `jcm a6 approach list`; register one with "
    "`jcm a6 approach register`",
    "R2_UNKNOWN_AUTHORISATION": "register it first with `jcm a6 authorisation register`",
    "R2_USES_DIFFER": "leave out --uses and --first-transfer-at, or amend the authorisation "
    "with `jcm a6 authorisation amend {authorisation}`",
    "R2_OVER_QUANTITY": "amend the authorisation's quantity with "
    "`jcm a6 authorisation amend {authorisation} --quantity N`",
    "R2_AUTHORISATION_EXISTS": "a change is a new version: "
    "`jcm a6 authorisation amend {authorisation}`",
    "R2_UNKNOWN_ENTITY": "register it first with `jcm a6 entity register`",
    "T8_NDC_YEAR_NOT_USE": "give --ndc-year only with `jcm cancel --purpose ndc`",
    "T8_BAD_NDC_YEAR": "give --ndc-year from {earliest} to {action_year}, or leave it out "
    "(the year of the action)",
    "W4_UNKNOWN_SUBSCRIPTION": "list them with `jcm webhook list --as ORG`",
    "W4_UNKNOWN_DELIVERY": "see the delivery log with `jcm webhook deliveries --as ORG`",
    "G9_BUSY": "run the same command again in a moment (with the same --idempotency-key)",
    "U2_INSUFFICIENT_UNITS": "check the holdings with `jcm holdings --account {account}`",
    "L1_NO_CHECKPOINT": "sign one with `jcm log checkpoint`; list them with `jcm log checkpoints`",
    "L4_SIGNING_KEY_MISSING": "restore the key file from a backup (a new key needs "
    "`jcm log rotate-key`, signed by this one)",
    "L5_SIGNING_KEY_MISMATCH": "restore the key file of key {key_id} from a backup",
    "L6_SIGNING_KEY_UNREADABLE": "restore the key file from a backup",
    "P1_UNKNOWN_ACTOR": "register it with `jcm actor register {organisation} --role …`",
    "P1_AMBIGUOUS_ACTOR": "say which with --role",
    "K5_ROLE_HELD": "a role is never replaced: `jcm org revoke {organisation} --role {role}` "
    "first (logged), then grant it again",
    "K5_DECISION_REQUIRED": "name the JC decision that appointed it with --decision",
    "K5_DESIGNATION_BY_GRANT": "grant the role tpe, then record the JC's decision with "
    "`jcm actor designate {organisation} …`",
    "K5_UNKNOWN_ORGANISATION": "register it with `jcm org register {organisation} --name …`",
    "K5_ORGANISATION_EXISTS": "see its roles with `jcm org list`; change them with "
    "`jcm org grant` and `jcm org revoke`",
    "K5_UNKNOWN_USER": "list users with `jcm user list`",
    "K5_UNKNOWN_TOKEN": "list tokens with `jcm token list`",
    "P4_UNKNOWN_PROJECT": "list projects with `jcm project list`",
    "P4_PROJECT_EXISTS": "see it with `jcm project show {project}`",
    "P4_UNKNOWN_MONITORING": "list a project's periods with `jcm project show PROJECT`",
    "P4_UNKNOWN_METHODOLOGY": "list proposals with `jcm methodology proposals`",
    "P7_ILLUSTRATIVE_METHODOLOGY": "see what is illustrative with `jcm methodology show "
    "{methodology} --version {version}`; only a rule book defined with "
    "--allow-illustrative-methodologies (demonstrations) lets it through",
    "P8_UNKNOWN_RULE_BOOK": "define it with `jcm rule-book define`",
    "P8_UNKNOWN_METHODOLOGY": "list executable methodologies with `jcm methodology list`",
    "P8_BAD_ACTION": "reports: `jcm monitoring submit`; versions: `jcm methodology propose|revise`",
    "P8_MISSING_PAYLOAD": "see `jcm project next PROJECT` for what the step needs",
    "P8_CORRUPT_RECORD": "run `jcm log verify` to find what changed, or restore a backup",
    "D11_BAD_FAULT": "write faults as KIND:DEVICE[@YYYY-MM-DDTHH:MM][/N] (kinds: gap, stuck, "
    "drift, rollover, forged, replay, night); list devices with "
    "`jcm mrv fleet registrations FLEET`",
    "D11_FAULT_NOT_APPLICABLE": "give the fault another time with @YYYY-MM-DDTHH:MM; a rollover "
    "needs a cumulative meter (`jcm mrv fleet create --register cumulative|mixed`)",
    "D11_BAD_CREDENTIALS": "put the token in a private file named by JCM_FLEET_TOKEN_FILE, MQTT "
    "passwords in a private JSON file named by JCM_FLEET_MQTT_PASSWORDS_FILE",
    "D11_SINK_FAILED": "check that the broker or API runs at {target} and that the credentials "
    "are the devices' or the participant's",
    "D8_BAD_BROKER_URL": "write the broker as mqtt://127.0.0.1:1883",
    "D8_BAD_GROUP": "use letters, digits, '.', '_' or '-', e.g. --group jcm-intake",
    "D8_BROKER_TOOL": "install Debian's mosquitto package (it brings mosquitto_passwd)",
    "D8_BROKER_REFUSED": "rewrite the broker's files with `jcm mrv broker-config DIR` (same "
    "--data-dir as the subscriber), which reloads a running broker",
    "D8_STORE_FAILED": "check the database and the data directory's disk, then start "
    "the subscriber again with the same --client-id",
    "D9_BAD_PERIOD": "give --from and --to as YYYY-MM-DD, --to not before --from, at most 366 days",
    "D9_NO_DEVICES": "register the project's meters first (`jcm mrv --help` lists how)",
    "D9_UNKNOWN_PROJECT": "list projects with `jcm project list`; only a participant runs QA/QC",
    "D9_SCHEDULER_UNREACHABLE": "start one with `dask scheduler` (and `dask worker ADDRESS`), "
    "or leave out --scheduler to run in this process",
    "D1_UNKNOWN_DEVICE": "list the devices you see with `jcm mrv device list --as ORG`",
    "D2_UNSIGNED": "sign the batch with the device's key: the envelope's signature covers its "
    "RFC 8785 canonical batch (docs/mrv.md, Intake)",
    "D2_BAD_SIGNATURE": "check the device's registered key (`jcm mrv device show {device}`) and "
    "that the batch was not changed after signing",
    "D3_REPLAYED": "a device never reuses a sequence number: send new readings as batch "
    "{device} seq > the last one; see `jcm mrv refusals --device {device}`",
    "D4_MALFORMED": "the wire format and the import file's columns are in docs/mrv.md (Intake)",
    "D6_WRONG_DEVICE": "import --as a participant of the device's project (`jcm mrv device show "
    "{device}`)",
    "D7_DEVICE_EXISTS": "a new meter at the same point is `jcm mrv device replace {device} …`",
    "D7_NOT_MONITORED_PARAMETER": "use one of the parameters the methodology monitors "
    "(`jcm methodology show ID`)",
    "D7_BAD_TIMEZONE": "give an IANA zone name, e.g. --timezone Africa/Nairobi",
    "D7_NOT_PARTICIPANT": "act --as a participant of project {project} (`jcm project show "
    "{project}`)",
    "D10_BAD_PERIOD": "give --from on or before --to (ISO dates, UTC days, inclusive)",
    "D10_NOT_PARTICIPANT": "act --as a participant of project {project}",
    "D10_OVERLAPPING_PERIOD": "see `jcm mrv verification {verification}`; verify the days "
    "after its period",
    "D10_DATA_CHANGING": "wait until the meters' batches for the period have arrived, then "
    "run the command again",
    "D10_STORE_CORRUPTED": "restore the reading store (<data_dir>/mrv/readings) from a backup; "
    "`jcm log verify` checks the rest",
    "D10_UNKNOWN_VERIFICATION": "ids look like KE001-V001 (`jcm mrv verify-period` prints them)",
    "D10_NOT_LOGGED": "enable the transparency log and verify the period again",
    "D10_FILE_MISSING": "restore {file} under <data_dir>/mrv/readings from a backup",
    "D10_BUNDLE_EXISTS": "choose a new directory, or a path ending in .zip",
    "D10_BUNDLE_UNREADABLE": "give the directory or .zip `jcm mrv bundle ID --out PATH` wrote",
    "D10_BAD_SIGNATURE": "a reading in the bundle's Parquet files is not what the device "
    "signed: get the bundle again from its source",
    "D10_BATCH_MISSING": "the bundle lacks rows of a receipted batch: get it again",
    "D10_MERKLE_ROOT": "a batch was dropped from or added to the bundle: get it again",
    "D10_QA_DIFFERS": "QA/QC gives another report: check the QA rule set version the record names",
    "D10_VALUES_DIFFER": "the record's monitored values do not follow from its QA reports",
    "D10_VERDICT_DIFFERS": "the record's pass/fail does not follow from its rule set",
    "D10_RESULT_DIFFERS": "the record's result is not what the methodology calculates: do not "
    "rely on it",
    "D10_RECORD_NOT_LOGGED": "the record is not the one the log recorded: do not rely on it",
    "D10_LOG_PROOF": "check --log-key against the key the registry publishes (`jcm log "
    "public-key`)",
    # AEF reports (reports branch)
    "R4_NO_DRAFT": "build one with `jcm a6 report build {party} {year}`",
    "R4_DRAFT_STALE": "build it again with `jcm a6 report build {party} {year}`, check it, "
    "then submit",
    "R4_CHECKS_FAILED": "fix the ledger or the register, then `jcm a6 report build {party} "
    "{year}` again",
    "R5_NOT_SUBMITTED": "list what was submitted with `jcm a6 report list --party {party}`",
    "R4_NO_REPORT": "list the reports with `jcm a6 report list --party {party}`",
}


def hint_for(code: str, details: dict[str, Any]) -> str | None:
    template = HINTS.get(code)
    if template is None:
        return None
    try:
        return template.format(**details)
    except (KeyError, IndexError, ValueError):
        return None
