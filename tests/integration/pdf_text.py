"""The text of a PDF that fpdf2 wrote with an embedded TrueType font, for tests.

fpdf2 writes each run of text as a literal string of two-byte glyph codes (``(...) Tj``)
and maps the codes back to Unicode in the font's ToUnicode CMap. This reads both, after
inflating any Flate-compressed stream, so a test can look for words (Japanese included)
in the PDF exactly as a reader's copy-and-paste would give them. No PDF library needed.
"""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_SHOW = re.compile(rb"\(((?:\\.|[^\\()])*)\)\s*Tj", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def streams(pdf: bytes) -> list[bytes]:
    """Every stream's content, inflated when it was compressed."""
    found = []
    for raw in _STREAM.findall(pdf):
        try:
            found.append(zlib.decompress(raw))
        except zlib.error:
            found.append(raw)
    return found


def unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes (backslash escapes and octal codes resolved)."""
    out = bytearray()
    i = 0
    while i < len(literal):
        byte = literal[i : i + 1]
        if byte != b"\\":
            out += byte
            i += 1
            continue
        following = literal[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            i += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(following, following)
            i += 2
    return bytes(out)


def to_unicode(parts: list[bytes]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for part in parts:
        for block in _BFCHAR.findall(part):
            for code, text in _PAIR.findall(block):
                mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    return mapping


def pdf_text(pdf: bytes) -> str:
    """Every text run of the PDF, one per line, in drawing order."""
    parts = streams(pdf)
    mapping = to_unicode(parts)
    lines = []
    for part in parts:
        for literal in _SHOW.findall(part):
            codes = unescape(literal)
            lines.append(
                "".join(
                    mapping.get(int.from_bytes(codes[i : i + 2], "big"), "\ufffd")
                    for i in range(0, len(codes) - 1, 2)
                )
            )
    return "\n".join(lines)
