"""Scheduled runs under Dagster (README, "Scheduled runs"): every dbt model as an asset,
dbt tests as asset checks, ingestion upstream, a daily schedule and period exports."""

from registry_insights.orchestration.definitions import defs

__all__ = ["defs"]
