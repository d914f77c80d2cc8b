"""Secrets off the command line (issue 9): the database password comes from
JCM_DATABASE_PASSWORD or the private file JCM_DATABASE_PASSWORD_FILE, merged into the URL at
start-up; two sources are refused; no message of a refused connection shows the password."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from typer.testing import CliRunner

from jcm.bootstrap import Settings, bootstrap, with_database_password
from jcm.domain.errors import InvalidInput
from jcm.entrypoints.cli import cli

runner = CliRunner()
WRONG = "wrong-S3CRET-9f1c2e"  # a password no server accepts, looked for in every output
VARIABLES = ("JCM_DATABASE_PASSWORD", "JCM_DATABASE_PASSWORD_FILE", "JCM_DATABASE_URL")


# As tests/conftest.py: PostgreSQL unless JCM_TEST_BACKENDS leaves it out.
WITH_POSTGRESQL = "postgresql" in os.environ.get("JCM_TEST_BACKENDS", "sqlite,postgresql")


@pytest.fixture(params=["postgresql"] if WITH_POSTGRESQL else [])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A schema of the test server: its URL **without** the password, and the password."""
    admin_url = os.environ.get("JCM_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.fail("JCM_TEST_POSTGRES_URL is not set: run the suite with scripts/test.")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    assert url.password, "the test server's URL carries its password"
    try:
        bare = URL.create(
            url.drivername, url.username, None, url.host, url.port, url.database, url.query
        )
        yield bare.render_as_string(hide_password=False), str(url.password)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def private_file(path: Path, content: str, mode: int = 0o600) -> Path:
    path.write_text(content, encoding="utf-8")
    path.chmod(mode)
    return path


def jcm(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), *args], env=env)
    return result.exit_code, result.stdout + result.stderr


# -- a password from the environment or a file connects ------------------------------------------


