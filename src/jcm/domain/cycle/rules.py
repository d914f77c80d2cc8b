"""The parameters of one rule-book version that the state machines depend on.

A partner's rule set is versioned per document (e.g. PCP ver06.0 in Indonesia) `[C:S2,S3]`;
each project records the rule-book version it runs under, and every step must be checked
against that version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jcm.domain.errors import InvalidInput

_VERSION = re.compile(r"^\S(?:.{0,62}\S)?$")


@dataclass(frozen=True, slots=True)
class RuleBook:
    version: str
    # Days the PDD stays open for public input. [I] 30 days under PCP ver01-03; verify it
    # against the partner's current PCP before relying on it.
    pdd_public_input_days: int = 30
    # Days a proposed methodology stays open for public input. [C:S9] 15 days.
    methodology_public_input_days: int = 15
    # The current rule sets start with a Project Idea Note answered by a JC no-objection
    # decision [C:S6]; older ones start at the PDD [C:S9]. False lets a project start at
    # its PDD.
    pin_required: bool = True
    # The sources do not say whether the TPE that validated a project may verify it. [I]
    # Allowed by default; a rule book that forbids it sets this to False.
    verifier_may_be_validator: bool = True
    # Whether a monitoring period calculated with an illustrative methodology (an id that is
    # not confirmed, or a placeholder default value) may be verified and decided [D]. Never
    # by default: a placeholder must not become credits. A demonstration rule book allows it.
    allow_illustrative_methodologies: bool = False
    # Whether the programme accepts the platform's automatic verification of metered data
    # (issue 11) as a period's verification [D]. Never by default: under JCM a TPE verifies,
    # and the automatic verification record is the monitoring report's evidence. A
    # programme's simplified flow (J-Credit's, next) sets it. Logged only when true, so rule
    # books logged before it existed replay unchanged.
    automatic_verification: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.version, str) or not _VERSION.match(self.version):
            raise InvalidInput(
                "P8_BAD_RULE_BOOK",
                f"Rule-book version {self.version!r} must be 1-64 characters without "
                "leading or trailing spaces, e.g. 'KE PCP ver03.0'.",
                version=repr(self.version),
            )
        for name in (
            "pin_required",
            "verifier_may_be_validator",
            "allow_illustrative_methodologies",
            "automatic_verification",
        ):
            if not isinstance(getattr(self, name), bool):
                raise InvalidInput(
                    "P8_BAD_RULE_BOOK",
                    f"Rule book {self.version}: {name} must be true or false, got "
                    f"{getattr(self, name)!r}.",
                    version=self.version,
                    field=name,
                )
        for name in ("pdd_public_input_days", "methodology_public_input_days"):
            days = getattr(self, name)
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
                raise InvalidInput(
                    "P8_BAD_RULE_BOOK",
                    f"Rule book {self.version}: {name} must be a whole number of days from 1 "
                    f"to 365, got {days!r}.",
                    version=self.version,
                    field=name,
                )


DEFAULT_RULE_BOOK = RuleBook("default")


def check_rule_book(subject: str, expected: str, rules: RuleBook) -> None:
    """A step is checked against the rule book its aggregate runs under, never another."""
    if rules.version != expected:
        raise InvalidInput(
            "P8_RULE_BOOK_MISMATCH",
            f"{subject} runs under rule book {expected!r}, not {rules.version!r}.",
            subject=subject,
            expected=expected,
            given=rules.version,
        )
