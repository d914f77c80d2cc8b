"""The serial search, a registry's statistics page and the transparency-log page."""

from __future__ import annotations

import pytest
from api_support import is_problem
from ledger_web_support import LedgerWorld, csv_rows, ledger_world
from web_support import site

from jcm.bootstrap import App
from jcm.domain.errors import InvalidInput, UnitRuleViolation
from jcm.service_layer.public.ledger import MAX_BLOCKS

RETIRED = "JP-KE-JCM-KE001-2023-1-1-40"


@pytest.fixture
def world(app: App) -> LedgerWorld:
    return ledger_world(app)


def test_the_search_finds_a_retired_serials_block_with_its_whole_history(
    app: App, world: LedgerWorld
) -> None:
    found = app.public.ledger.search_serials("jp-ke-jcm-ke001-2023-1-7")

    assert found.query == "JP-KE-JCM-KE001-2023-1-7-7"
    assert (found.requested, found.found, found.truncated) == (1, 1, False)
    [block] = found.blocks
    assert block.serials == "JP-KE-JCM-KE001-2023-1-7-7"
    assert (block.registry, block.account, block.account_type) == (
        "JP",
        "JP-RET-0003",
        "retirement",
    )
    assert block.status == "retired"
    assert block.certificate == world.retirement
    assert [(e.transaction_id, e.kind) for e in block.history] == [
        (world.issued_jp, "issuance"),
        (world.transfer, "transfer"),
        (world.retirement, "retirement"),
    ]
    assert block.history[-1].serials == RETIRED


def test_a_range_is_shown_block_by_block_each_with_its_own_history(
    app: App, world: LedgerWorld
) -> None:
    found = app.public.ledger.search_serials("JP-KE-JCM-KE001-2023-1-31-150")

    assert [(b.serials, b.status, b.account) for b in found.blocks] == [
        ("JP-KE-JCM-KE001-2023-1-31-40", "retired", "JP-RET-0003"),
        ("JP-KE-JCM-KE001-2023-1-41-100", "held", world.jp_account),
        ("JP-KE-JCM-KE001-2023-1-101-150", "held", "JP-GOV-0001"),
    ]
    assert found.found == 120
    assert [len(b.history) for b in found.blocks] == [3, 2, 1]
    assert [b.certificate for b in found.blocks] == [world.retirement, None, None]


def test_the_search_page_shows_the_block_its_history_and_the_certificate_link(
    app: App, world: LedgerWorld
) -> None:
    english = site(app, language="en").get("/serials?q=JP-KE-JCM-KE001-2023-1-7")
    japanese = site(app, language="ja").get("/serials?q=JP-KE-JCM-KE001-2023-1-7")

    assert english.status_code == 200
    assert "JP-KE-JCM-KE001-2023-1-7-7" in english.text
    assert "JP-RET-0003" in english.text
    assert "Retirement account" in english.text
    assert "Retired" in english.text
    assert f'href="/certificates/{world.retirement}"' in english.text
    assert RETIRED in english.text  # the retirement's own range, in the history
    assert 'for="q"' in english.text
    assert "償却口座" in japanese.text
    assert "償却済み" in japanese.text


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("garbage", 422, "U6_BAD_SERIAL"),
        ("JP-KE-JCM-KE001-2023-1-9-3", 422, "U6_BAD_RANGE"),
        ("JP-KE-JCM-KE001-2023-1-" + "1" * 90, 422, "U6_BAD_SERIAL"),
        ("JP-KE-JCM-KE009-2023-1-1", 409, "U1_UNKNOWN_SERIAL"),
        ("<script>alert(1)</script>", 422, "U6_BAD_SERIAL"),
    ],
)
def test_the_search_refuses_what_is_not_an_issued_serial_with_a_code(
    app: App, world: LedgerWorld, query: str, status: int, code: str
) -> None:
    response = site(app).get("/serials", params={"q": query})

    assert response.status_code == status
    assert code in response.text
    assert "<script>alert" not in response.text
    with pytest.raises((InvalidInput, UnitRuleViolation)) as refused:
        app.public.ledger.search_serials(query)
    assert refused.value.code == code


def test_the_search_form_alone_is_a_plain_page(app: App, world: LedgerWorld) -> None:
    response = site(app).get("/serials")

    assert response.status_code == 200
    assert 'name="q"' in response.text


