"""The README's main job: a registry pair (and a second partner) with sample issuances.

Every step carries an idempotency key, so running the demo again replays the first run's
results and changes nothing. The projects are two of the funded projects listed in the
seeds (a 1 MW solar PV plant at a factory in Kenya; air-conditioning energy savings at a
factory in Indonesia); the tonnages are illustrative, not official figures.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rich.console import Console

from jcm.domain import commands as c
from jcm.domain.accounts import AccountType
from jcm.domain.allocation import AllocationShare
from jcm.domain.article6 import AuthorisedUse
from jcm.domain.transactions import CancellationPurpose
from jcm.service_layer.services import LogService, RegistryService


def run_demo(
    service: RegistryService, log: LogService | None = None, *, progress: bool = True
) -> dict[str, Any]:
    console = Console(stderr=True, highlight=False, quiet=not progress)

    def step(text: str) -> None:
        console.print(f"[dim]•[/] {text}")

    for code in ("JP", "KE", "ID"):
        step(f"registry {code}")
        service.create_registry(c.CreateRegistry(code), key=f"demo:registry:{code}")
    gov = {code: f"{code}-GOV-0001" for code in ("JP", "KE", "ID")}

    def entity(registry: str, name: str) -> str:
        org = service.create_organisation(
            c.CreateOrganisation(registry, name), key=f"demo:org:{registry}:{name}"
        )
        account = service.open_account(
            c.OpenAccount(registry, org["organisation"], AccountType.ENTITY_HOLDING, name),
            key=f"demo:account:{registry}:{name}",
        )
        step(f"account {account['account']} ({name})")
        return str(account["account"])

    jp_buyer = entity("JP", "Demo Trading KK")
    ke_pp = entity("KE", "Demo Factory Solar Ltd (KE001 participant)")
    id_pp = entity("ID", "PT Demo Cooling (ID001 participant)")

    def decide(
        key: str,
        project: str,
        start: date,
        end: date,
        amount: int,
        shares: list[tuple[str, str]],
        remainder: str,
    ) -> int:
        result = service.record_decision(
            c.RecordDecision(
                project,
                start,
                end,
                start.year,
                amount,
                tuple(AllocationShare(a, Decimal(p)) for a, p in shares),
                remainder,
                f"JC decision (demo) {project}",
            ),
            key=key,
        )
        step(f"JC decision {result['decision']}: {project} {start}…{end}, {amount:,} tCO2")
        return int(result["decision"])

    decisions = [
        (
            decide(
                "demo:decision:KE001:1",
                "KE001",
                date(2023, 1, 1),
                date(2023, 12, 31),
                837,
                [(gov["JP"], "50"), (ke_pp, "40"), (gov["KE"], "10")],
                gov["KE"],
            ),
            "KE",
        ),
        (
            decide(
                "demo:decision:KE001:2",
                "KE001",
                date(2024, 1, 1),
                date(2024, 12, 31),
                912,
                [(gov["JP"], "50"), (ke_pp, "40"), (gov["KE"], "10")],
                gov["KE"],
            ),
            "KE",
        ),
        (
            decide(
                "demo:decision:ID001:1",
                "ID001",
                date(2022, 4, 1),
                date(2023, 3, 31),
                1265,
                [(gov["JP"], "50"), (id_pp, "33.3"), (gov["ID"], "16.7")],
                gov["ID"],
            ),
            "ID",
        ),
    ]
    for decision, partner in decisions:
        for side in ("JP", partner):
            issued = service.issue(c.Issue(decision, side), key=f"demo:issue:{decision}:{side}")
            step(f"issued {issued['quantity']:,} in {side}: {', '.join(issued['serials'])}")

    step("Kenya authorises its participant's 2023 credits for use towards Japan's NDC")
    service.authorise(
        c.Authorise(ke_pp, frozenset({AuthorisedUse.NDC}), "KE-LoA-2024-001", quantity=334),
        key="demo:authorise:KE",
    )
    moved = service.external_transfer(
        c.Move(ke_pp, jp_buyer, quantity=300, note="sale to a Japanese buyer"),
        key="demo:external:KE-JP",
    )
    step(f"first transfer KE → JP: {moved['quantity']:,} units ({', '.join(moved['serials'])})")
    service.apply_corresponding_adjustment(
        c.ApplyCorrespondingAdjustment(moved["serials"][0], 2024, "reported in the BTR"),
        key="demo:ca:KE",
    )
    service.transfer(c.Move(gov["JP"], jp_buyer, quantity=150), key="demo:transfer:JP")
    service.cancel(
        c.Move(
            gov["JP"],
            quantity=400,
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
    audit = service.audit()
    result: dict[str, Any] = {"holdings": service.holdings(), "audit": audit}
    if log is not None:
        latest = log.checkpoints()[-1:] or [{"size": -1}]
        checkpoint = log.sign_checkpoint() if latest[0]["size"] != log_size(log) else latest[0]
        step(
            f"transparency log: checkpoint of {checkpoint['size']} entries, root "
            f"{checkpoint['root_hash'][:16]}…"
        )
        result["checkpoint"] = {k: checkpoint[k] for k in ("size", "root_hash", "note")}
    return result


def log_size(log: LogService) -> int:
    with log.uow(read_only=True) as uow:
        return uow.ledger.log.size()
