"""Certificates of cancellation and retirement, for anyone: the verification page and the
bilingual PDF. Both print the same facts and the transparency-log reference; the page also
says how to check that reference offline with ``jcm log verify-proof``.

The PDF route is registered before the page's: ``/certificates/{id}`` would otherwise take
``12.pdf`` as an id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response

from jcm.domain.identity.access import PUBLIC
from jcm.entrypoints.web.i18n import N_
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import page
from jcm.service_layer.public.certificates import CertificateLinks

router = PageRouter()
MAX_INT = (1 << 63) - 1
TransactionId = Annotated[
    int, Path(ge=1, le=MAX_INT, description="A cancellation's or retirement's transaction id.")
]
API = "/api/v1"

# What the page calls each value the domain records (translated when shown).
KINDS = {"cancellation": N_("Cancellation"), "retirement": N_("Retirement")}
PURPOSES = {
    "ndc": N_("Use towards a nationally determined contribution (NDC)"),
    "oimp": N_("Other international mitigation purposes (OIMP)"),
    "voluntary": N_("Voluntary cancellation"),
}
CA_STATUSES = {
    "not_required": N_("Corresponding adjustment not required"),
    "pending": N_("Corresponding adjustment pending"),
    "applied": N_("Corresponding adjustment applied"),
}


def links(request: Request, transaction_id: int) -> CertificateLinks:
    """The absolute URLs a certificate prints, on the address the reader used."""
    base = str(request.base_url).rstrip("/")
    return CertificateLinks(
        f"{base}/certificates/{transaction_id}",
        f"{base}{API}/log/transactions/{transaction_id}/inclusion-proof",
        f"{base}{API}/log/public-keys.txt",
    )


@router.page("GET", "/certificates/{transaction_id}.pdf", access=PUBLIC, response_class=Response)
def certificate_pdf(
    transaction_id: TransactionId, request: Request, caller: WebCallerDep
) -> Response:
    rendered = caller.services.public.certificates.pdf(
        transaction_id, links(request, transaction_id)
    )
    return Response(
        rendered.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{rendered.filename}"',
            "X-Certificate-Input-Hash": rendered.input_hash,
        },
    )


@router.page("GET", "/certificates/{transaction_id}", access=PUBLIC)
def certificate_page(
    transaction_id: TransactionId, request: Request, caller: WebCallerDep
) -> HTMLResponse:
    document = caller.services.public.certificates.document(
        transaction_id, links(request, transaction_id)
    )
    return page(
        request,
        "certificates/certificate.html",
        {
            "document": document,
            "c": document.certificate,
            "kinds": KINDS,
            "purposes": PURPOSES,
            "ca_statuses": CA_STATUSES,
        },
    )
