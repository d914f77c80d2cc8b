"""Metering devices: registration by a project's participants, visibility, changes, log."""

from __future__ import annotations

from mrv_support import PROJECT, mrv_world

from jcm.bootstrap import App


def test_the_support_registers_devices_with_fresh_keys(app: App) -> None:
    world = mrv_world(app, devices=3)
    assert world.devices == ["KE001-PV-001", "KE001-PV-002", "KE001-PV-003"]
    listed = app.mrv.devices.list(PROJECT)
    assert [d["id"] for d in listed] == world.devices
    assert len({d["public_key"] for d in listed}) == 3
    assert {d["organisation"] for d in listed} == {"demo-jp-solar"}
