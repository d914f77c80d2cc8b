"""A worked Article 6.2 scenario, Kenya and Japan over 2025 and 2026, and both Parties' AEF
tables for both years derived by hand, cell by cell.

Decision 1 (KE001, vintage 2023, 100 units) is issued in Kenya's registry and never
authorised: it makes no row, but shifts Kenya's ITMO ids (decision 2's serial s is ITMO
id 100 + s). Decision 2 (KE002, vintage 2024, 1000 units): serials 1-600 issued in Kenya's
registry to the developer (KE-ENT), 601-1000 straight into Japan's government account.

  1 2025-01-10 issuance KE  d1 1-100 → KE-ENT
  2 2025-01-10 issuance KE  d2 1-600 → KE-ENT
  3 2025-01-10 issuance JP  d2 601-1000 → JP-GOV
  4 2025-03-01 authorisation in KE of d2 1-500 (KE-AUTH-1, NDC)
  5 2025-04-01 external transfer KE-ENT → JP-GOV of d2 1-300: the first transfer, a part
    of the authorised block 1-500
  6 2025-05-01 authorisation in JP of d2 601-1000 (KE-AUTH-2, NDC): held abroad, so
    first-transferred at once
  7 2025-06-01 internal transfer JP-GOV → JP-ENT of d2 101-250 (splits 1-300; no row)
  8 2025-07-01 external transfer JP-GOV → KE-GOV of d2 601-650 (already first-transferred)
  9 2025-09-01 voluntary cancellation KE-GOV of d2 601-620
 10 2026-01-20 cancellation (ndc, ndc_year 2025) JP-ENT of d2 101-250: Japan's use for 2025
 11 2026-01-25 corresponding adjustment (reporting year 2025) of d2 1-300 and 601-1000
 12 2026-02-10 cancellation (ndc) KE-ENT of d2 301-350: Kenya cancels units it never
    transferred (no first transfer: "Cancellation", "Other cancellations")
 13 2026-03-01 external transfer KE-ENT → JP-GOV of d2 351-400 (first transfer of 2026)
 14 2026-12-20 corresponding adjustment (reporting year 2026) of d2 351-400
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from jcm.domain.aef.facts import (
    AccountFact,
    DecisionFact,
    LedgerFacts,
    RangeFact,
    Register,
    TransactionFact,
)
from jcm.domain.aef.register import (
    ApproachParty,
    Authorisation,
    AuthorisedEntity,
    CooperativeApproach,
)
from jcm.domain.aef.tables import AdjustmentFact

Cells = tuple[str, ...]

APPROACH = CooperativeApproach(
    "CA0001",
    "Japan-Kenya Joint Crediting Mechanism",
    (
        ApproachParty("JP", "JPN", "JPN01", 2021, 2030),
        ApproachParty("KE", "KEN", "KEN01", 2020, 2030),
    ),
)
AUTH_1 = Authorisation(
    id="KE-AUTH-1",
    version=1,
    party="KE",
    approach_id="CA0001",
    authorised_on=date(2025, 2, 1),
    purposes="NDC",
    sectors=("Energy generation",),
    activity_types=("Solar",),
    quantity=1000,
    gwp="AR5",
    authorised_parties=("JPN",),
    authorised_entities=("KE-ENT-1",),
    timeframe=(2024, 2025),
    terms="Use towards Japan's NDC only",
)
AUTH_2_V1 = Authorisation(
    id="KE-AUTH-2",
    version=1,
    party="KE",
    approach_id="CA0001",
    authorised_on=date(2025, 3, 1),
    purposes="NDC",
    sectors=("Energy generation",),
    activity_types=("Solar",),
    quantity=500,
    gwp="AR5",
    authorised_parties=("JPN",),
    timeframe=(2024, 2025),
)
AUTH_2_V2 = Authorisation(
    id="KE-AUTH-2",
    version=2,
    party="KE",
    approach_id="CA0001",
    authorised_on=date(2026, 1, 15),
    purposes="NDC",
    sectors=("Energy generation",),
    activity_types=("Solar",),
    quantity=600,
    gwp="AR5",
    authorised_parties=("JPN",),
    timeframe=(2024, 2025),
)
ENTITY_1 = AuthorisedEntity(
    "KE-ENT-1", "CA0001", "KE", date(2025, 2, 1), "Japan Power Co", "JPN", "ORG-JPCO"
)
ENTITY_2 = AuthorisedEntity(
    "KE-ENT-2", "CA0001", "KE", date(2026, 2, 1), "Nairobi Solar Ltd", "KEN"
)
REGISTER = Register(
    approaches={"CA0001": APPROACH},
    authorisations={"KE-AUTH-1": [AUTH_1], "KE-AUTH-2": [AUTH_2_V1, AUTH_2_V2]},
    entities={"KE-ENT-1": ENTITY_1, "KE-ENT-2": ENTITY_2},
)

ACCOUNTS = {
    a.id: a
    for a in (
        AccountFact("KE-GOV", "KE", "government_holding", "ORG-KEGOV"),
        AccountFact("KE-ENT", "KE", "entity_holding", "ORG-KEDEV"),
        AccountFact("KE-CAN", "KE", "cancellation", "ORG-KEGOV"),
        AccountFact("KE-RET", "KE", "retirement", "ORG-KEGOV"),
        AccountFact("JP-GOV", "JP", "government_holding", "ORG-JPGOV"),
        AccountFact("JP-ENT", "JP", "entity_holding", "ORG-JPCO"),
        AccountFact("JP-CAN", "JP", "cancellation", "ORG-JPGOV"),
        AccountFact("JP-RET", "JP", "retirement", "ORG-JPGOV"),
    )
}
DECISIONS = {
    1: DecisionFact(1, "KE001", 2023, 100, 1),
    2: DecisionFact(2, "KE002", 2024, 1000, 1),
}


def at(month: int, day: int, year: int = 2025) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def _tx(
    id_: int,
    when: datetime,
    kind: str,
    registry: str,
    source: str | None,
    destination: str | None,
    detail: dict[str, Any],
    *ranges: tuple[int, int, int],
) -> TransactionFact:
    return TransactionFact(
        id_,
        when,
        kind,
        registry,
        source,
        destination,
        detail,
        tuple(RangeFact(*r) for r in ranges),
    )


AT_TRANSFER = "international_transfer"
NDC_AUTH_1 = {"uses": "ndc", "reference": "KE-AUTH-1", "first_transfer_at": AT_TRANSFER}
NDC_AUTH_2 = {"uses": "ndc", "reference": "KE-AUTH-2", "first_transfer_at": AT_TRANSFER}
TRANSACTIONS = (
    _tx(1, at(1, 10), "issuance", "KE", None, None, {"decision": 1, "lines": [{"account": "KE-ENT"}]}, (1, 1, 100)),  # noqa: E501
    _tx(2, at(1, 10), "issuance", "KE", None, None, {"decision": 2, "lines": [{"account": "KE-ENT"}]}, (2, 1, 600)),  # noqa: E501
    _tx(3, at(1, 10), "issuance", "JP", None, None, {"decision": 2, "lines": [{"account": "JP-GOV"}]}, (2, 601, 1000)),  # noqa: E501
    _tx(4, at(3, 1), "authorisation", "KE", "KE-ENT", "KE-ENT", NDC_AUTH_1, (2, 1, 500)),
    _tx(5, at(4, 1), "external_transfer", "KE", "KE-ENT", "JP-GOV", {}, (2, 1, 300)),
    _tx(6, at(5, 1), "authorisation", "JP", "JP-GOV", "JP-GOV", NDC_AUTH_2, (2, 601, 1000)),
    _tx(7, at(6, 1), "transfer", "JP", "JP-GOV", "JP-ENT", {}, (2, 101, 250)),
    _tx(8, at(7, 1), "external_transfer", "JP", "JP-GOV", "KE-GOV", {}, (2, 601, 650)),
    _tx(9, at(9, 1), "cancellation", "KE", "KE-GOV", "KE-CAN", {"purpose": "voluntary"}, (2, 601, 620)),  # noqa: E501
    _tx(10, at(1, 20, 2026), "cancellation", "JP", "JP-ENT", "JP-CAN", {"purpose": "ndc", "ndc_year": 2025}, (2, 101, 250)),  # noqa: E501
    _tx(11, at(1, 25, 2026), "corresponding_adjustment", "KE", None, None, {"reporting_year": 2025}, (2, 1, 300), (2, 601, 1000)),  # noqa: E501
    _tx(12, at(2, 10, 2026), "cancellation", "KE", "KE-ENT", "KE-CAN", {"purpose": "ndc"}, (2, 301, 350)),  # noqa: E501
    _tx(13, at(3, 1, 2026), "external_transfer", "KE", "KE-ENT", "JP-GOV", {}, (2, 351, 400)),
    _tx(14, at(12, 20, 2026), "corresponding_adjustment", "KE", None, None, {"reporting_year": 2026}, (2, 351, 400)),  # noqa: E501
)  # fmt: skip
FACTS = LedgerFacts(ACCOUNTS, DECISIONS, TRANSACTIONS, REGISTER)

# -- Table 1 ------------------------------------------------------------------------------
SUBMISSION: dict[tuple[str, int], Cells] = {
    ("KE", 2025): ("KEN", "1.0", "2025", "", "2020", "2030", "", "", ""),
    ("JP", 2025): ("JPN", "1.0", "2025", "", "2021", "2030", "", "", ""),
    ("KE", 2026): ("KEN", "1.0", "2026", "", "2020", "2030", "", "", ""),
    ("JP", 2026): ("JPN", "1.0", "2026", "", "2021", "2030", "", "", ""),
}

# -- Table 2 ------------------------------------------------------------------------------
A1 = (
    "KE-AUTH-1",
    "2025-02-01",
    "CA0001",
    "1",
    "1000",
    "GHG",
    "AR5",
    "NA",
    "Energy generation",
    "Solar",
    "NDC",
    "JPN",
    "KE-ENT-1",
    "NA",
    "2024 - 2025",
    "Use towards Japan's NDC only",
    "",
    "NA",
    "",
)
A2_V1 = (
    "KE-AUTH-2",
    "2025-03-01",
    "CA0001",
    "1",
    "500",
    "GHG",
    "AR5",
    "NA",
    "Energy generation",
    "Solar",
    "NDC",
    "JPN",
    "",
    "NA",
    "2024 - 2025",
    "",
    "",
    "NA",
    "",
)
A2_V2 = (
    "KE-AUTH-2",
    "2026-01-15",
    "CA0001",
    "2",
    "600",
    "GHG",
    "AR5",
    "NA",
    "Energy generation",
    "Solar",
    "NDC",
    "JPN",
    "",
    "NA",
    "2024 - 2025",
    "",
    "",
    "NA",
    "",
)
AUTHORIZATIONS: dict[tuple[str, int], tuple[Cells, ...]] = {
    ("KE", 2025): (A1, A2_V1),
    ("JP", 2025): (A1, A2_V1),
    ("KE", 2026): (A1, A2_V2),
    ("JP", 2026): (A1, A2_V2),
}  # fmt: skip

# -- Table 3 ------------------------------------------------------------------------------
ACTIONS: dict[tuple[str, int], tuple[Cells, ...]] = {
    ("KE", 2025): (
        ("2025-03-01T09:00:00Z", "Authorization", "Authorization", "CA0001", "KE-AUTH-1", "KEN", "KEN01", "101", "600", "JCM", "1", "500", "GHG", "AR5", "NA", "500", "NA", "Emission reductions", "2024", "NA", "NA", "NA", "NA", "NA", "NA", "", "KE-KE-JCM-KE002-2024-1-1-500"),  # noqa: E501
        ("2025-04-01T09:00:00Z", "First transfer", "First transfer to another Party", "CA0001", "KE-AUTH-1", "KEN", "KEN01", "101", "400", "JCM", "1", "300", "GHG", "AR5", "NA", "300", "NA", "Emission reductions", "2024", "NA", "JPN", "NA", "NA", "NA", "NA", "", "KE-KE-JCM-KE002-2024-1-1-300"),  # noqa: E501
        ("2025-05-01T09:00:00Z", "Authorization", "Authorization", "CA0001", "KE-AUTH-2", "KEN", "JPN01", "701", "1100", "JCM", "601", "1000", "GHG", "AR5", "NA", "400", "NA", "Emission reductions", "2024", "NA", "NA", "NA", "NA", "NA", "NA", "", "JP-KE-JCM-KE002-2024-1-601-1000"),  # noqa: E501
        ("2025-05-01T09:00:00Z", "First transfer", "First transfer to another Party", "CA0001", "KE-AUTH-2", "KEN", "JPN01", "701", "1100", "JCM", "601", "1000", "GHG", "AR5", "NA", "400", "NA", "Emission reductions", "2024", "NA", "JPN", "NA", "NA", "NA", "NA", "", "JP-KE-JCM-KE002-2024-1-601-1000"),  # noqa: E501
        ("2025-07-01T09:00:00Z", "Acquisition", "", "CA0001", "KE-AUTH-2", "KEN", "KEN01", "701", "750", "JCM", "601", "650", "GHG", "AR5", "NA", "50", "NA", "Emission reductions", "2024", "JPN", "NA", "NA", "NA", "NA", "NA", "", "JP-KE-JCM-KE002-2024-1-601-650"),  # noqa: E501
        ("2025-09-01T09:00:00Z", "Voluntary Cancellation", "Other cancellations", "CA0001", "KE-AUTH-2", "KEN", "KEN01", "701", "720", "JCM", "601", "620", "GHG", "AR5", "NA", "20", "NA", "Emission reductions", "2024", "NA", "NA", "NA", "KEN", "NA", "NA", "", "JP-KE-JCM-KE002-2024-1-601-620"),  # noqa: E501
    ),
    ("JP", 2025): (
        ("2025-04-01T09:00:00Z", "Acquisition", "", "CA0001", "KE-AUTH-1", "KEN", "JPN01", "101", "400", "JCM", "1", "300", "GHG", "AR5", "NA", "300", "NA", "Emission reductions", "2024", "KEN", "NA", "NA", "NA", "NA", "NA", "", "KE-KE-JCM-KE002-2024-1-1-300"),  # noqa: E501
        ("2025-05-01T09:00:00Z", "Acquisition", "", "CA0001", "KE-AUTH-2", "KEN", "JPN01", "701", "1100", "JCM", "601", "1000", "GHG", "AR5", "NA", "400", "NA", "Emission reductions", "2024", "KEN", "NA", "NA", "NA", "NA", "NA", "", "JP-KE-JCM-KE002-2024-1-601-1000"),  # noqa: E501
        ("2025-07-01T09:00:00Z", "Transfer", "", "CA0001", "KE-AUTH-2", "KEN", "JPN01", "701", "750", "JCM", "601", "650", "GHG", "AR5", "NA", "50", "NA", "Emission reductions", "2024", "NA", "KEN", "NA", "NA", "NA", "NA", "", "JP-KE-JCM-KE002-2024-1-601-650"),  # noqa: E501
    ),
    ("KE", 2026): (
        ("2026-02-10T09:00:00Z", "Cancellation", "Other cancellations", "CA0001", "KE-AUTH-1", "KEN", "KEN01", "401", "450", "JCM", "301", "350", "GHG", "AR5", "NA", "50", "NA", "Emission reductions", "2024", "NA", "NA", "NA", "KEN", "NA", "NA", "", "KE-KE-JCM-KE002-2024-1-301-350"),  # noqa: E501
        ("2026-03-01T09:00:00Z", "First transfer", "First transfer to another Party", "CA0001", "KE-AUTH-1", "KEN", "KEN01", "451", "500", "JCM", "351", "400", "GHG", "AR5", "NA", "50", "NA", "Emission reductions", "2024", "NA", "JPN", "NA", "NA", "NA", "NA", "", "KE-KE-JCM-KE002-2024-1-351-400"),  # noqa: E501
    ),
    ("JP", 2026): (
        ("2026-01-20T09:00:00Z", "Use", "", "CA0001", "KE-AUTH-1", "KEN", "JPN01", "201", "350", "JCM", "101", "250", "GHG", "AR5", "NA", "150", "NA", "Emission reductions", "2024", "NA", "NA", "NA", "JPN", "KE-ENT-1", "2025", "", "KE-KE-JCM-KE002-2024-1-101-250"),  # noqa: E501
        ("2026-03-01T09:00:00Z", "Acquisition", "", "CA0001", "KE-AUTH-1", "KEN", "JPN01", "451", "500", "JCM", "351", "400", "GHG", "AR5", "NA", "50", "NA", "Emission reductions", "2024", "KEN", "NA", "NA", "NA", "NA", "NA", "", "KE-KE-JCM-KE002-2024-1-351-400"),  # noqa: E501
    ),
}  # fmt: skip

# -- Table 4 (and the opening holdings: the year before's Table 4) ----------------------
KE_2025 = (
    (
        "CA0001",
        "KE-AUTH-1",
        "KEN",
        "KEN01",
        "401",
        "600",
        "JCM",
        "301",
        "500",
        "GHG",
        "AR5",
        "NA",
        "200",
        "NA",
        "Emission reductions",
        "2024",
    ),
    (
        "CA0001",
        "KE-AUTH-2",
        "KEN",
        "KEN01",
        "721",
        "750",
        "JCM",
        "621",
        "650",
        "GHG",
        "AR5",
        "NA",
        "30",
        "NA",
        "Emission reductions",
        "2024",
    ),
)
JP_2025 = (
    (
        "CA0001",
        "KE-AUTH-1",
        "KEN",
        "JPN01",
        "101",
        "400",
        "JCM",
        "1",
        "300",
        "GHG",
        "AR5",
        "NA",
        "300",
        "NA",
        "Emission reductions",
        "2024",
    ),
    (
        "CA0001",
        "KE-AUTH-2",
        "KEN",
        "JPN01",
        "751",
        "1100",
        "JCM",
        "651",
        "1000",
        "GHG",
        "AR5",
        "NA",
        "350",
        "NA",
        "Emission reductions",
        "2024",
    ),
)
KE_2026 = (
    (
        "CA0001",
        "KE-AUTH-1",
        "KEN",
        "KEN01",
        "501",
        "600",
        "JCM",
        "401",
        "500",
        "GHG",
        "AR5",
        "NA",
        "100",
        "NA",
        "Emission reductions",
        "2024",
    ),
    (
        "CA0001",
        "KE-AUTH-2",
        "KEN",
        "KEN01",
        "721",
        "750",
        "JCM",
        "621",
        "650",
        "GHG",
        "AR5",
        "NA",
        "30",
        "NA",
        "Emission reductions",
        "2024",
    ),
)
JP_2026 = (
    (
        "CA0001",
        "KE-AUTH-1",
        "KEN",
        "JPN01",
        "101",
        "200",
        "JCM",
        "1",
        "100",
        "GHG",
        "AR5",
        "NA",
        "100",
        "NA",
        "Emission reductions",
        "2024",
    ),
    (
        "CA0001",
        "KE-AUTH-1",
        "KEN",
        "JPN01",
        "351",
        "400",
        "JCM",
        "251",
        "300",
        "GHG",
        "AR5",
        "NA",
        "50",
        "NA",
        "Emission reductions",
        "2024",
    ),
    (
        "CA0001",
        "KE-AUTH-1",
        "KEN",
        "JPN01",
        "451",
        "500",
        "JCM",
        "351",
        "400",
        "GHG",
        "AR5",
        "NA",
        "50",
        "NA",
        "Emission reductions",
        "2024",
    ),
    (
        "CA0001",
        "KE-AUTH-2",
        "KEN",
        "JPN01",
        "751",
        "1100",
        "JCM",
        "651",
        "1000",
        "GHG",
        "AR5",
        "NA",
        "350",
        "NA",
        "Emission reductions",
        "2024",
    ),
)
HOLDINGS: dict[tuple[str, int], tuple[Cells, ...]] = {
    ("KE", 2025): KE_2025,
    ("JP", 2025): JP_2025,
    ("KE", 2026): KE_2026,
    ("JP", 2026): JP_2026,
}  # fmt: skip
OPENING: dict[tuple[str, int], tuple[Cells, ...]] = {
    ("KE", 2025): (),
    ("JP", 2025): (),
    ("KE", 2026): KE_2025,
    ("JP", 2026): JP_2025,
}

# -- Table 5 ------------------------------------------------------------------------------
E1 = ("2025-02-01", "Japan Power Co", "JPN", "KE-ENT-1", "CA0001", "", "", "")
E2 = ("2026-02-01", "Nairobi Solar Ltd", "KEN", "KE-ENT-2", "CA0001", "", "", "")
ENTITIES: dict[tuple[str, int], tuple[Cells, ...]] = {
    ("KE", 2025): (E1,),
    ("JP", 2025): (E1,),
    ("KE", 2026): (E1, E2),
    ("JP", 2026): (E1,),
}

# -- the adjustment evidence (not exported) -----------------------------------------------
ADJUSTMENT_SPANS: dict[tuple[str, int], tuple[tuple[int, int], ...]] = {
    ("KE", 2025): ((101, 400), (701, 1100)),
    ("JP", 2025): (),
    ("KE", 2026): ((451, 500),),
    ("JP", 2026): (),
}


def adjustment_spans(adjustments: tuple[AdjustmentFact, ...]) -> tuple[tuple[int, int], ...]:
    return tuple((a.first_id, a.last_id) for a in adjustments)


def expected_tables(party: str, year: int) -> tuple[tuple[Cells, ...], ...]:
    key = (party, year)
    return (
        (SUBMISSION[key],),
        AUTHORIZATIONS[key],
        ACTIONS[key],
        HOLDINGS[key],
        ENTITIES[key],
    )
