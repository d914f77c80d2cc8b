"""Where the log's keys live, how they are written, and the chain of keys (issue 8: 9, 13, 14)."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jcm_process import CRASHED, jcm_process
from sqlalchemy import text

from jcm.adapters.signing import NoteSigner, write_private_key
from jcm.bootstrap import App, Settings, bootstrap, proof_checker
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.service_layer.results import to_json
from jcm.service_layer.transparency.results import Divergence, LogVerification

FIXED_NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
KEY = "log-signing.key"


def problem_of(result: LogVerification) -> Divergence:
    assert result.problem is not None, "verification found nothing"
    return result.problem


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def make_app(database_url: str, data_dir: Path, key_dir: Path | None = None) -> App:
    settings = Settings(data_dir, database_url, checkpoint_every=1000, key_dir=key_dir)
    return bootstrap(settings, clock=lambda: FIXED_NOW, announce=None)


def grow(app: App, code: str = "JP") -> None:
    app.registry.create_registry(c.CreateRegistry(code))


# -- item 9: the key directory follows the configuration -------------------------------------


def test_with_a_database_url_the_key_goes_to_the_configured_key_dir_and_is_announced_once(
    database_url: str, tmp_path: Path
) -> None:
    work, keys = tmp_path / "cwd", tmp_path / "secrets" / "log"
    work.mkdir()
    env = {"JCM_DATABASE_URL": database_url, "JCM_KEY_DIR": str(keys)}
    first = jcm_process("registry", "create", "JP", cwd=work, env=env)
    second = jcm_process("registry", "list", cwd=work, env=env)

    assert first.code == 0, first.stderr
    assert second.code == 0, second.stderr
    assert (keys / KEY).is_file()
    assert not (work / "jcm-data" / "keys").exists()
    assert first.stderr.count(str(keys / KEY)) == 1  # said once, naming the path …
    assert "BEGIN" not in first.stderr  # … never the key
    assert "signing key" not in second.stderr


def test_by_default_the_key_dir_is_the_data_directorys_keys(
    database_url: str, tmp_path: Path
) -> None:
    app = make_app(database_url, tmp_path / "data")
    app.close()
    assert (tmp_path / "data" / "keys" / KEY).is_file()


# -- item 13: atomic, private files ---------------------------------------------------------


def test_with_umask_000_directories_are_0700_and_files_0600(tmp_path: Path) -> None:
    data = tmp_path / "data"
    previous = os.umask(0)
    try:
        app = make_app(f"sqlite:///{data / 'registry.sqlite3'}", data)
        grow(app)
        app.log.sign_checkpoint()
        live = sorted(p.name for p in data.glob("registry.sqlite3-*"))  # while it is open
        modes = {p.name: mode(p) for p in data.glob("registry.sqlite3*")}
        app.close()
    finally:
        os.umask(previous)
    keys = data / "keys"
    modes |= {p.name: mode(p) for p in keys.iterdir() if p.is_file()}
    assert live == ["registry.sqlite3-shm", "registry.sqlite3-wal"]
    assert (mode(data), mode(keys)) == (0o700, 0o700)
    assert modes == dict.fromkeys(modes, 0o600)
    assert {KEY, "log-signing.pub", "registry.sqlite3"} <= set(modes)


@pytest.mark.parametrize("point", ["key-first:written", "key-first:renamed"])
def test_a_crash_while_writing_the_first_key_never_bricks_the_registry(
    tmp_path: Path, point: str
) -> None:
    data = tmp_path / "data"
    crashed = jcm_process(
        "--data-dir", str(data), "registry", "list", cwd=tmp_path, env={"JCM_CRASH_AT": point}
    )
    after = jcm_process("--data-dir", str(data), "registry", "create", "JP", cwd=tmp_path)
    checkpoint = jcm_process("--data-dir", str(data), "log", "checkpoint", cwd=tmp_path)
    verify = jcm_process("--data-dir", str(data), "log", "verify", "--json", cwd=tmp_path)

    assert crashed.code == CRASHED
    assert after.code == 0, after.stderr
    assert checkpoint.code == 0, checkpoint.stderr
    assert json.loads(verify.stdout)["ok"] is True
    assert (data / "keys" / KEY).stat().st_size > 0
    assert [p.name for p in (data / "keys").iterdir() if p.name.startswith(".")] == []


def test_an_exported_proof_is_written_whole_and_private(tmp_path: Path) -> None:
    data, proof = tmp_path / "data", tmp_path / "proof.json"
    jcm_process("--data-dir", str(data), "registry", "create", "JP", cwd=tmp_path)
    jcm_process("--data-dir", str(data), "log", "checkpoint", cwd=tmp_path)
    args = ["--data-dir", str(data), "log", "proof", "--index", "0", "-o", str(proof)]
    crashed = jcm_process(*args, cwd=tmp_path, env={"JCM_CRASH_AT": "output:written"}, umask=0)
    assert crashed.code == CRASHED
    assert not proof.exists()
    done = jcm_process(*args, cwd=tmp_path, umask=0)
    assert done.code == 0, done.stderr
    assert json.loads(proof.read_text())["index"] == 0
    assert mode(proof) == 0o600


# -- item 14: no silent new key; rotation is logged and chained ------------------------------


def refusal(app: App) -> JcmError:
    with pytest.raises(JcmError) as caught:
        app.log.sign_checkpoint()
    return caught.value


def test_a_deleted_key_file_is_a_refusal_to_sign_never_a_new_key(
    database_url: str, tmp_path: Path
) -> None:
    app = make_app(database_url, tmp_path)
    grow(app)
    app.log.sign_checkpoint()
    (tmp_path / "keys" / KEY).unlink()
    app.close()

    again = make_app(database_url, tmp_path)
    try:
        error = refusal(again)
        assert error.code == "L4_SIGNING_KEY_MISSING"
        assert not (tmp_path / "keys" / KEY).exists()  # no silent new key
        assert again.registry.registries()  # reading still works
    finally:
        again.close()


def test_a_replaced_key_file_is_a_refusal_to_sign(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path)
    grow(app)
    key = tmp_path / "keys" / KEY
    key.unlink()
    write_private_key(key, NoteSigner.generate("jcm-registry/log").private_key)
    try:
        error = refusal(app)
        assert error.code == "L5_SIGNING_KEY_MISMATCH"
        assert error.details["found"] != error.details["key_id"]
    finally:
        app.close()


def test_a_rotation_is_a_log_entry_signed_by_both_keys_and_verify_checks_the_chain(
    database_url: str, tmp_path: Path
) -> None:
    app = make_app(database_url, tmp_path)
    try:
        grow(app)
        first = app.log.sign_checkpoint()
        rotated = app.log.rotate_key()
        grow(app, "KE")
        second = app.log.sign_checkpoint()
        result = app.log.verify()
        keys = app.log.public_keys()
    finally:
        app.close()
    assert (first.key_id, second.key_id) == (rotated["old_key_id"], rotated["new_key_id"])
    assert result.ok, result.problem
    assert [k["key_id"] for k in keys] == [rotated["old_key_id"], rotated["new_key_id"]]
    assert [k["retired"] for k in keys] == [True, False]
    assert (tmp_path / "keys" / "retired" / f"{rotated['old_key_id']}.pub").is_file()


def test_a_key_slipped_into_the_database_without_a_rotation_fails_verify(
    database_url: str, tmp_path: Path
) -> None:
    app = make_app(database_url, tmp_path)
    try:
        grow(app)
        intruder = NoteSigner.generate("jcm-registry/log")
        with app.engine.begin() as conn:
            conn.execute(text("UPDATE log_keys SET retired_at = created_at"))
            conn.execute(
                text(
                    "INSERT INTO log_keys (key_id, name, verifier, created_at) "
                    "VALUES (:id, 'jcm-registry/log', :v, :now)"
                ),
                {"id": f"{intruder.key_id:08x}", "v": intruder.verifier_key(), "now": FIXED_NOW},
            )
        key = tmp_path / "keys" / KEY
        key.unlink()
        write_private_key(key, intruder.private_key)
        app.log.sign_checkpoint()  # the file now matches the forged active key …
        result = app.log.verify()
    finally:
        app.close()
    assert not result.ok  # … but no rotation signed by the first key introduced it
    assert problem_of(result).entity == "log signing keys"


def test_a_crash_after_a_rotation_commits_is_finished_at_the_next_signing(
    database_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    env = {"JCM_DATABASE_URL": database_url}
    jcm_process("--data-dir", str(data), "registry", "create", "JP", cwd=tmp_path, env=env)
    crashed = jcm_process(
        "--data-dir",
        str(data),
        "log",
        "rotate-key",
        cwd=tmp_path,
        env={**env, "JCM_CRASH_AT": "rotate:committed"},
    )
    signed = jcm_process(
        "--data-dir", str(data), "log", "checkpoint", "--json", cwd=tmp_path, env=env
    )
    verify = jcm_process("--data-dir", str(data), "log", "verify", "--json", cwd=tmp_path, env=env)
    keys = jcm_process(
        "--data-dir", str(data), "log", "public-key", "--json", cwd=tmp_path, env=env
    )

    assert crashed.code == CRASHED
    assert signed.code == 0, signed.stderr
    assert json.loads(verify.stdout)["ok"] is True, verify.stdout
    new_key = json.loads(keys.stdout)[-1]
    assert json.loads(signed.stdout)["key_id"] == new_key["key_id"]
    assert not (data / "keys" / "log-signing.key.next").exists()


def test_verify_pins_the_key_it_was_given(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path)
    try:
        grow(app)
        app.log.sign_checkpoint()
        own = app.log.public_keys()[0]["verifier"]
        other = NoteSigner.generate("jcm-registry/log").verifier_key()
        pinned_own = app.log.verify(pinned_key=own)
        pinned_other = app.log.verify(pinned_key=other)
    finally:
        app.close()
    assert pinned_own.ok
    assert pinned_own.first_key == own
    assert not pinned_other.ok
    assert problem_of(pinned_other).field == "pinned key"


def test_the_cli_verify_takes_a_pinned_public_key_file(tmp_path: Path) -> None:
    data, pub = tmp_path / "data", tmp_path / "log.pub"
    jcm_process("--data-dir", str(data), "registry", "create", "JP", cwd=tmp_path)
    pub.write_text(NoteSigner.generate("jcm-registry/log").verifier_key())
    wrong = jcm_process(
        "--data-dir", str(data), "log", "verify", "--public-key", str(pub), cwd=tmp_path
    )
    pub.write_text((data / "keys" / "log-signing.pub").read_text())
    right = jcm_process(
        "--data-dir", str(data), "log", "verify", "--public-key", str(pub), cwd=tmp_path
    )
    assert (wrong.code, right.code) == (1, 0), (wrong.stdout, right.stdout)


# -- item 14: a verifier keeps the last checkpoint it saw ------------------------------------


def test_a_forked_history_signed_with_the_same_key_is_caught_by_the_trusted_checkpoint(
    tmp_path: Path,
) -> None:
    """Two databases, one key: the fork's consistency bundle is valid on its own, and caught
    against the checkpoint the verifier kept from the real log."""
    keys = tmp_path / "keys"
    real = make_app(f"sqlite:///{tmp_path / 'real.sqlite3'}", tmp_path / "real", keys)
    fork = make_app(f"sqlite:///{tmp_path / 'fork.sqlite3'}", tmp_path / "fork", keys)
    try:
        for app, codes in ((real, ("JP", "KE")), (fork, ("JP", "ID"))):
            for code in codes:
                grow(app, code)
            app.log.sign_checkpoint()
        size = real.log.latest_checkpoint().size
        grow(real, "TH")
        real.log.sign_checkpoint()
        grow(fork, "VN")
        fork.log.sign_checkpoint()
        honest = json.dumps(to_json(real.log.consistency_proof(size, None)))
        forked = json.dumps(to_json(fork.log.consistency_proof(size, None)))
        kept = real.log.checkpoints()[0].note
        public_key = real.log.public_keys()[0]["verifier"]
    finally:
        real.close()
        fork.close()
    checker = proof_checker()

    assert checker.check(forked, public_key).ok  # the signature alone is fooled
    caught = checker.check(forked, public_key, kept)
    assert not caught.ok
    assert "forked history" in (caught.failure or "")
    accepted = checker.check(honest, public_key, kept)
    assert accepted.ok, accepted.failure
    assert accepted.trusted_checkpoint == json.loads(honest)["new_checkpoint"]


def test_verify_proof_keeps_the_trusted_checkpoint_file_up_to_date(tmp_path: Path) -> None:
    data, trusted, pub = tmp_path / "data", tmp_path / "trusted.note", tmp_path / "log.pub"
    at = ("--data-dir", str(data))
    jcm_process(*at, "registry", "create", "JP", cwd=tmp_path)
    jcm_process(*at, "log", "checkpoint", cwd=tmp_path)
    jcm_process(*at, "log", "proof", "--index", "0", "-o", str(tmp_path / "p0.json"), cwd=tmp_path)
    pub.write_text((data / "keys" / "log-signing.pub").read_text())
    check = (*at, "log", "verify-proof", "--public-key", str(pub), "--trusted-checkpoint")
    first = jcm_process(*check, str(trusted), str(tmp_path / "p0.json"), cwd=tmp_path)
    kept = trusted.read_text()
    jcm_process(*at, "registry", "create", "KE", cwd=tmp_path)
    jcm_process(*at, "log", "checkpoint", cwd=tmp_path)
    size = kept.splitlines()[1]
    grown = tmp_path / "grown.json"
    jcm_process(*at, "log", "consistency", "--from", size, "-o", str(grown), cwd=tmp_path)
    second = jcm_process(*check, str(trusted), str(grown), cwd=tmp_path)

    assert (first.code, second.code) == (0, 0), (first.stdout, second.stdout)
    assert trusted.read_text() == json.loads(grown.read_text())["new_checkpoint"]
    assert trusted.read_text() != kept
    assert mode(trusted) == 0o600


def test_an_automatic_checkpoint_without_its_key_refuses_the_change_and_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(tmp_path, database_url, checkpoint_every=1)
    app = bootstrap(settings, clock=lambda: FIXED_NOW, announce=None)
    try:
        grow(app)
        (tmp_path / "keys" / KEY).unlink()
        with pytest.raises(JcmError) as caught:
            grow(app, "KE")
        codes = [r.registry for r in app.registry.registries()]
    finally:
        app.close()
    assert caught.value.code == "L4_SIGNING_KEY_MISSING"
    assert codes == ["JP"]


def test_an_empty_key_file_is_a_coded_refusal_to_sign_and_reading_goes_on(tmp_path: Path) -> None:
    data = tmp_path / "data"
    at = ("--data-dir", str(data))
    jcm_process(*at, "registry", "create", "JP", cwd=tmp_path)
    (data / "keys" / KEY).write_bytes(b"")
    listed = jcm_process(*at, "registry", "list", "--json", cwd=tmp_path)
    signed = jcm_process(*at, "log", "checkpoint", cwd=tmp_path)

    assert listed.code == 0, listed.stderr
    assert signed.code == 3  # damaged data of the product's own, not the caller's fault
    assert "L6_SIGNING_KEY_UNREADABLE" in signed.stderr
    assert "hint: restore the key file" in signed.stderr


LATER = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("column", "which", "value"),
    [
        ("name", "new", "someone-else/log"),
        ("created_at", "new", LATER),
        ("retired_at", "old", LATER),
        ("retired_at", "old", None),
        ("verifier", "new", NoteSigner.generate("jcm-registry/log").verifier_key()),
    ],
    ids=["name", "created_at", "retired_at", "retired_at-cleared", "verifier"],
)
def test_every_column_of_the_key_records_is_checked_against_the_rotation_entries(
    database_url: str, tmp_path: Path, column: str, which: str, value: object
) -> None:
    app = make_app(database_url, tmp_path)
    try:
        grow(app)
        rotated = app.log.rotate_key()
        assert app.log.verify().ok
        key_id = rotated[f"{which}_key_id"]
        with app.engine.begin() as conn:
            conn.execute(
                text(f"UPDATE log_keys SET {column} = :value WHERE key_id = :key_id"),
                {"value": value, "key_id": key_id},
            )
        result = app.log.verify()
    finally:
        app.close()
    assert not result.ok
    assert problem_of(result).entity in (f"log key {key_id}", "log signing keys")
