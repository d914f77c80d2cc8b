"""The sun for the QA/QC job (pvlib): sunrise and sunset per location and day, and the
clear-sky daily energy bound, computed once per location and month and cached.

The job never computes a solar position per reading. Per location it needs two small
tables, which it broadcasts onto readings by index:

* **Sunrise and sunset** per *local mean solar day* (midnight to midnight of the mean
  solar time at the site's longitude, so one day holds all of one day's daylight at any
  longitude), from pvlib's Spencer (1971) declination and equation of time and the
  geometric sunset hour angle (zenith 90°, no refraction): 366 × locations evaluations.
* **Clear-sky bound** per UTC day: the energy a perfectly oriented, always sun-facing 1 kW
  array could make under a clear sky, Σ min(1000, DNI + DHI) W/m² × Δt over the day,
  with pvlib's Ineichen–Perez clear sky (Linke turbidity 2.0, a very clean sky; sea level)
  on 10-minute steps, the sun's zenith from pvlib's analytical formula (Spencer
  declination and equation of time: numpy only, about 1 ms per site and month).
  DNI + DHI is the irradiance on a plane facing the sun, an upper bound for any fixed or
  tracking orientation; capping at 1000 W/m² is the AC nameplate's clipping.
  Result: Wh per kW of nameplate, rounded down to an integer so the table is exact and
  identical on every worker.

Locations are rounded to 0.01° (about 1 km; sunrise moves by about 2.4 s) to share the
cache between the meters of one site.
"""

from __future__ import annotations

import math
import warnings
from datetime import date
from functools import lru_cache

import numpy as np
import numpy.typing as npt

DAY_S = 86_400
_STEP_MINUTES = 10
_LINKE_TURBIDITY = 2.0

IntArray = npt.NDArray[np.int64]


def location_key(latitude: float, longitude: float) -> tuple[int, int]:
    """Hundredths of a degree: the cache key of a site."""
    return round(latitude * 100), round(longitude * 100)


def mean_solar_offset_s(longitude_centi: int) -> int:
    """Seconds that local mean solar time is ahead of UTC (240 s per degree east)."""
    return round(longitude_centi * 2.4)


@lru_cache(maxsize=4096)
def sun_times(
    key: tuple[int, int], first_day: int, n_days: int, zenith_degrees: float = 90.0
) -> tuple[IntArray, IntArray]:
    """When the sun's centre crosses ``zenith_degrees`` (90: the geometric horizon) going
    up and down, in seconds after local mean solar midnight, for the solar days
    ``first_day .. first_day + n_days - 1`` (days since 1970-01-01 in mean solar time).

    Polar night: sunrise = sunset = noon (all night); midnight sun: 0 and 86400 (all day).
    """
    import pvlib  # type: ignore[import-untyped]

    days = np.arange(first_day, first_day + n_days, dtype=np.int64)
    doy = _day_of_year(days)
    declination = pvlib.solarposition.declination_spencer71(doy)
    eot_minutes = pvlib.solarposition.equation_of_time_spencer71(doy)
    latitude = math.radians(key[0] / 100)
    zenith = math.radians(zenith_degrees)
    # cos(zenith) = sin φ sin δ + cos φ cos δ cos(hour angle), solved for the hour angle.
    cos_ha = (math.cos(zenith) - math.sin(latitude) * np.sin(declination)) / (
        math.cos(latitude) * np.cos(declination)
    )
    cos_ha = np.clip(cos_ha, -1.0, 1.0)
    half_day_s = np.degrees(np.arccos(cos_ha)) * 240.0  # 15° per hour
    noon_s = 43_200.0 - eot_minutes * 60.0
    rise = np.floor(noon_s - half_day_s).astype(np.int64)
    sets = np.ceil(noon_s + half_day_s).astype(np.int64)
    return rise, sets


@lru_cache(maxsize=4096)
def clear_sky_wh_per_kw(key: tuple[int, int], first_day: int, n_days: int) -> IntArray:
    """The clear-sky bound (module docstring) for UTC days ``first_day ..`` (days since
    1970-01-01), in Wh per kW of nameplate."""
    import pvlib

    steps_per_day = 24 * 60 // _STEP_MINUTES
    days = np.arange(first_day, first_day + n_days, dtype=np.int64)
    doy = np.repeat(_day_of_year(days), steps_per_day)
    # Mid-step UTC hours: each step's irradiance stands for its 10 minutes.
    hours = np.tile((np.arange(steps_per_day) + 0.5) * _STEP_MINUTES / 60, n_days)
    latitude, longitude = key[0] / 100, key[1] / 100
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # pvlib divides by cos(zenith) at night (the NaNs are zeroed below).
        warnings.simplefilter("ignore")
        declination = pvlib.solarposition.declination_spencer71(doy)
        eot = pvlib.solarposition.equation_of_time_spencer71(doy)
        hour_angle = np.radians((hours - 12) * 15 + longitude + eot / 4)
        zenith = np.degrees(
            pvlib.solarposition.solar_zenith_analytical(
                math.radians(latitude), hour_angle, declination
            )
        )
        airmass = pvlib.atmosphere.get_relative_airmass(zenith)
        airmass_abs = pvlib.atmosphere.get_absolute_airmass(airmass)
        dni_extra = pvlib.irradiance.get_extra_radiation(doy)
        sky = pvlib.clearsky.ineichen(zenith, airmass_abs, _LINKE_TURBIDITY, 0, dni_extra)
    watts = np.minimum(1000.0, np.nan_to_num(np.asarray(sky["dni"]) + np.asarray(sky["dhi"])))
    watts[zenith >= 90] = 0.0
    per_day = watts.reshape(n_days, steps_per_day).sum(axis=1) * (_STEP_MINUTES / 60)
    result: IntArray = np.floor(per_day).astype(np.int64)
    return result


def _day_of_year(days: IntArray) -> npt.NDArray[np.float64]:
    epoch = date(1970, 1, 1).toordinal()
    return np.array(
        [date.fromordinal(epoch + int(d)).timetuple().tm_yday for d in days], dtype=np.float64
    )
