"""ISO 3166-1 alpha-2 country codes from pycountry, handed to the domain at start-up."""

from __future__ import annotations

import pycountry


def iso_3166_alpha_2() -> dict[str, str]:
    """Every current ISO 3166-1 country: alpha-2 code → its ISO short name."""
    return {country.alpha_2: country.name for country in pycountry.countries}


def iso_3166_alpha_3() -> dict[str, str]:
    """Every current ISO 3166-1 country: alpha-2 code → its alpha-3 code."""
    return {country.alpha_2: country.alpha_3 for country in pycountry.countries}
