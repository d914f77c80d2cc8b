"""What log entries and checkpoints record for verify (issue 8), and the legacy rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jcm.domain.transparency.log_entries import (
    checkpoint_extension,
    idempotency_record,
    log_entry_at,
    parse_checkpoint_extension,
    response_digest,
)
from jcm.service_layer.transparency.log_check import _legacy

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_a_checkpoint_extension_reads_back_its_number_and_time() -> None:
    line = checkpoint_extension(7, T0.isoformat())
    assert parse_checkpoint_extension(("other line", line)) == (7, T0.isoformat())
    assert parse_checkpoint_extension(()) is None
    assert parse_checkpoint_extension(("jcm-checkpoint x 2026",)) is None


def test_an_idempotency_record_hides_the_key_and_names_the_response_by_digest() -> None:
    record = idempotency_record("secret-key", "transfer", "d" * 64, {"b": 1, "a": [1, "é"]})
    assert "secret-key" not in str(record)
    assert record["response_sha256"] == response_digest({"a": [1, "é"], "b": 1})
    assert record["response_sha256"] != response_digest({"a": [1, "é"], "b": 2})


def test_only_an_entry_with_a_record_carries_the_idempotency_field() -> None:
    assert "idempotency" not in log_entry_at("transfer", {}, T0.isoformat())
    bound = log_entry_at("transfer", {}, T0.isoformat(), {"key_sha256": "x"})
    assert bound["idempotency"] == {"key_sha256": "x"}


def test_idempotency_rows_from_before_the_binding_are_accepted_and_only_those() -> None:
    later = T0 + timedelta(seconds=1)
    assert _legacy(later, later, T0)  # older than the first bound entry
    assert not _legacy(T0, later, T0)  # as new as the first bound entry: must be bound
    assert _legacy(None, later, T0)  # a log with no bound entry yet: not newer than it
    assert not _legacy(None, T0, later)  # newer than every entry: forged
    assert not _legacy(None, None, T0)  # no entries at all
