"""The catalogue of codes: every code the product raises, with its class and meaning.

One row per code: the code (its first letter is its family), the exception class it is raised
with (which fixes the HTTP status an API answers with), the ITL-style check it implements
where there is one, and a one-line meaning. ``docs/checks.md`` is generated from this table
(``python -m jcm.domain.codes docs/checks.md``) and a test keeps the two and every raise site in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from jcm.domain.errors import (
    AccountRuleViolation,
    Article6RuleViolation,
    BadQuery,
    ConcurrencyConflict,
    DataCorruption,
    Forbidden,
    IdempotencyConflict,
    InvalidInput,
    IssuanceRuleViolation,
    JcmError,
    NotFound,
    RateLimited,
    RuleViolation,
    Unauthenticated,
    UnitRuleViolation,
)

FAMILIES = {
    "G": "General",
    "U": "Units and serials",
    "I": "Issuance",
    "A": "Accounts",
    "T": "Article 6",
    "L": "Transparency log",
    "M": "Methodologies",
    "S": "Monitoring sheets",
    "P": "Project cycle",
    "K": "Identity and access",
    "H": "HTTP API",
    "W": "Webhooks",
    "D": "Digital MRV",
    "R": "Article 6.2 reporting",
}


@dataclass(frozen=True)
class Code:
    code: str
    raised_as: type[JcmError]
    check: str
    meaning: str

    @property
    def family(self) -> str:
        return self.code[0]

    @property
    def http_status(self) -> int:
        return self.raised_as.http_status


# fmt: off
CATALOGUE: tuple[Code, ...] = (
    Code("G1_BAD_ACCOUNT_TYPE", InvalidInput, "G1", "an enumerated value is unknown; the message lists the allowed values"),
    Code("G1_BAD_ARGUMENT", InvalidInput, "G1", "a command-line option value cannot be parsed, an argument is missing, or an option or command is unknown (CLI exit status 2, JSON when asked)"),
    Code("G1_BAD_BATCH", InvalidInput, "G1", "malformed input (the value is named; batch errors name the row)"),
    Code("G1_BAD_CHARACTERS", InvalidInput, "G1", "a text holds a control or direction character (or a NUL in a file name), or an identifier holds other than A-Z a-z 0-9 . _ : -"),
    Code("G1_BAD_COUNTRY", InvalidInput, "G1", "a registry, partnership, designation, project host or host_country fact is not an ISO 3166-1 alpha-2 code (pycountry)"),
    Code("G1_BAD_DATABASE_PASSWORD_FILE", InvalidInput, "G1", "JCM_DATABASE_PASSWORD_FILE cannot be read, is not private (mode 0600), is over 4 KiB or has an empty first line"),
    Code("G1_BAD_DATABASE_URL", InvalidInput, "G1", "the database URL cannot be parsed or names an unknown driver"),
    Code("G1_BAD_DATE", InvalidInput, "G1", "malformed input (the value is named; batch errors name the row)"),
    Code("G1_BAD_FACT", InvalidInput, "G1", "a methodology fact is not NAME=VALUE, or a value not NAME=VALUE:UNIT"),
    Code("G1_BAD_KIND", InvalidInput, "G1", "an enumerated value is unknown; the message lists the allowed values"),
    Code("G1_BAD_LOCK_TIMEOUT", InvalidInput, "G1", "JCM_LOCK_TIMEOUT is not a number of seconds from 0.01 to 600"),
    Code("G1_BAD_NAME", InvalidInput, "G1", "malformed input (the value is named; batch errors name the row)"),
    Code("G1_BAD_PROJECT", InvalidInput, "G1", "malformed input (the value is named; batch errors name the row)"),
    Code("G1_BAD_PURPOSE", InvalidInput, "G1", "an enumerated value is unknown; the message lists the allowed values"),
    Code("G1_BAD_QUANTITY", InvalidInput, "G1", "malformed input (the value is named; batch errors name the row)"),
    Code("G1_BAD_SHARE", InvalidInput, "G1", "malformed input (the value is named; batch errors name the row)"),
    Code("G1_BAD_STATUS", InvalidInput, "G1", "an account status is unknown"),
    Code("G1_BAD_TRIGGER", InvalidInput, "G1", "an enumerated value is unknown; the message lists the allowed values"),
    Code("G1_BAD_USE", InvalidInput, "G1", "an enumerated value is unknown; the message lists the allowed values"),
    Code("G1_CANNOT_WRITE", InvalidInput, "G1", "an output file cannot be written (missing directory, full device, no permission)"),
    Code("G1_DATABASE_PASSWORD_CONFLICT", InvalidInput, "G1", "the database password is given in two places (the URL, JCM_DATABASE_PASSWORD, JCM_DATABASE_PASSWORD_FILE)"),
    Code("G1_FILE_TOO_LARGE", InvalidInput, "G1", "a file to read is larger than the upload limit (JCM_MAX_UPLOAD_BYTES, default 64 MiB)"),
    Code("G1_NOT_A_FILE", InvalidInput, "G1", "a file to read is not a regular file (a FIFO, a device, a directory)"),
    Code("G1_NO_CHANGE", InvalidInput, "G1", "an account is set to the status it already has"),
    Code("G1_NO_DESTINATION", InvalidInput, "G1", "a command is incomplete or contradictory"),
    Code("G1_NO_FILE", InvalidInput, "G1", "malformed input (the value is named; batch errors name the row)"),
    Code("G1_NO_PURPOSE", InvalidInput, "G1", "a command is incomplete or contradictory"),
    Code("G1_NO_REFERENCE", InvalidInput, "G1", "a command is incomplete or contradictory"),
    Code("G1_OUT_OF_RANGE", InvalidInput, "G1", "an integer does not fit its field (at most a signed 64-bit value), or a decimal is not finite, >= 10^15 or longer than 30 digits"),
    Code("G1_SAME_ACCOUNT", InvalidInput, "G1", "a command is incomplete or contradictory"),
    Code("G1_SELECT_ENTRY", InvalidInput, "G1", "an inclusion proof is asked for by none or several of transaction, index and serial"),
    Code("G1_SELECT_UNITS", InvalidInput, "G1", "units are named by neither or both of a quantity and a serial range"),
    Code("G1_TOO_LONG", InvalidInput, "G1", "a text is longer than its field allows (the limit fits the database column)"),
    Code("G1_TOO_MANY", InvalidInput, "G1", "a repeated option or list has more than 1,000 items (a batch more than 10,000 moves)"),
    Code("G2_IDEMPOTENCY_KEY_REUSED", IdempotencyConflict, "G2", "an idempotency key is reused for a different command"),
    Code("G3_REGISTRY_INACTIVE", AccountRuleViolation, "G3", "a registry involved is not active"),
    Code("G4_ACCOUNT_NOT_OPEN", AccountRuleViolation, "G4", "an account is blocked or closed"),
    Code("G4_NO_TERMINAL_ACCOUNT", NotFound, "G4", "something named does not exist"),
    Code("G4_UNKNOWN_ACCOUNT", NotFound, "G4", "something named does not exist"),
    Code("G4_UNKNOWN_ORGANISATION", NotFound, "G4", "something named does not exist"),
    Code("G4_UNKNOWN_REGISTRY", NotFound, "G4", "something named does not exist"),
    Code("G5_REGISTRY_MISMATCH", AccountRuleViolation, "G5", "an internal transfer names accounts of two registries"),
    Code("G5_SAME_REGISTRY", AccountRuleViolation, "G5", "an external transfer names accounts of one registry"),
    Code("G6_NOT_BILATERAL", AccountRuleViolation, "G5/ITL eligibility", "units of a Japan–partner JCM would go to a third registry"),
    Code("G7_DUPLICATE", AccountRuleViolation, "", "the database refused a record that already exists (a unique constraint); refused at once, not retried"),
    Code("G7_REGISTRY_EXISTS", AccountRuleViolation, "", "a registry is created twice"),
    Code("G9_BUSY", ConcurrencyConflict, "", "a lock held elsewhere outlasted the lock timeout (JCM_LOCK_TIMEOUT, default 5 s), or conflicts persisted through every retry; retry the command"),
    Code("G9_DATABASE_UNAVAILABLE", ConcurrencyConflict, "", "the database cannot be reached (wrong password, refused port, unwritable SQLite file); retry once fixed"),
    Code("U1_UNKNOWN_SERIAL", UnitRuleViolation, "U1", "serials in the range were never issued (or the serial names the wrong origin registry, vintage or period)"),
    Code("U2_INSUFFICIENT_UNITS", UnitRuleViolation, "U2", "an account holds fewer units than the quantity asked"),
    Code("U2_UNITS_NOT_HELD", UnitRuleViolation, "U2", "serials are held by another account (the message names the holder and the sub-range)"),
    Code("U6_BAD_RANGE", InvalidInput, "U6", "start > end, start < 1, or a malformed serial"),
    Code("U6_BAD_SERIAL", InvalidInput, "U6", "start > end, start < 1, or a malformed serial"),
    Code("I1_UNKNOWN_DECISION", NotFound, "I1", "issuing a decision that was never recorded"),
    Code("I2_ALREADY_ISSUED", IssuanceRuleViolation, "I2", "a side issues its share of a decision a second time"),
    Code("I2_NO_SHARE", IssuanceRuleViolation, "I2", "the decision allocates nothing to that registry"),
    Code("I3_OVERLAPPING_PERIOD", IssuanceRuleViolation, "I3", "a monitoring period overlaps another of the same project, pending or issued (one shared day counts)"),
    Code("I6_BAD_AMOUNT", InvalidInput, "", "the decided amount is not a whole number ≥ 1"),
    Code("I7_BAD_ALLOCATION", InvalidInput, "A2", "shares do not sum to exactly 100, repeat a holder, are ≤ 0 or > 100, or the remainder holder is not listed"),
    Code("I8_BAD_PERIOD", InvalidInput, "", "a period ends before it starts, or ends in the future"),
    Code("I8_FUTURE_PERIOD", InvalidInput, "", "a period ends before it starts, or ends in the future"),
    Code("I9_BAD_VINTAGE", InvalidInput, "", "the vintage is not a year of the monitoring period"),
    Code("A1_TERMINAL_ACCOUNT", AccountRuleViolation, "A1", "anything would leave a cancellation or retirement account"),
    Code("A2_NOT_A_HOLDING_ACCOUNT", AccountRuleViolation, "A2", "a transfer or issuance would go to a cancellation/retirement account (use `cancel`/`retire`)"),
    Code("A2_NOT_ELIGIBLE_FOR_ISSUANCE", AccountRuleViolation, "A2", "an allocation names an account outside Japan's and the partner's registries"),
    Code("A3_SINGLETON_EXISTS", AccountRuleViolation, "", "a second government-holding, cancellation or retirement account in one registry"),
    Code("A4_ACCOUNT_CLOSED", AccountRuleViolation, "", "changing a closed account (closing is final)"),
    Code("A4_NOT_EMPTY", AccountRuleViolation, "", "closing an account that still holds units"),
    Code("A4_SYSTEM_ACCOUNT", AccountRuleViolation, "", "blocking or closing a registry's government-holding, cancellation or retirement account"),
    Code("T1_NOT_AUTHORISED_FOR_PURPOSE", Article6RuleViolation, "T1", "cancelling for OIMP units not authorised for OIMP"),
    Code("T3_NO_ADJUSTMENT_DUE", Article6RuleViolation, "T3", "recording a corresponding adjustment for units whose adjustment is not pending"),
    Code("T4_ALREADY_FIRST_TRANSFERRED", Article6RuleViolation, "T1", "changing the authorisation of units already first-transferred"),
    Code("T5_NOT_AUTHORISING_PARTY", Article6RuleViolation, "T1", "authorising units anywhere but in the host Party's (partner's) registry or Japan's"),
    Code("T6_BAD_TRIGGER", InvalidInput, "T1", "an NDC authorisation with a first-transfer definition other than the first international transfer, or an OIMP authorisation first-transferring at use for units held outside the host's registry (they are first-transferred at the authorisation)"),
    Code("T7_NOT_AUTHORISED_FOR_NDC", Article6RuleViolation, "T1", "units are cancelled for an NDC outside their host Party's registry without the host's authorisation for NDC use (only ITMOs count towards another Party's NDC) [I]"),
    Code("L1_NO_CHECKPOINT", NotFound, "", "a proof is asked for but no signed checkpoint covers the entry (or none of that size exists)"),
    Code("L2_UNKNOWN_ENTRY", NotFound, "", "the log has no such entry index, or no entry records that transaction"),
    Code("L3_BAD_SIZES", InvalidInput, "", "a consistency proof from a larger checkpoint to a smaller one"),
    Code("L4_SIGNING_KEY_MISSING", DataCorruption, "", "the log must sign (a checkpoint, on demand or automatic, or a key rotation) but the key file of its active key is missing; never replaced by a silent new key"),
    Code("L5_SIGNING_KEY_MISMATCH", DataCorruption, "", "the key file holds another key than the one the database records as the log's active key"),
    Code("L6_SIGNING_KEY_UNREADABLE", DataCorruption, "", "the log's key file is empty, truncated or not an Ed25519 private key"),
    Code("L7_BAD_PUBLIC_KEY", InvalidInput, "", "a public key to pin cannot be read from the file given"),
    Code("M0_UNKNOWN_METHODOLOGY", NotFound, "", "no methodology with that id (and version)"),
    Code("M1_UNKNOWN_PARAMETER", InvalidInput, "", "a value names a parameter the methodology does not have"),
    Code("M2_OUT_OF_RANGE", InvalidInput, "", "a value is outside the parameter's allowed range or physical bounds (e.g. generation above capacity × hours)"),
    Code("M3_WRONG_UNIT", InvalidInput, "", "a value comes in another unit than the parameter's"),
    Code("M4_MISSING_PARAMETER", InvalidInput, "", "a required parameter has no value"),
    Code("M5_NO_DEFAULT", InvalidInput, "", "no default value exists for that country, grid or case"),
    Code("M6_NOT_DECIMAL", InvalidInput, "", "a value is a float, NaN or has more than 20 significant digits"),
    Code("M7_DEFAULT_NOT_INPUT", InvalidInput, "", "a user tries to type in a default value (an emission factor comes from the versioned tables only)"),
    Code("M8_BAD_FACT", InvalidInput, "", "a project fact for eligibility is malformed"),
    Code("M9_OVERLAPPING_PERIODS", InvalidInput, "", "monitoring periods given to one calculation overlap"),
    Code("S1_BAD_SHEET", InvalidInput, "", "the file is missing or not .xlsx/.csv, the header is not `period_start, period_end, NAME [UNIT]…`, or there is no period"),
    Code("S1_SHEET_TOO_LARGE", InvalidInput, "", "a monitoring sheet is larger than 16 MiB, unpacks beyond 128 MiB, or has more than 10,000 rows or 200 columns"),
    Code("S2_BAD_CELL", InvalidInput, "", "a date or a number cannot be read, or a value is missing (sheet, row and column named)"),
    Code("P1_AMBIGUOUS_ACTOR", InvalidInput, "", "the organisation holds several roles and the step does not say which"),
    Code("P1_NOT_A_PARTICIPANT", RuleViolation, "", "a participant acts for a project it is not part of"),
    Code("P1_NOT_ENGAGED_TPE", RuleViolation, "", "another TPE than the one engaged validates or verifies"),
    Code("P1_SAME_TPE", RuleViolation, "", "the validator verifies where the rule book forbids it"),
    Code("P1_TPE_NOT_DESIGNATED", RuleViolation, "", "a TPE is not designated by the project's JC for the function in the project's scope"),
    Code("P1_UNKNOWN_ACTOR", NotFound, "", "the organisation is not registered as an actor, or not in the role named (`NotFound`)"),
    Code("P1_WRONG_JC", RuleViolation, "", "a JC member, the secretariat or a partner registry manager of another partnership acts"),
    Code("P1_WRONG_ROLE", RuleViolation, "", "the actor's role is not one of the row's roles"),
    Code("P2_MISSING_DOCUMENT", RuleViolation, "", "required document kinds have no public version attached (or on file)"),
    Code("P3_FUTURE_STEP", InvalidInput, "", "a step is dated after today"),
    Code("P3_OUTSIDE_CREDITING_PERIOD", RuleViolation, "", "a monitoring period is not within the crediting period"),
    Code("P3_OUT_OF_ORDER", RuleViolation, "", "a step is dated before the previous step"),
    Code("P3_TOO_EARLY", RuleViolation, "", "a public-input window is still open"),
    Code("P4_BAD_TRANSITION", RuleViolation, "", "the action is not allowed from the current state (the message lists the states it is allowed from)"),
    Code("P4_METHODOLOGY_EXISTS", RuleViolation, "", "a project id is started twice, a methodology version proposed twice"),
    Code("P4_METHODOLOGY_NOT_VALID", RuleViolation, "", "a project's methodology version is not valid"),
    Code("P4_NOT_DECIDED", RuleViolation, "", "a registry command is asked for a period the JC has not decided"),
    Code("P4_PIN_REQUIRED", RuleViolation, "", "a project starts at its PDD under a rule book that requires a PIN"),
    Code("P4_PROJECT_EXISTS", RuleViolation, "", "a project id is started twice, a methodology version proposed twice"),
    Code("P4_PROJECT_NOT_REGISTERED", RuleViolation, "", "a monitoring step needs a registered project"),
    Code("P4_UNKNOWN_METHODOLOGY", NotFound, "", "no such project, monitoring period or proposed methodology version (`NotFound`)"),
    Code("P4_UNKNOWN_MONITORING", NotFound, "", "no such project, monitoring period or proposed methodology version (`NotFound`)"),
    Code("P4_UNKNOWN_PROJECT", NotFound, "", "no such project, monitoring period or proposed methodology version (`NotFound`)"),
    Code("P5_OVERLAPPING_PERIOD", IssuanceRuleViolation, "", "a monitoring period overlaps another live period of the project"),
    Code("P6_FUTURE_PERIOD", IssuanceRuleViolation, "", "a monitoring period has not ended before the report date"),
    Code("P7_ABOVE_CALCULATED", IssuanceRuleViolation, "", "a TPE verifies more than the monitoring report's calculated reductions"),
    Code("P7_ABOVE_VERIFIED", IssuanceRuleViolation, "", "the JC decides more than the verified amount"),
    Code("P7_ALREADY_ISSUED", IssuanceRuleViolation, "", "a side records its issuance twice"),
    Code("P7_ILLUSTRATIVE_METHODOLOGY", IssuanceRuleViolation, "", "a TPE verifies, or the JC decides, a period whose calculation record is illustrative (an unconfirmed methodology id or a placeholder default) under a rule book that does not allow illustrative methodologies"),
    Code("P7_NO_SHARE_FOR_SIDE", IssuanceRuleViolation, "", "a registry manager records issuance for a side with no share"),
    Code("P7_REPORTED_DIFFERS", IssuanceRuleViolation, "", "the reductions a report states differ from what the executable methodology calculates from its values"),
    Code("P8_BAD_ACTION", InvalidInput, "", "the step named is not a step of that state machine (the message lists them)"),
    Code("P8_BAD_ACTOR", InvalidInput, "", "malformed actor, scope, hash, date, document or period"),
    Code("P8_BAD_AMOUNT", InvalidInput, "", "malformed project, methodology or decision details"),
    Code("P8_BAD_CREDITING_PERIOD", InvalidInput, "", "malformed project, methodology or decision details"),
    Code("P8_BAD_DATE", InvalidInput, "", "malformed actor, scope, hash, date, document or period"),
    Code("P8_BAD_DOCUMENT", InvalidInput, "", "malformed actor, scope, hash, date, document or period"),
    Code("P8_BAD_FILENAME", InvalidInput, "", "a document is stored with a malformed media type or filename, or with identical public and confidential versions"),
    Code("P8_BAD_HASH", InvalidInput, "", "malformed actor, scope, hash, date, document or period"),
    Code("P8_BAD_MEDIA_TYPE", InvalidInput, "", "a document is stored with a malformed media type or filename, or with identical public and confidential versions"),
    Code("P8_BAD_METHODOLOGY", InvalidInput, "", "malformed project, methodology or decision details"),
    Code("P8_BAD_PARTICIPANTS", InvalidInput, "", "malformed project, methodology or decision details"),
    Code("P8_BAD_PERIOD", InvalidInput, "", "malformed actor, scope, hash, date, document or period"),
    Code("P8_BAD_RULE_BOOK", InvalidInput, "", "a rule book has no version or an impossible window"),
    Code("P8_BAD_SCOPE", InvalidInput, "", "malformed actor, scope, hash, date, document or period"),
    Code("P8_BAD_SHARES", InvalidInput, "", "malformed project, methodology or decision details"),
    Code("P8_BAD_STATE", InvalidInput, "", "a listing is filtered by a state the machine does not have (the message lists them)"),
    Code("P8_BAD_TITLE", InvalidInput, "", "malformed project, methodology or decision details"),
    Code("P8_CORRUPT_RECORD", DataCorruption, "", "a stored aggregate cannot be read back (edited by hand or by newer code)"),
    Code("P8_MISSING_PAYLOAD", InvalidInput, "", "a step lacks its details (allocation, participants, renewal, verification, decision, approval) or gets some it does not take"),
    Code("P8_NOT_ELIGIBLE", RuleViolation, "", "the PDD's facts fail the methodology's eligibility checklist (the message names each failing criterion and why)"),
    Code("P8_OTHER_PROJECT", InvalidInput, "", "a monitoring request is used with another project"),
    Code("P8_RULE_BOOK_EXISTS", RuleViolation, "", "a rule-book version is not defined, or defined twice (a rule book never changes)"),
    Code("P8_RULE_BOOK_MISMATCH", InvalidInput, "", "a step is checked against another rule book than its aggregate's"),
    Code("P8_SAME_VERSIONS", InvalidInput, "", "a document is stored with a malformed media type or filename, or with identical public and confidential versions"),
    Code("P8_UNEXPECTED_PAYLOAD", InvalidInput, "", "a step lacks its details (allocation, participants, renewal, verification, decision, approval) or gets some it does not take"),
    Code("P8_UNKNOWN_METHODOLOGY", NotFound, "", "a project applies a methodology version that is neither executable nor valid in the cycle"),
    Code("P8_UNKNOWN_RULE_BOOK", NotFound, "", "a rule-book version is not defined, or defined twice (a rule book never changes)"),
    Code("P8_PORTFOLIO_ROW", InvalidInput, "", "a row of the funded-portfolio or partner-country list is malformed (the message names the row and field), or lists a project or country twice"),
    Code("P8_PORTFOLIO_COUNTRY", InvalidInput, "", "a funded project is in a country that is not a JCM partner"),
    Code("P8_PORTFOLIO_CHANGED", RuleViolation, "", "an import would change a funded project or partner country already imported (never overwritten)"),
    Code("P8_PORTFOLIO_FILTER", InvalidInput, "", "the project list is filtered by a value it does not know (country, sector, technology or state; the message lists them)"),
    Code("P8_UNKNOWN_FUNDED_PROJECT", NotFound, "", "no funded or cycle project has this id"),
    Code("P8_UNKNOWN_PARTNER", NotFound, "", "no partner country has this code"),
    Code("P9_DOCUMENT_CORRUPTED", DataCorruption, "", "a stored object's bytes or metadata are missing or do not match its hash"),
    Code("K1_UNAUTHENTICATED", Unauthenticated, "", "no credentials, or a session or API token that is unknown, expired or revoked"),
    Code("K2_FORBIDDEN", Forbidden, "", "the caller's organisation holds none of the roles the action needs"),
    Code("K2_MISSING_SCOPE", Forbidden, "", "the API token used does not carry the scope the action needs"),
    Code("K4_NOT_VISIBLE", NotFound, "", "the resource does not exist or is not visible to the caller (one answer for both, so nothing leaks): e.g. a document absent, confidential and not the reader's, or not attached to the project named"),
    Code("H1_NO_SUCH_ROUTE", NotFound, "", "no route has this path"),
    Code("H1_METHOD_NOT_ALLOWED", InvalidInput, "", "the route does not take this HTTP method (answered 405)"),
    Code("H2_BAD_REQUEST", InvalidInput, "", "the request body or a parameter does not have the documented shape (unknown fields are refused)"),
    Code("H2_UNKNOWN_PARAMETER", InvalidInput, "", "a query parameter the route does not declare (never silently ignored)"),
    Code("H2_NOT_PUBLIC", InvalidInput, "", "a public list was asked for a kind the public registry does not publish"),
    Code("H2_UNKNOWN_FILTER", BadQuery, "", "a list page or export was given a filter it does not offer (400; never silently ignored); the details list the allowed ones"),
    Code("H2_UNKNOWN_COLUMN", BadQuery, "", "an export was asked for a column the list does not have (400); the details list the columns"),
    Code("H3_BODY_TOO_LARGE", InvalidInput, "", "the request body is larger than the limit (answered 413)"),
    Code("H9_INTERNAL", DataCorruption, "", "the server failed; the fault is logged for the operator, never shown"),
    Code("H4_NO_CERTIFICATE", NotFound, "", "no cancellation or retirement has that transaction id (an issuance, a transfer or an unknown id has no certificate)"),
    Code("H9_CERTIFICATE_FONT", DataCorruption, "", "the certificate font is missing or is not the pinned IPAex Gothic (its SHA-256 differs); no certificate is drawn with another font"),
    Code("K2_NOT_ORGANISATION_ADMIN", Forbidden, "", "managing an organisation's users needs one of its administrators (a user marked so) or the platform's administrator"),
    Code("K2_OTHER_ORGANISATION", Forbidden, "", "a step names another organisation than the one the caller acts for (itself, or on whose behalf the operator acts)"),
    Code("W1_BAD_EVENT_TYPE", InvalidInput, "", "a webhook event type is unknown, or none is named; the message lists the types"),
    Code("W1_BAD_LEASE", InvalidInput, "", "the delivery worker's lease is not 1 to 3,600 seconds"),
    Code("W1_BAD_URL", InvalidInput, "", "a webhook URL is not http(s) with a host, is longer than 2,000 characters, or carries spaces, control characters, credentials or a fragment"),
    Code("W2_TOO_MANY_SUBSCRIPTIONS", RuleViolation, "", "the organisation already has the most active webhook subscriptions allowed (20)"),
    Code("W3_SUBSCRIPTION_ENDED", RuleViolation, "", "a delivery of an ended subscription cannot be sent again"),
    Code("W4_UNKNOWN_DELIVERY", NotFound, "", "no webhook delivery with that id is visible to the caller (absent and not-yours alike)"),
    Code("W4_UNKNOWN_ORGANISATION", NotFound, "", "the subscribing organisation is not registered"),
    Code("W4_UNKNOWN_SUBSCRIPTION", NotFound, "", "no webhook subscription with that id is visible to the caller (absent and not-yours alike)"),
    Code("W5_WEBHOOK_SECRET_UNREADABLE", DataCorruption, "", "the webhook secrets key in the key directory is missing, unreadable or not the one that sealed a subscription's secret"),
    Code("K2_CSRF", Forbidden, "", "a form post's CSRF token is missing or does not match its session's"),
    Code("K2_PASSWORD_CHANGE_REQUIRED", Forbidden, "", "the session may only change its one-time password until it is changed"),
    Code("K2_SCOPE_NOT_ALLOWED", Forbidden, "", "an API token asks for scopes beyond what its organisation's roles allow"),
    Code("K2_SECOND_FACTOR_REQUIRED", Forbidden, "", "the session may only enrol and confirm a second factor (TOTP) until it is confirmed"),
    Code("K3_TOO_MANY_ATTEMPTS", RateLimited, "", "too many failed logins for this login or client address: wait `retry_after` seconds (doubling with each further failure)"),
    Code("K5_BAD_ORGANISATION", InvalidInput, "", "a malformed organisation id or name, or an id of the registry's own numbering (KE-ORG-0002)"),
    Code("K5_BAD_ROLE", InvalidInput, "", "a role grant lacks what the role needs (a registry_admin names its registry)"),
    Code("K5_DECISION_REQUIRED", InvalidInput, "", "a jc_member grant does not name the Joint Committee decision that appointed the member"),
    Code("K5_DESIGNATION_BY_GRANT", RuleViolation, "", "TPE designations are given with a grant; only the JC's designation decision gives them"),
    Code("K5_ORGANISATION_EXISTS", RuleViolation, "", "the organisation is already registered (never registered again or overwritten)"),
    Code("K5_ROLE_HELD", RuleViolation, "", "the organisation already holds the role (never replaced by a grant: revoke it first)"),
    Code("K5_ROLE_NOT_HELD", NotFound, "", "a revocation names a role the organisation does not hold"),
    Code("K5_BAD_LOGIN", InvalidInput, "", "a malformed login (2-64 lower-case letters, digits, . _ - @)"),
    Code("K5_BAD_TOKEN", InvalidInput, "", "an API token without scopes, or with an expiry outside 1-366 days"),
    Code("K5_BAD_TOTP", InvalidInput, "", "a TOTP code that does not match, or confirmed before enrolling"),
    Code("K5_LOGIN_TAKEN", RuleViolation, "", "the login is already another user's"),
    Code("K5_TOKEN_REVOKED", RuleViolation, "", "the API token is already revoked"),
    Code("K5_TOTP_ENABLED", RuleViolation, "", "the user's second factor is already confirmed"),
    Code("K5_UNKNOWN_TOKEN", NotFound, "", "no API token with that id"),
    Code("K5_UNKNOWN_USER", NotFound, "", "no user with that login"),
    Code("K5_WEAK_PASSWORD", InvalidInput, "", "a new password shorter than 12 or longer than 256 characters, or the same as the old one"),
    Code("K5_UNKNOWN_ORGANISATION", NotFound, "", "no organisation with that id is in the register"),
    Code("D2_UNSIGNED", InvalidInput, "", "a batch envelope carries no signature (or an empty one)"),
    Code("D2_BAD_SIGNATURE", RuleViolation, "", "a batch's signature does not verify with its device's registered Ed25519 key over the canonical batch"),
    Code("D3_REPLAYED", RuleViolation, "", "a batch reuses a (device, seq) already stored with other content (a redelivery of the same bytes is a duplicate, not a refusal)"),
    Code("D6_WRONG_DEVICE", Forbidden, "", "a batch arrives on another device's topic, or from an organisation that is not a participant of the device's project"),
    Code("D2_BAD_KEY", InvalidInput, "", "a device public key is not base64 of a raw 32-byte Ed25519 key"),
    Code("D4_MALFORMED", InvalidInput, "", "a batch envelope, batch or reading is not in the wire format (docs/mrv.md names each field)"),
    Code("D5_TOO_LARGE", InvalidInput, "", "a batch holds more than 10,000 readings, or an envelope is larger than 1 MiB"),
    Code("D8_BAD_BROKER_URL", InvalidInput, "", "a broker address is not mqtt://HOST[:PORT], or a port is not 1–65535"),
    Code("D8_BAD_GROUP", InvalidInput, "", "a shared-subscription group name is not 1–64 letters, digits, '.', '_' or '-'"),
    Code("D8_BROKER_TOOL", InvalidInput, "", "mosquitto_passwd is missing or failed, so no password hash could be made"),
    Code("D8_BROKER_REFUSED", InvalidInput, "", "the broker refused the subscriber's login or subscription (check the subscriber account and the ACL written by broker-config)"),
    Code("D8_STORE_FAILED", ConcurrencyConflict, "", "the subscriber could not store a batch of messages after retrying (database away, disk full); they stay unacknowledged at the broker and come again after a restart"),
    Code("D9_BAD_PERIOD", InvalidInput, "", "a QA/QC period ends before it starts or is longer than 366 days"),
    Code("D9_NO_DEVICES", InvalidInput, "", "QA/QC was asked for a project with no registered devices"),
    Code("D9_UNKNOWN_PROJECT", NotFound, "", "no project with that id, or the caller does not take part in it (QA/QC run)"),
    Code("D9_SCHEDULER_UNREACHABLE", InvalidInput, "", "the Dask scheduler at the address given could not be reached"),
    Code("D1_UNKNOWN_DEVICE", NotFound, "", "no such device (a batch naming one is refused), or a device of a project the caller's organisation does not take part in (the same answer)"),
    Code("D7_DEVICE_EXISTS", RuleViolation, "", "a device with this id is already registered (ids are never reused; a replaced meter keeps its id)"),
    Code("D7_BAD_DEVICE", InvalidInput, "", "a device field out of its range: id, serial, nameplate kW, latitude/longitude, interval (1-60 min dividing 60), register maximum"),
    Code("D7_NOT_MONITORED_PARAMETER", InvalidInput, "", "the parameter is not a monitored energy parameter of the project's methodology version"),
    Code("D7_BAD_TIMEZONE", InvalidInput, "", "the device's timezone is not an IANA time zone name, e.g. Africa/Nairobi"),
    Code("D7_BAD_CALIBRATION", InvalidInput, "", "a calibration valid before it was made, made in the future or not after the current one, or an MPE outside 0-10 %"),
    Code("D7_BAD_REPLACEMENT", InvalidInput, "", "a replacement not after the last one or in the future, with the same serial or key, or negative/unfit register readings"),
    Code("D7_NOT_PARTICIPANT", Forbidden, "", "only a participant of the device's project registers, recalibrates or replaces its devices"),
    Code("D11_BAD_FLEET", InvalidInput, "", "a simulated fleet's definition or fleet file is not valid (project, site, time zone, nameplate, interval, keys)"),
    Code("D11_BAD_FAULT", InvalidInput, "", "a simulator fault is not KIND:DEVICE[@YYYY-MM-DDTHH:MM][/N], names no fleet device, or lies outside the simulated days"),
    Code("D11_FAULT_NOT_APPLICABLE", InvalidInput, "", "a simulator fault cannot happen there (night generation in daylight, a rollover on an interval register, a stuck run without energy)"),
    Code("D11_BAD_PERIOD", InvalidInput, "", "a simulation runs 1 to 366 days from a day in 2000–2099, in batches of a day or an hour, and at most 5,000,000 readings at once"),
    Code("D11_BAD_TARGET", InvalidInput, "", "a simulator sink is not mqtt://HOST:PORT, http(s)://HOST:PORT or file:PATH.csv|.parquet"),
    Code("D11_BAD_CREDENTIALS", InvalidInput, "", "the simulator's token or MQTT passwords are missing, unreadable, not private, or set twice"),
    Code("D11_SINK_FAILED", InvalidInput, "", "the simulator could not deliver: the broker or API is unreachable, refused the connection or the request, or did not acknowledge in time"),
    Code("D10_BAD_PERIOD", InvalidInput, "", "a verification period that ends before it starts"),
    Code("D10_NOT_PARTICIPANT", NotFound, "", "the organisation asking to verify a period is not a participant of the project (answered as for an unknown project)"),
    Code("D10_OVERLAPPING_PERIOD", RuleViolation, "", "a passed automatic verification of the project already covers part of the period"),
    Code("D10_DATA_CHANGING", ConcurrencyConflict, "", "batches of the period kept arriving while it was verified (its QA run and the verification's differ); verify again later"),
    Code("D10_STORE_CORRUPTED", DataCorruption, "", "a stored batch's Parquet rows no longer rebuild the bytes its receipt's digest names, or a verification's receipts are missing"),
    Code("D10_UNKNOWN_VERIFICATION", NotFound, "", "no automatic verification with that id"),
    Code("D10_NOT_LOGGED", NotFound, "", "the verification has no log entry (the log is disabled): no evidence bundle can prove it"),
    Code("D10_FILE_MISSING", NotFound, "", "a Parquet file a receipt of the period names is missing from the reading store"),
    Code("D10_BUNDLE_EXISTS", InvalidInput, "", "the bundle's target directory exists and is not empty"),
    Code("D10_BUNDLE_UNREADABLE", InvalidInput, "", "an evidence bundle is not a directory or zip with a jcm-mrv-evidence/1 bundle.json, or a file it names cannot be read"),
    Code("D10_BAD_SIGNATURE", DataCorruption, "", "verify-bundle: a batch rebuilt from the bundle's Parquet rows is not what its device signed (a reading was changed)"),
    Code("D10_BATCH_MISSING", DataCorruption, "", "verify-bundle: a receipted batch has no rows in the bundle's Parquet files"),
    Code("D10_MERKLE_ROOT", DataCorruption, "", "verify-bundle: the batches give another Merkle root or count than the record states (a batch was dropped or added)"),
    Code("D10_QA_DIFFERS", DataCorruption, "", "verify-bundle: re-running QA/QC gives another device report than the record's"),
    Code("D10_VALUES_DIFFER", DataCorruption, "", "verify-bundle: the credited energy gives other monitored values than the record states"),
    Code("D10_VERDICT_DIFFERS", DataCorruption, "", "verify-bundle: the verification rule set gives another pass/fail verdict than the record states"),
    Code("D10_RESULT_DIFFERS", DataCorruption, "", "verify-bundle: the methodology calculates other emission reductions or another record digest than the record states"),
    Code("D10_RECORD_NOT_LOGGED", DataCorruption, "", "verify-bundle: the record's digest or Merkle root is not what its log entry states"),
    Code("D10_LOG_PROOF", DataCorruption, "", "verify-bundle: the log entry is not included under the checkpoint, or the checkpoint is not signed by the log key"),
    Code("D10_PARAMETER_UNMEASURED", RuleViolation, "", "verification reason: no device measures a monitored parameter of the methodology"),
    Code("D10_NO_DATA", RuleViolation, "", "verification reason: no accepted batch holds a reading of the period"),
    Code("D10_DEVICE_UNCOVERED", RuleViolation, "", "verification reason: a device of the project has no QA report for the period"),
    Code("D10_QA_RULE_SET", RuleViolation, "", "verification reason: a QA report is under another QA rule set than the verification rule set requires"),
    Code("D10_PERIOD_MISMATCH", RuleViolation, "", "verification reason: a QA report covers another period"),
    Code("D10_INCOMPLETE", RuleViolation, "", "verification reason: a device's readings cover less than the rule set's minimum share of expected intervals"),
    Code("D10_NO_METHODOLOGY", RuleViolation, "", "verification reason: the project's methodology has no executable version with monitored parameters here"),
    # -- Article 6 ledger facts (ledger branch): T8+ codes below this line --
    Code("T8_NDC_YEAR_NOT_USE", InvalidInput, "", "an NDC year is given for a move that is not a cancellation for use towards an NDC (purpose ndc)"),
    Code("T8_BAD_NDC_YEAR", InvalidInput, "", "the NDC year of a use is not a year, is after the year of the action, or is before 2013"),
    # -- end of ledger branch codes --
    #
    # -- Cooperative-approach register (register branch): R1-R3 below this line --
    Code("R1_BAD_APPROACH_ID", InvalidInput, "", "a cooperative approach id is not CANNNN (CARP's format)"),
    Code("R1_BAD_PARTIES", InvalidInput, "", "a cooperative approach does not have exactly two Parties, Japan (JP) and one partner"),
    Code("R1_BAD_NDC_PERIOD", InvalidInput, "", "an NDC implementation period is not first <= last within 2000-2100"),
    Code("R1_BAD_PARTY_ID", InvalidInput, "", "a Party id is not the ISO 3166-1 alpha-3 code of the Party's registry (JPN for JP)"),
    Code("R1_BAD_REGISTRY_ID", InvalidInput, "", "a Party ITMO registry id is not the Party's alpha-3 code and two digits (JPN01)"),
    Code("R1_BAD_NAME", InvalidInput, "", "a cooperative approach's name is empty"),
    Code("R1_APPROACH_EXISTS", RuleViolation, "", "a cooperative approach with that id is already registered (never overwritten)"),
    Code("R1_PARTNER_HAS_APPROACH", RuleViolation, "", "the partner already has a cooperative approach with Japan (one per bilateral JCM)"),
    Code("R1_UNKNOWN_APPROACH", NotFound, "", "no cooperative approach with that id is registered"),
    Code("R2_BAD_AUTHORISATION_ID", InvalidInput, "", "an authorisation id is not 1-64 letters, digits, spaces and hyphens (the AEF's format)"),
    Code("R2_AUTHORISATION_EXISTS", RuleViolation, "", "an authorisation with that id is already registered; a change is a new version"),
    Code("R2_UNKNOWN_AUTHORISATION", NotFound, "", "no authorisation with that id (or reference) is registered"),
    Code("R2_NOT_PARTNER", RuleViolation, "", "the authorising Party is not the cooperative approach's partner (the first transferring Party)"),
    Code("R2_FIXED_FIELD", RuleViolation, "", "a new version of an authorisation changes its Party or cooperative approach, or is dated before the version it follows"),
    Code("R2_BAD_DATE", InvalidInput, "", "an authorisation or authorised entity is dated after today or before 2000"),
    Code("R2_BAD_PURPOSES", InvalidInput, "", "purposes for authorisation are not one of the nomenclature's values (NDC, OIMP, IMP, OP, NDC and OIMP, NDC and IMP, NDC and OP)"),
    Code("R2_BAD_SECTOR", InvalidInput, "", "a sector is not one of the nomenclature's sectors"),
    Code("R2_BAD_ACTIVITY_TYPE", InvalidInput, "", "an activity type is not one of the nomenclature's (spelled exactly, including \"C02 usage\")"),
    Code("R2_NO_SECTORS", InvalidInput, "", "an authorisation has no sector or no activity type, and its projects' methodologies give none"),
    Code("R2_FOREIGN_PROJECT", RuleViolation, "", "a project an authorisation names is not hosted by the authorising Party"),
    Code("R2_BAD_METRIC", InvalidInput, "", "a metric is not GHG or non-GHG"),
    Code("R2_BAD_MITIGATION_TYPE", InvalidInput, "", "a mitigation type is not one of the nomenclature's"),
    Code("R2_BAD_QUANTITY", InvalidInput, "", "an authorised quantity is not a whole number of at least 1"),
    Code("R2_BAD_TIMEFRAME", InvalidInput, "", "an authorised timeframe is not first <= last vintage within 2000-2100"),
    Code("R2_BAD_FIRST_TRANSFER_DEFINITION", InvalidInput, "", "a first-transfer definition is missing for OIMP, IMP or OP purposes, given for NDC alone, or not Authorisation, Issuance or Use or Cancellation"),
    Code("R2_BAD_OIMP", InvalidInput, "", "OIMP authorised by the Party is missing for OIMP, IMP or OP purposes, or given for NDC alone"),
    Code("R2_BAD_AUTHORISED_PARTY", InvalidInput, "", "an authorised Party id is not an ISO 3166-1 alpha-3 code in form (three capital letters)"),
    Code("R2_UNKNOWN_ENTITY", NotFound, "", "an authorised entity an authorisation names is not registered in the same cooperative approach"),
    Code("R2_NOT_AUTHORISING_PARTY", RuleViolation, "", "units are authorised under an authorisation of another Party than their host (the first transferring Party)"),
    Code("R2_OUTSIDE_TIMEFRAME", RuleViolation, "", "units' vintage lies outside the authorisation's timeframe"),
    Code("R2_OVER_QUANTITY", RuleViolation, "", "units authorised under an authorisation would exceed its authorised quantity"),
    Code("R2_USES_DIFFER", InvalidInput, "", "an authorisation of units gives uses or a first-transfer trigger other than its registered authorisation's"),
    Code("R3_BAD_ENTITY_ID", InvalidInput, "", "an authorised entity's identification number is empty, over 64 characters, or holds other than letters, digits, space and . _ : / -"),
    Code("R3_BAD_NAME", InvalidInput, "", "an authorised entity's name is empty"),
    Code("R3_BAD_COUNTRY", InvalidInput, "", "a country of incorporation is not an ISO 3166-1 alpha-3 code in form (three capital letters)"),
    Code("R3_UNKNOWN_ORGANISATION", NotFound, "", "an authorised entity names an organisation that is not registered"),
    Code("R3_NOT_PARTNER", RuleViolation, "", "an entity is authorised by another Party than the cooperative approach's partner"),
    Code("R3_ENTITY_EXISTS", RuleViolation, "", "an authorised entity with that id is already registered (never overwritten)"),
    Code("R3_UNKNOWN_ENTITY", NotFound, "", "no authorised entity with that id is registered"),
    # -- end of register branch codes --
    #
    # -- Reports and submissions (reports branch): R4-R5 below this line --
    Code("R4_BAD_VERSION", InvalidInput, "", "a submission version is not X.Y (the AEF's format; the first is 1.0)"),
    # -- end of reports branch codes --
)
# fmt: on

BY_CODE: dict[str, Code] = {entry.code: entry for entry in CATALOGUE}

CATALOGUE_START = "<!-- catalogue: generated by `python -m jcm.domain.codes`; do not edit -->"
CATALOGUE_END = "<!-- end of catalogue -->"


def catalogue_markdown() -> str:
    """The catalogue as the tables of ``docs/checks.md``, one per family."""
    parts = [CATALOGUE_START]
    for family, title in FAMILIES.items():
        codes = [c for c in CATALOGUE if c.family == family]
        if not codes:  # a family reserved for codes still to come
            continue
        parts += [
            "",
            f"### {title} ({family})",
            "",
            "| code | raised as | HTTP | check | meaning |",
            "|---|---|---|---|---|",
        ]
        parts += [
            f"| `{c.code}` | {c.raised_as.__name__} | {c.http_status} | {c.check or '—'} "
            f"| {c.meaning} |"
            for c in codes
        ]
    parts += ["", CATALOGUE_END]
    return "\n".join(parts)


def replace_catalogue(page: str) -> str:
    """``page`` with its generated catalogue block replaced by the current one."""
    start = page.index(CATALOGUE_START)
    end = page.index(CATALOGUE_END) + len(CATALOGUE_END)
    return page[:start] + catalogue_markdown() + page[end:]


if __name__ == "__main__":  # python -m jcm.domain.codes [docs/checks.md]: print or rewrite
    import sys
    from pathlib import Path

    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.write_text(replace_catalogue(target.read_text("utf-8")), "utf-8")
    else:
        print(catalogue_markdown())
