"""JCM serial numbers.

The official JCM serial format is not confirmed (research ``jcm_rules.md`` §2.6), so the
registry uses the format proposed in the system sketch, which carries the Article 6
unique-identifier elements (originating registry, first-transferring Party, vintage,
serial number)::

    {origin registry}-{partner}-JCM-{project}-{vintage}-{period seq}-{start}-{end}
    JP-KE-JCM-KE001-2024-1-501-1000

* ``origin registry``: ISO 3166-1 alpha-2 of the registry that issued the units;
  it never changes when the units move.
* ``partner``: ISO 3166-1 alpha-2 of the partner country of the project.
* ``project``: the Joint Committee project id, the partner code and three digits.
* ``vintage``: the year the JC decision states for the monitoring period.
* ``period seq``: 1 for the project's first issuance decision, 2 for the second, …
* ``start``/``end``: inclusive integer serials. Serials run 1..N over the whole JC
  decision (N = decided amount) and each allocation line gets its own contiguous range,
  so the two registries' ranges never overlap.

A single unit may be written without the end (``JP-KE-JCM-KE001-2024-1-17``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jcm.domain import limits
from jcm.domain.errors import InvalidInput

_PATTERN = re.compile(
    r"^(?P<origin>[A-Z]{2})-(?P<partner>[A-Z]{2})-JCM-(?P<project>[A-Z]{2}[0-9]{3})"
    r"-(?P<vintage>[0-9]{4})-(?P<seq>[1-9][0-9]{0,18})-(?P<start>[1-9][0-9]{0,18})"
    r"(?:-(?P<end>[1-9][0-9]{0,18}))?$"
)


def serial_text(
    origin: str, partner: str, project: str, vintage: int, period_seq: int, start: int, end: int
) -> str:
    """How a serial range is written (``SerialRange.format``); for ranges read back from the
    ledger, which were checked when they were made, without checking them again."""
    return f"{origin}-{partner}-JCM-{project}-{vintage}-{period_seq}-{start}-{end}"


@dataclass(frozen=True, slots=True)
class SerialRange:
    """An inclusive range of serials of one JC decision, as written in a serial number."""

    origin: str
    partner: str
    project: str
    vintage: int
    period_seq: int
    start: int
    end: int

    def __post_init__(self) -> None:
        limits.check_int(self.end, "serial range end")
        limits.check_int(self.period_seq, "serial period sequence")
        if self.start < 1 or self.end < self.start:
            raise InvalidInput(
                "U6_BAD_RANGE",
                f"Serial range {self.start}-{self.end} is invalid: serials start at 1 and the "
                "end must not be below the start.",
                start=self.start,
                end=self.end,
            )
        if not 1000 <= self.vintage <= 9999:
            raise InvalidInput(
                "U6_BAD_SERIAL",
                f"Vintage {self.vintage} must be a four-digit year.",
                vintage=self.vintage,
            )
        if not self.project.startswith(self.partner):
            raise InvalidInput(
                "U6_BAD_SERIAL",
                f"Project {self.project} does not belong to partner {self.partner}: the "
                "project id must start with the partner's country code.",
                project=self.project,
                partner=self.partner,
            )

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1

    def format(self) -> str:
        return serial_text(
            self.origin, self.partner, self.project, self.vintage, self.period_seq,
            self.start, self.end,
        )  # fmt: skip

    @classmethod
    def parse(cls, text: str) -> SerialRange:
        match = _PATTERN.match(text.strip().upper())
        if match is None:
            raise InvalidInput(
                "U6_BAD_SERIAL",
                f"{text!r} is not a JCM serial. Expected "
                "ORIGIN-PARTNER-JCM-PROJECT-VINTAGE-SEQ-START[-END], "
                "e.g. JP-KE-JCM-KE001-2024-1-501-1000.",
                serial=text,
            )
        start = int(match["start"])
        end = int(match["end"]) if match["end"] else start
        return cls(
            origin=match["origin"],
            partner=match["partner"],
            project=match["project"],
            vintage=int(match["vintage"]),
            period_seq=int(match["seq"]),
            start=start,
            end=end,
        )

    def __str__(self) -> str:
        return self.format()
