"""Japanese and English: message catalogues, locale negotiation, locale-aware formatting.

English strings in the code and templates are the message ids; Japanese comes from the
Babel catalogues in ``locale/ja/LC_MESSAGES/*.po`` (one file per area of the site, merged
at start-up; fuzzy entries are never used). The catalogue test
(``tests/unit/test_web_catalogue.py``) fails on any message without a Japanese translation.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path

import pycountry
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES = ("ja", "en")
DEFAULT_LOCALE = "ja"  # the registry's home language; Accept-Language or the switch changes it
LANG_COOKIE = "jcm_lang"
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(message: str) -> str:  # noqa: N802 - the conventional name Babel extracts
    """Marks a string for translation where it is defined; it is translated when shown."""
    return message


def catalogue_files(locale: str) -> list[Path]:
    return sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po"))


def read_catalogue(locale: str) -> Catalog:
    """Every area's catalogue for ``locale``, merged into one."""
    merged = Catalog(locale=locale)
    for path in catalogue_files(locale):
        with path.open("rb") as handle:
            part = read_po(handle, locale=locale)
        for message in part:
            if message.id:
                merged[message.id] = message
    return merged


@cache
def translations(locale: str) -> NullTranslations:
    """Compiled in memory from the .po files (no build step can be forgotten)."""
    if locale == "en":
        return NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, read_catalogue(locale), use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The cookie set by the language switch, else the browser's first ja/en preference."""
    if cookie in LOCALES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in LOCALES:
            return primary
    return DEFAULT_LOCALE


@cache
def _iso_names(locale: str) -> gettext.NullTranslations:
    if locale == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])


def country_name(alpha_2: str, locale: str, overrides: Mapping[str, str] | None = None) -> str:
    """A country's name in ``locale``: the partner-country list's own name when given, else
    ISO 3166's (pycountry's translations), else the code itself."""
    if overrides and alpha_2 in overrides:
        return overrides[alpha_2]
    country = pycountry.countries.get(alpha_2=alpha_2)
    if country is None:
        return alpha_2
    name = getattr(country, "common_name", None) or country.name
    return _iso_names(locale).gettext(name) if locale != "en" else name


def number(value: int | Decimal | float | None, locale: str) -> str:
    """Grouped per locale (1,234.5 in both; Japanese uses the same separators)."""
    if value is None:
        return ""
    return format_decimal(value, locale=locale)


def day(value: date | datetime | None, locale: str) -> str:
    """A date per locale: 2026年12月2日 / December 2, 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="long", locale=locale)


def moment(value: datetime | None, locale: str) -> str:
    """A date and time (UTC) per locale."""
    if value is None:
        return ""
    return format_datetime(value, format="medium", tzinfo=None, locale=locale) + " UTC"
