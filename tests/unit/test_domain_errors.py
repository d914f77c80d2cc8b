"""The exception tree: HTTP statuses, the dictionary form and the string form of refusals."""

from __future__ import annotations

import pytest

from jcm.domain import errors
from jcm.domain.errors import (
    AccountRuleViolation,
    Article6RuleViolation,
    BadQuery,
    ConcurrencyConflict,
    DataCorruption,
    Forbidden,
    IdempotencyConflict,
    InvalidInput,
    IssuanceRuleViolation,
    JcmError,
    NotFound,
    RateLimited,
    Refusal,
    RuleViolation,
    Unauthenticated,
    UnitRuleViolation,
)

# The tree and statuses documented in the errors module: G1 → 422, G4 → 404, rule
# violations → 409, a reused idempotency key → 409, a busy database → 503, damaged data → 500.
DOCUMENTED: dict[type[JcmError], tuple[type[Exception], int]] = {
    JcmError: (Exception, 500),
    Refusal: (JcmError, 400),
    DataCorruption: (JcmError, 500),
    InvalidInput: (Refusal, 422),
    BadQuery: (InvalidInput, 400),
    NotFound: (Refusal, 404),
    RuleViolation: (Refusal, 409),
    AccountRuleViolation: (RuleViolation, 409),
    UnitRuleViolation: (RuleViolation, 409),
    IssuanceRuleViolation: (RuleViolation, 409),
    Article6RuleViolation: (RuleViolation, 409),
    IdempotencyConflict: (Refusal, 409),
    Unauthenticated: (Refusal, 401),
    Forbidden: (Refusal, 403),
    RateLimited: (Refusal, 429),
    ConcurrencyConflict: (Refusal, 503),
}


def test_every_error_class_in_the_module_is_documented_here() -> None:
    defined = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, JcmError)
    }

    assert defined == set(DOCUMENTED)


@pytest.mark.parametrize(
    ("cls", "parent", "status"),
    [(cls, parent, status) for cls, (parent, status) in DOCUMENTED.items()],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_each_error_has_its_documented_parent_and_http_status(
    cls: type[JcmError], parent: type[Exception], status: int
) -> None:
    assert cls.__bases__ == (parent,)
    error = cls("X1_CODE", "Something is wrong.", value=1)
    assert error.http_status == status
    assert isinstance(error, JcmError)


@pytest.mark.parametrize("cls", list(DOCUMENTED), ids=lambda c: c.__name__)
def test_to_dict_carries_code_message_and_details(cls: type[JcmError]) -> None:
    error = cls("U1_NOT_HELD", "Units 1-5 are not held by JP-ENT-0001.", serials="1-5", qty=5)

    assert error.to_dict() == {
        "code": "U1_NOT_HELD",
        "message": "Units 1-5 are not held by JP-ENT-0001.",
        "details": {"serials": "1-5", "qty": 5},
    }
    assert (error.code, error.message) == ("U1_NOT_HELD", "Units 1-5 are not held by JP-ENT-0001.")


def test_an_error_without_details_has_an_empty_details_dictionary() -> None:
    assert NotFound("G4_NOT_FOUND", "No account JP-ENT-0009.").to_dict()["details"] == {}


def test_an_error_reads_as_its_code_and_message() -> None:
    error = InvalidInput("G1_BAD_SHARE", "Allocation share 'x' must look like ACCOUNT=PERCENT.")

    assert str(error) == "[G1_BAD_SHARE] Allocation share 'x' must look like ACCOUNT=PERCENT."
    assert error.args == ("Allocation share 'x' must look like ACCOUNT=PERCENT.",)


def test_a_rule_violation_can_be_caught_as_a_jcm_error() -> None:
    with pytest.raises(JcmError) as caught:
        raise Article6RuleViolation("T3_NO_ADJUSTMENT_DUE", "Nothing pending.")

    assert caught.value.http_status == 409
    assert isinstance(caught.value, RuleViolation)
