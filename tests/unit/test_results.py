"""The one JSON form of typed use-case results, and rebuilding a result from it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

import pytest

from jcm.domain.cycle.monitoring import MonitoringState
from jcm.domain.registry.accounts import AccountStatus, AccountType
from jcm.domain.registry.issuance import DecisionStatus
from jcm.domain.registry.transactions import TransactionKind
from jcm.service_layer.cycle.results import MonitoringStepped
from jcm.service_layer.registry.results import (
    AccountInfo,
    DecisionLineInfo,
    DecisionRecorded,
    IssuanceResult,
    RegistryCreated,
)
from jcm.service_layer.results import (
    ChangeResult,
    JsonObject,
    JsonValue,
    extend,
    from_json,
    to_json,
    to_json_object,
)


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Inner:
    when: date
    amount: Decimal


@dataclass(frozen=True)
class Outer(ChangeResult):
    colour: Colour
    at: datetime
    inners: tuple[Inner, ...]
    maybe: Inner | None
    counts: dict[str, int]
    free: JsonObject
    anything: JsonValue = None
    tags: tuple[str, ...] = field(default=())


SAMPLE = Outer(
    Colour.RED,
    datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
    (Inner(date(2023, 1, 2), Decimal("33.30")),),
    None,
    {"a": 1},
    {"nested": {"list": [1, "two", None, True]}},
    anything=[{"x": 1}],
    tags=("t",),
)


def test_a_result_becomes_plain_json_with_text_for_decimals_dates_and_enums() -> None:
    assert to_json(SAMPLE) == {
        "colour": "red",
        "at": "2024-05-06T07:08:09+00:00",
        "inners": [{"when": "2023-01-02", "amount": "33.30"}],
        "maybe": None,
        "counts": {"a": 1},
        "free": {"nested": {"list": [1, "two", None, True]}},
        "anything": [{"x": 1}],
        "tags": ["t"],
    }
    json.dumps(to_json(SAMPLE))  # and the standard library can write it as is


def test_replayed_appears_only_when_true_and_last() -> None:
    assert "replayed" not in to_json_object(SAMPLE)
    replayed = to_json_object(replace(SAMPLE, replayed=True))
    assert list(replayed)[-1] == "replayed"
    assert replayed["replayed"] is True


def test_a_result_is_rebuilt_equal_from_its_json_form_even_through_text() -> None:
    text = json.dumps(to_json(SAMPLE))
    assert from_json(Outer, json.loads(text)) == SAMPLE
    again = replace(SAMPLE, replayed=True, maybe=Inner(date(2020, 2, 29), Decimal("0")))
    assert from_json(Outer, to_json(again)) == again


def test_registry_results_round_trip_with_their_enums_and_nested_lines() -> None:
    line = DecisionLineInfo(1, "JP-GOV-0001", "JP", Decimal("50.5"), 10, False, None, None)
    recorded = DecisionRecorded(
        7, "KE001", date(2023, 1, 1), date(2023, 12, 31), 2023, 1, 20, DecisionStatus.PENDING,
        None, (line,),
    )  # fmt: skip
    assert to_json_object(recorded)["lines"] == [
        {
            "line": 1,
            "account": "JP-GOV-0001",
            "registry": "JP",
            "share_pct": "50.5",
            "quantity": 10,
            "receives_remainder": False,
            "serials": None,
            "issued_in_transaction": None,
        }
    ]
    assert from_json(DecisionRecorded, to_json(recorded)) == recorded
    account = AccountInfo(
        "JP-GOV-0001", "JP", AccountType.GOVERNMENT_HOLDING, "JP-ORG-0001", "g", AccountStatus.OPEN
    )
    created = RegistryCreated("JP", "n", "JP-ORG-0001", "Government of Japan", (account,))
    rebuilt = from_json(RegistryCreated, to_json(created))
    assert rebuilt == created
    assert rebuilt.accounts[0].type is AccountType.GOVERNMENT_HOLDING


def test_extend_makes_the_richer_result_from_the_plain_one() -> None:
    issued = DecisionStatus.ISSUED
    base = IssuanceResult(
        1, TransactionKind.ISSUANCE, "JP", None, None, 5, ("s",), {}, decision_status=issued
    )
    again = extend(IssuanceResult, base, decision_status=DecisionStatus.PARTIALLY_ISSUED)
    assert again.decision_status is DecisionStatus.PARTIALLY_ISSUED
    assert (again.transaction, again.serials) == (1, ("s",))


def test_json_that_does_not_fit_the_type_is_refused() -> None:
    with pytest.raises(TypeError):
        from_json(Inner, {"when": 20230102, "amount": "1"})
    with pytest.raises(TypeError):
        from_json(Inner, json.loads('{"when": "2023-01-02", "amount": 1.5}'))
    with pytest.raises(TypeError):
        to_json(1.5)  # no floats: quantities are Decimal text


def test_a_response_stored_before_a_field_existed_still_replays() -> None:
    # Monitoring responses stored before the illustrative marks have no such member.
    stored: JsonObject = {
        "monitoring_period": "KE001-M001",
        "project": "KE001",
        "period": "2023-01-01..2023-06-30",
        "state": "verified",
        "verified_amount": 878,
        "decided_amount": None,
        "decision": None,
        "issued_sides": [],
        "last_step": "verify",
    }
    rebuilt = from_json(MonitoringStepped, stored)
    assert rebuilt.illustrative == ()
    assert rebuilt.state is MonitoringState.VERIFIED
    assert (rebuilt.lines, rebuilt.issuance) == (None, None)
    assert to_json(rebuilt) == {**stored, "illustrative": []}
