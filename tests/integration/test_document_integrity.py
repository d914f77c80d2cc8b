"""The document store checked against the log; orphans apart from damage (issue 8: 15, 16)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from jcm_process import CRASHED, jcm_process
from test_cycle_cli import Cycle, cycle, jcm, register_actors, start_ke001

__all__ = ["cycle", "jcm"]  # fixtures shared with the cycle's CLI tests

PUBLIC = "PIN of KE001, investment: [redacted]\n"
SECRET = "PIN of KE001, investment: KES 120,000,000\n"


def data_dir(c: Cycle) -> Path:
    return c.files.parent / "data" / "documents"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def start_with_confidential_pin(c: Cycle) -> dict[str, Any]:
    register_actors(c)
    public, secret = c.file("pin.txt", PUBLIC), c.file("pin-full.txt", SECRET)
    return start_ke001(c, "--doc", f"pin={public}", "--confidential-doc", f"pin={secret}")


def meta_file(c: Cycle, digest: str) -> Path:
    return data_dir(c) / "meta" / digest[:2] / f"{digest[2:]}.json"


def rewrite_meta(c: Cycle, digest: str, **changes: Any) -> None:
    path = meta_file(c, digest)
    data = json.loads(path.read_text()) | changes
    path.chmod(0o600)
    path.write_text(json.dumps(data))


def staged_and_stored(c: Cycle) -> list[str]:
    root = data_dir(c)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# -- item 15: every field of the metadata is checked against the log --------------------------

TAMPERED = {
    "sha256": "0" * 64,
    "size": 1,
    "media_type": "application/pdf",
    "filename": "other.txt",
    "visibility": "public",
}


@pytest.mark.parametrize("field", sorted(TAMPERED))
def test_every_field_of_a_logged_documents_metadata_is_checked_against_the_log(
    cycle: Cycle, field: str
) -> None:
    start_with_confidential_pin(cycle)
    assert cycle.json("document", "verify")["ok"] is True
    rewrite_meta(cycle, sha(SECRET), **{field: TAMPERED[field]})

    code, stdout, _ = cycle.run("document", "verify", "--json")

    report = json.loads(stdout)
    assert code == 1
    assert [d["sha256"] for d in report["damaged"]] == [sha(SECRET)]
    assert any(field in problem for problem in report["damaged"][0]["problems"]), report


def test_a_confidential_document_flipped_to_public_is_still_refused_to_anonymous_readers(
    cycle: Cycle,
) -> None:
    start_with_confidential_pin(cycle)
    rewrite_meta(cycle, sha(SECRET), visibility="public")
    out = cycle.files / "got.txt"

    cycle.refused("K4_NOT_VISIBLE", "document", "get", sha(SECRET), "-o", str(out))
    assert not out.exists()
    got = cycle.json(
        "document", "get", sha(SECRET), "-o", str(out), "--project", "KE001", "--as", "jp-solar"
    )
    assert got["bytes"] == len(SECRET)


# -- item 16: refused steps leave nothing; crashes leave orphans, not damage -----------------


def test_a_refused_step_leaves_none_of_its_uploads_behind(cycle: Cycle) -> None:
    register_actors(cycle)
    before = staged_and_stored(cycle)
    pin = cycle.file("pin.txt", PUBLIC)

    cycle.refused(
        "P1_WRONG_ROLE",
        "project",
        "start",
        "KE001",
        *("--title", "t", "--methodology", "KE_AM002", "--scope", "1"),
        *("--participant", "jp-solar:japan:focal", "--participant", "ke-factory:partner"),
        *("--crediting-period", "2023-01-01..2030-12-31", "--on", "2023-01-10"),
        *("--as", "tpe-a", "--doc", f"pin={pin}"),
    )

    assert staged_and_stored(cycle) == before == []
    assert cycle.json("document", "verify")["orphans"] == []


def test_a_crash_between_a_document_and_its_metadata_leaves_an_orphan_not_damage(
    cycle: Cycle, database_url: str
) -> None:
    pdd = cycle.file("pdd.txt", "PDD of KE001\n")
    env = {"JCM_DATABASE_URL": database_url, "JCM_DATA_DIR": str(data_dir(cycle).parent)}
    crashed = jcm_process(
        "document",
        "put",
        "pdd",
        str(pdd),
        cwd=cycle.files,
        env={**env, "JCM_CRASH_AT": "document:between-object-and-metadata"},
    )
    report = cycle.json("document", "verify")
    swept = cycle.json("document", "verify", "--sweep")
    after = cycle.json("document", "verify")

    assert crashed.code == CRASHED
    assert (report["ok"], report["damaged"], report["orphans"]) == (
        True,
        [],
        [sha(pdd.read_text())],
    )
    assert swept["swept"] == [sha(pdd.read_text())]
    assert after["orphans"] == []
    assert cycle.json("document", "put", "pdd", str(pdd))["public"]["sha256"] == sha(
        pdd.read_text()
    )


def test_a_crash_after_a_step_commits_leaves_its_uploads_pending_until_swept(
    cycle: Cycle, database_url: str
) -> None:
    register_actors(cycle)
    pin = cycle.file("pin.txt", PUBLIC)
    env = {"JCM_DATABASE_URL": database_url, "JCM_DATA_DIR": str(data_dir(cycle).parent)}
    crashed = jcm_process(
        "project",
        "start",
        "KE001",
        *("--title", "t", "--methodology", "KE_AM002", "--scope", "1"),
        *("--participant", "jp-solar:japan:focal", "--participant", "ke-factory:partner"),
        *("--crediting-period", "2023-01-01..2030-12-31", "--on", "2023-01-10"),
        *("--as", "jp-solar", "--doc", f"pin={pin}"),
        cwd=cycle.files,
        env={**env, "JCM_CRASH_AT": "documents:committed"},
    )
    code, stdout, _ = cycle.run("document", "verify", "--json")
    repaired = cycle.json("document", "verify", "--sweep")
    out = cycle.files / "got.txt"

    assert crashed.code == CRASHED
    assert cycle.json("project", "show", "KE001")["state"] == "pin_submitted"
    assert (code, json.loads(stdout)["pending"]) == (1, [sha(PUBLIC)])
    assert repaired["ok"] is True
    assert cycle.json("document", "verify")["ok"] is True
    assert cycle.json("document", "get", sha(PUBLIC), "-o", str(out))["bytes"] == len(PUBLIC)
