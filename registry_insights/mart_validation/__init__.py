"""Check the built marts with Great Expectations after a dbt build: rules dbt tests do not
express (percent ranges, totals = parts, country codes, period starts, volume bounds)."""

from registry_insights.mart_validation.validate import (
    MartExpectationResult,
    MartInputError,
    MartValidationReport,
    main,
    validate_marts,
)

__all__ = [
    "MartExpectationResult",
    "MartInputError",
    "MartValidationReport",
    "main",
    "validate_marts",
]
