"""Request streams for the classification exactness tests: a deliberately small
vocabulary (three digests, two tags) and gaps on the window's edges, so that every rule
of the table, every window edge and every interleaving is hit often."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from registry_insights.pull_actions import ManifestRequest

DIGESTS = ["sha256:" + letter * 64 for letter in "abc"]
TAGS = ["latest", "1.0"]
BASE_TIME = datetime(2026, 6, 1, 23, 59, 30)


def gaps_us(window_seconds: float) -> list[int]:
    window_us = round(window_seconds * 1_000_000)
    half = window_us // 2
    return [
        0,
        0,
        1,
        half,
        window_us - half,
        half + 1,
        window_us - 1,
        window_us,
        window_us + 1,
        1_000,
    ]


def long_single_client_runs(seed: int, count: int) -> list[ManifestRequest]:
    """Long runs from few clients: mostly GETs by digest, so greedy pairing chains are long."""
    rng = np.random.default_rng(seed)
    gaps = np.array([*gaps_us(60), 20_000_000, 29_999_999, 30_000_000])
    offsets = np.cumsum(rng.choice(gaps, size=count))
    requests = []
    for index in range(count):
        by_digest = rng.random() < 0.8
        reference = DIGESTS[rng.integers(3)] if by_digest else TAGS[rng.integers(2)]
        requests.append(
            ManifestRequest(
                event_id=f"{rng.integers(1_000_000_000):09d}-{index}",
                occurred_at=BASE_TIME + timedelta(microseconds=int(offsets[index])),
                http_method="HEAD" if rng.random() < 0.12 else "GET",
                repository="acme/app",
                reference=reference,
                response_digest=(reference if by_digest else DIGESTS[rng.integers(3)])
                if rng.random() < 0.95
                else None,
                client_ip=f"10.0.0.{rng.integers(3)}",
                user_agent="containerd/1.7.22",
                account_id=None,
                status_code=200 if rng.random() < 0.95 else 404,
            )
        )
    return requests
