"""The programme's reference figures and targets, each with its value, the date it holds
for and where it comes from (the seed documents in ``shared/seeds`` and the research notes
in ``shared/research/reporting_programme.md`` §C).

These are published figures, not registry data: the dashboard shows them beside what the
ledger records, always with their source, so a reader can tell the two apart. A new
figure is a new constant with its own date; an old one is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

TONNES = "t CO2"
COUNTRIES = "countries"
PROJECTS = "projects"

SEED_000 = "MOEJ, 脱炭素インフライニシアティブ (press release and deck, 2021-06-15), seed 000"
SEED_002 = "MOEJ, JCMの拡大に向けた取組紹介 (2023-03-22), seed 002"
SEED_003 = "MOEJ deck on international cooperation, AZEC and JCM (about Oct 2024), seed 003"
SEED_004 = "水谷好洋, 「JCM と都市間連携の将来展開」 (lecture of about Oct 2022), seed 004"
ERM_2024 = "ERM, GX-ETS and JCM (erm.com/ja/insights/gx-ets-jcm-), cumulative to end Oct 2024"


@dataclass(frozen=True, slots=True)
class ProgrammeFact:
    """A published figure: ``value`` in ``unit`` as of ``as_of``, stated by ``source``."""

    key: str
    value: Decimal
    unit: str
    as_of: date
    source: str


@dataclass(frozen=True, slots=True)
class Target:
    """A goal: ``value`` in ``unit`` reached by ``by`` (inclusive), set out in ``source``."""

    key: str
    value: Decimal
    unit: str
    by: date
    stated_on: date
    source: str


# Cumulative GHG reductions of about 100 Mt CO2 by FY2030 (the fiscal year ends 2031-03-31),
# public and private together; Cabinet plan of Oct 2021, first stated in seed 000.
REDUCTIONS_TARGET = Target(
    "reductions_fy2030",
    Decimal(100_000_000),
    TONNES,
    date(2031, 3, 31),
    date(2021, 6, 15),
    SEED_000,
)

# About 30 partner countries by 2025 (2025年を目途).
PARTNERS_TARGET = Target(
    "partners_2025", Decimal(30), COUNTRIES, date(2025, 12, 31), date(2023, 3, 22), SEED_002
)

# Existing projects' cumulative reductions, about 23 Mt CO2 as of Feb 2024 (seed 003).
PORTFOLIO_REDUCTIONS = ProgrammeFact(
    "portfolio_reductions", Decimal(23_000_000), TONNES, date(2024, 2, 29), SEED_003
)

# JCM credits issued cumulatively, about 0.70 Mt CO2 by the end of Oct 2024 (secondary).
PROGRAMME_CREDITS_ISSUED = ProgrammeFact(
    "programme_credits_issued", Decimal(700_000), TONNES, date(2024, 10, 31), ERM_2024
)

# The financing programme's project list as of 2024-10-18 (seed 003).
FUNDED_PROJECTS = ProgrammeFact("funded", Decimal(252), PROJECTS, date(2024, 10, 18), SEED_003)
OPERATING_PROJECTS = ProgrammeFact(
    "operating", Decimal(181), PROJECTS, date(2024, 10, 18), SEED_003
)
REGISTERED_PROJECTS = ProgrammeFact(
    "registered", Decimal(74), PROJECTS, date(2024, 10, 18), SEED_003
)

# Partner-country counts the seeds state on a date. Twelve partners' signing dates are not
# in the seeds, so a partner without one is counted from the first of these that includes
# its place in the signing order (an upper bound on when it signed).
PARTNER_COUNTS = (
    ProgrammeFact("partners", Decimal(17), COUNTRIES, date(2021, 6, 15), SEED_000),
    ProgrammeFact("partners", Decimal(24), COUNTRIES, date(2022, 10, 25), SEED_004),
    ProgrammeFact("partners", Decimal(25), COUNTRIES, date(2023, 3, 22), SEED_002),
    ProgrammeFact("partners", Decimal(29), COUNTRIES, date(2024, 2, 29), SEED_003),
)

# The JCM's first partner signed in January 2013: series start there.
FIRST_YEAR = 2013
