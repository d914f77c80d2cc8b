"""The bilingual certificate as a PDF, drawn with fpdf2 in IPAex Gothic.

Every label is printed in Japanese and English (the table below), values once. The font is
Debian's ``fonts-ipaexfont-gothic``, pinned by its SHA-256: a different file (another
version, a substitute, a damaged copy) is refused with ``H9_CERTIFICATE_FONT`` rather
than silently drawing another glyph set. The document's dates come from the transaction,
never the clock, so the same certificate, links and template give the same bytes.
"""

from __future__ import annotations

import csv
import gettext
import hashlib
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

import pycountry
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from jcm.domain.errors import DataCorruption
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind
from jcm.service_layer.public.certificates import (
    Certificate,
    CertificateDocument,
    CertifiedUnits,
)

TEMPLATE_VERSION = "jcm-certificate/1"
FONT_PATH = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
# IPAex Gothic 00401 as Debian ships it (fonts-ipaexfont-gothic 00401-5).
FONT_SHA256 = "3b9955a5e437ffb24c41548e79296fa724822da21ee75dc1b94f6ccdb8f400dd"
FONT = "IPAexGothic"
CREATOR = "JCM Registry"

# (Japanese, English) of every label the certificate prints.
LABELS: dict[str, tuple[str, str]] = {
    "registry_name": ("JCM登録簿", "JCM Registry"),
    "cancellation": ("取消証明書", "Certificate of Cancellation"),
    "retirement": ("償却証明書", "Certificate of Retirement"),
    "intro_cancellation": (
        "下記のクレジットがこの登録簿の取消口座に移転され、取り消されたことを証明します。",
        "This certifies that the credits below were moved to this registry's cancellation "
        "account and cancelled.",
    ),
    "intro_retirement": (
        "下記のクレジットがこの登録簿の償却口座に移転され、償却されたことを証明します。",
        "This certifies that the credits below were moved to this registry's retirement "
        "account and retired.",
    ),
    "kind_cancellation": ("取消", "Cancellation"),
    "kind_retirement": ("償却", "Retirement"),
    "registry": ("登録簿", "Registry"),
    "transaction": ("取引ID", "Transaction id"),
    "kind": ("種類", "Kind"),
    "date": ("日付（UTC）", "Date (UTC)"),
    "quantity": ("数量（クレジット）", "Quantity (credits)"),
    "source": ("移転元口座", "From account"),
    "purpose": ("目的", "Purpose"),
    "beneficiary": ("受益者", "Beneficiary"),
    "note": ("備考", "Note"),
    "project": ("プロジェクト", "Project"),
    "serials": ("シリアル番号", "Serial numbers"),
    "vintage": ("ビンテージ", "Vintage"),
    "article6": ("パリ協定第6条", "Article 6"),
    "log": ("透明性ログ", "Transparency log"),
    "log_index": ("ログ索引", "Log index"),
    "checkpoint": ("署名済みチェックポイント", "Signed checkpoint"),
    "root_hash": ("ルートハッシュ", "Root hash"),
    "no_checkpoint": (
        "まだ署名済みチェックポイントに含まれていません",
        "not yet covered by a signed checkpoint",
    ),
    "entries": ("件のエントリ", "entries"),
    "proof": ("包含証明", "Inclusion proof"),
    "keys": ("公開鍵", "Public keys"),
    "offline": (
        "オフライン検証: 包含証明と公開鍵を保存し、次を実行してください",
        "Check offline: save the inclusion proof and the public keys, then run",
    ),
    "verify": ("検証ページ", "Verification page"),
    "template": ("様式版", "Template version"),
    "input_hash": ("入力ハッシュ（SHA-256）", "Input hash (SHA-256)"),
    "not_authorised": ("承認なし（ITMOではない）", "not authorised (not ITMOs)"),
    "authorised": ("承認済みの用途", "authorised for"),
    "first_transferred": ("初回移転済み", "first transferred"),
    "ca_not_required": ("相当調整不要", "corresponding adjustment not required"),
    "ca_pending": ("相当調整待ち", "corresponding adjustment pending"),
    "ca_applied": ("相当調整済み", "corresponding adjustment applied"),
    "ndc": ("NDCへの使用", "use towards an NDC"),
    "oimp": ("その他の国際緩和目的", "other international mitigation purposes"),
    "voluntary": ("自主的取消", "voluntary cancellation"),
    "none": ("なし", "none"),
}

_W = 174.0  # printable width (mm) of A4 with 18-mm margins
_LABEL_W = 48.0


def both(key: str, sep: str = " / ") -> str:
    ja, en = LABELS[key]
    return f"{ja}{sep}{en}"


def check_font(path: Path = FONT_PATH, sha256: str = FONT_SHA256) -> Path:
    """``path``, if the file there is the pinned font."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataCorruption(
            "H9_CERTIFICATE_FONT",
            f"The certificate font {path} cannot be read ({error.strerror}); install Debian's "
            "fonts-ipaexfont-gothic.",
            font=str(path),
        ) from None
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        raise DataCorruption(
            "H9_CERTIFICATE_FONT",
            f"The certificate font {path} is not the pinned IPAex Gothic (SHA-256 {found}, "
            f"expected {sha256}); certificates are not drawn with another font.",
            font=str(path),
            sha256=found,
        )
    return path


@cache
def _partner_names() -> dict[str, tuple[str, str]]:
    text = resources.files("jcm.data").joinpath("partner_countries.csv").read_text("utf-8")
    return {
        r["iso3166_alpha2"]: (r["name_ja"], r["name_en"]) for r in csv.DictReader(text.splitlines())
    }


@cache
def _iso_ja() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])


def country(code: str) -> str:
    """A country in both languages: the partner list's names, else ISO 3166's."""
    if code in _partner_names():
        ja, en = _partner_names()[code]
        return f"{ja} / {en}"
    found = pycountry.countries.get(alpha_2=code)
    if found is None:
        return code
    en = getattr(found, "common_name", None) or found.name
    return f"{_iso_ja().gettext(en)} / {en}"


def day(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 / {moment.strftime('%Y-%m-%d')}"


def purpose(value: CancellationPurpose | None) -> str:
    return both(value.value) if value else both("none")


def article6(units: CertifiedUnits) -> str:
    if units.authorised_uses:
        uses = ", ".join(u.upper() for u in units.authorised_uses)
        ja, en = LABELS["authorised"]
        parts = [f"{ja}: {uses} / {en}: {uses}"]
        if units.authorisation_ref:
            parts[0] += f" ({units.authorisation_ref})"
    else:
        parts = [both("not_authorised")]
    if units.first_transferred:
        parts.append(both("first_transferred"))
    parts.append(both(f"ca_{units.ca_status}"))
    return "; ".join(parts)


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


class FpdfCertificates:
    """The renderer the certificate views use (``CertificateRenderer``)."""

    def __init__(self, font_path: Path = FONT_PATH, font_sha256: str = FONT_SHA256) -> None:
        self.font_path = font_path
        self.font_sha256 = font_sha256

    @property
    def template_version(self) -> str:
        return TEMPLATE_VERSION

    def render(self, document: CertificateDocument, *, compress: bool = True) -> bytes:
        font = check_font(self.font_path, self.font_sha256)
        return draw(document, font, compress=compress)
