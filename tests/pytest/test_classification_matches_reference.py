"""The SQL classification equals the reference algorithm on generated and adversarial streams.

Streams are built from a deliberately small vocabulary (three digests, two tags,
two clients, timestamps on the window edges, ties) so that every rule of the
table, every window edge and every interleaving is hit often.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from classification_harness import SqlClassifier, oracle_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry_insights.pull_actions import ManifestRequest

DIGESTS = ["sha256:" + letter * 64 for letter in "abc"]
TAGS = ["latest", "1.0"]
BASE_TIME = datetime(2026, 6, 1, 23, 59, 30)


def _gaps_us(window_seconds: float) -> list[int]:
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


@st.composite
def request_streams(draw: st.DrawFn, window_seconds: float = 60) -> list[ManifestRequest]:
    gaps = _gaps_us(window_seconds)
    count = draw(st.integers(min_value=0, max_value=14))
    offset = 0
    requests: list[ManifestRequest] = []
    event_ids = draw(
        st.lists(
            st.text(alphabet="ab0", min_size=1, max_size=3),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    # A few clients per stream, the first one busiest, so sequences of one key are long
    # while other keys (null values included) interleave with it.
    clients = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["acme/app", "acme/db"]),
                st.sampled_from(["10.0.0.1", "2001:db8::1", None]),
                st.sampled_from(["docker/27.3.1", None]),
                st.sampled_from([None, "acct-1"]),
            ),
            min_size=1,
            max_size=3,
        )
    )
    previous_digest: str | None = None
    for event_id in event_ids:
        repository, client_ip, user_agent, account_id = draw(
            st.sampled_from([clients[0], *clients])
        )
        offset += draw(st.sampled_from(gaps))
        by_digest = draw(st.booleans())
        # Favour the digest just resolved, so "GET by the same digest" is frequent.
        digest_choices = DIGESTS + [previous_digest] * 3 if previous_digest else DIGESTS
        reference = (
            draw(st.sampled_from(digest_choices)) if by_digest else draw(st.sampled_from(TAGS))
        )
        if by_digest:
            response_digest: str | None = draw(st.sampled_from([reference, reference, None]))
        else:
            response_digest = draw(st.sampled_from([*DIGESTS, None]))
        requests.append(
            ManifestRequest(
                event_id=event_id,
                occurred_at=BASE_TIME + timedelta(microseconds=offset),
                http_method=draw(st.sampled_from(["GET", "GET", "HEAD"])),
                repository=repository,
                reference=reference,
                response_digest=response_digest,
                client_ip=client_ip,
                user_agent=user_agent,
                account_id=account_id,
                status_code=draw(st.sampled_from([200] * 8 + [401, 404])),
                object_type=draw(st.sampled_from(["manifest"] * 9 + ["blob"])),
            )
        )
        previous_digest = requests[-1].digest
    return requests


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stream=request_streams())
def test_sql_equals_reference_on_adversarial_streams(
    classifier_60s: SqlClassifier, stream: list[ManifestRequest]
) -> None:
    assert classifier_60s.classify(stream) == oracle_rows(stream, 60)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stream=request_streams(window_seconds=2.5))
def test_sql_equals_reference_with_a_fractional_window(
    classifier_2_5s: SqlClassifier, stream: list[ManifestRequest]
) -> None:
    assert classifier_2_5s.classify(stream) == oracle_rows(stream, 2.5)


def _long_single_client_runs(seed: int, count: int) -> list[ManifestRequest]:
    """Long runs from few clients: mostly GETs by digest, so greedy pairing chains are long."""
    rng = np.random.default_rng(seed)
    gaps = np.array([*_gaps_us(60), 20_000_000, 29_999_999, 30_000_000])
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


@pytest.mark.parametrize("seed", range(5))
def test_sql_equals_reference_on_long_digest_runs(classifier_60s: SqlClassifier, seed: int) -> None:
    stream = _long_single_client_runs(seed, 4_000)
    expected = oracle_rows(stream, 60)
    assert len(expected) > 1_000
    assert classifier_60s.classify(stream) == expected
