"""Certificates of cancellation and retirement: the typed certificate, the bilingual PDF
(its text read back through the font's ToUnicode map), the public verification page in
Japanese and English, refusals, and a log reference whose proof bundle verifies offline."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from aef_support import register_authorisation
from fastapi.testclient import TestClient
from jcm_process import jcm_process
from pdf_text import pdf_text
from web_support import FIXED_NOW, site

from jcm.adapters.certificate_pdf import FONT_PATH, FpdfCertificates, check_font
from jcm.bootstrap import App
from jcm.domain.errors import DataCorruption, NotFound
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind
from jcm.service_layer.public.certificates import CertificateLinks

BENEFICIARY = "ケニア茶協同組合 Kenya Tea Co-operative"
LINKS = CertificateLinks(
    "https://registry.example/certificates/0",
    "https://registry.example/api/v1/log/transactions/0/inclusion-proof",
    "https://registry.example/api/v1/log/public-keys.txt",
)


@dataclass(frozen=True)
class World:
    issuance: int
    transfer: int
    cancellation: int
    cancelled: tuple[str, ...]
    retirement: int
    retired: tuple[str, ...]
    accounts: dict[str, str]


@pytest.fixture
def world(app: App) -> World:
    """KE001's 1,000 units issued to Japan and Kenya; Kenya's holder cancels 100 (voluntary,
    for a named beneficiary), Japan's government account transfers 10 and retires 20."""
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    ke = r.open_account(c.OpenAccount("KE", org, AccountType.ENTITY_HOLDING, "Solar")).account
    jp_org = r.create_organisation(c.CreateOrganisation("JP", "Buyer KK")).organisation
    jp = r.open_account(c.OpenAccount("JP", jp_org, AccountType.ENTITY_HOLDING, "Buyer")).account
    shares = (AllocationShare("JP-GOV-0001", Decimal(50)), AllocationShare(ke, Decimal(50)))
    decision = r.record_decision(
        c.RecordDecision("KE001", date(2023, 1, 1), date(2023, 12, 31), 2023, 1000, shares)
    ).decision
    issued = r.issue(c.Issue(decision, "KE"))
    r.issue(c.Issue(decision, "JP"))
    cancelled = r.cancel(
        c.Move(ke, quantity=100, purpose=CancellationPurpose.VOLUNTARY, beneficiary=BENEFICIARY)
    )
    moved = r.transfer(c.Move("JP-GOV-0001", jp, quantity=10))
    retired = r.retire(c.Move("JP-GOV-0001", quantity=20, beneficiary="Buyer KK"))
    app.log.sign_checkpoint()
    return World(
        issued.transaction,
        moved.transaction,
        cancelled.transaction,
        cancelled.serials,
        retired.transaction,
        retired.serials,
        {"ke": ke, "jp": jp},
    )


def test_a_cancellation_certificate_carries_what_the_ledger_and_the_log_record(
    app: App, world: World
) -> None:
    found = app.public.certificates.certificate(world.cancellation)
    checkpoint = app.log.latest_checkpoint()

    assert found.kind is TransactionKind.CANCELLATION
    assert (found.registry, found.quantity, found.date) == ("KE", 100, FIXED_NOW)
    assert found.purpose is CancellationPurpose.VOLUNTARY
    assert found.beneficiary == BENEFICIARY
    assert tuple(u.serial for u in found.units) == world.cancelled
    assert [(p.id, p.partner) for p in found.projects] == [("KE001", "KE")]
    assert found.units[0].ca_status == "not_required"
    assert found.units[0].authorised_uses == ()
    with app.unit_of_work(read_only=True) as uow:
        assert found.log.index == uow.ledger.log.index_of_transaction(world.cancellation)
    assert (found.log.checkpoint_size, found.log.root_hash) == (
        checkpoint.size,
        checkpoint.root_hash,
    )


@pytest.mark.parametrize("which", ["issuance", "transfer"])
def test_only_cancellations_and_retirements_have_certificates(
    app: App, world: World, which: str
) -> None:
    with pytest.raises(NotFound) as refused:
        app.public.certificates.certificate(getattr(world, which))

    assert refused.value.code == "H4_NO_CERTIFICATE"


