"""Check raw Parquet files against the raw-data contract before a dbt build."""

from registry_insights.raw_validation.validate import RawValidationReport, main, validate_raw

__all__ = ["RawValidationReport", "main", "validate_raw"]
