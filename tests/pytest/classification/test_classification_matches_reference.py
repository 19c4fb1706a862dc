"""The SQL classification equals the reference algorithm on generated and adversarial streams.

Streams are built from a deliberately small vocabulary (three digests, two tags,
two clients, timestamps on the window edges, ties) so that every rule of the
table, every window edge and every interleaving is hit often.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.classification_harness import SqlClassifier, oracle_rows
from support.classification_streams import (
    BASE_TIME,
    DIGESTS,
    TAGS,
    gaps_us,
    long_single_client_runs,
)

from registry_insights.pull_actions import ManifestRequest


@st.composite
def request_streams(draw: st.DrawFn, window_seconds: float = 60) -> list[ManifestRequest]:
    gaps = gaps_us(window_seconds)
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


@pytest.mark.parametrize("seed", range(5))
def test_sql_equals_reference_on_long_digest_runs(classifier_60s: SqlClassifier, seed: int) -> None:
    stream = long_single_client_runs(seed, 4_000)
    expected = oracle_rows(stream, 60)
    assert len(expected) > 1_000
    assert classifier_60s.classify(stream) == expected
