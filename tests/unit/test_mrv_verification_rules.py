"""The automatic verification rule set, the record's pieces and the rule-book setting."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

from jcm.adapters.mrv.bundle_files import TimestampTexts, signed_object
from jcm.domain.cycle import RuleBook, codec
from jcm.domain.mrv import verification as v
from jcm.domain.mrv.batches import Batch, Reading, batch_object
from jcm.domain.mrv.devices import (
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
)
from jcm.domain.mrv.qa import DEFAULT_QA_RULES, DeviceQaReport
from jcm.domain.transparency import merkle

START, END = date(2026, 3, 10), date(2026, 3, 11)
DEVICE = Device(
    "KE001-PV-001",
    "KE001",
    "EG_p",
    DeviceKind.METER,
    RegisterKind.INTERVAL,
    15,
    Decimal("250"),
    Location(Decimal("-1.29"), Decimal("36.82"), "Africa/Nairobi"),
    "SN-1",
    Calibration(date(2026, 1, 1), date(2028, 1, 1), Decimal("0.5")),
    "A" * 43 + "=",
)


def report(readings: int = 192, credited: int = 1_234_567, **changes: object) -> DeviceQaReport:
    base = DeviceQaReport(
        DEVICE.id, START.isoformat(), END.isoformat(), DEFAULT_QA_RULES.version,
        192, readings, credited, 0, 0, credited, (),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def test_mwh_is_the_exact_integer_wh_sum_divided_by_a_million() -> None:
    assert v.mwh(1_234_567) == Decimal("1.234567")
    assert v.mwh(1) == Decimal("0.000001")
    assert str(v.mwh(10**12 + 1)) == "1000000.000001"


def test_monitored_values_sum_credited_wh_per_parameter_over_its_devices() -> None:
    second = replace(DEVICE, id="KE001-PV-002")
    reports = {DEVICE.id: report(credited=1), second.id: report(credited=2, device=second.id)}

    assert v.monitored_wh([DEVICE, second], reports) == {"EG_p": 3}
    assert v.monitored_values({"EG_p": 3}, "MWh") == (("EG_p", ("0.000003", "MWh")),)


def test_the_merkle_root_orders_batches_by_device_and_seq_and_follows_rfc_9162() -> None:
    leaves = [v.BatchLeaf("B", 1, b"b1"), v.BatchLeaf("A", 2, b"a2"), v.BatchLeaf("A", 1, b"a1")]
    expected = merkle.root_from_leaves([merkle.leaf_hash(x) for x in (b"a1", b"a2", b"b1")])

    assert v.merkle_root(leaves) == expected.hex()
    assert v.merkle_root(reversed(leaves)) == expected.hex()
    assert v.merkle_root([]) == merkle.EMPTY_ROOT.hex()


def test_a_complete_period_passes_and_each_shortfall_is_a_reason_with_its_code() -> None:
    rules = v.DEFAULT_VERIFICATION_RULES
    good = {DEVICE.id: report()}
    sparse = {DEVICE.id: report(readings=100)}
    old_qa = {DEVICE.id: report(rule_set="mrv-qa-0.9")}

    assert v.judge(rules, START, END, [DEVICE], good, ("EG_p",), 8) == []
    assert [r.code for r in v.judge(rules, START, END, [DEVICE], sparse, ("EG_p",), 8)] == [
        "D10_INCOMPLETE"
    ]
    assert [r.code for r in v.judge(rules, START, END, [DEVICE], old_qa, ("EG_p",), 8)] == [
        "D10_QA_RULE_SET"
    ]
    assert [r.code for r in v.judge(rules, START, END, [DEVICE], {}, ("EG_p", "X"), 0)] == [
        "D10_PARAMETER_UNMEASURED",
        "D10_NO_DATA",
        "D10_DEVICE_UNCOVERED",
    ]


def test_batch_ranges_name_every_covered_batch_compactly() -> None:
    ranges = v.seq_ranges([("A", 3), ("A", 1), ("A", 2), ("A", 7), ("B", 1)])

    assert ranges == {"A": [[1, 3], [7, 7]], "B": [[1, 1]]}
    assert v.in_ranges(ranges, "A", 2)
    assert not v.in_ranges(ranges, "A", 5)


def test_the_rule_set_round_trips_through_the_record() -> None:
    rules = v.DEFAULT_VERIFICATION_RULES
    assert v.rule_set_of(rules.as_json()) == rules


def test_automatic_verification_is_logged_only_when_accepted_so_old_rule_books_replay() -> None:
    old = codec.rule_book_to_json(RuleBook("KE PCP ver03.0"))
    book = RuleBook("J-Credit simplified", automatic_verification=True)
    accepting = codec.rule_book_to_json(book)

    assert isinstance(old, dict)
    assert "automatic_verification" not in old
    assert not codec.rule_book_from_json(old).automatic_verification
    assert codec.rule_book_from_json(accepting).automatic_verification


def test_batches_rebuilt_for_bundles_are_the_objects_their_devices_signed() -> None:
    rng = random.Random(11)
    texts = TimestampTexts()
    for _ in range(300):
        offset = rng.choice([0, 180, -300, 345, -570, 840, -720, 60])
        start = rng.randrange(946_684_800, 4_102_444_800)
        readings = tuple(
            Reading(start + 900 * i + rng.choice([0, 1, 59]), offset, rng.randrange(-5, 10**6))
            for i in range(rng.randrange(1, 120))
        )
        batch = Batch("KE001-PV-001", rng.randrange(1, 10**9), readings)

        assert signed_object(batch.device, batch.seq, readings, texts) == batch_object(batch)
