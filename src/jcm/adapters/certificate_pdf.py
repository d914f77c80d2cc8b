"""The bilingual certificate as a PDF, drawn with fpdf2 in IPAex Gothic (the page layout is
in ``certificate_layout``).

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

from jcm.domain.errors import DataCorruption
from jcm.domain.registry.transactions import CancellationPurpose
from jcm.service_layer.public.certificates import (
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


class FpdfCertificates:
    """The renderer the certificate views use (``CertificateRenderer``)."""

    def __init__(self, font_path: Path = FONT_PATH, font_sha256: str = FONT_SHA256) -> None:
        self.font_path = font_path
        self.font_sha256 = font_sha256

    @property
    def template_version(self) -> str:
        return TEMPLATE_VERSION

    def render(self, document: CertificateDocument, *, compress: bool = True) -> bytes:
        # fpdf2 and its font tools take about 0.2 s to import: only when a certificate is drawn.
        from jcm.adapters.certificate_layout import draw

        font = check_font(self.font_path, self.font_sha256)
        return draw(document, font, compress=compress)
