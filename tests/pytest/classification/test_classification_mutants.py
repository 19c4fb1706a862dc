"""The exactness tests can fail: small mutations of the compiled classification SQL
are each caught by comparing with the reference implementation."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.classification_harness import SqlClassifier, oracle_rows
from support.classification_streams import long_single_client_runs

from registry_insights.pull_actions import ManifestRequest

# (what the mutation breaks, text in the compiled SQL, its replacement)
MUTATIONS = [
    ("window edge is inclusive", "<= 60000000", "< 60000000"),
    ("second follower of a HEAD", "then 'second_follower'", "then 'start'"),
    ("greedy pairing parity", "= 1\n", "= 0\n"),
    (
        "a missing digest is different",
        "is distinct from lagged.prev_1_resolved_digest",
        "<> lagged.prev_1_resolved_digest",
    ),
    ("ties broken by event id", "order by occurred_at, event_id", "order by occurred_at"),
    ("HEAD tag alone is a version check", "then 'version_check'", "then 'pull_by_tag'"),
]


@pytest.fixture(scope="module")
def streams() -> list[list[ManifestRequest]]:
    return [long_single_client_runs(seed, 3_000) for seed in range(3)]


@pytest.mark.parametrize(("broken", "original", "mutant"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutant_is_caught(
    classifier_60s: SqlClassifier,
    tmp_path: Path,
    streams: list[list[ManifestRequest]],
    broken: str,
    original: str,
    mutant: str,
) -> None:
    sql = classifier_60s.compiled_sql
    assert original in sql, f"mutation point for '{broken}' no longer in the compiled SQL"
    mutated = SqlClassifier(
        tmp_path / "classification.duckdb",
        sql.replace(original, mutant),
        classifier_60s.normalise_sql,
    )
    try:
        assert classifier_60s.classify(streams[0]) == oracle_rows(streams[0], 60)
        caught = any(mutated.classify(stream) != oracle_rows(stream, 60) for stream in streams)
    finally:
        mutated.close()
    assert caught, f"breaking '{broken}' went unnoticed"