def test_the_pdf_prints_serials_beneficiary_both_languages_and_the_verification_url(
    app: App, world: World
) -> None:
    document = app.public.certificates.document(world.cancellation, LINKS)

    text = pdf_text(FpdfCertificates().render(document, compress=False))

    for expected in (
        *world.cancelled,
        BENEFICIARY,
        "取消証明書",
        "Certificate of Cancellation",
        "受益者",
        "Beneficiary",
        "シリアル番号",
        "自主的取消 / voluntary cancellation",
        "ケニア / Kenya",
        "透明性ログ / Transparency log",
        LINKS.verification,
        LINKS.inclusion_proof,
        f"jcm log verify-proof proof-{world.cancellation}.json --public-key public-keys.txt",
        document.input_hash,
        "jcm-certificate/1",
        "2026年4月1日 / 2026-04-01",
    ):
        assert expected in text, expected


def test_the_same_certificate_gives_the_same_bytes_dated_by_its_transaction(
    app: App, world: World
) -> None:
    first = app.public.certificates.pdf(world.retirement, LINKS)
    again = app.public.certificates.pdf(world.retirement, LINKS)

    assert first.pdf == again.pdf
    assert first.pdf.startswith(b"%PDF-")
    assert b"/CreationDate (D:20260401090000" in first.pdf
    assert first.filename == f"jcm-retirement-certificate-{world.retirement}.pdf"


def test_a_font_whose_checksum_differs_is_refused(app: App, world: World, tmp_path: Path) -> None:
    altered = tmp_path / "ipaexg.ttf"
    data = bytearray(FONT_PATH.read_bytes())
    data[-1] ^= 0xFF
    altered.write_bytes(bytes(data))
    document = app.public.certificates.document(world.cancellation, LINKS)

    with pytest.raises(DataCorruption) as refused:
        FpdfCertificates(font_path=altered).render(document)
    with pytest.raises(DataCorruption) as missing:
        check_font(tmp_path / "no-such-font.ttf")

    assert refused.value.code == missing.value.code == "H9_CERTIFICATE_FONT"
    assert check_font() == FONT_PATH


@pytest.fixture
def english(app: App) -> Iterator[TestClient]:
    with site(app, language="en") as client:
        yield client


def test_anyone_reads_the_verification_page_in_english(english: TestClient, world: World) -> None:
    response = english.get(f"/certificates/{world.cancellation}")

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert f"<h1>Certificate of cancellation {world.cancellation}</h1>" in response.text
    assert world.cancelled[0] in response.text
    assert BENEFICIARY in response.text
    assert "Voluntary cancellation" in response.text
    assert f'href="/certificates/{world.cancellation}.pdf"' in response.text
    assert f"jcm log verify-proof proof-{world.cancellation}.json" in response.text
    assert (
        f"http://testserver/api/v1/log/transactions/{world.cancellation}/inclusion-proof"
        in response.text
    )


def test_the_verification_page_speaks_japanese(app: App, world: World) -> None:
    with site(app, language="ja") as client:
        response = client.get(f"/certificates/{world.retirement}")

    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
    assert f"<h1>償却証明書 {world.retirement}</h1>" in response.text
    assert "受益者" in response.text
    assert "透明性ログの参照" in response.text
    assert world.retired[0] in response.text


