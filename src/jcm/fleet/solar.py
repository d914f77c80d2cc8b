"""The PV model: pvlib clear-sky irradiance, a simple plane-of-array proxy and weather noise.

Energy of the interval ending at ``t`` (Wh, an integer)::

    nameplate_kW × 1000 × (GHI(t − Δ) + GHI(t)) / 2 / 1000 W/m² × PR × weather × Δ hours

* GHI is pvlib's Ineichen clear-sky global horizontal irradiance at the device's location
  (Linke turbidity from pvlib's climatology): near the equator a horizontal plane is a fair
  proxy for the plane of array, and the model never needs the array's tilt.
* PR, the performance ratio, is 0.8; ``weather`` is a site-wide clearness for each day (the
  same clouds over every meter of the site) times each meter's own noise, kept in [0, 1],
  so a clean day never exceeds its clear-sky expectation nor the nameplate.
* An interval with the sun below the horizon (zenith ≥ 90°) at its start or its end yields 0,
  so clean data never trips the night rule whichever end of the interval QA looks at.

Everything is seeded: the same seed gives the same numbers on every run.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jcm.fleet.definition import FleetDevice

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

PERFORMANCE_RATIO = 0.8
NIGHT_ZENITH = 90.0


@dataclass(frozen=True, slots=True)
class Generation:
    wh: npt.NDArray[np.int64]  # interval energy, one per timestamp
    sun_up: npt.NDArray[np.bool_]  # the sun above the horizon at the timestamp


def zenith_at(device: FleetDevice, utc_seconds: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """pvlib's solar zenith (degrees) at the device's location for each UTC second."""
    import numpy as np

    with _quiet():
        position = _location(device).get_solarposition(_times(utc_seconds))
    return np.asarray(position["zenith"], dtype=np.float64)


@contextmanager
def _quiet() -> Iterator[None]:
    """pvlib 0.16 uses pandas attributes pandas 3 deprecates: not ours to fix or to show."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


def _location(device: FleetDevice, altitude: float | None = None) -> Any:
    import pvlib  # type: ignore[import-untyped]

    latitude, longitude = float(device.latitude), float(device.longitude)
    return pvlib.location.Location(latitude, longitude, altitude=altitude)


@lru_cache(maxsize=32)
def _climate(latitude: float, longitude: float, first: int, count: int, step: int) -> Any:
    """pvlib's altitude and Linke turbidity, looked up once per site cell (0.1°) and period:
    both are coarse climatologies (the turbidity map's cells are 1/12°), read from HDF5
    files, and cost more than the solar position itself. The solar position stays exact."""
    import numpy as np
    import pvlib

    times = _times(first + step * np.arange(count, dtype=np.int64))
    with _quiet():
        altitude = float(pvlib.location.lookup_altitude(latitude, longitude))
        turbidity = pvlib.clearsky.lookup_linke_turbidity(times, latitude, longitude)
    return altitude, np.asarray(turbidity, dtype=np.float64)


def _times(utc_seconds: npt.NDArray[np.int64]) -> Any:
    import pandas as pd  # type: ignore[import-untyped]

    return pd.DatetimeIndex(pd.to_datetime(utc_seconds, unit="s", utc=True))


def generate(
    device: FleetDevice, start_utc: int, count: int, seed: int, device_index: int
) -> Generation:
    """Interval energies for ``count`` intervals ending at ``start_utc + k × interval``."""
    import numpy as np

    step = device.interval_minutes * 60
    points = start_utc - step + step * np.arange(count + 1, dtype=np.int64)
    cell = (round(float(device.latitude), 1), round(float(device.longitude), 1))
    altitude, turbidity = _climate(*cell, int(points[0]), count + 1, step)
    location, times = _location(device, altitude), _times(points)
    with _quiet():
        position = location.get_solarposition(times)
        clear = location.get_clearsky(times, solar_position=position, linke_turbidity=turbidity)
    ghi = np.asarray(clear["ghi"], np.float64)
    up = np.asarray(position["zenith"], np.float64) < NIGHT_ZENITH
    daylight = up[:-1] & up[1:]
    mean_ghi = np.where(daylight, (ghi[:-1] + ghi[1:]) / 2.0, 0.0)
    weather = _weather(device, count, seed, device_index)
    kw = float(device.nameplate_kw) * mean_ghi / 1000.0 * PERFORMANCE_RATIO * weather
    wh = np.rint(kw * 1000.0 * step / 3600.0).astype(np.int64)
    return Generation(np.maximum(wh, 0), up[1:])


def _weather(
    device: FleetDevice, count: int, seed: int, device_index: int
) -> npt.NDArray[np.float64]:
    """Site-wide daily clearness × the meter's own noise, in [0, 1]."""
    import numpy as np

    per_day = 86_400 // (device.interval_minutes * 60)
    days = count // per_day + 1
    site = np.random.default_rng([seed, 0])
    # Mostly clear days (mean ≈ 0.85), now and then a heavily clouded one.
    clearness = 1.0 - 0.7 * site.beta(1.5, 5.0, size=days)
    spread = 0.03 + 0.4 * (1.0 - clearness)
    own = np.random.default_rng([seed, 1 + device_index])
    day_of = np.arange(count) // per_day
    noise = 1.0 + own.normal(0.0, 1.0, size=count) * spread[day_of]
    return np.clip(clearness[day_of] * noise, 0.0, 1.0)
