"""`jcm webhook …`: the operator's console for an organisation's webhooks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from webhook_receiver import Receiver, receiver

from jcm.entrypoints.cli import cli

runner = CliRunner()
Jcm = Callable[..., tuple[int, str, str]]


@pytest.fixture
def jcm(database_url: str, tmp_path: Path) -> Jcm:
    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(
            cli, ["--data-dir", str(tmp_path), "--database-url", database_url, *args]
        )
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def ok(jcm: Jcm, *args: str) -> object:
    code, stdout, stderr = jcm(*args, "--json")
    assert code == 0, stdout + stderr
    return json.loads(stdout)


def test_subscribe_deliver_list_the_log_and_redeliver_from_the_console(
    jcm: Jcm, hook: Receiver
) -> None:
    ok(jcm, "registry", "create", "JP")
    ok(jcm, "registry", "create", "KE")
    org = ok(jcm, "org", "create", "Solar", "--registry", "KE")
    assert isinstance(org, dict)
    organisation = org["organisation"]
    created = ok(jcm, "webhook", "subscribe", hook.url, "--as", organisation, "-e", "*")
    assert isinstance(created, dict)
    secret = created["secret"]
    ok(jcm, "account", "create", "--registry", "KE", "--org", organisation, "--type",
       "entity_holding", "--name", "Solar")  # fmt: skip

    code, text, _ = jcm("webhook", "list", "--as", organisation)
    assert code == 0
    assert secret not in text
    assert created["subscription"]["subscription"] in text

    ok(jcm, "decision", "record", "--project", "KE001", "--start", "2023-01-01", "--end",
       "2023-12-31", "--vintage", "2023", "--amount", "10", "--share", "KE-ENT-0004=100",
       "--remainder-to", "KE-ENT-0004")  # fmt: skip
    round_ = ok(jcm, "webhook", "deliver", "--once")
    assert round_ == {"attempted": 0, "delivered": 0, "retrying": 0, "gave_up": 0}
    ok(jcm, "issue", "1", "--registry", "KE")
    round_ = ok(jcm, "webhook", "deliver", "--once")
    assert round_ == {"attempted": 1, "delivered": 1, "retrying": 0, "gave_up": 0}
    [got] = hook.wait_for(1)
    assert got.verified(secret)["type"] == "units.issued"

    log = ok(jcm, "webhook", "deliveries", "--as", organisation)
    assert isinstance(log, list)
    assert [d["delivery"] for d in log] == [got.webhook_id]
    assert log[0]["log"][0]["status_code"] == 200
    ok(jcm, "webhook", "redeliver", got.webhook_id, "--as", organisation)
    ok(jcm, "webhook", "deliver", "--once")
    assert hook.wait_for(2)[1].webhook_id == got.webhook_id

    code, stdout, stderr = jcm("webhook", "redeliver", "msg_" + "0" * 24, "--as", organisation)
    assert code == 1
    assert "error[W4_UNKNOWN_DELIVERY]" in stderr
    code, stdout, stderr = jcm(
        "webhook", "subscribe", "ftp://127.0.0.1/x", "--as", organisation, "-e", "*", "--json"
    )
    assert code == 1
    assert json.loads(stdout)["error"]["code"] == "W1_BAD_URL"
    ended = ok(jcm, "webhook", "unsubscribe", created["subscription"]["subscription"],
               "--as", organisation)  # fmt: skip
    assert ended == {"subscription": created["subscription"]["subscription"],
                     "cancelled_deliveries": 0}  # fmt: skip
