"""The project list's filter values and paging, checked before any query: an unknown value
is refused with the values allowed (never an empty list that looks like an answer)."""

from __future__ import annotations

import re

from jcm.domain.cycle.project import ProjectState
from jcm.domain.errors import InvalidInput
from jcm.domain.portfolio.model import PortfolioState
from jcm.domain.portfolio.sectors import Sector, Technology
from jcm.service_layer.public.project_results import ProjectFilter

MAX_PAGE = 500
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_METHODOLOGY = re.compile(r"^[A-Z]{2}_AM[0-9]{3}$")
STATES = tuple(
    dict.fromkeys([*(s.value for s in PortfolioState), *(s.value for s in ProjectState)])
)


def _refuse(field: str, value: str, allowed: str) -> InvalidInput:
    return InvalidInput(
        "P8_PORTFOLIO_FILTER",
        f"The project list has no {field} {value[:40]!r}; use {allowed}.",
        filter=field,
        value=value[:40],
    )


def check_filters(filters: ProjectFilter) -> None:
    if filters.country is not None and not _COUNTRY.match(filters.country):
        raise _refuse("country", filters.country, "an ISO 3166-1 alpha-2 code such as KE")
    choices = {
        "sector": (filters.sector, [s.value for s in Sector]),
        "technology": (filters.technology, [t.value for t in Technology]),
        "state": (filters.state, list(STATES)),
    }
    for field, (value, allowed) in choices.items():
        if value is not None and value not in allowed:
            raise _refuse(field, value, ", ".join(allowed))
    if filters.methodology is not None and not _METHODOLOGY.match(filters.methodology):
        raise _refuse("methodology", filters.methodology, "a methodology id such as KE_AM002")


SORTS = ("country", "capacity", "-capacity", "credits", "-credits", "state")


def check_sort(sort: str) -> None:
    if sort not in SORTS:
        raise _refuse("sort", sort, ", ".join(SORTS))


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= 10**9:
        raise InvalidInput(
            "P8_PORTFOLIO_FILTER",
            f"A page holds 1 to {MAX_PAGE} projects from an offset of 0 or more.",
            filter="page",
            value=f"{limit}/{offset}",
        )