def test_a_wide_search_is_bounded_and_says_so(app: App, world: LedgerWorld) -> None:
    from jcm.domain.registry import commands as c

    for _ in range(MAX_BLOCKS + 5):  # each retirement of one unit splits off one block
        app.registry.retire(c.Move("JP-GOV-0001", quantity=1))

    found = app.public.ledger.search_serials("JP-KE-JCM-KE001-2023-1-1-500")

    assert len(found.blocks) == MAX_BLOCKS
    assert found.truncated
    assert found.found < found.requested


def test_the_registry_page_shows_what_the_registry_statistics_say(
    app: App, world: LedgerWorld
) -> None:
    statistics = app.registry.statistics("JP")
    english = site(app, language="en").get("/registries/JP")
    japanese = site(app, language="ja").get("/registries/jp")

    assert english.status_code == 200
    assert "Statistics of the registry of Japan" in english.text
    assert f"{statistics.recorded} tCO2e" in english.text
    assert "Retirement account" in english.text
    assert "Annual transaction summary of JCM credits (tCO2e)" in english.text
    assert "日本の登録簿の統計" in japanese.text
    assert "政府保有口座" in japanese.text


def test_the_registry_exports_are_its_statistics_exactly(app: App, world: LedgerWorld) -> None:
    statistics = app.registry.statistics("JP")
    client = site(app)

    annual = csv_rows(client.get("/registries/JP/annual.csv").text)
    accounts = csv_rows(client.get("/registries/JP/accounts.csv").text)

    assert [
        (int(r["year"]), int(r["issued"]), int(r["transferred"]), int(r["retired"])) for r in annual
    ] == [(y.year, y.issued, y.transferred, y.retired) for y in statistics.annual]
    totals = {r["account_type"]: int(r["quantity"]) for r in accounts if not r["country"]}
    assert totals == {a.type.value: a.quantity for a in statistics.accounts}
    assert {r["account_type"]: r["quantity"] for r in accounts if r["country"] == "KE"} == {
        "government_holding": "400",
        "entity_holding": "60",
        "retirement": "40",
    }


def test_an_unknown_registry_is_a_404_page(app: App, world: LedgerWorld) -> None:
    client = site(app)

    assert client.get("/registries/ZZ").status_code == 404
    assert is_problem(client.get("/registries/ZZ/annual.csv"), 404, "G4_UNKNOWN_REGISTRY")


def test_the_transparency_page_shows_the_latest_checkpoint_and_the_key(
    app: App, world: LedgerWorld
) -> None:
    latest = app.log.latest_checkpoint()
    [key] = app.log.signing_keys()

    english = site(app, language="en").get("/transparency")
    japanese = site(app, language="ja").get("/transparency")

    assert english.status_code == 200
    assert latest.root_hash in english.text
    assert f"<dd>{latest.size}</dd>" in english.text
    assert key.verifier in english.text
    assert "jcm log verify-proof proof.json --public-key keys.txt" in english.text
    assert 'href="/api/v1/log/public-keys.txt"' in english.text
    assert "最新の署名付きチェックポイント" in japanese.text
    assert latest.root_hash in japanese.text


def test_the_proof_forms_lead_to_the_apis_bundles(app: App, world: LedgerWorld) -> None:
    client = site(app)

    by_transaction = client.get(f"/transparency/proof?transaction={world.retirement}")
    by_serial = client.get("/transparency/proof", params={"serial": RETIRED})
    bundle = client.get(by_transaction.headers["location"])

    assert by_transaction.status_code == 303
    assert by_transaction.headers["location"] == (
        f"/api/v1/log/transactions/{world.retirement}/inclusion-proof"
    )
    assert by_serial.headers["location"] == f"/api/v1/log/serials/{RETIRED}/inclusion-proofs"
    assert bundle.status_code == 200
    assert bundle.json()["format"] == "jcm-inclusion-proof/1"
    assert client.get("/transparency/proof").status_code == 422


def test_the_transparency_page_before_any_checkpoint_says_so(app: App) -> None:
    response = site(app, language="en").get("/transparency")

    assert response.status_code == 200
    assert "The log has no signed checkpoint yet." in response.text
