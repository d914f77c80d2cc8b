"""Bad input from the command line: a coded refusal, the same on SQLite and PostgreSQL, in
bounded time and memory, with nothing stored and nothing replayed into a terminal."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from jcm.entrypoints.cli import cli

runner = CliRunner()
Jcm = Callable[..., tuple[int, str, str]]
SHEET_ARGS = [
    "--fact",
    "host_country=ID",
    "--fact",
    "technology=solar_pv",
    "--fact",
    "connection=grid",
    "--fact",
    "grid=jamali",
    "--fact",
    "pv_modules_iec_certified=true",
    "--fixed",
    "P_PV=500:kW",
]


@pytest.fixture
def jcm(database_url: str, tmp_path: Path) -> Jcm:
    def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        result = runner.invoke(
            cli,
            ["--data-dir", str(tmp_path / "data"), "--database-url", database_url, *args],
            env=env,
        )
        assert "Traceback" not in result.output
        return result.exit_code, result.stdout, result.stderr

    return run


def refusal(jcm: Jcm, *args: str, **kwargs: Any) -> tuple[int, str]:
    """Exit status and error code of a command run with --json."""
    status, stdout, _ = jcm("--json", *args, **kwargs)
    return status, json.loads(stdout)["error"]["code"]


@pytest.fixture
def registries(jcm: Jcm) -> Jcm:
    for code in ("JP", "KE"):
        assert jcm("registry", "create", code)[0] == 0
    return jcm


# -- item 4: one check for every country code ------------------------------------------------


def test_an_unknown_partner_is_refused_for_actors_as_for_registries(jcm: Jcm) -> None:
    assert refusal(jcm, "registry", "create", "ZZ") == (1, "G1_BAD_COUNTRY")
    partner = ["--role", "secretariat", "--partner", "ZZ", "--name", "JC ZZ"]
    assert refusal(jcm, "actor", "register", "jc-zz", *partner) == (1, "G1_BAD_COUNTRY")
    assert refusal(jcm, "org", "register", "acme", "--name", "A", "-r", "ZZ") == (
        1,
        "G1_BAD_COUNTRY",
    )
    fact = ["ID_AM901", "--fact", "host_country=ZZ"]
    assert refusal(jcm, "methodology", "eligibility", *fact) == (1, "G1_BAD_COUNTRY")
    assert refusal(jcm, "methodology", "list", "--country", "ZZ") == (1, "G1_BAD_COUNTRY")
    assert json.loads(jcm("--json", "actor", "list")[1]) == []


# -- item 8: bounded lengths and numbers, the same on both databases --------------------------


def test_a_ten_megabyte_note_is_refused_in_json_lines_and_csv_batches(
    registries: Jcm, tmp_path: Path
) -> None:
    note = "n" * 10_000_000
    jsonl = tmp_path / "moves.jsonl"
    move = {"kind": "transfer", "from": "JP-GOV-0001", "to": "JP-ENT-0004", "quantity": 1}
    jsonl.write_text(json.dumps({**move, "note": note}) + "\n")
    csv_file = tmp_path / "moves.csv"
    csv_file.write_text(
        "kind,from,to,quantity,serials,purpose,beneficiary,note\n"
        f"transfer,JP-GOV-0001,JP-ENT-0004,1,,,,{note}\n"
    )
    assert refusal(registries, "batch", str(jsonl)) == (1, "G1_TOO_LONG")
    assert refusal(registries, "batch", str(csv_file)) == (1, "G1_TOO_LONG")
    assert json.loads(registries("--json", "tx", "list")[1]) == []


def test_long_keys_names_and_references_are_refused_before_the_database(registries: Jcm) -> None:
    key = ["--idempotency-key", "k" * 300]
    assert refusal(registries, "org", "create", "Fine Ltd", "-r", "JP", *key) == (1, "G1_TOO_LONG")
    assert refusal(registries, "org", "create", "x" * 400, "-r", "JP") == (1, "G1_TOO_LONG")
    authorise = ["--account", "KE-GOV-0001", "--uses", "ndc", "--reference", "r" * 300, "-q", "1"]
    assert refusal(registries, "a6", "authorise", *authorise) == (1, "G1_TOO_LONG")
    names = [o["name"] for o in json.loads(registries("--json", "org", "list")[1])]
    assert names == ["Government of Japan", "Government of Kenya"]


def test_a_serial_range_ending_beyond_64_bits_is_refused(registries: Jcm) -> None:
    assert refusal(registries, "serial", f"JP-KE-JCM-KE001-2023-1-1-{10**20}") == (
        1,
        "U6_BAD_SERIAL",
    )
    serials = f"JP-KE-JCM-KE001-2023-1-1-{2**63}"
    assert refusal(registries, "serial", serials) == (1, "G1_OUT_OF_RANGE")
    assert refusal(registries, "log", "proof", "--serial", serials) == (1, "G1_OUT_OF_RANGE")


@pytest.mark.parametrize(
    "args",
    [
        ["transfer", "--from", "A", "--to", "B", "--quantity", "1e309"],
        ["transfer", "--from", "A"],
        ["registry", "list", "--no-such-option"],
        ["no-such-command"],
    ],
)
def test_argument_errors_honour_json_with_a_code_and_exit_2(jcm: Jcm, args: list[str]) -> None:
    status, stdout, _ = jcm("--json", *args)
    assert status == 2
    assert json.loads(stdout)["error"]["code"] == "G1_BAD_ARGUMENT"
    status, stdout, stderr = jcm(*args)
    assert status == 2
    assert stderr.startswith("error[G1_BAD_ARGUMENT]: ")
    assert "╭" not in stderr  # no boxed text


# -- item 18: user text is data ----------------------------------------------------------------


def test_markup_in_a_name_is_stored_and_shown_as_text_by_every_listing(registries: Jcm) -> None:
    status, stdout, _ = registries("org", "create", "[/]", "--registry", "JP")
    assert status == 0
    assert "name: [/]" in stdout
    assert registries("rule-book", "define", "[bold]PCP[/]")[0] == 0
    assert registries("account", "create", "-r", "JP", "--org", "JP-ORG-0002")[0] == 0
    assert registries("registry", "create", "ID", "--name", "[/]")[0] == 0
    for listing in (["org", "list"], ["account", "list"], ["registry", "list"]):
        status, stdout, _ = registries(*listing)
        assert status == 0
        assert "[/]" in stdout
    status, stdout, _ = registries("rule-book", "list")
    assert (status, "[bold]PCP[/]" in stdout) == (0, True)


def test_a_link_in_a_name_is_not_a_link(registries: Jcm) -> None:
    name = "[link=https://evil.example]Click[/link]"
    assert registries("org", "create", name, "--registry", "JP")[0] == 0
    status, stdout, _ = registries("org", "list")
    assert status == 0
    assert "[link=https://evil.example]" in stdout
    assert "\x1b]8;" not in stdout


@pytest.mark.parametrize("name", ["Evil\x1b[2J Ltd", "Evil\u202eLtd", "Bell\x07"])
def test_control_and_direction_characters_are_refused_on_input(registries: Jcm, name: str) -> None:
    assert refusal(registries, "org", "create", name, "-r", "JP") == (1, "G1_BAD_CHARACTERS")
    assert len(json.loads(registries("--json", "org", "list")[1])) == 2


def test_control_characters_stored_before_are_shown_escaped(
    registries: Jcm, database_url: str
) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE organisations SET name = :n"), {"n": "A\x1b[2J\u202eB"})
    engine.dispose()
    status, stdout, _ = registries("org", "list")
    assert status == 0
    assert "\x1b" not in stdout
    assert "\u202e" not in stdout
    assert "A\\x1b[2J\\u202eB" in stdout
    status, stdout, _ = registries("--json", "org", "list")
    assert "\x1b" not in stdout
    assert "\u202e" not in stdout


# -- item 19: more inputs that ended in exit 70 or a hang --------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["log", "proof", "--tx", str(2**63)],
        ["issue", str(2**63), "--registry", "JP"],
        ["log", "consistency", "--from", "1", "--to", str(2**63)],
        ["decision", "record", "--project", "KE001", "--start", "2023-01-01", "--end",
         "2023-12-31", "--vintage", "2023", "--amount", str(2**64), "--share", "JP-GOV-0001=100"],
    ],
)  # fmt: skip
def test_integers_beyond_64_bits_are_refused_anywhere(jcm: Jcm, args: list[str]) -> None:
    assert refusal(jcm, *args) == (1, "G1_OUT_OF_RANGE")


def test_an_unknown_side_is_a_refusal(jcm: Jcm) -> None:
    args = ["actor", "register", "x", "--role", "project_participant", "--side", "foo"]
    assert refusal(jcm, *args, "--name", "X") == (1, "P8_BAD_ACTOR")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("sup.csv", "kind,from,to,quantity\ntransfer,JP-GOV-0001,JP-ENT-0004,²\n".encode()),
        ("array.jsonl", b'["transfer", "JP-GOV-0001"]\n'),
        ("broken.jsonl", b'{"kind": "transfer", "from": \n'),
        ("latin1.csv", "kind,from,to,quantity,note\ntransfer,A,B,1,caf\xe9\n".encode("latin-1")),
    ],
)
def test_malformed_batch_files_are_refused(
    registries: Jcm, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert refusal(registries, "batch", str(path)) == (1, "G1_BAD_BATCH")


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "monitoring"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def edit_sheet_xml(data: bytes, edit: Callable[[str], str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.namelist():
            body = source.read(member)
            if member == "xl/worksheets/sheet1.xml":
                body = edit(body.decode()).encode()
            target.writestr(member, body)
    return buffer.getvalue()


HEADER: list[object] = ["period_start", "period_end", "EG_p [kWh]"]
GOOD = workbook([HEADER, ["2025-01-01", "2025-01-31", 61234]])


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"PK\x03\x04 not really a zip", "S1_BAD_SHEET"),
        (GOOD[: len(GOOD) // 2], "S1_BAD_SHEET"),
        (workbook([HEADER, ["2025-01-01", "2025-01-31", float("nan")]]), "S2_BAD_CELL"),
        (workbook([HEADER, ["2025-01-01", "2025-01-31", "#DIV/0!"]]), "S2_BAD_CELL"),
        (
            edit_sheet_xml(
                GOOD,
                lambda x: x.replace(
                    "</sheetData>",
                    '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
                ),
            ),
            "S1_SHEET_TOO_LARGE",
        ),
    ],
)
def test_corrupt_or_oversized_sheets_are_refused_quickly(
    jcm: Jcm, tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "monitoring.xlsx"
    path.write_bytes(content)
    started = time.monotonic()
    assert refusal(jcm, "methodology", "calculate-sheet", "ID_AM901", str(path), *SHEET_ARGS) == (
        1,
        code,
    )
    assert time.monotonic() - started < 20


def test_a_sheet_whose_dimension_claims_the_whole_grid_is_read_in_bounded_time(
    jcm: Jcm, tmp_path: Path
) -> None:
    lying = edit_sheet_xml(GOOD, lambda x: x.replace('ref="A1:C2"', 'ref="A1:XFD1048576"'))
    assert (
        'ref="A1:XFD1048576"'
        in zipfile.ZipFile(io.BytesIO(lying)).read("xl/worksheets/sheet1.xml").decode()
    )
    path = tmp_path / "monitoring.xlsx"
    path.write_bytes(lying)
    started = time.monotonic()
    status, stdout, _ = jcm(
        "--json", "methodology", "calculate-sheet", "ID_AM901", str(path), *SHEET_ARGS
    )
    assert time.monotonic() - started < 20
    assert status == 0
    assert json.loads(stdout)["total_emission_reductions"] == 37


def test_a_device_or_a_fifo_is_refused_as_an_upload_without_reading_it(
    jcm: Jcm, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    assert refusal(jcm, "document", "put", "pdd", "/dev/zero") == (1, "G1_NOT_A_FILE")
    assert refusal(jcm, "document", "put", "pdd", str(fifo)) == (1, "G1_NOT_A_FILE")
    assert refusal(jcm, "batch", str(fifo)) == (1, "G1_NOT_A_FILE")
    assert time.monotonic() - started < 20


def test_an_upload_larger_than_the_configured_limit_is_refused(jcm: Jcm, tmp_path: Path) -> None:
    path = tmp_path / "pdd.pdf"
    path.write_bytes(b"%PDF" + b"x" * 100)
    limit = {"JCM_MAX_UPLOAD_BYTES": "50"}
    assert refusal(jcm, "document", "put", "pdd", str(path), env=limit) == (1, "G1_FILE_TOO_LARGE")
    assert jcm("document", "put", "pdd", str(path))[0] == 0


@pytest.mark.parametrize("output", ["/nonexistent-dir/out.csv", "/dev/full"])
def test_an_output_that_cannot_be_written_is_a_refusal(jcm: Jcm, output: str) -> None:
    assert jcm("registry", "create", "JP")[0] == 0
    assert jcm("log", "checkpoint")[0] == 0
    assert refusal(jcm, "log", "proof", "--index", "0", "-o", output) == (1, "G1_CANNOT_WRITE")
    assert refusal(jcm, "log", "consistency", "--from", "1", "-o", output) == (
        1,
        "G1_CANNOT_WRITE",
    )
    if output != "/dev/full":  # a sheet is named .csv or .xlsx; /dev/full is neither
        sheet = ["methodology", "sheet", "ID_AM901", "-o", output]
        assert refusal(jcm, *sheet) == (1, "G1_CANNOT_WRITE")


def test_a_wrong_public_key_file_is_not_echoed(jcm: Jcm, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nTOP-SECRET-LINE\n")
    bundle = tmp_path / "bundle.json"
    bundle.write_text("{}")
    status, stdout, stderr = jcm("log", "verify-proof", str(bundle), "--public-key", str(secret))
    assert status == 1
    assert "TOP-SECRET" not in stdout + stderr
    assert "root:x" not in stdout + stderr


def test_an_unreachable_database_is_a_coded_refusal_not_an_internal_error(
    tmp_path: Path,
) -> None:
    urls = ["postgresql+psycopg://jcm:jcm@127.0.0.1:1/jcm"]
    admin = os.environ.get("JCM_TEST_POSTGRES_URL")
    if admin:
        wrong = make_url(admin).set(password="wrong-password")  # whatever the real one is
        urls.append(wrong.render_as_string(hide_password=False))
    for url in urls:
        result = runner.invoke(cli, ["--data-dir", str(tmp_path), "--database-url", url,
                                     "--json", "registry", "list"])  # fmt: skip
        assert result.exit_code == 1, result.output
        error = json.loads(result.stdout)["error"]
        assert error["code"] == "G9_DATABASE_UNAVAILABLE"
        assert "wrong-password" not in result.output