def test_a_password_from_a_private_file_connects_to_postgresql(
    server: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, password = server
    secret = private_file(tmp_path / "db-password", password + "\n")
    monkeypatch.setenv("JCM_DATABASE_PASSWORD_FILE", str(secret))

    settings = Settings.from_env(tmp_path / "data", url)
    app = bootstrap(settings)
    try:
        assert app.registry.registries() == []
    finally:
        app.close()


def test_a_password_from_the_environment_connects_through_the_cli(
    server: tuple[str, str], tmp_path: Path
) -> None:
    url, password = server
    env = {"JCM_DATABASE_URL": url, "JCM_DATABASE_PASSWORD": password}

    code, output = jcm(tmp_path, env, "registry", "create", "KE", "--json")
    listed = jcm(tmp_path, env, "registry", "list", "--json")

    assert code == 0, output
    assert listed[0] == 0
    assert "KE" in listed[1]


# -- two sources are refused -------------------------------------------------------------------


def test_a_password_in_the_url_and_in_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JCM_DATABASE_PASSWORD", WRONG)

    code, output = jcm(
        tmp_path,
        {"JCM_DATABASE_PASSWORD": WRONG},
        *("--database-url", "postgresql+psycopg://jcm:other-pw@127.0.0.1:1/jcm"),
        *("registry", "list", "--json"),
    )

    assert code == 1
    assert '"code": "G1_DATABASE_PASSWORD_CONFLICT"' in output
    assert "the database URL and JCM_DATABASE_PASSWORD" in output
    assert WRONG not in output
    assert "other-pw" not in output


def test_a_password_in_both_variables_is_refused(tmp_path: Path) -> None:
    secret = private_file(tmp_path / "pw", WRONG)
    environ = {"JCM_DATABASE_PASSWORD": WRONG, "JCM_DATABASE_PASSWORD_FILE": str(secret)}

    with pytest.raises(InvalidInput) as caught:
        with_database_password("postgresql+psycopg://jcm@127.0.0.1/jcm", environ)

    assert caught.value.code == "G1_DATABASE_PASSWORD_CONFLICT"
    assert WRONG not in str(caught.value.to_dict())


@pytest.mark.parametrize(
    ("content", "mode", "why"),
    [
        (WRONG, 0o640, "readable or writable by group or others (mode 0640)"),
        (WRONG, 0o604, "readable or writable by group or others (mode 0604)"),
        ("\n" + WRONG, 0o600, "its first line is empty"),
        ("", 0o600, "its first line is empty"),
        ("x" * 5000, 0o600, "larger than 4096 bytes"),
    ],
    ids=["group-readable", "world-readable", "empty-first-line", "empty", "too-large"],
)
def test_a_password_file_that_is_not_private_or_not_one_line_is_refused(
    tmp_path: Path, content: str, mode: int, why: str
) -> None:
    secret = private_file(tmp_path / "pw", content, mode)
    environ = {"JCM_DATABASE_PASSWORD_FILE": str(secret)}

    with pytest.raises(InvalidInput) as caught:
        with_database_password("postgresql+psycopg://jcm@127.0.0.1/jcm", environ)

    assert caught.value.code == "G1_BAD_DATABASE_PASSWORD_FILE"
    assert why in caught.value.message
    assert WRONG not in str(caught.value.to_dict())


def test_a_missing_password_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    environ = {"JCM_DATABASE_PASSWORD_FILE": str(tmp_path / "absent")}

    with pytest.raises(InvalidInput) as caught:
        with_database_password("postgresql+psycopg://jcm@127.0.0.1/jcm", environ)

    assert caught.value.code == "G1_BAD_DATABASE_PASSWORD_FILE"
    assert caught.value.details == {"path": str(tmp_path / "absent")}


def test_the_first_line_is_the_password_and_sqlite_reads_no_password(tmp_path: Path) -> None:
    secret = private_file(tmp_path / "pw", "p@ss:w/rd\r\nsecond line\n")
    environ = {"JCM_DATABASE_PASSWORD_FILE": str(secret)}

    merged = with_database_password("postgresql+psycopg://jcm@127.0.0.1/jcm", environ)
    sqlite = f"sqlite:///{tmp_path / 'r.sqlite3'}"

    assert make_url(merged).password == "p@ss:w/rd"
    assert with_database_password(sqlite, {**environ, "JCM_DATABASE_PASSWORD": "x"}) == sqlite


# -- no output of a refused connection shows the password ---------------------------------------


@pytest.mark.parametrize("json_out", [True, False], ids=["json", "text"])
@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://jcm@127.0.0.1:1/jcm",  # nothing listens: G9
        "postgresql+psycopg://nobody-here@127.0.0.1:{port}/jcm",  # wrong role/password: G9
        "postgresql+nodriver://jcm@127.0.0.1:{port}/jcm",  # unknown driver: G1
        "postgresql+psycopg://jcm@127.0.0.1:notaport/jcm",  # bad port: G1
        "postgresql+psycopg://jcm@127.0.0.1:{port}/jcm?foo=bar",  # unknown option
    ],
    ids=["refused-port", "wrong-password", "unknown-driver", "bad-port", "unknown-option"],
)
def test_no_output_of_a_refused_connection_contains_the_password(
    tmp_path: Path, url: str, json_out: bool
) -> None:
    port = str(make_url(os.environ.get("JCM_TEST_POSTGRES_URL") or "postgresql://h:5432").port)
    secret = private_file(tmp_path / "pw", WRONG + "\n")
    env = {"JCM_DATABASE_URL": url.format(port=port), "JCM_DATABASE_PASSWORD_FILE": str(secret)}

    code, output = jcm(tmp_path, env, "registry", "list", *(["--json"] if json_out else []))

    assert code != 0
    assert WRONG not in output
    assert "Traceback" not in output
    if "notaport" in url or "nodriver" in url:
        assert "G1_BAD_DATABASE_URL" in output
    elif "foo=bar" not in url:
        assert "G9_DATABASE_UNAVAILABLE" in output


def test_settings_never_show_the_password_in_their_repr(tmp_path: Path) -> None:
    settings = Settings(tmp_path, f"postgresql+psycopg://jcm:{WRONG}@127.0.0.1/jcm")

    assert WRONG not in repr(settings)
