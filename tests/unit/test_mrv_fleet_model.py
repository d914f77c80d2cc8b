"""The PV fleet simulator: fleet files, determinism, signatures, and each fault where injected."""

from __future__ import annotations

import itertools
import json
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from jcm.adapters.mrv.signatures import Ed25519Batches, canonical_batch
from jcm.domain.errors import InvalidInput
from jcm.domain.mrv.batches import (
    batch_object,
    format_timestamp,
    parse_batch,
    parse_timestamp,
    split_envelope,
)
from jcm.fleet.definition import Fleet, create_fleet, load_fleet, registration_bodies, save_fleet
from jcm.fleet.faults import FaultKind, parse_faults
from jcm.fleet.generate import EPOCH_UTC, Envelope, Simulation, simulate, timestamp_texts
from jcm.fleet.sinks import credentials_from_env, read_file_envelopes, write_files
from jcm.fleet.solar import zenith_at

FIRST_DAY = date(2026, 6, 1)
FAULTS = (
    "gap:KE001-PV-001@2026-06-02T10:00/8,"
    "stuck:KE001-PV-002/7,"
    "drift:KE001-PV-003@2026-06-02T06:00/30,"
    "rollover:KE001-PV-004,"
    "forged:KE001-PV-005,"
    "replay:KE001-PV-001@2026-06-03T12:00,"
    "night:KE001-PV-001@2026-06-02T21:00/4"
)


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return create_fleet(
        "KE001",
        5,
        Decimal("-1.29"),
        Decimal("36.82"),
        "Africa/Nairobi",
        Decimal("200"),
        register="mixed",
    )


@pytest.fixture(scope="module")
def clean(fleet: Fleet) -> Simulation:
    return simulate(fleet, FIRST_DAY, 3, seed=7)


@pytest.fixture(scope="module")
def faulty(fleet: Fleet) -> Simulation:
    return simulate(fleet, FIRST_DAY, 3, seed=7, faults=parse_faults(FAULTS))


def readings_of(simulation: Simulation, device: str) -> list[list[Any]]:
    return [
        r
        for e in simulation.envelopes
        if e.device == device and not e.late
        for r in e.body["batch"]["readings"]
    ]


def verifies(envelope: Envelope, fleet: Fleet) -> bool:
    batch, signature = split_envelope(envelope.body)
    signed = canonical_batch(batch_object(parse_batch(batch)))
    return Ed25519Batches().verify(signed, signature, fleet.device(envelope.device).public_key)


def injected(simulation: Simulation, kind: FaultKind) -> Any:
    (fault,) = [f for f in simulation.faults if f.kind is kind]
    return fault


# -- the fleet ---------------------------------------------------------------------------------


def test_a_fleet_file_is_private_and_reads_back_with_the_same_keys(
    fleet: Fleet, tmp_path: Path
) -> None:
    path = tmp_path / "fleet.json"
    save_fleet(fleet, path)

    assert os.stat(path).st_mode & 0o777 == 0o600
    again = load_fleet(path)
    assert again == fleet
    assert [d.public_key for d in again.devices] == [d.public_key for d in fleet.devices]


def test_a_fleet_file_is_never_overwritten_and_a_damaged_one_is_refused(
    fleet: Fleet, tmp_path: Path
) -> None:
    path = tmp_path / "fleet.json"
    save_fleet(fleet, path)
    with pytest.raises(InvalidInput) as exists:
        save_fleet(fleet, path)
    damaged = json.loads(path.read_text())
    damaged["devices"][0]["public_key"] = damaged["devices"][1]["public_key"]
    (tmp_path / "damaged.json").write_text(json.dumps(damaged))

    with pytest.raises(InvalidInput) as refused:
        load_fleet(tmp_path / "damaged.json")

    assert exists.value.code == refused.value.code == "D11_BAD_FLEET"
    assert "public key" in refused.value.message


def test_devices_are_named_after_the_project_and_scattered_around_the_site(fleet: Fleet) -> None:
    assert [d.id for d in fleet.devices] == [f"KE001-PV-00{n}" for n in range(1, 6)]
    assert all(abs(d.latitude - Decimal("-1.29")) <= Decimal("0.005") for d in fleet.devices)
    assert len({(d.latitude, d.longitude) for d in fleet.devices}) == 5
    assert [d.register.value for d in fleet.devices][:2] == ["interval", "cumulative"]


