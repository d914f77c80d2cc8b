"""The README and docs/methodologies.md list the catalogue as it is: which methodology
versions rest on confirmed values and which are illustrative, generated from the catalogue.

Run ``python tests/unit/test_methodology_docs.py`` to rewrite both blocks after a change.
"""

from __future__ import annotations

from pathlib import Path

from jcm.domain.methodologies import Methodology
from jcm.domain.methodologies import all as all_methodologies

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "methodologies.md"
README = ROOT / "README.md"
START = "<!-- catalogue: generated from the catalogue by tests/unit/test_methodology_docs.py -->"
END = "<!-- catalogue: end -->"


def _items(m: Methodology) -> str:
    return ", ".join(mark.item for mark in m.illustrative) or "—"


def docs_table() -> str:
    rows = [
        "| id | version | family | id status | approved | illustrative (id / default roles) |",
        "|---|---|---|---|---|---|",
    ]
    for m in all_methodologies():
        rows.append(
            f"| `{m.id}` | {m.version} | {m.family.key} | {m.id_status.value} | "
            f"{m.approved or '—'} | {_items(m)} |"
        )
    return "\n".join(rows)


def readme_lists() -> str:
    def keys(selected: list[Methodology]) -> str:
        return ", ".join(f"{m.id} v{m.version}" for m in selected)

    every = all_methodologies()
    confirmed = [m for m in every if not m.illustrative]
    defaults_only = [
        m for m in every if m.illustrative and all(mark.item != "id" for mark in m.illustrative)
    ]
    unconfirmed = [m for m in every if any(mark.item == "id" for mark in m.illustrative)]
    return "\n".join(
        [
            f"- **Rest on confirmed values** ({len(confirmed)}): {keys(confirmed)}.",
            f"- **Confirmed id, placeholder defaults** ({len(defaults_only)}): "
            f"{keys(defaults_only)}.",
            f"- **Illustrative or unconfirmed id** ({len(unconfirmed)}): {keys(unconfirmed)}.",
        ]
    )


def block(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert START in text, f"{path.name} has no generated catalogue block"
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def rewrite(path: Path, generated: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(f"{head}{START}\n{generated}\n{END}{tail}", encoding="utf-8")


def test_the_methodology_docs_table_is_the_catalogue() -> None:
    assert block(DOCS) == docs_table()


def test_the_readme_says_which_methodologies_rest_on_confirmed_values() -> None:
    assert block(README) == readme_lists()


def test_the_lists_cover_every_version_once() -> None:
    text = readme_lists()

    for m in all_methodologies():
        assert text.count(f"{m.id} v{m.version},") + text.count(f"{m.id} v{m.version}.") == 1


if __name__ == "__main__":
    rewrite(DOCS, docs_table())
    rewrite(README, readme_lists())
