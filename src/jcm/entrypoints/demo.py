"""The README's main job: registries for Japan, Kenya and Indonesia, two projects walked
through the whole JCM cycle to credits in both registries (see ``demo_cycle``), then
transfers, an Article 6 authorisation and first transfer, cancellation and retirement.

Every step carries an idempotency key, so running the demo again replays the first run's
results and changes nothing. The projects are modelled on two of the funded projects listed
in the seeds (a 1 MW solar PV plant at a factory in Kenya; a high-efficiency chiller at a
factory in Indonesia); the monitored values are illustrative, not official figures.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.console import Console

from jcm.domain.aef.register_commands import (
    RegisterApproach,
    RegisterAuthorisation,
    RegisterEntity,
)
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import CancellationPurpose
from jcm.entrypoints.demo_cycle import run_cycle
from jcm.service_layer.aef.register import RegisterService
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.documents.service import DocumentService
from jcm.service_layer.identity.service import IdentityService
from jcm.service_layer.public.project_results import PortfolioImported
from jcm.service_layer.public.projects import ProjectViews
from jcm.service_layer.registry.service import RegistryService
from jcm.service_layer.transparency.service import LogService


def run_demo(
    service: RegistryService,
    cycle: CycleService,
    documents: DocumentService,
    log: LogService | None = None,
    *,
    identity: IdentityService,
    register: RegisterService,
    portfolio: ProjectViews | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    console = Console(stderr=True, highlight=False, quiet=not progress)

    def step(text: str) -> None:
        console.print(f"[dim]•[/] {text}")

    for code in ("JP", "KE", "ID"):
        step(f"registry {code}")
        service.create_registry(c.CreateRegistry(code), key=f"demo:registry:{code}")
    gov = {code: f"{code}-GOV-0001" for code in ("JP", "KE", "ID")}

    organisations: dict[str, str] = {}

    def entity(registry: str, name: str) -> str:
        org = service.create_organisation(
            c.CreateOrganisation(registry, name), key=f"demo:org:{registry}:{name}"
        )
        organisations[name] = org.organisation
        account = service.open_account(
            c.OpenAccount(registry, org.organisation, AccountType.ENTITY_HOLDING, name),
            key=f"demo:account:{registry}:{name}",
        )
        step(f"account {account.account} ({name})")
        return account.account

    jp_buyer = entity("JP", "Demo Trading KK")
    ke_pp = entity("KE", "Demo Factory Solar Ltd (KE001 participant)")
    id_pp = entity("ID", "PT Demo Cooling (ID001 participant)")

    accounts = {
        "jp_gov": gov["JP"],
        "ke_gov": gov["KE"],
        "id_gov": gov["ID"],
        "ke_pp": ke_pp,
        "id_pp": id_pp,
    }
    cycle_result = run_cycle(cycle, documents, accounts, step, identity=identity)

    authorisation = register_kenya(register, organisations["Demo Trading KK"])
    step(f"Kenya authorises its participant's 2023 credits under {authorisation}")
    service.authorise(
        c.Authorise(ke_pp, reference=authorisation, quantity=334), key="demo:authorise:KE"
    )
    moved = service.external_transfer(
        c.Move(ke_pp, jp_buyer, quantity=300, note="sale to a Japanese buyer"),
        key="demo:external:KE-JP",
    )
    step(f"first transfer KE → JP: {moved.quantity:,} units ({', '.join(moved.serials)})")
    # The demo year is the year of the registry's clock: Kenya adjusts for the year of the
    # first transfer (the AEF's check AEF14 compares the two).
    year = service.transactions(limit=1)[0].created_at.year
    service.apply_corresponding_adjustment(
        c.ApplyCorrespondingAdjustment(moved.serials[0], year, "reported in the BTR"),
        key="demo:ca:KE",
    )
    abroad = authorise_japans_share(service, gov["JP"], authorisation)
    step(f"Kenya authorises Japan's share held in Japan's registry: {abroad} (first transfer)")
    service.apply_corresponding_adjustment(
        c.ApplyCorrespondingAdjustment(abroad, year, "reported in the BTR"), key="demo:ca:KE-JP"
    )
    service.transfer(c.Move(gov["JP"], jp_buyer, quantity=150), key="demo:transfer:JP")
    # Only units Kenya authorised (ITMOs) count towards Japan's NDC: cancel 200 of them.
    first = SerialRange.parse(moved.serials[0])
    service.cancel(
        c.Move(
            jp_buyer,
            serials=replace(first, end=first.start + 199).format(),
            purpose=CancellationPurpose.NDC,
            beneficiary="Government of Japan",
            note="use towards Japan's NDC",
        ),
        key="demo:cancel:JP",
    )
    service.retire(
        c.Move(jp_buyer, quantity=50, beneficiary="Demo Trading KK"), key="demo:retire:JP"
    )
    step("transfers, cancellation and retirement done")
    if portfolio is not None:
        result_portfolio = import_portfolio(portfolio)
        step(
            f"funded portfolio: {result_portfolio.countries_added} partner countries and "
            f"{result_portfolio.projects_added} funded projects added "
            f"({result_portfolio.links_made} linked to the demo's cycle projects)"
        )
    audit = service.audit()
    result: dict[str, Any] = {
        "year": year,
        "cycle": cycle_result,
        "monitoring_periods": cycle.monitoring_periods(),
        "holdings": service.holdings(),
        "audit": audit,
    }
    if log is not None:
        latest = log.checkpoints()[-1:]
        fresh = not latest or latest[0].size != log_size(log)
        checkpoint = log.sign_checkpoint() if fresh else latest[0]
        step(
            f"transparency log: checkpoint of {checkpoint.size} entries, root "
            f"{checkpoint.root_hash[:16]}…"
        )
        result["checkpoint"] = {
            "size": checkpoint.size,
            "root_hash": checkpoint.root_hash,
            "note": checkpoint.note,
        }
    return result


def authorise_japans_share(service: RegistryService, japan: str, authorisation: str) -> str:
    """Kenya authorises 100 of the units KE001's first decision issued to Japan's
    government account (Japan's share, held in Japan's registry): they are
    first-transferred at the authorisation. The serials come from the decision, so a second
    run names the same ones (and replays)."""
    decision = next(d for d in service.decisions("KE001") if d.period_seq == 1)
    line = next(ln for ln in decision.lines if ln.account == japan and ln.serials)
    assert line.serials is not None
    first = SerialRange.parse(line.serials)
    serials = replace(first, end=min(first.end, first.start + 99)).format()
    service.authorise(
        c.Authorise(japan, reference=authorisation, serials=serials), key="demo:authorise:KE-JP"
    )
    return serials


def register_kenya(register: RegisterService, buyer_organisation: str) -> str:
    """The Japan–Kenya cooperative approach, Japan's buyer as an entity Kenya authorises,
    and Kenya's authorisation for NDC use of KE001's credits (its sector and activity type
    from the project's methodology); the authorisation's id."""
    # Demo values: CARP gives the real approach id; both NDC periods are taken as 2021-2030.
    approach = RegisterApproach("CA0001", "KE", (2021, 2030), (2021, 2030))
    register.register_approach(approach, key="demo:approach:KE")
    buyer = RegisterEntity(
        buyer_organisation, "CA0001", "Demo Trading KK", "JPN", buyer_organisation
    )
    register.register_entity(buyer, key="demo:entity:JP-buyer")
    authorisation = RegisterAuthorisation(
        "KE-LoA-2024-001",
        "CA0001",
        "NDC",
        projects=("KE001",),
        authorised_parties=("JPN",),
        authorised_entities=(buyer_organisation,),
        timeframe=(2021, 2030),
        terms="Demo: use towards Japan's NDC; corresponding adjustment at first transfer.",
    )
    return register.register_authorisation(
        authorisation, key="demo:authorisation:KE"
    ).authorisation.id


# The demo's cycle projects that stand for a funded project of the seed list: KE001 is
# Kenya's "1 MW solar PV at a factory" (KE seq 1). ID001's chiller matches no one row.
DEMO_LINKS = {"KE-F001": "KE001"}


def import_portfolio(views: ProjectViews) -> PortfolioImported:
    """The 29 partner countries and 252 funded projects (packaged lists), after the cycle
    projects exist so that the link can be made; a second run changes nothing."""
    projects, countries = views.read_lists()
    return views.import_portfolio(projects, countries, DEMO_LINKS)


def log_size(log: LogService) -> int:
    with log.uow(read_only=True) as uow:
        return uow.ledger.log.size()
