"""No oracles in documents (issue 9): an upload confirms no guess, and a document the caller
may not see is refused exactly as one that does not exist, through the service and the CLI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from test_cycle_cli import Cycle, cycle, jcm, register_actors, runner, start_ke001

from jcm.bootstrap import Settings, bootstrap
from jcm.domain.cycle import DocumentKind
from jcm.domain.errors import NotFound
from jcm.domain.identity.principal import operator_for
from jcm.entrypoints.cli import cli

__all__ = ["cycle", "jcm"]  # fixtures shared with the cycle's CLI tests

PUBLIC = "PIN of KE001, investment: [redacted]\n"
SECRET = "PIN of KE001, investment: KES 120,000,000\n"
NEVER = "PIN of KE009, never stored anywhere\n"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def start_with_confidential_pin(c: Cycle) -> None:
    register_actors(c)
    public, secret = c.file("pin.txt", PUBLIC), c.file("pin-full.txt", SECRET)
    start_ke001(c, "--doc", f"pin={public}", "--confidential-doc", f"pin={secret}")


def fresh_registry(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """The same command on a registry that never stored anything."""
    data = tmp_path / "fresh"
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = runner.invoke(cli, ["--data-dir", str(data), "--database-url", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_uploading_a_guess_of_a_confidential_document_answers_as_a_fresh_upload(
    cycle: Cycle, tmp_path: Path
) -> None:
    start_with_confidential_pin(cycle)
    guess = cycle.file("guess.txt", SECRET)
    fresh_registry(tmp_path, "document", "verify")  # its first command creates its log key

    answer = cycle.ok("document", "put", "pin", str(guess), "--json")
    code, fresh, _ = fresh_registry(tmp_path, "document", "put", "pin", str(guess), "--json")

    assert code == 0
    assert answer == fresh  # byte for byte: no conflict, no earlier filename, no hint
    assert json.loads(answer)["public"] == {
        "sha256": sha(SECRET),
        "size": len(SECRET),
        "media_type": "text/plain",
        "filename": "guess.txt",
        "visibility": "public",
    }
    # The upload publishes nothing: the log still has the bytes as confidential only.
    out = cycle.files / "got.txt"
    cycle.refused("K4_NOT_VISIBLE", "document", "get", sha(SECRET), "-o", str(out))
    assert not out.exists()
    assert cycle.json("document", "verify")["ok"] is True


def test_a_step_attaching_a_guess_as_public_is_answered_as_any_other(cycle: Cycle) -> None:
    start_with_confidential_pin(cycle)
    guess = cycle.file("guess.txt", SECRET)
    never = cycle.file("never.txt", NEVER)

    # Attaching by hash: a document stored only as confidential is "not visible", exactly as
    # one never stored; neither says which.
    hidden = cycle.run(
        *("project", "step", "KE001", "submit_pdd", "--as", "jp-solar", "--on", "2023-03-01"),
        *("--doc", f"pdd=sha256:{sha(SECRET)}"),
    )
    absent = cycle.run(
        *("project", "step", "KE001", "submit_pdd", "--as", "jp-solar", "--on", "2023-03-01"),
        *("--doc", f"pdd=sha256:{sha(NEVER)}"),
    )
    assert hidden[0] == absent[0] == 1
    assert hidden[2].replace(sha(SECRET), "H") == absent[2].replace(sha(NEVER), "H")
    assert hidden[2].startswith("error[K4_NOT_VISIBLE]: ")

    # A staged upload of the guessed bytes is stored as any upload is.
    stored = cycle.json("document", "put", "pin", str(guess))
    fresh = cycle.json("document", "put", "pin", str(never))
    assert stored["public"]["filename"] == "guess.txt"
    assert fresh["public"]["filename"] == "never.txt"
    assert cycle.json("document", "verify")["ok"] is True


@pytest.mark.parametrize(
    "reader",
    [[], ["--as", "rm-jp"], ["--as", "rm-jp", "--project", "KE001"], ["--project", "KE001"]],
    ids=["anonymous", "outsider", "outsider-with-project", "anonymous-with-project"],
)
def test_a_confidential_document_not_yours_is_refused_byte_for_byte_as_an_absent_one(
    cycle: Cycle, tmp_path: Path, reader: list[str]
) -> None:
    start_with_confidential_pin(cycle)
    fresh_registry(tmp_path, "document", "verify")  # its first command creates its log key
    out = str(cycle.files / "got.txt")

    hidden = cycle.run("document", "get", sha(SECRET), "-o", out, *reader, "--json")
    absent = fresh_registry(tmp_path, "document", "get", sha(SECRET), "-o", out, "--json")
    other = cycle.run("document", "get", sha(NEVER), "-o", out, *reader, "--json")

    assert hidden == absent  # exit status, stdout and stderr
    assert hidden[0] == 1
    assert other[1].replace(sha(NEVER), sha(SECRET)) == hidden[1]
    refusal = json.loads(hidden[1])
    assert refusal["error"]["code"] == "K4_NOT_VISIBLE", refusal
    assert not Path(out).exists()


def test_the_permitted_reader_still_reads_the_confidential_version(cycle: Cycle) -> None:
    start_with_confidential_pin(cycle)
    guess = cycle.file("guess.txt", SECRET)
    cycle.ok("document", "put", "pin", str(guess))  # a guess uploaded as public changes nothing
    out = cycle.files / "got.txt"

    got = cycle.json(
        "document", "get", sha(SECRET), "-o", str(out), "--as", "ke-factory", "--project", "KE001"
    )

    assert got["bytes"] == len(SECRET)
    assert out.read_text() == SECRET


# -- the service, for every door -----------------------------------------------------------------


def refusal_of(call: Callable[[], object]) -> NotFound:
    with pytest.raises(NotFound) as caught:
        call()
    return caught.value


def test_the_service_refuses_hidden_and_absent_documents_identically(
    cycle: Cycle, database_url: str, tmp_path: Path
) -> None:
    start_with_confidential_pin(cycle)
    app = bootstrap(Settings(tmp_path / "data", database_url))  # the registry the CLI wrote
    fresh = bootstrap(Settings(tmp_path / "fresh-app", f"sqlite:///{tmp_path / 'f.sqlite3'}"))
    try:
        for reader, project in [(None, None), ("rm-jp", "KE001"), ("nobody", "KE404")]:
            hidden = refusal_of(partial(app.documents.read, sha(SECRET), reader, project))
            absent = refusal_of(partial(fresh.documents.read, sha(SECRET), reader, project))
            assert hidden.to_dict() == absent.to_dict()
            assert str(hidden) == str(absent)
            assert hidden.code == "K4_NOT_VISIBLE"
        hidden_ref = refusal_of(lambda: app.documents.reference(DocumentKind.PDD, sha(SECRET)))
        absent_ref = refusal_of(lambda: fresh.documents.reference(DocumentKind.PDD, sha(SECRET)))
        assert hidden_ref.to_dict() == absent_ref.to_dict()
        assert app.documents.read(sha(SECRET), "ke-factory", "KE001") == SECRET.encode()
        principal = operator_for("ke-factory")  # a Principal stands for its organisation
        assert app.documents.read(sha(SECRET), principal, "KE001") == SECRET.encode()
        assert app.documents.read(sha(PUBLIC)) == PUBLIC.encode()
    finally:
        fresh.close()
        app.close()
