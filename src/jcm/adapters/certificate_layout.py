"""The certificate's page layout, drawn with fpdf2 (see ``certificate_pdf`` for the labels,
the font check and the renderer). A module of its own so that fpdf2 is imported only when a
certificate is drawn."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from jcm.adapters.certificate_pdf import (
    CREATOR,
    FONT,
    LABELS,
    article6,
    both,
    country,
    day,
    purpose,
)
from jcm.domain.registry.transactions import TransactionKind
from jcm.service_layer.public.certificates import Certificate, CertificateDocument

_W = 174.0  # printable width (mm) of A4 with 18-mm margins
_LABEL_W = 48.0


class _Drawing:
    """One certificate on an FPDF page, drawn top to bottom."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf

    def text(self, size: float, value: str, height: float = 5.0) -> None:
        self.pdf.set_font(FONT, size=size)
        self.pdf.multi_cell(_W, height, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, key: str) -> None:
        self.pdf.ln(2)
        self.text(11, both(key), 6)
        y = self.pdf.get_y()
        self.pdf.line(self.pdf.l_margin, y, self.pdf.l_margin + _W, y)
        self.pdf.ln(1.5)

    def row(self, key: str, value: str, size: float = 9.5) -> None:
        """A label (Japanese over English) beside its value, kept on one page."""
        pdf = self.pdf
        ja, en = LABELS[key]
        pdf.set_font(FONT, size=size)
        lines = pdf.multi_cell(_W - _LABEL_W, 4.6, value, align="L", dry_run=True, output="LINES")
        count = len(lines) if isinstance(lines, list) else 1
        height = max(7.6, 4.6 * count) + 0.9
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_font(FONT, size=7.5)
        pdf.multi_cell(_LABEL_W, 4.0, f"{ja}\n{en}", align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_xy(pdf.l_margin + _LABEL_W, top)
        pdf.set_font(FONT, size=size)
        pdf.multi_cell(_W - _LABEL_W, 4.6, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(top + height)


def _facts(d: _Drawing, c: Certificate) -> None:
    d.row("registry", f"{c.registry} — {country(c.registry)}")
    d.row("transaction", str(c.transaction_id))
    d.row("kind", both(f"kind_{c.kind.value}"))
    d.row("date", day(c.date))
    d.row("quantity", f"{c.quantity:,}")
    d.row("source", c.source_account)
    if c.kind is TransactionKind.CANCELLATION:
        d.row("purpose", purpose(c.purpose))
    d.row("beneficiary", c.beneficiary or both("none"))
    if c.note:
        d.row("note", c.note)
    for project in c.projects:
        title = f" {project.title}" if project.title else ""
        d.row("project", f"{project.id}{title} — {country(project.partner)}")


def _units(d: _Drawing, c: Certificate) -> None:
    d.heading("serials")
    for units in c.units:
        d.row("serials", f"{units.serial}  ({units.quantity:,})")
        d.row("vintage", str(units.vintage))
        d.row("article6", article6(units))


def _log(d: _Drawing, doc: CertificateDocument) -> None:
    c = doc.certificate
    d.heading("log")
    d.row("log_index", str(c.log.index))
    if c.log.checkpoint_size is None:
        d.row("checkpoint", both("no_checkpoint"))
    else:
        ja, en = LABELS["entries"]
        d.row("checkpoint", f"{c.log.checkpoint_size:,} {ja} / {c.log.checkpoint_size:,} {en}")
        d.row("root_hash", str(c.log.root_hash), 8)
    d.row("proof", doc.links.inclusion_proof)
    d.row("keys", doc.links.public_keys)
    d.text(8.5, both("offline", "\n"), 4.2)
    d.text(
        9,
        f"jcm log verify-proof proof-{c.transaction_id}.json --public-key public-keys.txt",
        5,
    )


def draw(doc: CertificateDocument, font: Path, *, compress: bool = True) -> bytes:
    """The PDF of ``doc`` with the font file ``font`` (already checked); ``compress=False``
    for tests that read the page stream."""
    c = doc.certificate
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT, "", fname=font)
    title = f"{both(c.kind.value)} — {c.transaction_id}"
    pdf.set_title(title)
    pdf.set_subject(f"{both('transaction')}: {c.transaction_id} ({c.registry})")
    pdf.set_author(both("registry_name"))
    pdf.set_creator(CREATOR)
    pdf.set_producer(f"{CREATOR} {doc.template_version}")
    pdf.set_lang("ja")
    pdf.set_creation_date(c.date)
    pdf.add_page()
    d = _Drawing(pdf)
    d.text(10, f"{both('registry_name')} — {country(c.registry)}")
    pdf.ln(2)
    ja, en = LABELS[c.kind.value]
    d.text(20, ja, 10)
    d.text(15, en, 8)
    pdf.ln(1)
    d.text(9, both(f"intro_{c.kind.value}", "\n"), 4.6)
    pdf.ln(2)
    _facts(d, c)
    _units(d, c)
    _log(d, doc)
    d.heading("verify")
    d.text(10, doc.links.verification)
    pdf.ln(2)
    d.row("template", doc.template_version)
    d.row("input_hash", doc.input_hash, 8)
    return bytes(pdf.output())
