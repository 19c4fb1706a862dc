"""Great Expectations as raw and mart validation use it: one ephemeral, in-memory context
(nothing written to disk, no usage statistics, no progress bars) and one way to run a
list of expectations on a pandas dataframe.

Great Expectations is imported on first use: importing it takes seconds, and most
commands never validate anything.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.data_context.data_context.ephemeral_data_context import (
        EphemeralDataContext,
    )
    from great_expectations.datasource.fluent.pandas_datasource import PandasDatasource

#: The key of an expectation's `meta` that holds its position in the caller's list.
CHECK_KEY = "check"


def ephemeral_context() -> EphemeralDataContext:
    """A fresh in-memory Great Expectations context."""
    # Before the first import of great_expectations: no usage statistics.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        )
        context: EphemeralDataContext = gx.get_context(project_config=config, mode="ephemeral")
        return context


def run_expectations(
    context: EphemeralDataContext,
    source: PandasDatasource,
    name: str,
    suite_name: str,
    frame: pd.DataFrame,
    expectations: Sequence[Any],
    partial_unexpected_count: int,
) -> dict[int, Any]:
    """Validate `frame` (the asset `name` of `source`) against `expectations`, as the
    suite `suite_name`. Expectation i must carry `meta={CHECK_KEY: i}`; the outcomes
    (`ExpectationValidationResult`) are returned by that index. An expectation Great
    Expectations returned no outcome for is missing from the result."""
    import great_expectations as gx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(
            f"{name}_rows"
        )
        suite = context.suites.add(gx.ExpectationSuite(name=suite_name))
        for expectation in expectations:
            suite.add_expectation(expectation)
        # A validation definition reads the batch once (Batch.validate would get it, and
        # hash the whole dataframe, twice). Its result stays in the in-memory store.
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
        )
        validation = definition.run(
            batch_parameters={"dataframe": frame},
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": partial_unexpected_count,
            },
        )
    outcomes: dict[int, Any] = {}
    for outcome in validation.results:
        configuration = outcome.expectation_config
        if configuration is not None and configuration.meta:
            outcomes[int(configuration.meta[CHECK_KEY])] = outcome
    return outcomes


def exception_message(info: object) -> str | None:
    """The message of an exception Great Expectations caught while validating, if any."""
    if not isinstance(info, Mapping):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "error while validating")
    for nested in info.values():
        message = exception_message(nested)
        if message is not None:
            return message
    return None
