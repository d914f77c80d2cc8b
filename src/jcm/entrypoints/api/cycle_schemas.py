"""Request bodies of the project cycle, documents and methodologies (unknown fields refused).

Who takes a step is never in a body: the authenticated caller's organisation acts; ``role``
only says which of its roles, when several fit the step. Documents are attached by the
SHA-256 that ``POST /documents`` answered (uploads are multipart, never a server path).
"""

from __future__ import annotations

from datetime import date

from fastapi import UploadFile
from pydantic import Field

from jcm.domain.cycle.actors import Role, Side, TpeFunction
from jcm.domain.cycle.documents import DocumentKind
from jcm.entrypoints.api.schemas import Body

FactValue = bool | int | str
FACTS = 'Facts of the project, e.g. {"host_country": "KE", "pv_modules_iec_certified": true}.'


class Quantity(Body):
    value: str = Field(description='A decimal number as text, e.g. "1000".')
    unit: str = Field(description='Its unit, e.g. "kW".')


class Attachment(Body):
    kind: DocumentKind
    sha256: str = Field(description="A stored version's SHA-256 (from POST /documents).")


class Period(Body):
    start: date
    end: date


class ParticipantBody(Body):
    organisation: str
    side: Side
    focal_point: bool = False


class ShareBody(Body):
    account: str = Field(description="The receiving account, e.g. JP-GOV-0001.")
    percent: str = Field(description='Its share of each issuance in percent, e.g. "40".')


class StepBody(Body):
    on: date | None = Field(None, description="The step's date (default: today).")
    role: Role | None = Field(
        None, description="The role the caller's organisation acts in, when several fit."
    )
    documents: list[Attachment] = Field(default_factory=list, max_length=50)


class StartProjectBody(StepBody):
    project: str = Field(description="Project id, e.g. KE001.")
    title: str
    methodology: str = Field(description="Approved methodology id, e.g. KE_AM002.")
    version: str = "1.0"
    scope: int = Field(description="Sectoral scope 1-15.")
    participants: list[ParticipantBody] = Field(max_length=50)
    crediting_period: Period
    with_pdd: bool = Field(False, description="Start at the PDD (rule books without PIN).")
    rule_book: str = "default"
    facts: dict[str, FactValue] = Field(default_factory=dict, description=FACTS)
    fixed: dict[str, Quantity] = Field(default_factory=dict)


class ProjectStepBody(StepBody):
    action: str = Field(description="The step, e.g. submit-pdd (see GET next-steps).")
    shares: list[ShareBody] = Field(default_factory=list, max_length=50)
    participants: list[ParticipantBody] = Field(default_factory=list, max_length=50)
    renewal_end: date | None = None
    facts: dict[str, FactValue] = Field(default_factory=dict, description=FACTS)
    fixed: dict[str, Quantity] = Field(default_factory=dict)


class MonitoringStepBody(StepBody):
    action: str = Field(description="The step, e.g. verify, decide, record-issuance.")
    verified_amount: int | None = Field(None, description="verify: default the calculated.")
    amount: int | None = Field(None, description="decide: default the verified amount.")
    vintage: int | None = None
    remainder_to: str | None = None
    reference: str | None = None


class ReportForm(Body):
    """A monitoring report: the sheet (XLSX or CSV, one row per monitoring period)."""

    sheet: UploadFile = Field(description="The monitoring sheet, .xlsx or .csv.")
    row: int | None = Field(None, description="The sheet row of the period (default: the only).")
    reductions: int | None = Field(
        None, description="tCO2 the report states (required where not executable here)."
    )
    on: date | None = None
    role: Role | None = None
    documents: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="KIND=SHA256 of stored versions to attach; without a monitoring_report, "
        "the sheet is stored as the report.",
    )


class DocumentForm(Body):
    kind: DocumentKind
    file: UploadFile = Field(description="The public version.")
    confidential: UploadFile | None = Field(
        None, description="The confidential version, if any (the public one made illegible)."
    )


class DesignationBody(Body):
    tpe: str
    partner: str
    scopes: list[int] = Field(max_length=15)
    functions: list[TpeFunction] = Field(max_length=2)
    on: date | None = None
    withdraw: bool = False


class RuleBookBody(Body):
    version: str
    pdd_public_input_days: int = 30
    methodology_public_input_days: int = 15
    pin_required: bool = True
    verifier_may_be_validator: bool = True
    allow_illustrative_methodologies: bool = False
    automatic_verification: bool = False


class EligibilityBody(Body):
    facts: dict[str, FactValue] = Field(description=FACTS)
    version: str | None = None


class CalculationBody(Body):
    facts: dict[str, FactValue] = Field(description=FACTS)
    fixed: dict[str, Quantity] = Field(default_factory=dict)
    monitored: dict[str, Quantity] = Field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    version: str | None = None


class SheetCalculationForm(Body):
    sheet: UploadFile = Field(description="A monitoring sheet, .xlsx or .csv.")
    facts: list[str] = Field(max_length=100, description="NAME=VALUE, e.g. grid=national.")
    fixed: list[str] = Field(
        default_factory=list, max_length=100, description="NAME=VALUE:UNIT, e.g. P_PV=1000:kW."
    )
    version: str | None = None


class ProposalBody(StepBody):
    proposal_id: str = Field(description="Proposed id, e.g. KE_PM001.")
    title: str
    scope: int
    rule_book: str = "default"


class RevisionBody(StepBody):
    title: str | None = None
    rule_book: str = "default"


class MethodologyStepBody(StepBody):
    action: str = Field(description="The step, e.g. open-public-input, approve.")
    approved_id: str | None = Field(None, description="approve: the AM id, e.g. KE_AM003.")
