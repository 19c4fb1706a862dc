"""When clients are active: daily and weekly rhythms, as densities over time.

Each activity group (a profile in a region) has a rate per minute of the period,
from a profile shape evaluated at local time: people work office hours and rest
at weekends, CI runs all day with nightly builds and cron jobs at the top of the
hour, clusters re-resolve images around the clock, mirrors replicate on schedule.
"""

from __future__ import annotations

import datetime

import numpy as np
from numpy.typing import NDArray

from registry_insights.generator.client_kinds import CI, CLUSTER, HUMAN, MIRROR, REGION_OFFSETS_H

MINUTE_US = 60_000_000
DAY_MINUTES = 1_440

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _bell(hour: FloatArray, centre: float, width: float) -> FloatArray:
    return np.asarray(np.exp(-0.5 * ((hour - centre) / width) ** 2), dtype=np.float64)


def profile_shape(
    profile: int, hour: FloatArray, weekday: IntArray, minute: IntArray
) -> FloatArray:
    """Relative activity at local ``hour`` (0-24, fractional) of local ``weekday`` (0 = Monday)."""
    weekend = weekday >= 5
    if profile == HUMAN:
        rate = 0.04 + _bell(hour, 13.0, 2.8) + 0.3 * _bell(hour, 21.0, 1.6)
        return np.where(weekend, 0.3 * rate, rate)
    if profile == CI:
        rate = 0.3 + 0.8 * _bell(hour, 14.0, 3.5)
        rate = np.where(weekend, 0.45 * rate, rate) + 0.4 * _bell(hour, 2.5, 0.7)
        return np.where(minute == 0, 4.0 * rate, rate)
    if profile == CLUSTER:
        rate = 0.8 + 0.25 * _bell(hour, 14.0, 4.0)
        return np.where(weekend, 0.85 + 0 * rate, rate)
    if profile == MIRROR:
        rate = np.ones_like(hour)
        return np.where(minute == 0, 6.0, np.where(minute == 30, 3.0, rate))
    raise ValueError(f"unknown profile {profile}")


class TimeDensity:
    """A piecewise-constant density over the period, one value per minute."""

    def __init__(self, per_minute: FloatArray) -> None:
        self.per_minute = per_minute
        self.cum = np.concatenate([[0.0], np.cumsum(per_minute)])

    @property
    def total(self) -> float:
        return float(self.cum[-1])

    def at(self, t_us: NDArray[np.integer] | int) -> FloatArray:
        """Cumulative mass up to each time (microseconds from the period start)."""
        t = np.asarray(t_us, dtype=np.int64)
        n = len(self.per_minute)
        minute = np.minimum(t // MINUTE_US, n - 1)
        frac = (t - minute * MINUTE_US) / MINUTE_US
        return np.asarray(self.cum[minute] + self.per_minute[minute] * frac, dtype=np.float64)

    def mass(self, start_us: int, end_us: int) -> float:
        return float(self.at(end_us) - self.at(start_us))

    def invert(self, mass: FloatArray) -> IntArray:
        """Times at which the cumulative mass reaches each value."""
        n = len(self.per_minute)
        minute = np.clip(np.searchsorted(self.cum, mass, side="right") - 1, 0, n - 1)
        rate = self.per_minute[minute]
        frac = np.clip((mass - self.cum[minute]) / np.where(rate > 0, rate, 1.0), 0.0, 1.0)
        return np.asarray(minute * MINUTE_US + np.floor(frac * MINUTE_US), dtype=np.int64)

    def sample(self, rng: np.random.Generator, n: int, start_us: int, end_us: int) -> IntArray:
        """``n`` times in ``[start_us, end_us)`` drawn from the density."""
        low, high = self.at(np.asarray([start_us, end_us]))
        t = self.invert(low + rng.random(n) * (high - low))
        return np.clip(t, start_us, end_us - 1)


def group_shapes(start_date: datetime.date, days: int) -> list[FloatArray]:
    """Relative activity per minute of the period for every group (profile x region)."""
    minutes = np.arange(days * DAY_MINUTES, dtype=np.int64)
    first_weekday = start_date.weekday()
    shapes: list[FloatArray] = []
    for profile in (HUMAN, CI, CLUSTER, MIRROR):
        for offset in REGION_OFFSETS_H:
            local = minutes + int(offset * 60)
            day = np.floor_divide(local, DAY_MINUTES)
            minute_of_day = local - day * DAY_MINUTES
            weekday = (first_weekday + day) % 7
            shape = profile_shape(profile, minute_of_day / 60.0, weekday, minute_of_day % 60)
            shapes.append(np.asarray(shape, dtype=np.float64))
    return shapes