def test_registration_bodies_carry_every_device_field_and_no_private_key(fleet: Fleet) -> None:
    bodies = registration_bodies(fleet)

    assert len(bodies) == 5
    assert {
        "id",
        "project_id",
        "parameter",
        "register",
        "nameplate_kw",
        "location",
        "meter_serial",
        "calibration",
        "public_key",
        "register_max_wh",
    } <= set(bodies[1])
    assert bodies[1]["register_max_wh"] == 999_999_999
    assert "private_key" not in json.dumps(bodies)


# -- generation ----------------------------------------------------------------------------------


def test_the_same_seed_gives_byte_identical_batches_and_another_seed_other_ones(
    fleet: Fleet, faulty: Simulation
) -> None:
    again = simulate(fleet, FIRST_DAY, 3, seed=7, faults=parse_faults(FAULTS))
    other = simulate(fleet, FIRST_DAY, 3, seed=8, faults=parse_faults(FAULTS))

    assert [e.payload() for e in again.envelopes] == [e.payload() for e in faulty.envelopes]
    assert again.faults == faulty.faults
    assert [e.payload() for e in other.envelopes] != [e.payload() for e in faulty.envelopes]


def test_every_batch_parses_and_verifies_with_its_device_key(
    fleet: Fleet, clean: Simulation
) -> None:
    assert len(clean.envelopes) == 15  # 5 devices × 3 day batches
    for envelope in clean.envelopes:
        batch, _ = split_envelope(envelope.body)
        assert batch_object(parse_batch(batch)) == batch  # canonical timestamps, int Wh
        assert verifies(envelope, fleet)


def test_readings_are_on_the_local_grid_with_the_site_offset_and_seqs_count_hours(
    clean: Simulation,
) -> None:
    first = clean.envelopes[0].body["batch"]
    texts = [t for t, _ in first["readings"]]

    assert texts[:2] == ["2026-06-01T00:00:00+03:00", "2026-06-01T00:15:00+03:00"]
    assert len(texts) == 96
    start, _ = parse_timestamp(texts[0])
    assert first["seq"] == (start - EPOCH_UTC) // 3600 + 1
    seqs = [e.seq for e in clean.envelopes if e.device == "KE001-PV-001"]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 3


@pytest.mark.parametrize("offset", [-210, -60, 0, 180, 330, 345, 840])
def test_vectorised_timestamps_are_the_canonical_text(offset: int) -> None:
    utc = np.array([946_684_800, 1_780_000_000, 1_780_000_123, 4_102_358_400], dtype=np.int64)
    offsets = np.full(len(utc), offset, dtype=np.int64)

    texts = timestamp_texts(utc, offsets)

    assert texts == [format_timestamp(int(t), offset) for t in utc]


def test_a_day_when_clocks_go_back_half_an_hour_off_the_utc_hour_has_its_true_offsets() -> None:
    adelaide = create_fleet(
        "AU001",
        1,
        Decimal("-34.93"),
        Decimal("138.6"),
        "Australia/Adelaide",
        Decimal("50"),
    )
    zone = ZoneInfo("Australia/Adelaide")

    # Summer time ends on 2026-04-05 at 03:00 (+10:30) → 02:00 (+09:30), i.e. 16:30 UTC.
    first = simulate(adelaide, date(2026, 4, 5), 2).envelopes[0].body["batch"]
    pairs = [parse_timestamp(t) for t, _ in first["readings"]]

    assert len(pairs) == 100  # a 25-hour day
    assert {o for _, o in pairs} == {630, 570}
    assert all(
        o * 60 == datetime.fromtimestamp(t, zone).utcoffset().total_seconds()  # type: ignore[union-attr]
        for t, o in pairs
    )


def test_clean_generation_follows_the_sun_and_stays_within_qa_limits(
    fleet: Fleet, clean: Simulation
) -> None:
    device = fleet.devices[0]
    rows = readings_of(clean, device.id)
    utc = np.array([parse_timestamp(t)[0] for t, _ in rows], dtype=np.int64)
    wh = np.array([v for _, v in rows])
    zenith = zenith_at(device, utc)
    cap = float(device.nameplate_kw) * 1000 * 0.25 * 1.1

    assert wh.max() <= cap
    assert (wh[zenith >= 90] == 0).all()
    assert wh[zenith < 60].min() > 0
    assert 500_000 < wh.sum() < 3 * 1_400_000  # 200 kW in Nairobi: ~1 MWh a day


