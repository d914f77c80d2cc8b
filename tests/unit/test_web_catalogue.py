"""Every user-visible string of the web application has a Japanese translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from jcm.entrypoints.web import i18n

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "jcm" / "entrypoints" / "web"
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def extracted() -> dict[str, str]:
    """Message id → where it is used, from the templates and the Python code."""
    found: dict[str, str] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(WEB), METHODS, options_map=OPTIONS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, filename)
    return found


def test_the_templates_and_code_have_messages_to_translate() -> None:
    assert len(extracted()) > 20


def test_every_message_has_a_japanese_translation_that_is_not_fuzzy() -> None:
    catalogue = i18n.read_catalogue("ja")
    missing = []
    for msgid, where in sorted(extracted().items()):
        entry = catalogue.get(msgid)
        strings = entry.string if entry else ""
        texts = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(texts):
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], "untranslated:\n" + "\n".join(missing)


def test_every_translation_keeps_the_placeholders_of_its_message() -> None:
    catalogue = i18n.read_catalogue("ja")
    wrong = []
    for entry in catalogue:
        if not entry.id or not entry.string:
            continue
        ids = [str(i) for i in entry.id] if isinstance(entry.id, tuple) else [str(entry.id)]
        texts = (
            [str(t) for t in entry.string]
            if isinstance(entry.string, tuple)
            else [str(entry.string)]
        )
        wanted = {m for msgid in ids for m in PLACEHOLDER.findall(msgid)}
        for text in texts:
            if {m for m in PLACEHOLDER.findall(text)} != wanted:
                wrong.append(f"{entry.id!r} → {text!r}")
    assert wrong == []


def test_the_japanese_pages_translate_and_the_english_ones_do_not() -> None:
    assert i18n.translations("ja").gettext("Projects") == "プロジェクト"
    assert i18n.translations("en").gettext("Projects") == "Projects"


def test_a_message_in_two_area_catalogues_has_one_translation() -> None:
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in i18n.catalogue_files("ja"):
        with path.open("rb") as handle:
            part = read_po(handle, locale="ja")
        for entry in part:
            if not entry.id or isinstance(entry.id, tuple):
                continue
            text = str(entry.string)
            earlier = seen.setdefault(str(entry.id), (text, path.name))
            if earlier[0] != text:
                clashes.append(f"{entry.id!r}: {earlier[1]} {earlier[0]!r}, {path.name} {text!r}")
    assert clashes == []


def test_every_japanese_translation_is_still_used_somewhere() -> None:
    used = set(extracted())
    stale = []
    for path in i18n.catalogue_files("ja"):
        with path.open("rb") as handle:
            part = read_po(handle, locale="ja")
        stale += [
            f"{path.name}: {entry.id!r}"
            for entry in part
            if entry.id and not isinstance(entry.id, tuple) and entry.id not in used
        ]
    assert stale == []