def test_the_pdf_downloads_as_an_attachment_with_the_page_address_on_it(
    english: TestClient, world: World
) -> None:
    response = english.get(f"/certificates/{world.retirement}.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"jcm-retirement-certificate-{world.retirement}.pdf" in disposition
    text = pdf_text(response.content)
    assert f"http://testserver/certificates/{world.retirement}" in text
    assert "償却証明書" in text
    assert response.headers["x-certificate-input-hash"] in text


@pytest.mark.parametrize("which", ["transfer", "issuance", "unknown"])
def test_a_transfer_an_issuance_or_an_unknown_id_has_no_certificate(
    english: TestClient, world: World, which: str
) -> None:
    transaction = 999_999 if which == "unknown" else getattr(world, which)

    page = english.get(f"/certificates/{transaction}")
    pdf = english.get(f"/certificates/{transaction}.pdf")

    assert page.status_code == pdf.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "H4_NO_CERTIFICATE" in page.text
    assert pdf.headers["content-type"].startswith("application/problem+json")
    assert pdf.json()["code"] == "H4_NO_CERTIFICATE"


def _shown(pattern: str, html: str) -> str:
    found = re.search(pattern, html)
    assert found is not None, pattern
    return found.group(1)


def test_the_log_reference_on_the_page_is_the_one_whose_proof_verifies_offline(
    english: TestClient, world: World, tmp_path: Path
) -> None:
    html = english.get(f"/certificates/{world.cancellation}").text
    index = int(_shown(r'<code class="log-index">(\d+)</code>', html))
    root = _shown(r'<code class="root-hash certificate-hash">([0-9a-f]{64})</code>', html)
    proof_url = _shown(r'<a class="inclusion-proof" href="([^"]+)"', html)

    bundle = english.get(proof_url.removeprefix("http://testserver")).json()
    (tmp_path / "proof.json").write_text(english.get(proof_url).text, encoding="utf-8")
    (tmp_path / "keys.txt").write_bytes(english.get("/api/v1/log/public-keys.txt").content)
    done = jcm_process(
        "log", "verify-proof", "proof.json", "--public-key", "keys.txt", cwd=tmp_path
    )

    assert bundle["index"] == index
    assert f'"transaction":{world.cancellation}' in bundle["entry"]
    assert world.cancelled[0] in bundle["entry"]
    note = bundle["checkpoint"].split("\n")  # C2SP note: origin, size, base64 root hash
    assert (int(note[1]), base64.b64decode(note[2]).hex()) == (bundle["tree_size"], root)
    assert done.code == 0, done.stdout + done.stderr
    assert "VALID" in done.stdout


def test_itmos_cancelled_towards_an_ndc_carry_their_article_6_status_onto_the_certificate(
    app: App, world: World
) -> None:
    r = app.registry
    ke, jp = world.accounts["ke"], world.accounts["jp"]
    register_authorisation(app, "KE", "KE-LoA-1")
    r.authorise(c.Authorise(ke, frozenset({AuthorisedUse.NDC}), "KE-LoA-1", quantity=40))
    moved = r.external_transfer(c.Move(ke, jp, quantity=40))
    r.apply_corresponding_adjustment(c.ApplyCorrespondingAdjustment(moved.serials[0], 2024))
    cancelled = r.cancel(
        c.Move(jp, serials=moved.serials[0], purpose=CancellationPurpose.NDC, beneficiary="JP")
    )
    app.log.sign_checkpoint()

    found = app.public.certificates.certificate(cancelled.transaction)
    text = pdf_text(app.public.certificates.pdf(cancelled.transaction, LINKS).pdf)

    assert [
        (u.serial, u.authorised_uses, u.first_transferred, u.ca_status) for u in found.units
    ] == [(moved.serials[0], ("ndc",), True, "applied")]
    assert found.units[0].authorisation_ref == "KE-LoA-1"
    assert "相当調整済み / corresponding adjustment applied" in text
    assert "NDCへの使用 / use towards an NDC" in text


def test_a_certificate_before_any_checkpoint_covers_it_says_so(app: App, world: World) -> None:
    later = app.registry.retire(c.Move("JP-GOV-0001", quantity=1, beneficiary="Late KK"))

    found = app.public.certificates.certificate(later.transaction)
    with site(app, language="en") as client:
        page = client.get(f"/certificates/{later.transaction}")
    text = pdf_text(app.public.certificates.pdf(later.transaction, LINKS).pdf)

    assert (found.log.checkpoint_size, found.log.root_hash) == (None, None)
    assert "Not yet covered by a signed checkpoint" in page.text
    assert "まだ署名済みチェックポイントに含まれていません" in text
