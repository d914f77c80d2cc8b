"""The columns of the public ledger lists and their exports.

Keys follow the public registries' exports (research ``reporting_programme.md`` §B:
Verra's and Gold Standard's issuance and retirement CSVs, J-Blue Credit's ledger): the
issuance date, project, country, vintage and monitoring period, quantity and serial numbers;
for retirements the date, beneficiary and reason; plus each row's Article 6 state, which
Gold Standard shows as "Article Six Authorization". Exports carry ISO dates and plain
numbers; several serial ranges in one cell are separated by "; ".
"""

from __future__ import annotations

from operator import attrgetter

from jcm.entrypoints.web.i18n import N_
from jcm.entrypoints.web.listing import Column
from jcm.service_layer.public.ledger_results import (
    SEPARATOR,
    IssuanceRow,
    RetirementRow,
)
from jcm.service_layer.registry.statistics import AccountTypeAmount, AnnualSummary


def _joined(values: tuple[object, ...]) -> str:
    return SEPARATOR.join(str(v) for v in values)


ISSUANCE_COLUMNS: tuple[Column[IssuanceRow], ...] = (
    Column("issuance_date", N_("Issuance date"), lambda r: r.issued_at.date()),
    Column("transaction_id", N_("Transaction"), attrgetter("transaction_id"), numeric=True),
    Column("project_id", N_("Project"), attrgetter("project")),
    Column("project_name", N_("Project name"), attrgetter("project_title")),
    Column("country", N_("Partner country"), attrgetter("partner")),
    Column("registry", N_("Registry"), attrgetter("registry")),
    Column("side", N_("Side"), attrgetter("side")),
    Column("decision_id", N_("Decision"), attrgetter("decision_id"), numeric=True),
    Column("decision_reference", N_("Decision reference"), attrgetter("decision_reference")),
    Column("vintage", N_("Vintage"), attrgetter("vintage"), numeric=True),
    Column("monitoring_period", N_("Monitoring period"), attrgetter("period_seq"), numeric=True),
    Column("monitoring_period_start", N_("Period start"), attrgetter("period_start")),
    Column("monitoring_period_end", N_("Period end"), attrgetter("period_end")),
    Column("quantity_issued", N_("Quantity"), attrgetter("quantity"), numeric=True),
    Column("serial_numbers", N_("Serial numbers"), lambda r: _joined(r.serials)),
    Column("article6_authorised_uses", N_("Authorised uses"), lambda r: ",".join(r.article6.uses)),
    Column(
        "article6_authorised_quantity",
        N_("Units authorised"),
        lambda r: r.article6.authorised,
        numeric=True,
    ),
    Column(
        "article6_first_transferred_quantity",
        N_("Units first-transferred"),
        lambda r: r.article6.first_transferred,
        numeric=True,
    ),
    Column(
        "article6_adjusted_quantity",
        N_("Units correspondingly adjusted"),
        lambda r: r.article6.ca_applied,
        numeric=True,
    ),
)

RETIREMENT_COLUMNS: tuple[Column[RetirementRow], ...] = (
    Column("date", N_("Date"), lambda r: r.at.date()),
    Column("transaction_id", N_("Transaction"), attrgetter("transaction_id"), numeric=True),
    Column("kind", N_("Kind"), attrgetter("kind")),
    Column("purpose", N_("Purpose"), attrgetter("purpose")),
    Column("registry", N_("Registry"), attrgetter("registry")),
    Column("account", N_("From account"), attrgetter("account")),
    Column("project_ids", N_("Project"), lambda r: _joined(r.projects)),
    Column("countries", N_("Partner country"), lambda r: _joined(r.partners)),
    Column("vintages", N_("Vintage"), lambda r: _joined(r.vintages)),
    Column("quantity", N_("Quantity"), attrgetter("quantity"), numeric=True),
    Column("serial_numbers", N_("Serial numbers"), lambda r: _joined(r.serials)),
    Column("beneficiary", N_("Beneficiary"), attrgetter("beneficiary")),
    Column("reason", N_("Reason"), attrgetter("note")),
    Column("article6_authorised_uses", N_("Authorised uses"), lambda r: ",".join(r.article6.uses)),
    Column(
        "article6_authorised_quantity",
        N_("Units authorised"),
        lambda r: r.article6.authorised,
        numeric=True,
    ),
    Column(
        "article6_first_transferred_quantity",
        N_("Units first-transferred"),
        lambda r: r.article6.first_transferred,
        numeric=True,
    ),
    Column(
        "article6_adjusted_quantity",
        N_("Units correspondingly adjusted"),
        lambda r: r.article6.ca_applied,
        numeric=True,
    ),
)

ACCOUNT_TYPE_COLUMNS: tuple[Column[tuple[AccountTypeAmount, str | None, int]], ...] = (
    Column("account_type", N_("Account type"), lambda r: r[0].type.value),
    Column("accounts", N_("Accounts"), lambda r: r[0].accounts if r[1] is None else None, True),
    Column("country", N_("Partner country"), lambda r: r[1] or ""),
    Column("quantity", N_("Quantity"), lambda r: r[2], numeric=True),
)

ANNUAL_COLUMNS: tuple[Column[AnnualSummary], ...] = (
    Column("year", N_("Year"), attrgetter("year"), numeric=True),
    Column("issued", N_("Issued"), attrgetter("issued"), numeric=True),
    Column("transferred", N_("Transferred within the registry"), attrgetter("transferred"), True),
    Column(
        "transferred_externally",
        N_("Transferred to the other registry"),
        attrgetter("transferred_externally"),
        True,
    ),
    Column(
        "acquired_externally",
        N_("Acquired from the other registry"),
        attrgetter("acquired_externally"),
        True,
    ),
    Column("cancelled", N_("Cancelled"), attrgetter("cancelled"), numeric=True),
    Column("retired", N_("Retired"), attrgetter("retired"), numeric=True),
)
