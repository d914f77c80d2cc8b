"""Input bounds in one place: lengths, characters, integers, country codes, whole commands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import jcm.bootstrap  # noqa: F401 - installs the country codes, as at every start-up
from jcm.domain import limits
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Designation, Role, TpeFunction
from jcm.domain.errors import InvalidInput
from jcm.domain.registry import commands as c
from jcm.domain.registry.issuance import parse_project_id
from jcm.domain.registry.serials import SerialRange


def code_of(action: object) -> str:
    assert callable(action)
    with pytest.raises(InvalidInput) as caught:
        action()
    return caught.value.code


@pytest.mark.parametrize(
    "text",
    ["a\x1bb", "\x00", "bell\x07", "rtl\u202eoverride", "isolate\u2066", "lone\ud800", "x\u2028"],
)
def test_control_and_direction_characters_are_refused_in_any_text(text: str) -> None:
    assert code_of(lambda: limits.check_text(text, "name")) == "G1_BAD_CHARACTERS"


def test_an_identifier_with_a_trailing_line_feed_is_refused() -> None:
    assert limits.check_text("JP-GOV-0001", "account", limits.ACCOUNT) == "JP-GOV-0001"
    move = c.Move("JP-GOV-0001\n", "JP-ENT-0004", 1)
    assert code_of(lambda: limits.check_command(move)) == "G1_BAD_CHARACTERS"


def test_markup_and_any_script_are_plain_text_and_allowed() -> None:
    for text in ("[/]", "[link=https://example.org]x[/link]", "日本語", "Ñoño\u200dx", "a\tb"):
        assert limits.check_text(text, "name") == text


def test_text_longer_than_its_field_is_refused_with_the_limit() -> None:
    with pytest.raises(InvalidInput) as caught:
        limits.check_text("x" * 201, "name", limits.NAME)
    assert caught.value.code == "G1_TOO_LONG"
    assert caught.value.details["max_length"] == 200


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**20])
def test_integers_must_fit_a_signed_64_bit_column(value: int) -> None:
    assert code_of(lambda: limits.check_int(value, "id")) == "G1_OUT_OF_RANGE"
    assert limits.check_int(2**63 - 1, "id") == 2**63 - 1


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e20", "1." + "1" * 40])
def test_decimals_must_be_finite_small_and_short(value: str) -> None:
    assert code_of(lambda: limits.check_decimal(Decimal(value), "x")) == "G1_OUT_OF_RANGE"


def test_a_country_code_must_be_iso_3166_alpha_2_wherever_it_appears() -> None:
    assert limits.check_country("ke", "partner") == "KE"
    assert limits.country_name("JP") == "Japan"
    for bad in ("ZZ", "XX", "JPN", "", "K"):
        assert code_of(lambda bad=bad: limits.check_country(bad, "partner")) == "G1_BAD_COUNTRY"
    assert code_of(lambda: Designation("ZZ", 1, TpeFunction.VALIDATION)) == "G1_BAD_COUNTRY"


def test_an_actor_for_an_unknown_partner_is_refused_like_a_registry_for_it() -> None:
    actor = cc.RegisterActor("jc-zz", Role.SECRETARIAT, "JC ZZ", None, "ZZ")
    registry = c.CreateRegistry("ZZ")
    assert code_of(lambda: limits.check_command(actor)) == "G1_BAD_COUNTRY"
    assert code_of(lambda: limits.check_command(registry)) == "G1_BAD_COUNTRY"


def test_a_project_is_hosted_by_a_country() -> None:
    assert parse_project_id("ke001") == "KE001"
    assert code_of(lambda: parse_project_id("ZZ001")) == "G1_BAD_COUNTRY"


def test_a_host_country_fact_must_be_a_country() -> None:
    params = cc.ExAnteParameters((("host_country", "ZZ"), ("grid", "national")))
    assert code_of(lambda: limits.check_command(params)) == "G1_BAD_COUNTRY"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (c.CreateOrganisation("JP", "x" * 400), "G1_TOO_LONG"),
        (c.CreateOrganisation("JP", "Evil\x1b[2J"), "G1_BAD_CHARACTERS"),
        (c.Move("JP-GOV-0001", "JP-ENT-0004", 5, note="n" * 10_000_000), "G1_TOO_LONG"),
        (c.Move("JP-GOV-0001", "JP-ENT-0004", 10**13), "G1_OUT_OF_RANGE"),
        (c.Move("JP-GOV-0001[/]", "JP-ENT-0004", 5), "G1_BAD_CHARACTERS"),
        (c.Issue(2**63, "JP"), "G1_OUT_OF_RANGE"),
        (c.Authorise("KE-GOV-0001", frozenset(), "r" * 300), "G1_TOO_LONG"),
        (
            c.RecordDecision(
                "KE001", date(2023, 1, 1), date(2023, 12, 31), 2023, 5, (), None, "r" * 300
            ),
            "G1_TOO_LONG",
        ),
        (c.ApplyCorrespondingAdjustment("JP-KE-JCM-KE001-2023-1-1", 10**6), "G1_OUT_OF_RANGE"),
        (c.SetRegistryActive("JP", False, "\u202ereason"), "G1_BAD_CHARACTERS"),
    ],
)
def test_every_command_field_is_bounded_by_its_name(command: object, code: str) -> None:
    assert code_of(lambda: limits.check_command(command)) == code


def test_an_idempotency_key_longer_than_its_column_is_refused() -> None:
    assert code_of(lambda: limits.check_idempotency_key("k" * 300)) == "G1_TOO_LONG"
    limits.check_idempotency_key("k" * 200)


def test_a_batch_may_hold_ten_thousand_moves_but_no_more() -> None:
    move = (c.Move("JP-GOV-0001", "JP-ENT-0004", 1), "transfer")
    limits.check_command([move] * limits.MAX_BATCH_MOVES, "batch")
    too_many = [move] * (limits.MAX_BATCH_MOVES + 1)
    assert code_of(lambda: limits.check_command(too_many, "batch")) == "G1_TOO_MANY"


def test_a_serial_range_beyond_64_bits_is_refused_not_overflowed() -> None:
    assert (
        code_of(lambda: SerialRange.parse("JP-KE-JCM-KE001-2023-1-1-" + str(10**20)))
        == "U6_BAD_SERIAL"
    )
    assert (
        code_of(lambda: SerialRange.parse("JP-KE-JCM-KE001-2023-1-1-" + str(2**63)))
        == "G1_OUT_OF_RANGE"
    )


def test_stored_text_is_shown_with_its_control_characters_made_visible() -> None:
    assert limits.made_visible("a\x1b[31mb\u202ec\nd") == "a\\x1b[31mb\\u202ec\nd"
    assert limits.made_visible("plain [/]") == "plain [/]"
