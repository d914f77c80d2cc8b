"""The documentation lists every refusal code the code can raise."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_error_code_in_the_source_is_documented_in_the_check_catalogue() -> None:
    used = set()
    for path in (ROOT / "src" / "jcm").rglob("*.py"):
        used |= set(re.findall(r'"([GUIATLMPS]\d_[A-Z_]+)"', path.read_text(encoding="utf-8")))
    documented: set[str] = set()
    for page in ("checks.md", "project-cycle.md"):  # the project cycle's codes live there
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        documented |= set(re.findall(r"`([GUIATLMPS]\d_[A-Z_]+)`", text))
    assert used, "no codes found: the pattern is wrong"
    assert used - documented == set()
