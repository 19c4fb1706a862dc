"""How many rows go where: calibration, days, blocks and their session counts.

The number of rows a session produces depends on the client and the sequence,
so a small calibration sample measures the mean rows per session of every
activity group first. Combined with the groups' rhythms this gives a density of
rows over the period; days get their share of ``rows`` from it and are cut into
blocks of about ``BLOCK_ROWS`` rows with equal expected volume.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from registry_insights.generator.activity import DAY_MINUTES, MINUTE_US, TimeDensity
from registry_insights.generator.anomalies import RETRY_ROW_SHARE
from registry_insights.generator.blocks import EDGE_GROUP, emit_sessions
from registry_insights.generator.client_kinds import N_GROUPS
from registry_insights.generator.config import BLOCK_ROWS, EDGE_CASE_ROW_SHARE
from registry_insights.generator.identifiers import STREAM_CALIBRATION, stream
from registry_insights.generator.world import World

DAY_US = DAY_MINUTES * MINUTE_US
#: Sessions drawn per group to measure rows per session.
CALIBRATION_SESSIONS = 500
#: Draw this many more sessions than needed; trimming removes the excess.
OVERSHOOT = 1.12


@dataclass(frozen=True)
class BlockPlan:
    index: int
    day: int
    start_us: int
    end_us: int
    target_rows: int
    last_of_day: bool


@dataclass(frozen=True)
class Plan:
    blocks: tuple[BlockPlan, ...]
    rows_per_session: NDArray[np.float64]  # per group, then the edge-case group
    row_density: TimeDensity
    base_rows: int

    def session_counts(self, w: World, block: BlockPlan) -> tuple[NDArray[np.int64], float]:
        """Sessions to draw per group, and the expected number of edge sessions, for a block."""
        mass = np.asarray(
            [
                w.group_activity[g] * w.group_densities[g].mass(block.start_us, block.end_us)
                for g in range(N_GROUPS)
            ]
        )
        rows = mass * self.rows_per_session[:N_GROUPS]
        ordinary = (1.0 - EDGE_CASE_ROW_SHARE) * block.target_rows
        scale = ordinary / rows.sum() if rows.sum() > 0 else 0.0
        counts = np.ceil(mass * scale * OVERSHOOT).astype(np.int64) + (mass > 0)
        edge = EDGE_CASE_ROW_SHARE * block.target_rows / self.rows_per_session[EDGE_GROUP]
        return counts, float(edge)


def calibrate(w: World) -> NDArray[np.float64]:
    """Mean rows per session of every group (and of edge cases)."""
    rng = stream(w.config.seed, STREAM_CALIBRATION)
    period = w.catalog.period_us
    counts = np.where(w.group_activity > 0, CALIBRATION_SESSIONS, 0).astype(np.int64)
    flat = TimeDensity(np.ones(w.config.days * DAY_MINUTES))
    rows, groups = emit_sessions(w, rng, counts, CALIBRATION_SESSIONS, 0, period, flat)
    per_session = np.bincount(rows.session, minlength=len(groups))
    totals = np.bincount(groups, weights=per_session, minlength=N_GROUPS + 1)
    sessions = np.bincount(groups, minlength=N_GROUPS + 1)
    return np.where(sessions > 0, totals / np.maximum(sessions, 1), 1.0)


def make_plan(w: World) -> Plan:
    config = w.config
    rows_per_session = calibrate(w)
    per_minute = sum(
        (
            w.group_activity[g] * rows_per_session[g] * w.group_densities[g].per_minute
            for g in range(N_GROUPS)
        ),
        start=np.zeros(config.days * DAY_MINUTES),
    )
    density = TimeDensity(per_minute)
    base_rows = round(config.rows / (1.0 + config.duplicate_rate + RETRY_ROW_SHARE))
    total = density.total
    blocks: list[BlockPlan] = []
    for day in range(config.days):
        day_start, day_end = day * DAY_US, (day + 1) * DAY_US
        low, high = density.at(np.asarray([day_start, day_end]))
        day_rows = base_rows * (high - low) / total
        n_blocks = max(1, math.ceil(day_rows / BLOCK_ROWS))
        masses = low + (high - low) * np.arange(1, n_blocks) / n_blocks
        bounds = [day_start, *density.invert(masses).tolist(), day_end]
        for i in range(n_blocks):
            start, end = int(bounds[i]), int(bounds[i + 1])
            done = round(base_rows * float(density.at(start)) / total)
            upto = round(base_rows * float(density.at(end)) / total)
            blocks.append(
                BlockPlan(len(blocks), day, start, end, max(upto - done, 0), i == n_blocks - 1)
            )
    return Plan(tuple(blocks), rows_per_session, density, base_rows)
