"""A good pair of AEF reports built by hand (Kenya and Japan, 2025) and helpers to break
them one field at a time for the consistency-check tests.

Approach CA0001; ITMO ids equal the JCM serials of one decision (vintage 2024).

Kenya (host): held ids 1–100 (KE-A1, NDC) at the end of 2024; in 2025 it authorises
101–400 (KE-A1), first-transfers 1–250 to Japan, acquires 51–80 back from Japan,
voluntarily cancels 51–60, authorises 401–500 for OIMP (KE-A2, first transfer at use)
and its entity uses 401–450 for OIMP (first transfer, then use). Closing: 61–80,
251–400 (KE-A1), 451–500 (KE-A2). Adjustments for 2025: 1–250 and 401–450.

Japan: acquires 1–250, uses 1–50 towards its 2025 NDC, transfers 51–80 to Kenya, cancels
81–100. Closing: 101–250.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from jcm.domain.aef.checks import CheckFailure
from jcm.domain.aef.nomenclature import NA, ActionType, Subtype
from jcm.domain.aef.tables import (
    ActionRow,
    AdjustmentFact,
    AuthorizationRow,
    BlockAttributes,
    EntityRow,
    HoldingRow,
    PartyReport,
    SubmissionRow,
)

YEAR = 2025
CA = "CA0001"
KE_A1, KE_A2 = "KE-A1", "KE-A2"
ENTITY = "KE-ENT-1"
A, S = ActionType, Subtype


def at(month: int, hour: int = 9) -> datetime:
    return datetime(YEAR, month, 1, hour, 0, tzinfo=UTC)


def block(
    first: int,
    last: int,
    *,
    registry: str = "KEN01",
    authorization: str = KE_A1,
    vintage: int = 2024,
) -> BlockAttributes:
    return BlockAttributes(
        approach_id=CA,
        authorization_id=authorization,
        first_transferring_party="KEN",
        registry_id=registry,
        first_id=first,
        last_id=last,
        underlying_registry="JCM",
        first_unit=first,
        last_unit=last,
        metric="GHG",
        gwp="AR5",
        non_ghg_metric=NA,
        quantity=last - first + 1,
        quantity_non_ghg=NA,
        mitigation_type="Emission reductions",
        vintage=vintage,
    )


def held(first: int, last: int, **kw: Any) -> HoldingRow:
    return HoldingRow(block(first, last, **kw))


AUTH_NDC = AuthorizationRow(
    authorization_id=KE_A1,
    authorised_on=date(2024, 6, 1),
    approach_id=CA,
    version=1,
    quantity=1000,
    metric="GHG",
    gwp="AR5",
    non_ghg_metric=NA,
    sectors=("Energy generation",),
    activity_types=("Solar",),
    purposes="NDC",
    authorised_parties=("JPN",),
    authorised_entities=(),
    oimp_authorised=NA,
    timeframe="2024 - 2030",
    terms="",
    first_transfer_definition=NA,
)
AUTH_OIMP = replace(
    AUTH_NDC,
    authorization_id=KE_A2,
    authorised_on=date(2025, 7, 1),
    quantity=100,
    purposes="OIMP",
    authorised_parties=(),
    authorised_entities=(ENTITY,),
    oimp_authorised="CORSIA",
    first_transfer_definition="Use or Cancellation",
)
ENTITY_ROW = EntityRow(
    authorised_on=date(2025, 7, 1),
    name="Nairobi Solar Ltd",
    country="KEN",
    identification_number=ENTITY,
    approach_id=CA,
)

KENYA_ACTIONS = (
    ActionRow(at(2), A.AUTHORIZATION, S.AUTHORIZATION, block(101, 400), transaction_id=11),
    ActionRow(
        at(3), A.FIRST_TRANSFER, S.FIRST_TRANSFER_TO_PARTY, block(1, 250),
        acquiring_party="JPN", transaction_id=12,
    ),
    ActionRow(at(5), A.ACQUISITION, "", block(51, 80), transferring_party="JPN", transaction_id=14),
    ActionRow(
        at(7), A.VOLUNTARY_CANCELLATION, S.OTHER_CANCELLATIONS, block(51, 60),
        using_party="KEN", transaction_id=16,
    ),
    ActionRow(
        at(8), A.AUTHORIZATION, S.AUTHORIZATION, block(401, 500, authorization=KE_A2),
        transaction_id=17,
    ),
    ActionRow(
        at(9), A.FIRST_TRANSFER, S.USE_OR_CANCELLATION, block(401, 450, authorization=KE_A2),
        purpose_oimp="OIMP", using_party="KEN", using_entity=ENTITY, transaction_id=18,
    ),
    ActionRow(
        at(9), A.USE, "", block(401, 450, authorization=KE_A2),
        purpose_oimp="OIMP", using_party="KEN", using_entity=ENTITY, transaction_id=18,
    ),
)  # fmt: skip
JAPAN_ACTIONS = (
    ActionRow(
        at(3), A.ACQUISITION, "", block(1, 250, registry="JPN01"),
        transferring_party="KEN", transaction_id=12,
    ),
    ActionRow(
        at(4), A.USE, "", block(1, 50, registry="JPN01"),
        using_party="JPN", ndc_year=YEAR, transaction_id=13,
    ),
    ActionRow(
        at(5), A.TRANSFER, "", block(51, 80, registry="JPN01"),
        acquiring_party="KEN", transaction_id=14,
    ),
    ActionRow(
        at(6), A.CANCELLATION, S.OTHER_CANCELLATIONS, block(81, 100, registry="JPN01"),
        transaction_id=15,
    ),
)  # fmt: skip


def kenya() -> PartyReport:
    return PartyReport(
        party="KE",
        year=YEAR,
        submission=SubmissionRow("KEN", "1.0", YEAR, None, 2021, 2030),
        authorizations=(AUTH_NDC, AUTH_OIMP),
        actions=KENYA_ACTIONS,
        holdings=(held(61, 80), held(251, 400), held(451, 500, authorization=KE_A2)),
        entities=(ENTITY_ROW,),
        opening=(held(1, 100),),
        adjustments=(
            AdjustmentFact(CA, 1, 250, YEAR, 21),
            AdjustmentFact(CA, 401, 450, YEAR, 22),
        ),
    )


def japan() -> PartyReport:
    return PartyReport(
        party="JP",
        year=YEAR,
        submission=SubmissionRow("JPN", "1.0", YEAR, date(2026, 4, 1), 2021, 2030),
        authorizations=(AUTH_NDC,),
        actions=JAPAN_ACTIONS,
        holdings=(held(101, 250, registry="JPN01"),),
        entities=(),
    )


# --- breaking one thing -----------------------------------------------------------------
def with_action(report: PartyReport, number: int, **changes: Any) -> PartyReport:
    """Table 3 row ``number`` (1-based) with ``changes``."""
    rows = list(report.actions)
    rows[number - 1] = replace(rows[number - 1], **changes)
    return replace(report, actions=tuple(rows))


def with_action_block(report: PartyReport, number: int, **changes: Any) -> PartyReport:
    row = report.actions[number - 1]
    return with_action(report, number, block=replace(row.block, **changes))


def with_holding_block(report: PartyReport, number: int, **changes: Any) -> PartyReport:
    rows = list(report.holdings)
    rows[number - 1] = HoldingRow(replace(rows[number - 1].block, **changes))
    return replace(report, holdings=tuple(rows))


def with_authorization(report: PartyReport, number: int, **changes: Any) -> PartyReport:
    rows = list(report.authorizations)
    rows[number - 1] = replace(rows[number - 1], **changes)
    return replace(report, authorizations=tuple(rows))


def without_action(report: PartyReport, number: int) -> PartyReport:
    rows = list(report.actions)
    del rows[number - 1]
    return replace(report, actions=tuple(rows))


def where(failures: list[CheckFailure]) -> list[tuple[str, str, int, int | None, str]]:
    """Rule, party, table, row and column of each failure: what a test compares."""
    return [(f.rule, f.party, f.table, f.row, f.column) for f in failures]