def test_a_cumulative_register_rises_with_the_interval_energy(clean: Simulation) -> None:
    values = [v for _, v in readings_of(clean, "KE001-PV-002")]

    assert values == sorted(values)
    assert values[-1] > 500_000


# -- faults, each where it was injected -----------------------------------------------------


def test_a_gap_drops_exactly_the_intervals_asked_for(faulty: Simulation, clean: Simulation) -> None:
    have = {t for t, _ in readings_of(faulty, "KE001-PV-001")}
    full = [t for t, _ in readings_of(clean, "KE001-PV-001")]
    missing = [t for t in full if t not in have]

    assert missing == [
        f"2026-06-02T{h}:{m}:00+03:00" for h in ("10", "11") for m in ("00", "15", "30", "45")
    ]
    gap = injected(faulty, FaultKind.GAP)
    assert (gap.count, gap.first, gap.last) == (8, missing[0], missing[-1])
    assert gap.expect == ("Q01_GAP",)


def test_a_stuck_meter_repeats_one_non_zero_increment_for_the_run_length(
    faulty: Simulation,
) -> None:
    rows = readings_of(faulty, "KE001-PV-002")  # a cumulative register: increments repeat
    steps = [b[1] - a[1] for a, b in itertools.pairwise(rows)]
    stuck = injected(faulty, FaultKind.STUCK)
    start = [t for t, _ in rows].index(stuck.first)
    run = steps[start - 1 : start - 1 + 7]

    assert stuck.first == "2026-06-02T10:00:00+03:00"
    assert stuck.count == 7
    assert len(set(run)) == 1
    assert run[0] > 0
    assert steps[start + 6] != run[0]


def test_clock_drift_moves_timestamps_progressively_from_its_start(
    faulty: Simulation, clean: Simulation
) -> None:
    drifted = [parse_timestamp(t)[0] for t, _ in readings_of(faulty, "KE001-PV-003")]
    true = [parse_timestamp(t)[0] for t, _ in readings_of(clean, "KE001-PV-003")]
    shifts = [d - t for d, t in zip(drifted, true, strict=True)]
    begin = 96 + 24  # day 2, 06:00

    assert shifts[:begin] == [0] * begin
    assert shifts[begin : begin + 3] == [30, 60, 90]
    assert shifts[-1] == 30 * (len(true) - begin)


def test_a_counter_rollover_wraps_the_register_once_just_below_its_maximum(
    faulty: Simulation,
) -> None:
    rows = readings_of(faulty, "KE001-PV-004")
    drops = [(a, b) for a, b in itertools.pairwise(rows) if b[1] < a[1]]
    rollover = injected(faulty, FaultKind.ROLLOVER)

    assert len(drops) == 1
    before, after = drops[0]
    assert after[0] == rollover.first == "2026-06-02T12:00:00+03:00"
    assert before[1] >= 0.99 * 999_999_999
    assert after[1] < 100_000


def test_a_rollover_on_an_interval_register_or_night_energy_in_daylight_is_refused(
    fleet: Fleet,
) -> None:
    for spec in ("rollover:KE001-PV-001", "night:KE001-PV-001@2026-06-02T12:00"):
        with pytest.raises(InvalidInput) as refused:
            simulate(fleet, FIRST_DAY, 3, faults=parse_faults(spec))
        assert refused.value.code == "D11_FAULT_NOT_APPLICABLE"


def test_a_run_too_large_for_memory_is_refused() -> None:
    many = create_fleet(
        "KE001", 200, Decimal("-1.29"), Decimal("36.82"), "Africa/Nairobi", Decimal("200")
    )
    with pytest.raises(InvalidInput) as refused:
        simulate(many, FIRST_DAY, 366)
    assert refused.value.code == "D11_BAD_PERIOD"


