"""Certificates of cancellation and retirement: what a third party needs to check one.

A certificate is built from three sources that must agree: the transaction row (date,
accounts, quantity, purpose, beneficiary), the transaction's transparency-log entry (the
serial ranges exactly as the log recorded and hashed them) and the unit blocks the
transaction left in the registry's cancellation or retirement account (their Article 6
attributes now). The log reference names the entry's index and the newest signed
checkpoint covering it: the same checkpoint the public inclusion-proof bundle proves
against, so the page, the PDF and the bundle always name the same tree.

Only cancellations and retirements have certificates (they are public in JCM registries);
any other id is ``H4_NO_CERTIFICATE``, the same answer as an unknown one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from jcm.domain.errors import NotFound
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.public.ports import PublicUnitOfWorkFactory
from jcm.service_layer.results import to_json

CERTIFIED_KINDS = (TransactionKind.CANCELLATION, TransactionKind.RETIREMENT)


@dataclass(frozen=True)
class CertifiedUnits:
    """One serial range of the transaction, with its Article 6 attributes as they stand."""

    serial: str
    quantity: int
    project: str
    partner: str  # the project's partner country (ISO 3166-1 alpha-2)
    origin: str  # the registry that issued the units
    vintage: int
    authorised_uses: tuple[str, ...]  # empty: not authorised (not an ITMO)
    authorisation_ref: str | None
    first_transferred: bool
    ca_status: str  # not_required, pending or applied


@dataclass(frozen=True)
class CertifiedProject:
    id: str
    title: str | None  # None: the registry knows the project only by its id
    partner: str


@dataclass(frozen=True)
class LogReference:
    """Where the transaction sits in the transparency log, and the tree that proves it."""

    index: int
    checkpoint_size: int | None  # None: no signed checkpoint covers the entry yet
    root_hash: str | None  # hex


@dataclass(frozen=True)
class Certificate:
    transaction_id: int
    kind: TransactionKind
    registry: str
    date: datetime
    quantity: int
    source_account: str
    purpose: CancellationPurpose | None
    beneficiary: str | None
    note: str | None
    units: tuple[CertifiedUnits, ...]
    projects: tuple[CertifiedProject, ...]
    log: LogReference


@dataclass(frozen=True)
class CertificateLinks:
    """Absolute URLs printed on a certificate (the entry point knows the site's address)."""

    verification: str
    inclusion_proof: str
    public_keys: str


@dataclass(frozen=True)
class CertificateDocument:
    """A certificate with everything its PDF is drawn from, and the hash of that input."""

    certificate: Certificate
    links: CertificateLinks
    template_version: str
    input_hash: str  # SHA-256 of the JSON of the three fields above


@dataclass(frozen=True)
class RenderedCertificate:
    filename: str
    pdf: bytes
    input_hash: str


class CertificateRenderer(Protocol):
    """Draws a certificate document as a PDF (fpdf2 in the adapter)."""

    @property
    def template_version(self) -> str: ...
    def render(self, document: CertificateDocument) -> bytes: ...


def input_hash(certificate: Certificate, links: CertificateLinks, template_version: str) -> str:
    """The same certificate, links and template give the same hash (and the same PDF)."""
    body = {
        "certificate": to_json(certificate),
        "links": to_json(links),
        "template_version": template_version,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _no_certificate(transaction_id: int) -> NotFound:
    return NotFound(
        "H4_NO_CERTIFICATE",
        f"No cancellation or retirement has transaction id {transaction_id}; only those have "
        "certificates.",
        transaction=transaction_id,
    )


def _transaction_row(uow: UnitOfWork, transaction_id: int) -> dict[str, Any]:
    # The newest transaction at or below the id is the one, if its id is the id.
    rows = uow.ledger.list_transactions({"before": transaction_id + 1}, 1)
    if not rows or int(rows[0]["id"]) != transaction_id:
        raise _no_certificate(transaction_id)
    row = rows[0]
    if row["kind"] not in {k.value for k in CERTIFIED_KINDS}:
        raise _no_certificate(transaction_id)
    return row


def _log_change(uow: UnitOfWork, transaction_id: int) -> tuple[int, dict[str, Any]]:
    log = uow.ledger.log
    index = log.index_of_transaction(transaction_id)
    entry = None if index is None else log.entry_at(index)
    if index is None or entry is None:
        raise NotFound(
            "L2_UNKNOWN_ENTRY",
            f"No log entry records transaction {transaction_id}.",
            transaction=transaction_id,
        )
    change = json.loads(entry[3])["change"]
    if not isinstance(change, dict) or change.get("transaction") != transaction_id:
        raise NotFound(
            "L2_UNKNOWN_ENTRY",
            f"Log entry {index} does not record transaction {transaction_id}.",
            transaction=transaction_id,
        )
    return index, change


def _units(uow: UnitOfWork, ranges: list[dict[str, Any]], account: str) -> list[CertifiedUnits]:
    """Each logged range, split where its units' Article 6 attributes differ."""
    units = []
    for logged in ranges:
        serial = SerialRange.parse(str(logged["serial"]))
        decision_id = int(logged["decision"])
        blocks = [
            b
            for b in uow.ledger.blocks_overlapping(decision_id, serial.start, serial.end)
            if b.account_id == account and b.origin_registry == serial.origin
        ]
        for block in sorted(blocks, key=lambda b: b.start):
            start, end = max(block.start, serial.start), min(block.end, serial.end)
            part = SerialRange(
                serial.origin,
                serial.partner,
                serial.project,
                serial.vintage,
                serial.period_seq,
                start,
                end,
            )
            a6 = block.article6
            units.append(
                CertifiedUnits(
                    part.format(),
                    end - start + 1,
                    serial.project,
                    serial.partner,
                    serial.origin,
                    serial.vintage,
                    tuple(sorted(u.value for u in a6.authorised_uses)),
                    a6.authorisation_ref,
                    a6.first_transferred,
                    a6.ca_status.value,
                )
            )
    return units


def _projects(uow: UnitOfWork, units: list[CertifiedUnits]) -> tuple[CertifiedProject, ...]:
    found = []
    for project_id in sorted({u.project for u in units}):
        project = uow.cycle.get_project(project_id)
        partner = next(u.partner for u in units if u.project == project_id)
        found.append(CertifiedProject(project_id, project.title if project else None, partner))
    return tuple(found)


def _text(detail: dict[str, Any], key: str) -> str | None:
    value = detail.get(key)
    return str(value) if value is not None else None


def certificate(uow: UnitOfWork, transaction_id: int) -> Certificate:
    row = _transaction_row(uow, transaction_id)
    index, change = _log_change(uow, transaction_id)
    destination = str(row["destination"])
    units = _units(uow, list(change.get("ranges", [])), destination)
    checkpoint = uow.ledger.log.checkpoint_covering(index)
    detail = row["detail"] if isinstance(row["detail"], dict) else {}
    purpose = _text(detail, "purpose")
    return Certificate(
        transaction_id,
        TransactionKind(row["kind"]),
        str(row["registry"]),
        row["created_at"],
        int(row["quantity"]),
        str(row["source"]),
        CancellationPurpose(purpose) if purpose else None,
        _text(detail, "beneficiary"),
        _text(detail, "note"),
        tuple(units),
        _projects(uow, units),
        LogReference(
            index,
            checkpoint.size if checkpoint else None,
            checkpoint.root_hash.hex() if checkpoint else None,
        ),
    )


class CertificateViews:
    def __init__(
        self, uow: PublicUnitOfWorkFactory, renderer: CertificateRenderer | None = None
    ) -> None:
        self.uow = uow
        self.renderer = renderer

    def certificate(self, transaction_id: int) -> Certificate:
        """The certificate of a cancellation or retirement (``H4_NO_CERTIFICATE`` else)."""
        with self.uow(read_only=True) as uow:
            return certificate(uow, transaction_id)

    def document(self, transaction_id: int, links: CertificateLinks) -> CertificateDocument:
        found = self.certificate(transaction_id)
        version = self._renderer().template_version
        return CertificateDocument(found, links, version, input_hash(found, links, version))

    def pdf(self, transaction_id: int, links: CertificateLinks) -> RenderedCertificate:
        """The bilingual PDF: the same certificate and links give the same bytes."""
        document = self.document(transaction_id, links)
        data = self._renderer().render(document)
        kind = document.certificate.kind.value
        return RenderedCertificate(
            f"jcm-{kind}-certificate-{transaction_id}.pdf", data, document.input_hash
        )

    def _renderer(self) -> CertificateRenderer:
        if self.renderer is None:
            raise RuntimeError("no certificate renderer was wired (see bootstrap)")
        return self.renderer
