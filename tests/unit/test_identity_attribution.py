"""What a log entry records of who took a step, and the one rule of who may take which
registry action."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jcm.domain.errors import Forbidden, NotFound
from jcm.domain.identity.access import (
    LOGGED_ACTIONS,
    REGISTRY_RULES,
    Holding,
    check_acts_for,
    decide,
)
from jcm.domain.identity.principal import (
    OPERATOR,
    Channel,
    Principal,
    operator_for,
    principal_of_attribution,
)
from jcm.domain.registry.transactions import TransactionKind
from jcm.domain.transparency.log_entries import entry_actor, log_entry, log_entry_at

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_an_attribution_names_organisation_channel_user_and_token_and_nothing_else() -> None:
    principal = Principal("KE-ORG-0002", "alice", Channel.API, token_id="tok_1")

    assert principal.attribution() == {
        "organisation": "KE-ORG-0002",
        "via": "api",
        "user": "alice",
        "token": "tok_1",
    }
    assert operator_for("jc-ke").attribution() == {"organisation": "jc-ke", "via": "operator"}
    assert OPERATOR.attribution() == {"via": "operator"}


def test_an_attribution_read_back_is_the_principal_with_every_scope() -> None:
    principal = Principal("KE-ORG-0002", "alice", Channel.API, token_id="tok_1")

    assert principal_of_attribution(principal.attribution()) == principal
    assert principal_of_attribution(OPERATOR.attribution()) == OPERATOR


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"via": "api"}, "for no organisation"),
        ({"via": "phone", "organisation": "x"}, "no known channel"),
        ({"organisation": "x"}, "no known channel"),
        ({"via": "api", "organisation": "x", "secret": "s"}, "not an attribution object"),
        ({"via": "api", "organisation": ""}, "not non-empty text"),
        ({"via": "api", "organisation": 7}, "not non-empty text"),
        ("api", "not an attribution object"),
    ],
)
def test_a_malformed_actor_is_not_an_attribution(record: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        principal_of_attribution(record)


def test_an_attributed_entry_is_schema_2_and_an_unattributed_one_keeps_schema_1() -> None:
    plain = log_entry("transfer", {"quantity": 1}, NOW)
    attributed = log_entry_at("transfer", {"quantity": 1}, "t", None, {"via": "operator"})

    assert (plain["schema"], entry_actor(plain)) == (1, None)
    assert (attributed["schema"], entry_actor(attributed)) == (2, {"via": "operator"})
    for mismatched in (plain | {"actor": {"via": "operator"}}, attributed | {"schema": 1}):
        with pytest.raises(ValueError, match="schema"):
            entry_actor(mismatched)
    without = {k: v for k, v in attributed.items() if k != "actor"}
    with pytest.raises(ValueError, match="schema 2 with no actor"):
        entry_actor(without)


def test_every_logged_registry_action_and_every_transaction_kind_has_a_rule() -> None:
    assert set(LOGGED_ACTIONS.values()) <= set(REGISTRY_RULES)
    assert {k.value for k in TransactionKind} <= set(LOGGED_ACTIONS)


def test_a_move_is_the_source_holders_or_its_registry_administrators() -> None:
    rule = REGISTRY_RULES["transfer"]
    holding = Holding("KE-ORG-0002", "KE")

    decide(rule, Principal("KE-ORG-0002", "a", Channel.API), holding=holding)
    decide(rule, Principal("ke-admin", "b", Channel.API), holding=holding, admin_of={"KE"})
    with pytest.raises(NotFound) as hidden:
        decide(rule, Principal("KE-ORG-0009", "c", Channel.API), holding=holding)
    assert hidden.value.code == "K4_NOT_VISIBLE"
    with pytest.raises(NotFound):
        decide(rule, Principal("jp-admin", "d", Channel.API), holding=holding, admin_of={"JP"})


def test_a_step_is_taken_only_as_the_callers_own_organisation() -> None:
    check_acts_for(None, "jc-ke")
    check_acts_for(OPERATOR, "jc-ke")
    check_acts_for(operator_for("jc-ke"), "jc-ke")
    with pytest.raises(Forbidden) as refused:
        check_acts_for(Principal("pp", "a", Channel.API), "jc-ke")
    assert refused.value.code == "K2_OTHER_ORGANISATION"
    assert refused.value.details == {"organisation": "pp", "step_by": "jc-ke"}
