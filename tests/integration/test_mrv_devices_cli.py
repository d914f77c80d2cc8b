"""`jcm mrv device …` end to end, and `jcm log verify` rebuilding devices from the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cycle_api_support import KE_PP, PP, SEC
from mrv_support import PROJECT, device_body, mrv_world, sample_device
from typer.testing import CliRunner

from jcm.adapters import schema as t
from jcm.adapters.mrv.signatures import new_device_key
from jcm.bootstrap import App
from jcm.entrypoints.cli import cli

runner = CliRunner()


class Jcm:
    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.prefix = ["--data-dir", str(data_dir), "--database-url", database_url]

    def __call__(self, *args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli, [*self.prefix, *args])
        return result.exit_code, result.stdout, result.stderr

    def json(self, *args: str) -> Any:
        code, stdout, stderr = self(*args, "--json")
        assert code == 0, f"{args}: {stderr}{stdout}"
        return json.loads(stdout)

    def refused(self, code: str, *args: str) -> None:
        exit_code, stdout, stderr = self(*args)
        assert exit_code == 1, f"{args}: {stdout}{stderr}"
        assert stderr.startswith(f"error[{code}]: "), stderr
        assert "Traceback" not in stdout + stderr


CALIBRATION = ("--calibrated-on", "2026-03-01", "--valid-until", "2028-02-28", "--mpe", "0.4")


def _verify(jcm: Jcm) -> dict[str, Any]:
    _, stdout, _ = jcm("log", "verify", "--json")
    verdict: dict[str, Any] = json.loads(stdout)
    return verdict


def test_devices_are_kept_from_the_command_line_and_verify_rebuilds_them_from_the_log(
    app: App, database_url: str, tmp_path: Path
) -> None:
    world = mrv_world(app, devices=1)
    jcm = Jcm(database_url, tmp_path)
    file = tmp_path / "device.json"
    file.write_text(json.dumps(device_body(sample_device("KE001-PV-050", new_device_key()[1]))))
    added = jcm.json("mrv", "device", "register", "--as", KE_PP, "--file", str(file))
    assert (added["id"], added["organisation"], added["version"]) == ("KE001-PV-050", KE_PP, 1)
    by_options = jcm.json(
        "mrv", "device", "register", "--as", PP, "--id", "KE001-PV-051", "--project", PROJECT,
        "--register", "cumulative", "--register-max-wh", "1000000000", "--interval", "5",
        "--nameplate-kw", "99.5", "--latitude", "-1.29", "--longitude", "36.82",
        "--timezone", "Africa/Nairobi", "--serial", "SN-51", "--public-key", new_device_key()[1],
        "--calibrated-on", "2026-01-02", "--valid-until", "2027-01-01",
    )  # fmt: skip
    assert (by_options["register"], by_options["register_max_wh"]) == ("cumulative", 10**9)
    jcm.refused("D7_DEVICE_EXISTS", "mrv", "device", "register", "--as", PP, "--file", str(file))
    jcm.refused("D7_NOT_PARTICIPANT", "mrv", "device", "register", "--as", "other-pp",
                "--file", str(file))  # fmt: skip
    jcm.refused("D7_BAD_TIMEZONE", "mrv", "device", "register", "--as", PP, "--id", "X-1",
                "--project", PROJECT, "--nameplate-kw", "5", "--latitude", "0", "--longitude",
                "0", "--timezone", "Nowhere/City", "--serial", "S", "--public-key",
                new_device_key()[1], "--calibrated-on", "2026-01-02", "--valid-until",
                "2027-01-01")  # fmt: skip
    device = world.devices[0]
    recalibrated = jcm.json("mrv", "device", "recalibrate", device, "--as", PP, *CALIBRATION)
    assert recalibrated["version"] == 2
    replaced = jcm.json(
        "mrv", "device", "replace", "KE001-PV-051", "--as", KE_PP, "--at",
        "2026-03-15T10:00:00+03:00", "--new-serial", "SN-52", "--public-key",
        new_device_key()[1], "--old-final-wh", "123456", "--new-initial-wh", "10", *CALIBRATION,
    )  # fmt: skip
    assert replaced["replacements"][0]["old_final_wh"] == 123456
    jcm.refused("D1_UNKNOWN_DEVICE", "mrv", "device", "show", device, "--as", "other-pp")
    # the partnership's secretariat sees the device but only participants change it
    assert jcm.json("mrv", "device", "show", device, "--as", SEC)["version"] == 2
    jcm.refused("D7_NOT_PARTICIPANT", "mrv", "device", "recalibrate", device, "--as", SEC,
                *CALIBRATION)  # fmt: skip
    listed = jcm.json("mrv", "device", "list", "--project", PROJECT)
    assert [d["id"] for d in listed] == [device, "KE001-PV-050", "KE001-PV-051"]
    code, stdout, _ = jcm("mrv", "device", "show", "KE001-PV-051")
    assert code == 0
    assert "SN-51 → SN-52" in stdout

    assert _verify(jcm)["problem"] is None
    for column, value in (
        ("nameplate_kw", t.mrv_devices.c.nameplate_kw + 1),
        ("replacements", sa.literal("[]")),
    ):
        with app.engine.begin() as conn:
            before = conn.execute(
                sa.select(t.mrv_devices.c[column]).where(t.mrv_devices.c.id == "KE001-PV-051")
            ).scalar_one()
            conn.execute(
                sa.update(t.mrv_devices)
                .where(t.mrv_devices.c.id == "KE001-PV-051")
                .values({column: value})
            )
        problem = _verify(jcm)["problem"]
        assert (problem["table"], problem["key"], problem["column"]) == (
            "mrv_devices",
            "KE001-PV-051",
            column,
        )
        with app.engine.begin() as conn:
            conn.execute(
                sa.update(t.mrv_devices)
                .where(t.mrv_devices.c.id == "KE001-PV-051")
                .values({column: before})
            )
    assert _verify(jcm)["problem"] is None
