"""Retries and run limits shared by every asset and job."""

from __future__ import annotations

from dagster import Backoff, RetryPolicy

#: A failed step is retried: the dbt side replaces what a failed run wrote, the ingestion
#: and the exports rewrite their files under the same names.
RETRY_POLICY = RetryPolicy(max_retries=3, delay=300, backoff=Backoff.EXPONENTIAL)

#: Every run writes the one DuckDB warehouse, which takes a single writer; dagster.yaml
#: (orchestration.home) queues runs so that one runs at a time.
WAREHOUSE_TAGS = {"registry-insights/warehouse": "writer"}
