"""Where a simulation's envelopes go: an MQTT broker, the HTTP API, or import files.

Every sink sends the on-time envelopes first and the late ones (replays) only once all the
others are acknowledged, so a replay can never overtake the batch it replays.

* **MQTT** (``mqtt://HOST:PORT``, :mod:`jcm.fleet.publisher`): each device connects with its
  own credentials (user name = device id; password from the credentials map, none for an
  open test broker), MQTT 5, publishes to ``jcm/meters/<device>/readings`` with QoS 1 and
  waits for every PUBACK.
* **HTTP** (``http://HOST:PORT``): ``POST /api/v1/mrv/batches`` with ``{"batches": [...]}``,
  at most 500 envelopes and 1,000,000 bytes per request, with the participant's bearer
  token.
* **Files** (``file:PATH.csv`` or ``file:PATH.parquet``): the import format, one row per
  reading, columns ``device, seq, timestamp, wh, signature`` (the batch's signature on every
  row of it). Late envelopes go to ``PATH.late1.csv|parquet``, ``PATH.late2…`` (one file
  holds a (device, seq) once; import them in order).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jcm.domain.errors import InvalidInput
from jcm.fleet.generate import Envelope, Simulation
from jcm.fleet.publisher import send_mqtt
from jcm.fleet.report import SendReport, phases, unreachable

__all__ = ["SendReport", "send", "send_http", "send_mqtt", "write_files"]

HTTP_PATH = "/api/v1/mrv/batches"
MAX_PER_REQUEST = 500
MAX_REQUEST_BYTES = 1_000_000  # under the API's 1 MiB limit on JSON bodies


def _requests(
    envelopes: Sequence[Envelope], most: int, max_bytes: int
) -> Iterator[tuple[bytes, int]]:
    """Request bodies ``{"batches": [...]}`` of at most ``most`` envelopes and ``max_bytes``
    (an envelope larger than that goes alone: the API answers for it), with their counts."""
    parts: list[bytes] = []
    size = len(b'{"batches":[]}')
    for envelope in envelopes:
        payload = envelope.payload()
        if parts and (len(parts) == most or size + len(payload) + 1 > max_bytes):
            yield b'{"batches":[' + b",".join(parts) + b"]}", len(parts)
            parts, size = [], len(b'{"batches":[]}')
        parts.append(payload)
        size += len(payload) + 1
    if parts:
        yield b'{"batches":[' + b",".join(parts) + b"]}", len(parts)


# -- HTTP -------------------------------------------------------------------------------------


def send_http(
    simulation: Simulation,
    base_url: str,
    token: str,
    *,
    per_request: int = MAX_PER_REQUEST,
    max_bytes: int = MAX_REQUEST_BYTES,
    client: Any = None,
) -> SendReport:
    """POST the envelopes in requests of at most 500 and at most ``max_bytes`` (the API
    takes JSON bodies up to 1 MiB); tally what the API answered.

    ``client`` (an ``httpx.Client``, e.g. a test client of the API) replaces the connection
    this function would open to ``base_url``."""
    import httpx

    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise InvalidInput(
            "D11_BAD_TARGET", f"{base_url!r} is not http(s)://HOST[:PORT].", rule="D11_BAD_TARGET"
        )
    target = f"{parts.scheme}://{parts.netloc}"
    size = max(1, min(per_request, MAX_PER_REQUEST))
    began = time.perf_counter()
    outcomes: Counter[str] = Counter()
    answered = 0
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=target, timeout=60.0)
        if client is None
        else nullcontext(client) as session
    ):
        for phase in phases(simulation):
            for body, count in _requests(phase, size, max_bytes):
                answer = _post(session, target, headers, body)
                answered += count
                outcomes.update(_outcomes(answer))
    return SendReport(
        target,
        len(simulation.envelopes),
        simulation.readings,
        answered,
        time.perf_counter() - began,
        dict(outcomes),
    )


def _post(client: Any, target: str, headers: dict[str, str], body: bytes) -> Any:
    import httpx

    try:
        response = client.post(
            HTTP_PATH, content=body, headers=headers | {"Content-Type": "application/json"}
        )
    except httpx.HTTPError as error:
        raise unreachable(target, str(error) or type(error).__name__) from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code >= 300:
        title = answer.get("detail") or answer.get("title") if isinstance(answer, dict) else None
        raise unreachable(target, f"HTTP {response.status_code} {title or response.reason_phrase}")
    return answer


def _outcomes(answer: Any) -> Counter[str]:
    """Tally per-batch outcomes of the intake's answer: ``{"results": [{"outcome": …,
    "code": …}]}`` (a refusal counted by its code)."""
    tally: Counter[str] = Counter()
    results = answer.get("results") if isinstance(answer, dict) else answer
    if not isinstance(results, list):
        return tally
    for result in results:
        if isinstance(result, dict):
            outcome = str(result.get("outcome", "unknown"))
            code = result.get("code")
            tally[f"{outcome}:{code}" if outcome == "refused" and code else outcome] += 1
    return tally


# -- files ------------------------------------------------------------------------------------


def file_rows(envelopes: Sequence[Envelope]) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {
        k: [] for k in ("device", "seq", "timestamp", "wh", "signature")
    }
    for envelope in envelopes:
        batch, signature = envelope.body["batch"], envelope.body["signature"]
        for text, wh in batch["readings"]:
            columns["device"].append(batch["device"])
            columns["seq"].append(batch["seq"])
            columns["timestamp"].append(text)
            columns["wh"].append(wh)
            columns["signature"].append(signature)
    return columns


def write_files(simulation: Simulation, path: Path) -> SendReport:
    """The import files: ``path`` (.csv or .parquet) with every on-time batch, then, when
    there are replays, ``PATH.late1.csv``, ``PATH.late2.csv`` …: an importer groups a file's
    rows by (device, seq), so each file holds a (device, seq) once, and the k-th resending
    of a batch goes to the k-th late file (import them in that order)."""
    if path.suffix not in (".csv", ".parquet"):
        raise InvalidInput(
            "D11_BAD_TARGET",
            f"{str(path)!r}: write a .csv or a .parquet file.",
            rule="D11_BAD_TARGET",
        )
    began = time.perf_counter()
    on_time, late = phases(simulation)
    files = [(path, on_time)]
    rounds: list[list[Envelope]] = []
    seen: Counter[tuple[str, int]] = Counter()
    for envelope in late:
        k = seen[(envelope.device, envelope.seq)]
        seen[(envelope.device, envelope.seq)] += 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(envelope)
    files += [(path.with_suffix(f".late{k + 1}{path.suffix}"), r) for k, r in enumerate(rounds)]
    for where, envelopes in files:
        _write_frame(where, envelopes)
    return SendReport(
        f"file:{path}",
        len(simulation.envelopes),
        simulation.readings,
        len(simulation.envelopes),
        time.perf_counter() - began,
        {},
        tuple(str(where) for where, _ in files),
    )


def _write_frame(where: Path, envelopes: Sequence[Envelope]) -> None:
    import polars as pl

    schema = {
        "device": pl.String,
        "seq": pl.Int64,
        "timestamp": pl.String,
        "wh": pl.Int64,
        "signature": pl.String,
    }
    frame = pl.DataFrame(file_rows(envelopes), schema=schema)
    try:
        if where.suffix == ".csv":
            frame.write_csv(where)
        else:
            frame.write_parquet(where, statistics=True)
    except OSError as error:
        raise InvalidInput(
            "G1_CANNOT_WRITE", f"Cannot write {str(where)!r}: {error}.", path=str(where)
        ) from None


def read_file_envelopes(path: Path) -> list[dict[str, Any]]:
    """Envelopes rebuilt from an import file (rows grouped by device, seq and signature, in
    file order): what an importer does, for tests and checks."""
    import polars as pl

    frame = (
        pl.read_csv(path, schema_overrides={"seq": pl.Int64, "wh": pl.Int64})
        if path.suffix == ".csv"
        else pl.read_parquet(path)
    )
    envelopes: dict[tuple[str, int, str], dict[str, Any]] = {}
    for device, seq, text, wh, signature in frame.iter_rows():
        key = (device, seq, signature)
        if key not in envelopes:
            envelopes[key] = {
                "batch": {"device": device, "seq": seq, "readings": []},
                "signature": signature,
            }
        envelopes[key]["batch"]["readings"].append([text, wh])
    return list(envelopes.values())


# -- choosing a sink, and its credentials from the environment ---------------------------------

TOKEN_VARIABLE = "JCM_FLEET_TOKEN"  # the participant's API token, or
TOKEN_FILE_VARIABLE = "JCM_FLEET_TOKEN_FILE"  # a private file whose first line is the token
MQTT_PASSWORDS_VARIABLE = "JCM_FLEET_MQTT_PASSWORDS_FILE"  # a private JSON {device: password}


@dataclass(frozen=True, slots=True)
class Credentials:
    token: str | None = field(default=None, repr=False)
    mqtt_passwords: Mapping[str, str] = field(default_factory=dict, repr=False)


def credentials_from_env(environ: Mapping[str, str]) -> Credentials:
    """The sink's secrets from the environment (never the command line: ``ps`` shows it)."""
    token = environ.get(TOKEN_VARIABLE) or None
    token_file = environ.get(TOKEN_FILE_VARIABLE)
    if token and token_file:
        raise _bad_credentials(f"Set {TOKEN_VARIABLE} or {TOKEN_FILE_VARIABLE}, not both.")
    if token_file:
        lines = _private_text(Path(token_file)).splitlines()
        token = lines[0].strip() if lines else ""
        if not token:
            raise _bad_credentials(f"{token_file!r} has no token on its first line.")
    passwords: dict[str, str] = {}
    passwords_file = environ.get(MQTT_PASSWORDS_VARIABLE)
    if passwords_file:
        try:
            raw = json.loads(_private_text(Path(passwords_file)))
        except ValueError:
            raw = None
        if not isinstance(raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            raise _bad_credentials(f"{passwords_file!r} is not a JSON object device → password.")
        passwords = raw
    return Credentials(token, passwords)


def _bad_credentials(message: str) -> InvalidInput:
    return InvalidInput("D11_BAD_CREDENTIALS", message, rule="D11_BAD_CREDENTIALS")


def _private_text(path: Path) -> str:
    try:
        info = path.stat()
        if info.st_mode & 0o077:
            raise _bad_credentials(
                f"{str(path)!r} is readable by others; make it private (chmod 600)."
            )
        return path.read_text(encoding="utf-8")[:1_000_000]
    except (OSError, UnicodeError) as error:
        raise _bad_credentials(f"{str(path)!r} cannot be read: {error}.") from None


def send(
    simulation: Simulation, target: str, credentials: Credentials, *, processes: int = 2
) -> SendReport:
    """Send to ``mqtt://…``, ``http(s)://…`` or ``file:PATH``."""
    if target.startswith("mqtt://"):
        return send_mqtt(simulation, target, credentials.mqtt_passwords, processes=processes)
    if target.startswith(("http://", "https://")):
        if not credentials.token:
            raise _bad_credentials(
                f"Sending over HTTP takes the participant's token in {TOKEN_VARIABLE} or "
                f"{TOKEN_FILE_VARIABLE}."
            )
        return send_http(simulation, target, credentials.token)
    if target.startswith("file:") and len(target) > 5:
        return write_files(simulation, Path(target[5:]))
    raise InvalidInput(
        "D11_BAD_TARGET",
        f"{target!r} is not mqtt://HOST:PORT, http://HOST:PORT or file:PATH.",
        rule="D11_BAD_TARGET",
    )