@pytest.mark.parametrize(
    ("first_day", "days", "batch"),
    [
        (date(9999, 12, 31), 2, "day"),
        (date(1999, 12, 31), 1, "day"),
        (FIRST_DAY, 0, "day"),
        (FIRST_DAY, 367, "day"),
        (FIRST_DAY, 1, "week"),
    ],
)
def test_a_period_out_of_bounds_is_refused(
    fleet: Fleet, first_day: date, days: int, batch: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        simulate(fleet, first_day, days, batch=batch)
    assert refused.value.code == "D11_BAD_PERIOD"


@pytest.mark.parametrize(
    "spec",
    [
        "stuck",
        "melt:KE001-PV-001",
        "gap:KE001-PV-009",
        "gap:KE001-PV-001@2026-07-01T10:00",
        "stuck:KE001-PV-001/5",
        "gap:KE001-PV-001@2026-13-01T10:00",
    ],
)
def test_a_malformed_or_misplaced_fault_is_refused(fleet: Fleet, spec: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        simulate(fleet, FIRST_DAY, 3, faults=parse_faults(spec))
    assert refused.value.code == "D11_BAD_FAULT"


def test_a_forged_batch_does_not_verify_and_the_others_do(fleet: Fleet, faulty: Simulation) -> None:
    forged = injected(faulty, FaultKind.FORGED)
    failing = [
        e.seq for e in faulty.envelopes if e.device == "KE001-PV-005" and not verifies(e, fleet)
    ]

    assert failing == list(forged.seqs)
    assert len(failing) == 1
    assert forged.expect == ("D2_BAD_SIGNATURE", "Q01_GAP")
    assert all(verifies(e, fleet) for e in faulty.envelopes if e.device != "KE001-PV-005")


def test_a_replay_resends_the_batch_identically_then_altered_and_validly_signed_last(
    fleet: Fleet, faulty: Simulation
) -> None:
    replay = injected(faulty, FaultKind.REPLAY)
    (seq,) = replay.seqs
    (original,) = [
        e for e in faulty.envelopes if e.seq == seq and e.device == "KE001-PV-001" and not e.late
    ]
    late = [e for e in faulty.envelopes if e.late]

    assert faulty.envelopes[-2:] == tuple(late)
    assert len(late) == 2
    assert late[0].payload() == original.payload()
    assert late[1].seq == seq
    assert late[1].payload() != original.payload()
    assert verifies(late[1], fleet)
    assert replay.expect == ("duplicate", "D3_REPLAYED")


def test_night_generation_lies_where_pvlib_says_the_sun_is_down(
    fleet: Fleet, faulty: Simulation
) -> None:
    device = fleet.devices[0]
    night = injected(faulty, FaultKind.NIGHT)
    rows = readings_of(faulty, device.id)
    texts = [t for t, _ in rows]
    chosen = rows[texts.index(night.first) : texts.index(night.last) + 1]
    zenith = zenith_at(device, np.array([parse_timestamp(t)[0] for t, _ in chosen]))

    assert len(chosen) == night.count == 4
    assert all(wh == 2500 for _, wh in chosen)  # 5 % of 200 kW for a quarter hour
    assert (zenith > 90).all()


# -- files and credentials ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_import_files_read_back_as_the_same_envelopes(
    faulty: Simulation, tmp_path: Path, suffix: str
) -> None:
    report = write_files(faulty, tmp_path / f"out{suffix}")

    on_time = [e.body for e in faulty.envelopes if not e.late]
    late = [e.body for e in faulty.envelopes if e.late]
    assert read_file_envelopes(tmp_path / f"out{suffix}") == on_time
    assert read_file_envelopes(tmp_path / f"out.late1{suffix}") == late[:1]
    assert read_file_envelopes(tmp_path / f"out.late2{suffix}") == late[1:]
    assert len(report.files) == 3
    assert report.readings == faulty.readings


def test_credentials_come_from_private_files_or_variables_never_both(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("secret-token\n")
    token.chmod(0o600)
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({"KE001-PV-001": "pw"}))
    passwords.chmod(0o644)

    found = credentials_from_env({"JCM_FLEET_TOKEN_FILE": str(token)})
    with pytest.raises(InvalidInput) as both:
        credentials_from_env({"JCM_FLEET_TOKEN_FILE": str(token), "JCM_FLEET_TOKEN": "x"})
    with pytest.raises(InvalidInput) as readable:
        credentials_from_env({"JCM_FLEET_MQTT_PASSWORDS_FILE": str(passwords)})

    assert found.token == "secret-token"
    assert "secret-token" not in repr(found)
    assert both.value.code == readable.value.code == "D11_BAD_CREDENTIALS"
